
/*
 * The attack catalogue (docs/security.md), section E: XML Encryption of
 * OIOSAML 3 assertions (ENC-01 to ENC-10), through
 * oiosaml_response_verify().  Encrypted assertions are made with the test
 * IdP's xmlsec code, or here with OpenSSL when the plaintext or the
 * ciphertext must be chosen byte by byte; the key is always wrapped for
 * the SP's published certificate, as an attacker can.  NO-FETCH cases
 * listen on a loopback port that nothing may connect to.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_ALICE     "https://data.gov.dk/model/core/eid/professional/uuid/" \
                    "persistent/alice"
#define T_XENC      "http://www.w3.org/2001/04/xmlenc#"
#define T_XENC11    "http://www.w3.org/2009/xmlenc11#"
#define T_DSIG      "http://www.w3.org/2000/09/xmldsig#"


/* what is done to IV | ciphertext | tag after encryption */
typedef enum {
    T_INTACT = 0,
    T_TAG_96,           /* the GCM tag cut to 96 bits */
    T_TAG_64,
    T_NO_TAG,
    T_IV_64,            /* an IV of 8 bytes */
    T_ONLY_IV,          /* no ciphertext and no tag */
    T_FLIP              /* one bit of the first block changed */
} t_mangle_t;


static xmlNodePtr encrypt_node(xmlNodePtr node, testidp_enc_t method);
static char *assertion_text(void);
static char *raw_encrypted(const char *plain, size_t len, int cbc,
    t_mangle_t mangle, const char *key_info);
static char *response_with(const char *ea);


static oiosaml_sp_t       *sp;
static oiosaml_sp_t       *sp_resp;
static testidp_t          *idp;
static time_t              now;
static oiosaml_pending_t   pending;


static int
setup(void **state)
{
    sp = t_sp(NULL);
    sp_resp = t_sp_signed(OIOSAML_SIGNED_RESPONSE);
    idp = t_testidp(NULL, NULL);
    now = t_now();
    t_pending(&pending);

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp);
    oiosaml_sp_free(sp_resp);
    testidp_free(idp);

    return 0;
}


/*
 * Wraps node in a saml:EncryptedAssertion and encrypts it for the SP's
 * certificate (RSA-OAEP) with the test IdP's code; returns the wrapper.
 */
static xmlNodePtr
encrypt_node(xmlNodePtr node, testidp_enc_t method)
{
    xmlNsPtr         ns;
    xmlNodePtr       ea;
    testidp_err_t    err;
    testidp_peer_t  *peer;

    memset(&err, 0, sizeof(err));
    assert_int_equal(testidp_peer_load(t_cert("sp.crt"), &peer, &err), 0);

    ns = xmlSearchNsByHref(node->doc, xmlDocGetRootElement(node->doc),
                           BAD_CAST OIOSAML_NS_SAML);
    ea = xmlNewDocNode(node->doc, ns, BAD_CAST "EncryptedAssertion", NULL);
    xmlAddPrevSibling(node, ea);
    xmlUnlinkNode(node);
    xmlAddChild(ea, node);

    if (testidp_encrypt_node(node, peer, method, TESTIDP_KT_OAEP, &err) != 0)
    {
        fail_msg("testidp_encrypt_node(): %s", err.msg);
    }

    testidp_peer_free(peer);

    return ea;
}


/* the test IdP's signed Assertion element, as text */
static char *
assertion_text(void)
{
    char    *xml, *a, *end, *out;
    size_t   len;

    xml = t_response_xml(idp, NULL, NULL, now, &len);
    a = strstr(xml, "<saml:Assertion");
    end = strstr(xml, "</saml:Assertion>");
    assert_non_null(a);
    assert_non_null(end);
    end += sizeof("</saml:Assertion>") - 1;

    out = strndup(a, (size_t) (end - a));
    free(xml);

    return out;
}


/*
 * A saml:EncryptedAssertion with exactly these plaintext bytes, in
 * AES-256-GCM (or CBC) under a fresh key wrapped with RSA-OAEP for
 * sp.crt, the ciphertext then mangled; key_info: more ds:KeyInfo content
 * (after the EncryptedKey), or NULL.
 */
