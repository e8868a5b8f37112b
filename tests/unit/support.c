
/*
 * Shared helpers for the unit tests.
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <libxml/parser.h>

#include "support.h"
#include "oiosaml_internal.h"


static char  t_buf[4][1024];
static int   t_next;


static char *
t_path(const char *dir, const char *name)
{
    char  *p = t_buf[t_next++ % 4];

    snprintf(p, sizeof(t_buf[0]), "%s/%s", dir, name);

    return p;
}


const char *
t_cert(const char *name)
{
    const char  *dir = getenv("OIOSAML_TEST_CERTS");

    return t_path(dir ? dir : "build/test-certs", name);
}


const char *
t_file(const char *name, const char *content)
{
    FILE        *f;
    const char  *path;

    mkdir("build", 0755);
    mkdir("build/tmp", 0755);
    path = t_path("build/tmp", name);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);

    return path;
}


static char *
t_cert_b64(const char *file)
{
    int             n;
    BIO            *bio, *b64, *mem;
    X509           *x;
    char           *out, *data;
    long            len;

    bio = BIO_new_file(file, "r");
    assert_non_null(bio);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);

    mem = BIO_new(BIO_s_mem());
    b64 = BIO_new(BIO_f_base64());
    BIO_set_flags(b64, BIO_FLAGS_BASE64_NO_NL);
    b64 = BIO_push(b64, mem);
    n = i2d_X509_bio(b64, x);
    assert_int_equal(n, 1);
    (void) BIO_flush(b64);
    len = BIO_get_mem_data(mem, &data);

    out = malloc((size_t) len + 1);
    memcpy(out, data, (size_t) len);
    out[len] = '\0';

    BIO_free_all(b64);
    X509_free(x);

    return out;
}


const char *
t_idp_metadata(const char *name, const char *entity_id, const char *cert,
    ...)
{
    char         *b64, doc[65536];
    size_t        n;
    va_list       args;
    const char   *c;

    n = (size_t) snprintf(doc, sizeof(doc),
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:"
        "metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
        "entityID=\"%s\"><md:IDPSSODescriptor protocolSupportEnumeration="
        "\"urn:oasis:names:tc:SAML:2.0:protocol\">", entity_id);

    va_start(args, cert);

    for (c = cert; c != NULL; c = va_arg(args, const char *)) {
        b64 = t_cert_b64(strchr(c, '/') ? c : t_cert(c));
        n += (size_t) snprintf(doc + n, sizeof(doc) - n,
            "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data>"
            "<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>"
            "</ds:KeyInfo></md:KeyDescriptor>", b64);
        free(b64);
    }

    va_end(args);

    snprintf(doc + n, sizeof(doc) - n,
        "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:"
        "bindings:HTTP-Redirect\" Location=\"%sslo\"/>"
        "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:"
        "bindings:HTTP-Redirect\" Location=\"%ssso\"/>"
        "</md:IDPSSODescriptor></md:EntityDescriptor>", entity_id,
        entity_id);

    return t_file(name, doc);
}


void
t_init(void)
{
    oiosaml_err_t  err;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_OK);
}


oiosaml_sp_t *
t_sp(const oiosaml_idp_conf_t *idp_conf)
{
    oiosaml_sp_t        *sp;
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    t_init();
    oiosaml_err_clear(&err);

    if (idp_conf != NULL) {
        ic = *idp_conf;

    } else {
        memset(&ic, 0, sizeof(ic));
        ic.profile = OIOSAML_PROFILE_OIOSAML3;
    }

    if (ic.id == NULL) {
        ic.id = "test";
    }

    if (ic.metadata_file == NULL) {
        ic.metadata_file = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt",
                                          NULL);
    }

    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &sp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(sp, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(sp, idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_set_cookie_secret(sp, t_cert("cookie.key"),
                                                  &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(sp, T_NOW, &err), OIOSAML_OK);

    return sp;
}


static time_t
t_cert_not_before(const char *file)
{
    BIO        *bio;
    X509       *x;
    struct tm   tm;

    bio = BIO_new_file(file, "r");
    assert_non_null(bio);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);
    assert_int_equal(ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm), 1);
    X509_free(x);

    return timegm(&tm);
}


time_t
t_now(void)
{
    size_t   i;
    time_t   t;

    static time_t       now;
    static const char  *certs[] = { "idp.crt", "idp-next.crt", "sp.crt",
                                    "sp-next.crt" };

    if (now != 0) {
        return now;
    }

    for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
        t = t_cert_not_before(t_cert(certs[i]));

        if (t > now) {
            now = t;
        }
    }

    now += 3600;

    return now;
}


void
t_pending(oiosaml_pending_t *pending)
{
    memset(pending, 0, sizeof(oiosaml_pending_t));
    strcpy(pending->request_id, T_REQ_ID);
    strcpy(pending->idp_id, "test");
    strcpy(pending->return_url, "/");
    pending->created = t_now();
}


const char *
t_users(void)
{
    return
        "[alice]\n"
        "description = OIOSAML 3 attribute names\n"
        "nameid = https://data.gov.dk/model/core/eid/professional/uuid/"
        "persistent/alice\n"
        "attr https://data.gov.dk/concept/core/nsis/loa = Substantial\n"
        "attr https://data.gov.dk/model/core/specVersion = OIO-SAML-3.0\n"
        "attr https://data.gov.dk/model/core/eid/professional/cvr = "
        "12345678\n"
        "attr https://data.gov.dk/model/core/eid/fullName = "
        "Alice \xc3\x86r\xc3\xb8 \xc3\x98sterg\xc3\xa5rd\n"
        "attr https://data.gov.dk/model/core/eid/email = alice@example.dk\n"
        "attr https://data.gov.dk/model/core/eid/professional/orgName = "
        "Demo Kommune\n"
        "attr https://data.gov.dk/model/core/eid/professional/uuid/"
        "persistent = urn:uuid:3a5c5e36-7d2e-4b5a-9f43-2d6f0b1c9e11\n"
        "attr https://data.gov.dk/model/core/eid/professional/rid = 4711\n"
        "group urn:dk:gov:saml:cvrNumberIdentifier:12345678 = "
        "http://a.dk/roles/usersystemrole/r/1\n"
        "attr https://data.gov.dk/model/core/eid/bootstrapToken = "
        "c2VjcmV0\n"
        "attr urn:x:role = admin\n"
        "attr urn:x:role = r&d = 1\n"
        "\n"
        "[bob]\n"
        "description = OIOSAML 2 attribute names\n"
        "nameid = C=DK,O=87654321,CN=Bob B\xc3\xa6k,Serial=CVR:87654321-"
        "RID:1234\n"
        "nameid_format = urn:oasis:names:tc:SAML:1.1:nameid-format:"
        "X509SubjectName\n"
        "attr dk:gov:saml:attribute:AssuranceLevel = 3\n"
        "attr dk:gov:saml:attribute:SpecVer = DK-SAML-2.0\n"
        "attr dk:gov:saml:attribute:CvrNumberIdentifier = 87654321\n"
        "attr urn:oid:2.5.4.3 = Bob B\xc3\xa6k\n"
        "attr urn:oid:0.9.2342.19200300.100.1.3 = bob@example.dk\n"
        "attr urn:oid:2.5.4.10 = Demo A/S\n"
        "attr dk:gov:saml:attribute:RidNumberIdentifier = 1234\n"
        "privileges_ns = 1.1\n"
        "privileges_attr = dk:gov:saml:attribute:Privileges_intermediate\n"
        "group urn:dk:gov:saml:cvrNumberIdentifier:87654321 = p\n"
        "constraint k = 1\n"
        "attr https://data.gov.dk/model/core/eid/cprUuid = "
        "urn:uuid:0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9\n";
}


testidp_t *
t_testidp(const char *key, const char *users)
{
    char            kf[1024], cf[1024];
    testidp_t      *idp;
    testidp_err_t   err;
    testidp_conf_t  conf;

    t_init();

    if (key == NULL) {
        key = "idp";
    }

    snprintf(kf, sizeof(kf), "%s.key", key);
    snprintf(kf, sizeof(kf), "%s", t_cert(kf));
    snprintf(cf, sizeof(cf), "%s.crt", key);
    snprintf(cf, sizeof(cf), "%s", t_cert(cf));

    memset(&conf, 0, sizeof(conf));
    conf.entity_id = T_IDP;
    conf.key_file = kf;
    conf.cert_file = cf;
    conf.users_file = t_file("unit-users.conf", users ? users : t_users());
    conf.sp_cert_file = t_cert("sp.crt");
    conf.wrong_key_file = t_cert("idp-wrong.key");
    conf.wrong_cert_file = t_cert("idp-wrong.crt");

    /* t_cert() keeps four paths: copy what must outlive the next calls */
    conf.users_file = strdup(conf.users_file);
    conf.sp_cert_file = strdup(conf.sp_cert_file);
    conf.wrong_key_file = strdup(conf.wrong_key_file);
    conf.wrong_cert_file = strdup(conf.wrong_cert_file);
    conf.encrypt_cert_file = t_cert("sp.crt");
    conf.sp_sls = T_BASE "sls";
    conf.profile = TESTIDP_PROFILE_OIOSAML3;

    memset(&err, 0, sizeof(err));

    if (testidp_new(&conf, &idp, &err) != 0) {
        fail_msg("testidp_new(): %s", err.msg);
    }

    free((char *) conf.users_file);
    free((char *) conf.sp_cert_file);
    free((char *) conf.wrong_key_file);
    free((char *) conf.wrong_cert_file);

    return idp;
}


