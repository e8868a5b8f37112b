
/*
 * The SAMLResponse at the ACS: oiosaml_response_verify() end to end
 * (base64, XML parsing, signatures, decryption, every rule, the identity).
 *
 * The first byte picks the mode:
 *
 *   '!'    the rest is the SAMLResponse form value as sent (base64)
 *   '?'    the rest is the decoded XML, for an SP that accepts either
 *          signature, SHA-1 and IdP-initiated logins (no pending login)
 *   '$'    the rest is the decoded XML, whose first assertion the target
 *          signs with the test IdP's key (as the IdP would) before the
 *          check: the rules behind the signature see fuzzed values
 *   '@'    the rest is an assertion, read as if its signature held
 *          (oiosaml_identity_from_assertion(): attributes, and levels
 *          for an IdP of each profile)
 *   other  the whole input is the decoded XML (base64-encoded here, so
 *          that the fuzzer mutates XML), answering the pending login
 *
 * Invariants: a refusal returns no identity and records no ID; an
 * acceptance returns an identity, records its ID, and the same response
 * is then refused as a replay.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "oiosaml_internal.h"
#include "fuzz_support.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_verify(const oiosaml_sp_t *sp, const char *b64, size_t len,
    const oiosaml_pending_t *pending);
static void fz_verify_xml(const oiosaml_sp_t *sp, const uint8_t *data,
    size_t size, const oiosaml_pending_t *pending);
static void fz_identity_check(const oiosaml_identity_t *id, int verified);
static void fz_assertion(const uint8_t *data, size_t size);
static void fz_signed(const uint8_t *data, size_t size);


#define FZ_NPROFILES  6

static oiosaml_sp_t       *fz_sp_a;   /* signed=assertion, pending */
static oiosaml_sp_t       *fz_sp_b;   /* signed=either, SHA-1, unsolicited */
static oiosaml_sp_t       *fz_sp_p[FZ_NPROFILES];   /* one per profile */
static oiosaml_pending_t   fz_pend;
static fz_replay_t         fz_store;
static oiosaml_sp_key_t    fz_idp_key;     /* the test IdP's, for '$' */


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t              i;
    oiosaml_err_t       err;
    oiosaml_idp_conf_t  ic;

    (void) argc;
    (void) argv;

    fz_sp_a = fz_sp(NULL, 0);

    /* the IdP's profile decides the level: every profile for '@' */
    for (i = 0; i < FZ_NPROFILES; i++) {
        memset(&ic, 0, sizeof(ic));
        ic.profile = (oiosaml_profile_t) i;
        ic.high_nist = (i % 2) ? 3 : 4;
        ic.max_loa = (i == OIOSAML_PROFILE_OIOSAML2_NO_LOA)
                     ? OIOSAML_LOA_SUBSTANTIAL : OIOSAML_LOA_NONE;
        fz_sp_p[i] = fz_sp(&ic, 0);
    }

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.signed_part = OIOSAML_SIGNED_EITHER;
    ic.allow_sha1 = 1;
    fz_sp_b = fz_sp(&ic, 1);

    fz_pending(&fz_pend);

    oiosaml_err_clear(&err);

    if (oiosaml_pkey_load(fz_cert("idp.key"), &fz_idp_key.pkey, &err)
        != OIOSAML_OK
        || oiosaml_cert_load(fz_cert("idp.crt"), &fz_idp_key.cert, &err)
           != OIOSAML_OK)
    {
        fz_die("the test IdP's key: %s", err.text);
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] == '!') {
        fz_verify(fz_sp_a, (const char *) data + 1, size - 1, &fz_pend);

    } else if (size > 0 && data[0] == '?') {
        fz_verify_xml(fz_sp_b, data + 1, size - 1, NULL);

    } else if (size > 0 && data[0] == '$') {
        fz_signed(data + 1, size - 1);

    } else if (size > 0 && data[0] == '@') {
        fz_assertion(data + 1, size - 1);

    } else {
        fz_verify_xml(fz_sp_a, data, size, &fz_pend);
    }

    return 0;
}


static void
fz_verify_xml(const oiosaml_sp_t *sp, const uint8_t *data, size_t size,
    const oiosaml_pending_t *pending)
{
    int    n;
    char  *b64;

    b64 = malloc((size + 2) / 3 * 4 + 1);
    if (b64 == NULL) {
        return;
    }

    n = EVP_EncodeBlock((unsigned char *) b64, data, (int) size);

    fz_verify(sp, b64, (size_t) n, pending);

    free(b64);
}