static char *
raw_encrypted(const char *plain, size_t len, int cbc, t_mangle_t mangle,
    const char *key_info)
{
    int              n, total;
    BIO             *bio;
    X509            *x;
    char            *out, *data, *wrapped;
    size_t           ivlen, wlen;
    EVP_PKEY        *pkey;
    EVP_PKEY_CTX    *pctx;
    EVP_CIPHER_CTX  *ctx;
    unsigned char    key[32], *buf, w[1024];

    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    ivlen = cbc ? 16 : 12;
    buf = malloc(len + 64);
    assert_non_null(buf);
    assert_int_equal(RAND_bytes(buf, (int) ivlen), 1);

    ctx = EVP_CIPHER_CTX_new();
    assert_int_equal(EVP_EncryptInit_ex2(ctx, cbc ? EVP_aes_256_cbc()
                                                  : EVP_aes_256_gcm(),
                                         key, buf, NULL), 1);
    assert_int_equal(EVP_EncryptUpdate(ctx, buf + ivlen, &n,
                                       (const unsigned char *) plain,
                                       (int) len), 1);
    total = n;
    assert_int_equal(EVP_EncryptFinal_ex(ctx, buf + ivlen + total, &n), 1);
    total += n;

    if (!cbc) {
        assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16,
                                             buf + ivlen + total), 1);
        total += 16;
    }

    EVP_CIPHER_CTX_free(ctx);
    total += (int) ivlen;

    switch (mangle) {
    case T_TAG_96:
        total -= 4;
        break;
    case T_TAG_64:
        total -= 8;
        break;
    case T_NO_TAG:
        total -= 16;
        break;
    case T_IV_64:
        memmove(buf + 8, buf + 12, (size_t) total - 12);
        total -= 4;
        break;
    case T_ONLY_IV:
        total = (int) ivlen;
        break;
    case T_FLIP:
        buf[ivlen + 3] ^= 0x01;
        break;
    default:
        break;
    }

    data = t_b64(buf, (size_t) total);
    free(buf);

    bio = BIO_new_file(t_cert("sp.crt"), "r");
    assert_non_null(bio);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);
    pkey = X509_get_pubkey(x);
    X509_free(x);

    pctx = EVP_PKEY_CTX_new(pkey, NULL);
    assert_int_equal(EVP_PKEY_encrypt_init(pctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx,
                                                  RSA_PKCS1_OAEP_PADDING), 1);
    wlen = sizeof(w);
    assert_int_equal(EVP_PKEY_encrypt(pctx, w, &wlen, key, sizeof(key)), 1);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(pkey);
    wrapped = t_b64(w, wlen);

    out = malloc(strlen(data) + strlen(wrapped)
                 + (key_info ? strlen(key_info) : 0) + 2048);
    assert_non_null(out);

    sprintf(out, "<saml:EncryptedAssertion xmlns:saml=\"" OIOSAML_NS_SAML
            "\"><xenc:EncryptedData xmlns:xenc=\"" T_XENC "\" Type=\""
            T_XENC "Element\"><xenc:EncryptionMethod Algorithm=\"%s\"/>"
            "<ds:KeyInfo xmlns:ds=\"" T_DSIG "\"><xenc:EncryptedKey>"
            "<xenc:EncryptionMethod Algorithm=\"" T_XENC "rsa-oaep-mgf1p\"/>"
            "<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue>"
            "</xenc:CipherData></xenc:EncryptedKey>%s</ds:KeyInfo>"
            "<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue>"
            "</xenc:CipherData></xenc:EncryptedData>"
            "</saml:EncryptedAssertion>",
            cbc ? T_XENC "aes256-cbc" : T_XENC11 "aes256-gcm", wrapped,
            key_info ? key_info : "", data);

    free(wrapped);
    free(data);

    return out;
}


/* alice's response with ea in place of its assertion, base64; frees ea */
static char *
response_with(const char *ea)
{
    char        *b64;
    xmlDocPtr    doc;
    xmlNodePtr   a;

    doc = t_response_doc(idp, NULL, NULL, now);
    a = t_assertion_of(doc);
    t_add_xml(xmlDocGetRootElement(doc), "%s", ea);
    t_drop(a);

    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);

    return b64;
}


/*
 * ENC-01 (GHES CVE-2024-4985): an unsigned evil assertion encrypted for
 * the SP's published certificate.  Encryption is not authentication.
 */