void
t_knobs(testidp_knobs_t *knobs)
{
    testidp_knobs_init(knobs);
    knobs->encrypt = TESTIDP_ENC_NONE;
}


char *
t_response_xml(const testidp_t *idp, const char *user,
    const testidp_knobs_t *knobs, time_t now, size_t *len)
{
    char                  *xml;
    size_t                 n;
    testidp_err_t          err;
    testidp_knobs_t        k;
    testidp_request_t      req;
    const testidp_user_t  *u;

    if (knobs == NULL) {
        t_knobs(&k);
        knobs = &k;
    }

    u = testidp_users_find(idp->users, user ? user : "alice");
    assert_non_null(u);

    memset(&req, 0, sizeof(req));
    req.id = (char *) T_REQ_ID;
    req.issuer = (char *) T_SP;
    req.acs_url = (char *) T_ACS;
    req.destination = (char *) T_IDP "sso";

    memset(&err, 0, sizeof(err));

    if (testidp_response_build(idp, &req, u, knobs, now, &xml, &n, &err)
        != 0)
    {
        fail_msg("testidp_response_build(): %s", err.msg);
    }

    if (len != NULL) {
        *len = n;
    }

    return xml;
}


char *
t_b64(const void *data, size_t len)
{
    char  *b64;

    b64 = testidp_b64_encode(data, len);
    assert_non_null(b64);

    return b64;
}