static void
fz_verify(const oiosaml_sp_t *sp, const char *b64, size_t len,
    const oiosaml_pending_t *pending)
{
    oiosaml_err_t            err;
    oiosaml_status_t         rc;
    oiosaml_identity_t      *id;
    oiosaml_verify_params_t  p;

    fz_replay_reset(&fz_store);

    memset(&p, 0, sizeof(p));
    p.response = b64;
    p.response_len = len;
    p.pending = pending;
    p.now = fz_now();
    p.replay = fz_replay;
    p.replay_data = &fz_store;

    oiosaml_err_clear(&err);
    id = NULL;

    rc = oiosaml_response_verify(sp, &p, &id, &err);
    fz_report("verify", rc, &err);

    if (rc != OIOSAML_OK) {
        fz_assert(id == NULL);
        fz_assert(err.status == rc);
        fz_assert(fz_store.n == 0);
        fz_assert(memchr(err.text, '\0', sizeof(err.text)) != NULL);
        return;
    }

    fz_assert(id != NULL);
    fz_assert(fz_store.n == 1);
    fz_identity_check(id, 1);
    oiosaml_identity_free(id);

    /* the same response again is a replay */
    oiosaml_err_clear(&err);
    id = NULL;

    rc = oiosaml_response_verify(sp, &p, &id, &err);

    fz_assert(rc == OIOSAML_DENY_REPLAY);
    fz_assert(id == NULL);

    fz_replay_reset(&fz_store);
}


static void
fz_identity_check(const oiosaml_identity_t *id, int verified)
{
    char          *esc;
    size_t         len, i, n;
    const char    *v;
    oiosaml_loa_t  loa;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        v = oiosaml_identity_get(id, (oiosaml_field_t) i, &len);

        fz_assert(v != NULL);
        fz_assert(strlen(v) == len);

        /* as the module puts them into request headers */
        esc = malloc(len * 3 + 1);
        fz_assert(esc != NULL);
        n = oiosaml_header_escape(esc, v, len);
        fz_assert(n <= len * 3);
        free(esc);
    }

    v = oiosaml_identity_get(id, OIOSAML_F_USER, &len);
    fz_assert(len > 0);

    loa = oiosaml_identity_loa(id);
    fz_assert(loa >= OIOSAML_LOA_NONE && loa <= OIOSAML_LOA_HIGH);
    fz_assert(oiosaml_identity_idp(id) != NULL);
    fz_assert(!verified || oiosaml_identity_assertion_id(id)[0] != '\0');
    (void) oiosaml_identity_not_on_or_after(id);
}


/* the assertion as if its signature held: what the IdP can say */
static void
fz_assertion(const uint8_t *data, size_t size)
{
    size_t                i, k;
    xmlDocPtr             doc;
    xmlNodePtr            root;
    oiosaml_err_t         err;
    oiosaml_status_t      rc;
    oiosaml_identity_t   *id;
    const oiosaml_idp_t  *idp;

    static const oiosaml_loa_t  requested[] = {
        OIOSAML_LOA_NONE, OIOSAML_LOA_SUBSTANTIAL, OIOSAML_LOA_HIGH
    };

    oiosaml_err_clear(&err);

    if (oiosaml_xml_parse((const char *) data, size, &doc, &err)
        != OIOSAML_OK)
    {
        return;
    }

    root = xmlDocGetRootElement(doc);

    for (k = 0; k < FZ_NPROFILES; k++) {
        idp = oiosaml_sp_idp_at(fz_sp_p[k], 0);

        for (i = 0; i < sizeof(requested) / sizeof(requested[0]); i++) {
            oiosaml_err_clear(&err);
            id = NULL;

            rc = oiosaml_identity_from_assertion(idp, root, requested[i],
                                                 &id, &err);
            fz_report("identity", rc, &err);

            if (rc != OIOSAML_OK) {
                fz_assert(id == NULL);
                continue;
            }

            fz_assert(id != NULL);
            fz_identity_check(id, 0);
            oiosaml_identity_free(id);
        }
    }

    xmlFreeDoc(doc);
}


/* the first assertion signed by the IdP, whatever it says */
static void
fz_signed(const uint8_t *data, size_t size)
{
    char           *xml;
    size_t          len;
    xmlDocPtr       doc;
    xmlNodePtr      root, a, sig;
    oiosaml_err_t   err;

    oiosaml_err_clear(&err);

    if (oiosaml_xml_parse((const char *) data, size, &doc, &err)
        != OIOSAML_OK)
    {
        return;
    }

    root = xmlDocGetRootElement(doc);
    a = oiosaml_xml_child(root, OIOSAML_NS_SAML, "Assertion");

    if (a == NULL || oiosaml_xml_attr(a, "ID") == NULL) {
        xmlFreeDoc(doc);
        return;
    }

    while ((sig = oiosaml_xml_child(a, OIOSAML_NS_DS, "Signature"))
           != NULL)
    {
        xmlUnlinkNode(sig);
        xmlFreeNode(sig);
    }

    if (oiosaml_dsig_sign(a, oiosaml_xml_child(a, OIOSAML_NS_SAML, "Issuer"),
                          &fz_idp_key, &err)
        != OIOSAML_OK)
    {
        xmlFreeDoc(doc);
        return;
    }

    xml = oiosaml_xml_dump(doc, &len);
    xmlFreeDoc(doc);

    if (xml != NULL) {
        fz_verify_xml(fz_sp_a, (const uint8_t *) xml, len, &fz_pend);
        free(xml);
    }
}