static void
test_enc01_encryption_is_not_authentication(void **state)
{
    char             *b64;
    xmlDocPtr         doc;
    xmlNodePtr        a;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.sign = TESTIDP_SIGN_NONE;
    doc = t_response_doc(idp, NULL, &k, now);
    a = t_assertion_of(doc);
    xmlNodeSetContent(t_need(a, OIOSAML_NS_SAML, "NameID"),
                      BAD_CAST "admin");
    encrypt_node(a, TESTIDP_ENC_AES256_GCM);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);

    t_expect(sp, b64, &pending, now, OIOSAML_DENY_UNSIGNED, "must sign");
    t_expect(sp_resp, b64, &pending, now, OIOSAML_DENY_UNSIGNED,
             "must sign");
    free(b64);
}


/*
 * ENC-02: an EncryptedAssertion with a plaintext evil Assertion beside
 * it (before or after), two EncryptedAssertions, or one whose plaintext
 * is a Response, text, or an Assertion in another namespace.
 */
static void
test_enc02_mixed_plain_and_encrypted(void **state)
{
    char        *b64, *ea, *plain;
    size_t       i;
    xmlDocPtr    doc;
    xmlNodePtr   a, evil, enc;

    static const char  *plains[] = {
        "<samlp:Response xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" ID=\"_r\" "
        "Version=\"2.0\"/>",
        "just text",
        "<saml:Assertion xmlns:saml=\"urn:evil\" ID=\"_e\" Version=\"2.0\"/>"
    };

    for (i = 0; i < 3; i++) {
        doc = t_response_doc(idp, NULL, NULL, now);
        a = t_assertion_of(doc);
        evil = xmlCopyNode(a, 1);
        xmlSetProp(evil, BAD_CAST "ID", BAD_CAST "_evil");
        t_drop(t_need(evil, OIOSAML_NS_DS, "Signature"));
        enc = encrypt_node(a, TESTIDP_ENC_AES256_GCM);

        if (i == 0) {
            xmlAddPrevSibling(enc, evil);

        } else if (i == 1) {
            xmlAddNextSibling(enc, evil);

        } else {
            xmlAddNextSibling(enc, evil);
            encrypt_node(evil, TESTIDP_ENC_AES256_GCM);
        }

        b64 = t_doc_b64(doc);
        xmlFreeDoc(doc);
        t_expect(sp, b64, &pending, now, OIOSAML_DENY_ASSERTION_COUNT,
                 "2 assertions");
        free(b64);
    }

    for (i = 0; i < 3; i++) {
        plain = (char *) plains[i];
        ea = raw_encrypted(plain, strlen(plain), 0, T_INTACT, NULL);
        b64 = response_with(ea);
        free(ea);
        t_expect(sp, b64, &pending, now, OIOSAML_DENY_ASSERTION_COUNT,
                 NULL);
        free(b64);
    }
}


/*
 * ENC-05 (One Bad Apple): the algorithm URIs rewritten after encryption:
 * GCM read as CBC, or as another key size, decrypts to nothing; 3DES and
 * RSA-1.5 are refused before any private-key operation.
 */
static void
test_enc05_algorithm_downgrade(void **state)
{
    char        *b64;
    size_t       i;
    xmlDocPtr    doc;
    xmlNodePtr   ea, em;

    static const struct {
        const char        *data;      /* EncryptedData's algorithm */
        const char        *key;       /* EncryptedKey's */
        oiosaml_status_t   want;
    } cases[] = {
        { T_XENC "aes256-cbc", NULL, OIOSAML_DENY_DECRYPT },
        { T_XENC11 "aes128-gcm", NULL, OIOSAML_DENY_DECRYPT },
        { T_XENC "tripledes-cbc", NULL, OIOSAML_DENY_ENC_ALGORITHM },
        { NULL, T_XENC "rsa-1_5", OIOSAML_DENY_ENC_ALGORITHM },
        { NULL, T_XENC "kw-aes256", OIOSAML_DENY_ENC_ALGORITHM },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        doc = t_response_doc(idp, NULL, NULL, now);
        ea = encrypt_node(t_assertion_of(doc), TESTIDP_ENC_AES256_GCM);

        if (cases[i].data != NULL) {
            em = t_need(ea, OIOSAML_NS_XENC, "EncryptionMethod");
            xmlSetProp(em, BAD_CAST "Algorithm", BAD_CAST cases[i].data);
        }

        if (cases[i].key != NULL) {
            em = t_need(t_need(ea, OIOSAML_NS_XENC, "EncryptedKey"),
                        OIOSAML_NS_XENC, "EncryptionMethod");
            xmlSetProp(em, BAD_CAST "Algorithm", BAD_CAST cases[i].key);
        }

        b64 = t_doc_b64(doc);
        xmlFreeDoc(doc);
        t_expect(sp, b64, &pending, now, cases[i].want, NULL);
        free(b64);
    }
}