char *
t_response(const testidp_t *idp, const char *user,
    const testidp_knobs_t *knobs, time_t now)
{
    char    *xml, *b64;
    size_t   len;

    xml = t_response_xml(idp, user, knobs, now, &len);
    b64 = t_b64(xml, len);
    free(xml);

    return b64;
}


xmlDocPtr
t_parse(const char *xml, size_t len)
{
    xmlDocPtr  doc;

    doc = xmlReadMemory(xml, (int) len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR
                        | XML_PARSE_NOWARNING);
    assert_non_null(doc);

    return doc;
}


xmlDocPtr
t_response_doc(const testidp_t *idp, const char *user,
    const testidp_knobs_t *knobs, time_t now)
{
    char       *xml;
    size_t      len;
    xmlDocPtr   doc;

    xml = t_response_xml(idp, user, knobs, now, &len);
    doc = t_parse(xml, len);
    free(xml);

    return doc;
}


char *
t_doc_b64(xmlDocPtr doc)
{
    int       size;
    char     *b64;
    xmlChar  *out;

    out = NULL;
    xmlDocDumpMemoryEnc(doc, &out, &size, "UTF-8");
    assert_non_null(out);
    b64 = t_b64(out, (size_t) size);
    xmlFree(out);

    return b64;
}


void
t_sign(const testidp_t *idp, xmlNodePtr node, int sha1)
{
    char           *id;
    testidp_err_t   err;

    id = (char *) xmlGetProp(node, BAD_CAST "ID");
    assert_non_null(id);

    /* a parsed document knows no IDs: register it for xmlsec */
    assert_int_equal(testidp_xml_id(node, id), 0);

    memset(&err, 0, sizeof(err));

    if (testidp_sign_node(node, id, idp->signer, sha1, &err) != 0) {
        fail_msg("testidp_sign_node(): %s", err.msg);
    }

    xmlFree(id);
}