/*
 * ENC-07 (OpenSAML 2022-12-12): KeyInfo of the EncryptedData pointing
 * elsewhere (RetrievalMethod to a remote URI, with an XSLT transform; a
 * KeyName for an EncryptedKey kept outside): never followed, nothing
 * fetched.  Beside a usable EncryptedKey they change nothing.
 */
static void
test_enc07_key_info_indirection(void **state)
{
    int      fd, port;
    char     ki[2048], *text, *ea, *b64;
    size_t   i;

    fd = t_canary_open(&port);
    text = assertion_text();

    for (i = 0; i < 2; i++) {
        if (i == 0) {
            snprintf(ki, sizeof(ki), "<ds:RetrievalMethod URI=\"http://"
                     "127.0.0.1:%d/ek\" Type=\"" T_XENC "EncryptedKey\"/>",
                     port);

        } else {
            snprintf(ki, sizeof(ki), "<ds:RetrievalMethod URI=\"#ek\" "
                     "Type=\"" T_XENC "EncryptedKey\"><ds:Transforms>"
                     "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/"
                     "REC-xslt-19991116\"><xsl:stylesheet xmlns:xsl=\"http:"
                     "//www.w3.org/1999/XSL/Transform\" version=\"1.0\">"
                     "<xsl:template match=\"/\"><xsl:copy-of select=\""
                     "document('http://127.0.0.1:%d/xslt')\"/>"
                     "</xsl:template></xsl:stylesheet></ds:Transform>"
                     "</ds:Transforms></ds:RetrievalMethod>", port);
        }

        ea = raw_encrypted(text, strlen(text), 0, T_INTACT, ki);
        b64 = response_with(ea);
        t_expect_user(sp, b64, &pending, now, T_ALICE);
        free(b64);

        /* ... and without the EncryptedKey */
        b64 = strstr(ea, "<xenc:EncryptedKey>");
        memmove(b64, strstr(b64, "</xenc:EncryptedKey>") + 20,
                strlen(strstr(b64, "</xenc:EncryptedKey>") + 20) + 1);
        b64 = response_with(ea);
        free(ea);
        t_expect(sp, b64, &pending, now, OIOSAML_DENY_DECRYPT,
                 "no EncryptedKey");
        free(b64);
    }

    /* an EncryptedKey elsewhere, named by a KeyName */
    ea = raw_encrypted(text, strlen(text), 0, T_INTACT,
                       "<ds:KeyName>k</ds:KeyName>");
    b64 = strstr(ea, "<xenc:EncryptedKey>");
    memmove(b64, strstr(b64, "</xenc:EncryptedKey>") + 20,
            strlen(strstr(b64, "</xenc:EncryptedKey>") + 20) + 1);
    b64 = response_with(ea);
    free(ea);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_DECRYPT, "no EncryptedKey");
    free(b64);

    free(text);
    t_canary_silent(fd);
}


/*
 * ENC-08: the Response signature covers the encrypted form and is
 * checked first: a changed ciphertext in a signed Response is a bad
 * signature, never a decryption attempt.
 */