xmlNodePtr
t_find(xmlNodePtr node, const char *ns, const char *name)
{
    xmlNodePtr  c, found;

    if (node == NULL) {
        return NULL;
    }

    if (node->type == XML_ELEMENT_NODE && node->ns != NULL
        && strcmp((const char *) node->ns->href, ns) == 0
        && strcmp((const char *) node->name, name) == 0)
    {
        return node;
    }

    for (c = node->children; c != NULL; c = c->next) {
        found = t_find(c, ns, name);

        if (found != NULL) {
            return found;
        }
    }

    return NULL;
}


int
t_replay(void *data, const unsigned char *id, size_t len, time_t expires)
{
    size_t       i;
    t_replay_t  *r = data;

    if (r->broken) {
        return -1;
    }

    for (i = 0; i < r->n; i++) {
        if (strlen(r->keys[i]) == len && memcmp(r->keys[i], id, len) == 0) {
            return 1;
        }
    }

    assert_true(r->n < T_REPLAY_MAX);

    r->keys[r->n] = strndup((const char *) id, len);
    assert_non_null(r->keys[r->n]);
    r->expires[r->n] = expires;
    r->n++;

    return 0;
}


void
t_replay_clear(t_replay_t *r)
{
    size_t  i;

    for (i = 0; i < r->n; i++) {
        free(r->keys[i]);
    }

    memset(r, 0, sizeof(t_replay_t));
}


oiosaml_status_t
t_verify(const oiosaml_sp_t *sp, const char *b64,
    const oiosaml_pending_t *pending, time_t now, t_replay_t *replay,
    oiosaml_identity_t **identity, oiosaml_err_t *err)
{
    oiosaml_status_t         rc;
    oiosaml_verify_params_t  p;

    memset(&p, 0, sizeof(p));
    p.response = b64;
    p.response_len = strlen(b64);
    p.pending = pending;
    p.now = now;

    if (replay != NULL) {
        p.replay = t_replay;
        p.replay_data = replay;
    }

    oiosaml_err_clear(err);

    rc = oiosaml_response_verify(sp, &p, identity, err);

    if (rc != OIOSAML_OK) {
        /* a refusal never hands out an identity */
        assert_null(*identity);
        assert_int_equal(err->status, rc);
    }

    return rc;
}


const char *
t_genkey(const char *name, const char *type, const char *pass)
{
    BIO        *bio;
    X509       *x;
    time_t      now;
    EVP_PKEY   *pkey;
    X509_NAME  *subject;

    static char  key[1024], crt[1024];

    now = t_now();

    if (strcmp(type, "rsa1024") == 0) {
        pkey = EVP_RSA_gen(1024);

    } else if (strcmp(type, "rsa2048") == 0) {
        pkey = EVP_RSA_gen(2048);

    } else if (strcmp(type, "ec") == 0) {
        pkey = EVP_EC_gen("P-256");

    } else if (strncmp(type, "ec-", 3) == 0) {
        pkey = EVP_EC_gen(type + 3);

    } else {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    }

    assert_non_null(pkey);

    x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, &now));
    assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 365, 0, &now));
    assert_int_equal(X509_set_pubkey(x, pkey), 1);

    subject = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               (const unsigned char *) name, -1, -1, 0);
    assert_int_equal(X509_set_issuer_name(x, subject), 1);
    assert_true(X509_sign(x, pkey, strcmp(type, "ed25519") == 0
                                   ? NULL : EVP_sha256()) > 0);

    mkdir("build", 0755);
    mkdir("build/tmp", 0755);
    snprintf(key, sizeof(key), "build/tmp/%s.key", name);
    snprintf(crt, sizeof(crt), "build/tmp/%s.crt", name);

    bio = BIO_new_file(key, "w");
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PrivateKey(bio, pkey,
                                              pass ? EVP_aes_256_cbc()
                                                   : NULL,
                                              NULL, 0, NULL, (void *) pass),
                     1);
    BIO_free(bio);

    bio = BIO_new_file(crt, "w");
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_X509(bio, x), 1);
    BIO_free(bio);

    X509_free(x);
    EVP_PKEY_free(pkey);

    return key;
}