static void
test_enc08_signature_before_decryption(void **state)
{
    char             *b64;
    xmlChar          *v;
    xmlDocPtr         doc;
    xmlNodePtr        cv;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.sign = TESTIDP_SIGN_RESPONSE;
    k.encrypt = TESTIDP_ENC_AES256_CBC;
    doc = t_response_doc(idp, NULL, &k, now);

    b64 = t_doc_b64(doc);
    t_expect_user(sp_resp, b64, &pending, now, T_ALICE);
    free(b64);

    /* the last CipherValue is the EncryptedData's */
    cv = t_need(t_need(xmlDocGetRootElement(doc), OIOSAML_NS_XENC,
                       "EncryptedData"), OIOSAML_NS_XENC, "CipherData");
    cv = t_need(cv, OIOSAML_NS_XENC, "CipherValue");
    v = xmlNodeGetContent(cv);
    v[10] = (v[10] == 'A') ? 'B' : 'A';
    xmlNodeSetContent(cv, v);
    xmlFree(v);

    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);
    t_expect(sp_resp, b64, &pending, now, OIOSAML_DENY_SIGNATURE,
             "on Response");
    free(b64);
}


/*
 * ENC-09: hostile plaintext: a DOCTYPE with an external entity or an
 * entity bomb, an undeclared entity, invalid UTF-8, a NUL byte.  It does
 * not parse: refused, nothing fetched, quickly.
 */
static void
test_enc09_hostile_plaintext(void **state)
{
    int      fd, port, i, j;
    char     buf[8192], *text, *ea, *b64, *p;
    time_t   start;

    fd = t_canary_open(&port);
    text = assertion_text();
    start = time(NULL);

    for (i = 0; i < 6; i++) {
        switch (i) {
        case 0:
            snprintf(buf, sizeof(buf), "<!DOCTYPE saml:Assertion [<!ENTITY "
                     "e SYSTEM \"http://127.0.0.1:%d/e\">]>%s", port, text);
            p = strstr(buf, "persistent/alice<");
            memcpy(p + 16, "&e;", 3);
            break;
        case 1:
            p = buf + sprintf(buf, "<!DOCTYPE l [<!ENTITY l0 \"ha\">");

            for (j = 1; j < 10; j++) {
                p += sprintf(p, "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;"
                             "&l%d;&l%d;&l%d;&l%d;&l%d;\">", j, j - 1, j - 1,
                             j - 1, j - 1, j - 1, j - 1, j - 1, j - 1, j - 1,
                             j - 1);
            }

            sprintf(p, "]><x>&l9;</x>");
            break;
        case 2:
            snprintf(buf, sizeof(buf), "%s", text);
            p = strstr(buf, "persistent/alice<");
            memcpy(p + 11, "&undefined;", 11);
            break;
        case 3:
            snprintf(buf, sizeof(buf), "%s", text);
            p = strstr(buf, "persistent/alice<");
            memcpy(p + 11, "\xff\xfe", 2);
            break;
        case 4:
            snprintf(buf, sizeof(buf), "%s", text);
            p = strstr(buf, "persistent/alice<");
            p[11] = '\0';
            break;
        default:
            snprintf(buf, sizeof(buf), "%s", "<saml:Assertion");
            break;
        }

        ea = raw_encrypted(buf, i == 4 ? strlen(text) : strlen(buf), 0,
                           T_INTACT, NULL);
        b64 = response_with(ea);
        free(ea);
        t_expect(sp, b64, &pending, now, OIOSAML_DENY_DECRYPT, NULL);
        free(b64);
    }

    assert_true(time(NULL) - start < 60);
    free(text);
    t_canary_silent(fd);
}


/*
 * ENC-10: GCM with its tag cut to 96 or 64 bits or left out, an IV of
 * 64 bits, no ciphertext at all; CBC with a changed block (no integrity
 * of its own: the assertion's signature is what protects it).
 */
static void
test_enc10_gcm_specifics(void **state)
{
    char    *text, *ea, *b64;
    size_t   i;

    static const t_mangle_t  mangles[] = {
        T_TAG_96, T_TAG_64, T_NO_TAG, T_IV_64, T_ONLY_IV, T_FLIP
    };

    text = assertion_text();

    for (i = 0; i < 2; i++) {
        ea = raw_encrypted(text, strlen(text), (int) i, T_INTACT, NULL);
        b64 = response_with(ea);
        free(ea);
        t_expect_user(sp, b64, &pending, now, T_ALICE);
        free(b64);
    }

    for (i = 0; i < sizeof(mangles) / sizeof(mangles[0]); i++) {
        ea = raw_encrypted(text, strlen(text), 0, mangles[i], NULL);
        b64 = response_with(ea);
        free(ea);
        t_expect(sp, b64, &pending, now, OIOSAML_DENY_DECRYPT, NULL);
        free(b64);
    }

    /* CBC: the first block changed garbles the start of the assertion */
    ea = raw_encrypted(text, strlen(text), 1, T_FLIP, NULL);
    b64 = response_with(ea);
    free(ea);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_DECRYPT, NULL);
    free(b64);

    free(text);
}