/*
 * Verifies with a fresh replay store and checks the answer.  Every
 * refusal must leave the store empty and return no identity.
 */
void
t_expect(const oiosaml_sp_t *s, const char *b64,
    const oiosaml_pending_t *pending, time_t at, oiosaml_status_t want,
    const char *text)
{
    t_replay_t           replay;
    oiosaml_err_t        err;
    oiosaml_status_t     rc;
    oiosaml_identity_t  *id;

    memset(&replay, 0, sizeof(replay));

    rc = t_verify(s, b64, pending, at, &replay, &id, &err);

    if (rc != want) {
        fail_msg("expected %s, got %s: %s", oiosaml_status_name(want),
                 oiosaml_status_name(rc), err.text);
    }

    if (want == OIOSAML_OK) {
        assert_non_null(id);
        assert_int_equal(replay.n, 1);
        oiosaml_identity_free(id);

    } else {
        assert_null(id);
        assert_int_equal(replay.n, 0);
    }

    if (text != NULL && strstr(err.text, text) == NULL) {
        fail_msg("\"%s\" is not in \"%s\"", text, err.text);
    }

    t_replay_clear(&replay);
}


int
t_url_verifies(const char *url, const char *cert)
{
    int             ok;
    BIO            *bio;
    X509           *x;
    char           *sig;
    size_t          len;
    EVP_PKEY       *pkey;
    const char     *q, *s;
    EVP_MD_CTX     *ctx;
    unsigned char  *raw;

    /* the signed part starts at the message (the URL may have a query) */
    q = strstr(url, "SAMLRequest=");

    if (q == NULL) {
        q = strstr(url, "SAMLResponse=");
    }

    assert_non_null(q);
    assert_true(q[-1] == '?' || q[-1] == '&');

    assert_non_null(strstr(q, "&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2F"
                           "xmldsig-more%23rsa-sha256&Signature="));
    s = strstr(q, "&Signature=");

    sig = testidp_url_decode(s + 11, strlen(s + 11), &len);
    assert_non_null(sig);
    raw = testidp_b64_decode(sig, len, &len);
    assert_non_null(raw);

    bio = BIO_new_file(cert, "r");
    assert_non_null(bio);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);
    pkey = X509_get_pubkey(x);

    ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
                                          pkey), 1);
    ok = EVP_DigestVerify(ctx, raw, len, (const unsigned char *) q,
                          (size_t) (s - q)) == 1;

    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    X509_free(x);
    free(raw);
    free(sig);
    ERR_clear_error();

    return ok;
}


/* an SP with IdPs "test" (T_IDP) and "other" (https://other.test/) */
oiosaml_sp_t *
t_sp_two_idps(void)
{
    oiosaml_sp_t        *s;
    oiosaml_err_t        err;
    oiosaml_idp_t       *i;
    oiosaml_idp_conf_t   ic;

    t_init();
    oiosaml_err_clear(&err);
    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;

    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &s, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(s, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);

    ic.id = "test";
    ic.metadata_file = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt",
                                      NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(s, i, &err), OIOSAML_OK);

    /* the other IdP even trusts the same key */
    ic.id = "other";
    ic.metadata_file = t_idp_metadata("unit-other.xml", "https://other.test/",
                                      "idp.crt", NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(s, i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(s, T_NOW, &err), OIOSAML_OK);

    return s;
}


xmlNodePtr
t_need(xmlNodePtr from, const char *ns, const char *name)
{
    xmlNodePtr  n;

    n = t_find(from, ns, name);

    if (n == NULL) {
        fail_msg("no %s in %s", name, from ? (char *) from->name : "NULL");
    }

    return n;
}


void
t_drop(xmlNodePtr node)
{
    xmlUnlinkNode(node);
    xmlFreeNode(node);
}


xmlDocPtr
t_signed_doc(const testidp_t *idp, testidp_sign_t sign)
{
    testidp_knobs_t  k;

    t_knobs(&k);
    k.sign = sign;

    return t_response_doc(idp, NULL, &k, t_now());
}


xmlNodePtr
t_assertion_of(xmlDocPtr doc)
{
    return t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
}


xmlNodePtr
t_signature_of(xmlNodePtr node)
{
    xmlNodePtr  sig;

    sig = oiosaml_xml_child(node, OIOSAML_NS_DS, "Signature");
    assert_non_null(sig);

    return sig;
}


void
t_unsign(xmlNodePtr node)
{
    t_drop(t_signature_of(node));
}


void
t_evil_edit(xmlNodePtr assertion)
{
    xmlNodeSetContent(t_need(assertion, OIOSAML_NS_SAML, "NameID"),
                      BAD_CAST T_EVIL);
}


/* samlp:Extensions where the schema has it: right after the Issuer */
xmlNodePtr
t_extensions(xmlDocPtr doc)
{
    xmlNodePtr  root, ext;

    root = xmlDocGetRootElement(doc);
    ext = xmlNewDocNode(doc, root->ns, BAD_CAST "Extensions", NULL);
    xmlAddNextSibling(t_need(root, OIOSAML_NS_SAML, "Issuer"), ext);

    return ext;
}


xmlNodePtr
t_status_detail(xmlDocPtr doc)
{
    xmlNodePtr  root, sd;

    root = xmlDocGetRootElement(doc);
    sd = xmlNewDocNode(doc, root->ns, BAD_CAST "StatusDetail", NULL);
    xmlAddChild(t_need(root, OIOSAML_NS_SAMLP, "Status"), sd);

    return sd;
}


void
t_refused_doc(const oiosaml_sp_t *sp, xmlDocPtr doc,
    const oiosaml_pending_t *pending, oiosaml_status_t want,
    const char *text)
{
    char  *b64;

    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);
    t_expect(sp, b64, pending, t_now(), want, text);
    free(b64);
}


void
t_expect_user_doc(const oiosaml_sp_t *sp, xmlDocPtr doc,
    const oiosaml_pending_t *pending, const char *user)
{
    char  *b64;

    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);
    t_expect_user(sp, b64, pending, t_now(), user);
    free(b64);
}


xmlNodePtr
t_add_xml(xmlNodePtr parent, const char *fmt, ...)
{
    char        buf[16384];
    va_list     args;
    xmlNodePtr  list;

    va_start(args, fmt);
    vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);

    list = NULL;
    assert_int_equal(xmlParseInNodeContext(parent, buf, (int) strlen(buf),
                                           0, &list), XML_ERR_OK);
    assert_non_null(list);
    xmlAddChildList(parent, list);

    return list;
}


int
t_canary_open(int *port)
{
    int                 fd;
    socklen_t           len;
    struct sockaddr_in  a;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(a);

    assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &len), 0);
    assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);

    *port = ntohs(a.sin_port);

    return fd;
}


void
t_canary_silent(int fd)
{
    int  c;

    c = accept(fd, NULL, NULL);

    if (c >= 0) {
        close(c);
        close(fd);
        fail_msg("something connected to the canary");
    }

    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(fd);
}


void
t_expect_user(const oiosaml_sp_t *s, const char *b64,
    const oiosaml_pending_t *pending, time_t at, const char *user)
{
    oiosaml_err_t        err;
    oiosaml_status_t     rc;
    oiosaml_identity_t  *id;

    id = NULL;
    rc = t_verify(s, b64, pending, at, NULL, &id, &err);

    if (rc != OIOSAML_OK) {
        fail_msg("refused (%s): %s", oiosaml_status_name(rc), err.text);
    }

    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_USER, NULL), user);
    oiosaml_identity_free(id);
}


oiosaml_sp_t *
t_sp_signed(oiosaml_signed_t where)
{
    oiosaml_idp_conf_t  ic;

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.signed_part = where;

    return t_sp(&ic);
}