/*
 * ENC-11 (review finding 2): unauthenticated CPU at the ACS.  Anybody can
 * post a Response whose EncryptedAssertion carries four EncryptedKeys of
 * random bytes the size of our RSA keys; it is refused (no signature is
 * reached) after at most one private-key operation per SP key, with one
 * key or two, whatever the EncryptedKeys' KeyInfo names.
 */
static void
test_enc11_private_key_budget(void **state)
{
    char           *b64, *ea, *ki[3], eks[16384], *junk;
    size_t          i, j, n;
    oiosaml_sp_t   *two;
    unsigned char   bytes[384];

    const oiosaml_sp_t  *sps[2];

    two = t_sp_rollover();
    sps[0] = sp;
    sps[1] = two;
    ki[0] = NULL;
    ki[1] = t_key_info(t_cert("sp.crt"), "cert");
    ki[2] = t_key_info(t_cert("sp-next.crt"), "ski");

    for (n = 0; n < 2; n++) {
        for (i = 0; i < 4; i++) {
            eks[0] = '\0';

            for (j = 0; j < 4; j++) {
                assert_int_equal(RAND_bytes(bytes, sizeof(bytes)), 1);
                bytes[0] &= 0x3f;
                junk = t_b64(bytes, sizeof(bytes));
                snprintf(eks + strlen(eks), sizeof(eks) - strlen(eks),
                         "<xenc:EncryptedKey><xenc:EncryptionMethod "
                         "Algorithm=\"" T_XENC "rsa-oaep-mgf1p\"/>%s"
                         "<xenc:CipherData><xenc:CipherValue>%s"
                         "</xenc:CipherValue></xenc:CipherData>"
                         "</xenc:EncryptedKey>",
                         i == 3 ? ki[j % 3] ? ki[j % 3] : ""
                                : ki[i] ? ki[i] : "", junk);
                free(junk);
            }

            assert_int_equal(RAND_bytes(bytes, 64), 1);
            junk = t_b64(bytes, 64);
            ea = malloc(strlen(eks) + 2048);
            assert_non_null(ea);
            sprintf(ea, "<saml:EncryptedAssertion xmlns:saml=\""
                    OIOSAML_NS_SAML "\"><xenc:EncryptedData xmlns:xenc=\""
                    T_XENC "\" Type=\"" T_XENC "Element\">"
                    "<xenc:EncryptionMethod Algorithm=\"" T_XENC11
                    "aes256-gcm\"/><ds:KeyInfo xmlns:ds=\"" T_DSIG "\">"
                    "%s</ds:KeyInfo><xenc:CipherData><xenc:CipherValue>%s"
                    "</xenc:CipherValue></xenc:CipherData>"
                    "</xenc:EncryptedData></saml:EncryptedAssertion>",
                    eks, junk);
            free(junk);

            b64 = response_with(ea);
            free(ea);

            oiosaml_pkey_ops = 0;
            t_expect(sps[n], b64, &pending, now, OIOSAML_DENY_DECRYPT,
                     NULL);
            free(b64);

            if (oiosaml_pkey_ops > oiosaml_sp_key_count(sps[n])) {
                fail_msg("KeyInfo case %zu, %zu SP key(s): %lu private-key "
                         "operations", i, n + 1, oiosaml_pkey_ops);
            }
        }
    }

    free(ki[1]);
    free(ki[2]);
    oiosaml_sp_free(two);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_enc01_encryption_is_not_authentication),
        cmocka_unit_test(test_enc02_mixed_plain_and_encrypted),
        cmocka_unit_test(test_enc05_algorithm_downgrade),
        cmocka_unit_test(test_enc07_key_info_indirection),
        cmocka_unit_test(test_enc08_signature_before_decryption),
        cmocka_unit_test(test_enc09_hostile_plaintext),
        cmocka_unit_test(test_enc10_gcm_specifics),
        cmocka_unit_test(test_enc11_private_key_budget),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