oiosaml_sp_t *
t_sp_two_keys(void)
{
    oiosaml_sp_t        *s;
    oiosaml_err_t        err;
    oiosaml_idp_t       *i;
    oiosaml_idp_conf_t   ic;

    t_init();
    oiosaml_err_clear(&err);
    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;

    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &s, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(s, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);

    ic.id = "test";
    ic.metadata_file = t_idp_metadata("unit-keys-test.xml", T_IDP,
                                      "idp.crt", NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(s, i, &err), OIOSAML_OK);

    ic.id = "other";
    ic.metadata_file = t_idp_metadata("unit-keys-other.xml", T_OTHER,
                                      "idp-wrong.crt", NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(s, i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(s, T_NOW, &err), OIOSAML_OK);
    oiosaml_sp_set_allow_unsolicited(s, 1);

    return s;
}


oiosaml_sp_t *
t_sp_rollover(void)
{
    oiosaml_sp_t        *s;
    oiosaml_err_t        err;
    oiosaml_idp_t       *i;
    oiosaml_idp_conf_t   ic;

    t_init();
    oiosaml_err_clear(&err);
    memset(&ic, 0, sizeof(ic));
    ic.id = "test";
    ic.profile = OIOSAML_PROFILE_OIOSAML3;

    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &s, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(s, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(s, t_cert("sp-next.key"),
                                        t_cert("sp-next.crt"),
                                        t_now() + 86400, &err),
                     OIOSAML_OK);

    /* after the t_cert() calls above: it keeps only four paths */
    ic.metadata_file = t_idp_metadata("unit-rollover-idp.xml", T_IDP,
                                      "idp.crt", NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(s, i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(s, t_now(), &err), OIOSAML_OK);

    return s;
}


char *
t_key_info(const char *cert, const char *form)
{
    int                         n;
    BIO                        *bio;
    X509                       *x;
    char                       *b64, *dec, *out, issuer[1024];
    BIGNUM                     *bn;
    unsigned char              *der;
    const ASN1_OCTET_STRING    *ski;

    bio = BIO_new_file(cert, "r");
    assert_non_null(bio);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);

    out = malloc(8192);
    assert_non_null(out);

    if (strcmp(form, "cert") == 0) {
        der = NULL;
        n = i2d_X509(x, &der);
        assert_true(n > 0);
        b64 = t_b64(der, (size_t) n);
        OPENSSL_free(der);
        snprintf(out, 8192, "<ds:X509Certificate>%s</ds:X509Certificate>",
                 b64);
        free(b64);

    } else if (strcmp(form, "issuer-serial") == 0) {
        bio = BIO_new(BIO_s_mem());
        assert_true(X509_NAME_print_ex(bio, X509_get_issuer_name(x), 0,
                                       XN_FLAG_RFC2253) > 0);
        n = BIO_read(bio, issuer, sizeof(issuer) - 1);
        assert_true(n > 0);
        issuer[n] = '\0';
        BIO_free(bio);

        bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        assert_non_null(bn);
        dec = BN_bn2dec(bn);
        assert_non_null(dec);
        BN_free(bn);

        snprintf(out, 8192, "<ds:X509IssuerSerial><ds:X509IssuerName>%s"
                 "</ds:X509IssuerName><ds:X509SerialNumber>%s"
                 "</ds:X509SerialNumber></ds:X509IssuerSerial>", issuer,
                 dec);
        OPENSSL_free(dec);

    } else {
        assert_string_equal(form, "ski");
        ski = X509_get0_subject_key_id(x);
        assert_non_null(ski);
        b64 = t_b64(ASN1_STRING_get0_data(ski),
                    (size_t) ASN1_STRING_length(ski));
        snprintf(out, 8192, "<ds:X509SKI>%s</ds:X509SKI>", b64);
        free(b64);
    }

    X509_free(x);

    b64 = strdup(out);
    assert_non_null(b64);
    snprintf(out, 8192, "<ds:KeyInfo xmlns:ds=\"" OIOSAML_NS_DS "\">"
             "<ds:X509Data>%s</ds:X509Data></ds:KeyInfo>", b64);
    free(b64);

    return out;
}


oiosaml_identity_t *
t_login(const oiosaml_sp_t *sp, const char *user)
{
    char                *b64;
    testidp_t           *idp;
    oiosaml_err_t        err;
    t_replay_t           replay;
    testidp_knobs_t      k;
    oiosaml_pending_t    pending;
    oiosaml_identity_t  *id;

    idp = t_testidp(NULL, NULL);
    t_pending(&pending);
    t_knobs(&k);
    b64 = t_response(idp, user, &k, t_now());
    memset(&replay, 0, sizeof(replay));

    assert_int_equal(t_verify(sp, b64, &pending, t_now(), &replay, &id,
                              &err), OIOSAML_OK);
    t_replay_clear(&replay);
    free(b64);
    testidp_free(idp);

    return id;
}
