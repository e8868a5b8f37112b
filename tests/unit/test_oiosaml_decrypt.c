
/*
 * oiosaml_decrypt.c: EncryptedAssertion.  Through oiosaml_response_verify()
 * with the test IdP's encryption (every cipher and key transport it has),
 * and directly with EncryptedAssertions written here with OpenSSL, so that
 * each algorithm parameter can be chosen.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_XENC          "http://www.w3.org/2001/04/xmlenc#"
#define T_XENC11        "http://www.w3.org/2009/xmlenc11#"
#define T_SHA1          "http://www.w3.org/2000/09/xmldsig#sha1"
#define T_ASSERTION     "<saml:Assertion xmlns:saml=\"" OIOSAML_NS_SAML \
                        "\" ID=\"_plain\" Version=\"2.0\"><saml:Issuer>" \
                        T_IDP "</saml:Issuer></saml:Assertion>"


/* one xenc:EncryptedKey, written by ek() */
typedef struct {
    const char   *alg;          /* key transport URI (after the prefix) */
    const char   *digest;       /* ds:DigestMethod, NULL: none */
    const char   *mgf;          /* xenc11:MGF, NULL: none */
    const char   *md;           /* what OpenSSL really uses */
    const char   *mgf_md;
    const char   *label;        /* OAEPparams written, NULL: none */
    const char   *real_label;   /* label OpenSSL really uses */
    const char   *cert;         /* the recipient */
    size_t        key_len;      /* of the session key wrapped */
    int           pkcs1;
    const char   *key_info;     /* a ds:KeyInfo, NULL: none */
    const char   *recipient;    /* the Recipient attribute, NULL: none */
} t_ek_t;


static char *ek(const t_ek_t *e, const unsigned char *key);
static char *enc_data(const char *alg, const unsigned char *key,
    size_t key_len, const char *plain, int tamper);
static char *garbage_ek(size_t len, const char *key_info,
    const char *recipient);
static oiosaml_status_t decrypt(const char *xml, oiosaml_err_t *err);
static oiosaml_status_t decrypt_sp(const oiosaml_sp_t *s, const char *xml,
    oiosaml_err_t *err);
static void expect_decrypt(const char *alg, const char *eks,
    const unsigned char *key, size_t key_len, const char *plain,
    oiosaml_status_t want, const char *text);
static void expect_decrypt_sp(const oiosaml_sp_t *s, const char *alg,
    const char *eks, const unsigned char *key, size_t key_len,
    const char *plain, oiosaml_status_t want, const char *text);
static char *encrypt_assertion(xmlDocPtr doc, xmlNodePtr node,
    const char *cert, testidp_enc_t method);


static oiosaml_sp_t  *sp;
static testidp_t     *idp;
static time_t         now;


static int
setup(void **state)
{
    sp = t_sp(NULL);
    idp = t_testidp(NULL, NULL);
    now = t_now();

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp);
    testidp_free(idp);

    return 0;
}


/* every cipher with both key transports, through the whole check */
static void
test_ciphers_and_transports(void **state)
{
    char                *b64;
    size_t               i, j;
    oiosaml_err_t        err;
    testidp_knobs_t      k;
    oiosaml_pending_t    pending;
    oiosaml_identity_t  *id;

    static const testidp_enc_t  ciphers[] = {
        TESTIDP_ENC_AES128_GCM, TESTIDP_ENC_AES256_GCM,
        TESTIDP_ENC_AES128_CBC, TESTIDP_ENC_AES256_CBC
    };

    static const testidp_kt_t  transports[] = {
        TESTIDP_KT_OAEP, TESTIDP_KT_OAEP11
    };

    t_pending(&pending);

    for (i = 0; i < 4; i++) {
        for (j = 0; j < 2; j++) {
            t_knobs(&k);
            k.encrypt = ciphers[i];
            k.transport = transports[j];
            b64 = t_response(idp, NULL, &k, now);

            assert_int_equal(t_verify(sp, b64, &pending, now, NULL, &id,
                                      &err), OIOSAML_OK);
            assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_EMAIL,
                                                     NULL),
                                "alice@example.dk");
            oiosaml_identity_free(id);
            free(b64);
        }

        /* RSA-1.5 is refused before any private-key operation */
        k.transport = TESTIDP_KT_RSA15;
        b64 = t_response(idp, NULL, &k, now);
        t_expect(sp, b64, &pending, now, OIOSAML_DENY_ENC_ALGORITHM,
                 "rsa-1_5");
        free(b64);

        /* encrypted to somebody else */
        k.transport = TESTIDP_KT_OAEP;
        k.encrypt_to_wrong = 1;
        b64 = t_response(idp, NULL, &k, now);
        t_expect(sp, b64, &pending, now, OIOSAML_DENY_DECRYPT,
                 "no SP key decrypts");
        free(b64);
    }
}


/* rule 12: require_encryption */
static void
test_require_encryption(void **state)
{
    char                *b64;
    oiosaml_sp_t        *s;
    testidp_knobs_t      k;
    oiosaml_idp_conf_t   ic;
    oiosaml_pending_t    pending;

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.require_encryption = 1;
    s = t_sp(&ic);
    t_pending(&pending);

    t_knobs(&k);
    b64 = t_response(idp, NULL, &k, now);
    t_expect(sp, b64, &pending, now, OIOSAML_OK, NULL);
    t_expect(s, b64, &pending, now, OIOSAML_DENY_ENCRYPTION_REQUIRED,
             "require_encryption");
    free(b64);

    k.encrypt = TESTIDP_ENC_AES256_GCM;
    b64 = t_response(idp, NULL, &k, now);
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    oiosaml_sp_free(s);
}


/* the Response signature covers the encrypted form */
static void
test_signed_response_around_encryption(void **state)
{
    char                *b64;
    oiosaml_sp_t        *s;
    testidp_knobs_t      k;
    oiosaml_idp_conf_t   ic;
    oiosaml_pending_t    pending;

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.signed_part = OIOSAML_SIGNED_RESPONSE;
    s = t_sp(&ic);
    t_pending(&pending);

    t_knobs(&k);
    k.encrypt = TESTIDP_ENC_AES128_GCM;
    k.sign = TESTIDP_SIGN_RESPONSE;
    b64 = t_response(idp, NULL, &k, now);
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_UNSIGNED, "must sign");
    free(b64);

    k.sign = TESTIDP_SIGN_BOTH;
    b64 = t_response(idp, NULL, &k, now);
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    t_expect(sp, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    oiosaml_sp_free(s);
}


/* the certificate that EncryptedKeys name in their KeyInfo, if any */
static const char  *ek_names;


/* the response carries an EncryptedKey that names a certificate */
static int
names_a_cert(const char *b64)
{
    int             found;
    size_t          len;
    unsigned char  *xml;

    assert_int_equal(oiosaml_b64_decode(b64, strlen(b64), &xml, &len),
                     OIOSAML_OK);
    xml = realloc(xml, len + 1);
    assert_non_null(xml);
    xml[len] = '\0';
    found = strstr((char *) xml, "<ds:X509Certificate>MII") != NULL;
    free(xml);

    return found;
}


/* adds ds:KeyInfo/ds:X509Data/ds:X509Certificate to each EncryptedKey */
static void
name_cert(xmlNodePtr from, const char *cert)
{
    FILE        *f;
    char         line[256], pem[8192];
    xmlNsPtr     ds;
    xmlNodePtr   n, ki, xd;

    f = fopen(cert, "r");
    assert_non_null(f);
    pem[0] = '\0';

    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "-----", 5) != 0) {
            line[strcspn(line, "\r\n")] = '\0';
            strcat(pem, line);
        }
    }

    fclose(f);

    for (n = from; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (strcmp((const char *) n->name, "EncryptedKey") == 0) {
            ki = xmlNewNode(NULL, BAD_CAST "KeyInfo");
            ds = xmlNewNs(ki, BAD_CAST OIOSAML_NS_DS, BAD_CAST "ds");
            xmlSetNs(ki, ds);
            xd = xmlNewChild(ki, ds, BAD_CAST "X509Data", NULL);
            xmlNewChild(xd, ds, BAD_CAST "X509Certificate", BAD_CAST pem);
            xmlAddNextSibling(xmlFirstElementChild(n), ki);
            continue;
        }

        name_cert(n->children, cert);
    }
}


/*
 * Wraps node in a saml:EncryptedAssertion and encrypts it to cert with
 * the test IdP's code; returns the document in base64 and frees it.
 */
static char *
encrypt_assertion(xmlDocPtr doc, xmlNodePtr node, const char *cert,
    testidp_enc_t method)
{
    char            *b64;
    xmlNsPtr         ns;
    xmlNodePtr       ea;
    testidp_err_t    err;
    testidp_peer_t  *peer;

    memset(&err, 0, sizeof(err));
    assert_int_equal(testidp_peer_load(cert, &peer, &err), 0);

    ns = xmlSearchNsByHref(doc, xmlDocGetRootElement(doc),
                           BAD_CAST OIOSAML_NS_SAML);
    ea = xmlNewDocNode(doc, ns, BAD_CAST "EncryptedAssertion", NULL);
    xmlAddPrevSibling(node, ea);
    xmlUnlinkNode(node);
    xmlAddChild(ea, node);

    if (testidp_encrypt_node(node, peer, method, TESTIDP_KT_OAEP, &err)
        != 0)
    {
        fail_msg("testidp_encrypt_node(): %s", err.msg);
    }

    if (ek_names != NULL) {
        name_cert(ea, ek_names);
    }

    testidp_peer_free(peer);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);

    return b64;
}


/* both SP keys decrypt; the content must be exactly one Assertion */
static void
test_key_rollover_and_content(void **state)
{
    char                *b64;
    xmlDocPtr            doc, other;
    xmlNodePtr           a, advice, subject;
    oiosaml_sp_t        *s;
    oiosaml_err_t        err;
    oiosaml_idp_t       *i;
    oiosaml_idp_conf_t   ic;
    oiosaml_pending_t    pending;

    t_pending(&pending);
    memset(&ic, 0, sizeof(ic));
    ic.id = "test";
    ic.profile = OIOSAML_PROFILE_OIOSAML3;

    /* sp-next.crt: only an SP that holds sp-next.key decrypts */
    doc = t_response_doc(idp, NULL, NULL, now);
    b64 = encrypt_assertion(doc, t_find(xmlDocGetRootElement(doc),
                                        OIOSAML_NS_SAML, "Assertion"),
                            t_cert("sp-next.crt"), TESTIDP_ENC_AES256_GCM);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_DECRYPT, NULL);

    t_init();
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &s, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(s, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(s, t_cert("sp-next.key"),
                                        t_cert("sp-next.crt"),
                                        now + 86400, &err), OIOSAML_OK);
    ic.metadata_file = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt",
                                      NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(s, i, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(s, now, &err), OIOSAML_OK);
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    /*
     * The key named in the EncryptedKey's KeyInfo is the one tried on it,
     * and no other: a misleading name costs the login (one private-key
     * operation per SP key, see test_forged_keys_cost_one_try_per_sp_key).
     */
    ek_names = t_cert("sp-next.crt");
    doc = t_response_doc(idp, NULL, NULL, now);
    b64 = encrypt_assertion(doc, t_find(xmlDocGetRootElement(doc),
                                        OIOSAML_NS_SAML, "Assertion"),
                            t_cert("sp-next.crt"), TESTIDP_ENC_AES256_GCM);
    assert_true(names_a_cert(b64));
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    ek_names = t_cert("sp.crt");
    doc = t_response_doc(idp, NULL, NULL, now);
    b64 = encrypt_assertion(doc, t_find(xmlDocGetRootElement(doc),
                                        OIOSAML_NS_SAML, "Assertion"),
                            t_cert("sp-next.crt"), TESTIDP_ENC_AES256_GCM);
    oiosaml_pkey_ops = 0;
    t_expect(s, b64, &pending, now, OIOSAML_DENY_DECRYPT,
             "no SP key decrypts");
    assert_int_equal(oiosaml_pkey_ops, 1);
    free(b64);
    ek_names = NULL;

    /* ... and the current key still does */
    doc = t_response_doc(idp, NULL, NULL, now);
    b64 = encrypt_assertion(doc, t_find(xmlDocGetRootElement(doc),
                                        OIOSAML_NS_SAML, "Assertion"),
                            t_cert("sp.crt"), TESTIDP_ENC_AES128_CBC);
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);
    oiosaml_sp_free(s);

    /* a signed assertion nested in the Advice of the encrypted one */
    other = t_response_doc(idp, NULL, NULL, now);
    doc = t_response_doc(idp, NULL, NULL, now);
    a = t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
    advice = xmlNewDocNode(doc, a->ns, BAD_CAST "Advice", NULL);
    xmlAddChild(a, advice);
    xmlAddChild(advice, xmlDocCopyNode(t_find(xmlDocGetRootElement(other),
                                              OIOSAML_NS_SAML, "Assertion"),
                                       doc, 1));
    xmlFreeDoc(other);
    b64 = encrypt_assertion(doc, a, t_cert("sp.crt"),
                            TESTIDP_ENC_AES256_GCM);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_ASSERTION_COUNT,
             "nested assertions");
    free(b64);

    /* something else than an Assertion inside */
    doc = t_response_doc(idp, NULL, NULL, now);
    a = t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
    subject = xmlDocCopyNode(t_find(a, OIOSAML_NS_SAML, "Subject"), doc, 1);
    xmlReplaceNode(a, subject);
    xmlFreeNode(a);
    b64 = encrypt_assertion(doc, subject, t_cert("sp.crt"),
                            TESTIDP_ENC_AES256_GCM);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_ASSERTION_COUNT, NULL);
    free(b64);
}


/* an xenc:EncryptedKey holding key, as e says */
static char *
ek(const t_ek_t *e, const unsigned char *key)
{
    BIO            *bio;
    X509           *x;
    char           *b64, *out, *lb64;
    size_t          n;
    EVP_PKEY       *pkey;
    EVP_PKEY_CTX   *ctx;
    unsigned char   wrapped[1024];

    bio = BIO_new_file(e->cert ? e->cert : t_cert("sp.crt"), "r");
    assert_non_null(bio);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);
    pkey = X509_get_pubkey(x);
    X509_free(x);

    ctx = EVP_PKEY_CTX_new(pkey, NULL);
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);

    if (e->pkcs1) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx,
                                                      RSA_PKCS1_PADDING), 1);

    } else {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx,
                                                 RSA_PKCS1_OAEP_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_oaep_md(ctx,
                             EVP_get_digestbyname(e->md ? e->md : "SHA1")),
                         1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx,
                     EVP_get_digestbyname(e->mgf_md ? e->mgf_md : "SHA1")),
                         1);

        if (e->real_label != NULL) {
            assert_int_equal(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx,
                                 OPENSSL_strdup(e->real_label),
                                 (int) strlen(e->real_label)), 1);
        }
    }

    n = sizeof(wrapped);
    assert_int_equal(EVP_PKEY_encrypt(ctx, wrapped, &n, key, e->key_len),
                     1);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);

    b64 = t_b64(wrapped, n);
    lb64 = e->label ? t_b64(e->label, strlen(e->label)) : NULL;

    out = malloc(strlen(b64) + 2048
                 + (e->key_info ? strlen(e->key_info) : 0));
    assert_non_null(out);

    sprintf(out, "<xenc:EncryptedKey%s%s%s>"
            "<xenc:EncryptionMethod Algorithm=\"%s\">"
            "%s%s%s" "%s%s%s" "%s%s%s"
            "</xenc:EncryptionMethod>%s<xenc:CipherData><xenc:CipherValue>%s"
            "</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>",
            e->recipient ? " Recipient=\"" : "",
            e->recipient ? e->recipient : "", e->recipient ? "\"" : "",
            e->alg,
            e->digest ? "<ds:DigestMethod Algorithm=\"" : "",
            e->digest ? e->digest : "", e->digest ? "\"/>" : "",
            e->mgf ? "<xenc11:MGF Algorithm=\"" : "",
            e->mgf ? e->mgf : "", e->mgf ? "\"/>" : "",
            lb64 ? "<xenc:OAEPparams>" : "", lb64 ? lb64 : "",
            lb64 ? "</xenc:OAEPparams>" : "",
            e->key_info ? e->key_info : "", b64);

    free(b64);
    free(lb64);

    return out;
}


/*
 * The CipherValue of xenc:EncryptedData: IV, ciphertext (and the GCM
 * tag), with OpenSSL.  alg is "aesNNN-cbc" or "aesNNN-gcm".
 */
static char *
enc_data(const char *alg, const unsigned char *key, size_t key_len,
    const char *plain, int tamper)
{
    int               n, len, gcm;
    char             *b64, name[32];
    size_t            ivlen;
    unsigned char    *buf;
    EVP_CIPHER       *c;
    EVP_CIPHER_CTX   *ctx;

    gcm = (strstr(alg, "gcm") != NULL);
    ivlen = gcm ? 12 : 16;
    snprintf(name, sizeof(name), "AES-%zu-%s", key_len * 8, gcm ? "GCM"
                                                                : "CBC");

    c = EVP_CIPHER_fetch(NULL, name, NULL);
    assert_non_null(c);
    ctx = EVP_CIPHER_CTX_new();
    buf = malloc(strlen(plain) + 64);
    assert_int_equal(RAND_bytes(buf, (int) ivlen), 1);

    assert_int_equal(EVP_EncryptInit_ex2(ctx, c, key, buf, NULL), 1);
    assert_int_equal(EVP_EncryptUpdate(ctx, buf + ivlen, &n,
                                       (const unsigned char *) plain,
                                       (int) strlen(plain)), 1);
    len = n;
    assert_int_equal(EVP_EncryptFinal_ex(ctx, buf + ivlen + len, &n), 1);
    len += n;

    if (gcm) {
        assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16,
                                             buf + ivlen + len), 1);
        len += 16;
    }

    if (tamper) {
        buf[ivlen + 2] ^= 1;
    }

    b64 = t_b64(buf, ivlen + (size_t) len);

    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    free(buf);

    return b64;
}


/*
 * An xenc:EncryptedKey (rsa-oaep-mgf1p) whose CipherValue is len random
 * bytes: what anybody can send, of the size of one of our keys or not.
 */
static char *
garbage_ek(size_t len, const char *key_info, const char *recipient)
{
    char           *b64, *out;
    unsigned char   junk[1024];

    assert_true(len <= sizeof(junk));
    assert_int_equal(RAND_bytes(junk, (int) len), 1);
    junk[0] &= 0x3f;        /* below any modulus of this size */
    b64 = t_b64(junk, len);

    out = malloc(strlen(b64) + 1024 + (key_info ? strlen(key_info) : 0));
    assert_non_null(out);

    sprintf(out, "<xenc:EncryptedKey%s%s%s><xenc:EncryptionMethod "
            "Algorithm=\"" T_XENC "rsa-oaep-mgf1p\"/>%s<xenc:CipherData>"
            "<xenc:CipherValue>%s</xenc:CipherValue></xenc:CipherData>"
            "</xenc:EncryptedKey>",
            recipient ? " Recipient=\"" : "", recipient ? recipient : "",
            recipient ? "\"" : "", key_info ? key_info : "", b64);
    free(b64);

    return out;
}


static oiosaml_status_t
decrypt(const char *xml, oiosaml_err_t *err)
{
    return decrypt_sp(sp, xml, err);
}


static oiosaml_status_t
decrypt_sp(const oiosaml_sp_t *s, const char *xml, oiosaml_err_t *err)
{
    xmlDocPtr          doc;
    xmlNodePtr         a;
    oiosaml_status_t   rc;

    doc = t_parse(xml, strlen(xml));
    oiosaml_err_clear(err);
    a = NULL;

    rc = oiosaml_decrypt_assertion(s, xmlDocGetRootElement(doc), &a, err);

    if (rc == OIOSAML_OK) {
        assert_true(oiosaml_xml_is(a, OIOSAML_NS_SAML, "Assertion"));
        assert_string_equal(oiosaml_xml_attr(a, "ID"), "_plain");
        assert_ptr_equal(a->parent, xmlDocGetRootElement(doc));

    } else {
        assert_null(a);
    }

    xmlFreeDoc(doc);

    return rc;
}


/*
 * An EncryptedAssertion: data algorithm alg (full URI, "" for none), the
 * EncryptedKey elements eks inside the KeyInfo, plain encrypted with key.
 */
static void
expect_decrypt(const char *alg, const char *eks, const unsigned char *key,
    size_t key_len, const char *plain, oiosaml_status_t want,
    const char *text)
{
    expect_decrypt_sp(sp, alg, eks, key, key_len, plain, want, text);
}


static void
expect_decrypt_sp(const oiosaml_sp_t *s, const char *alg, const char *eks,
    const unsigned char *key, size_t key_len, const char *plain,
    oiosaml_status_t want, const char *text)
{
    char              *xml, *data;
    oiosaml_err_t      err;
    oiosaml_status_t   rc;

    data = enc_data(alg, key, key_len, plain ? plain : T_ASSERTION, 0);
    xml = malloc(strlen(data) + strlen(eks) + 1024);

    sprintf(xml, "<saml:EncryptedAssertion xmlns:saml=\"" OIOSAML_NS_SAML
            "\" xmlns:xenc=\"" T_XENC "\" xmlns:xenc11=\"" T_XENC11 "\" "
            "xmlns:ds=\"" OIOSAML_NS_DS "\"><xenc:EncryptedData Type=\""
            T_XENC "Element\">%s%s%s<ds:KeyInfo>%s</ds:KeyInfo>"
            "<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue>"
            "</xenc:CipherData></xenc:EncryptedData>"
            "</saml:EncryptedAssertion>",
            alg[0] ? "<xenc:EncryptionMethod Algorithm=\"" : "", alg,
            alg[0] ? "\"/>" : "", eks, data);

    rc = decrypt_sp(s, xml, &err);

    if (rc != want) {
        fail_msg("expected %s, got %s: %s", oiosaml_status_name(want),
                 oiosaml_status_name(rc), err.text);
    }

    if (text != NULL && strstr(err.text, text) == NULL) {
        fail_msg("\"%s\" is not in \"%s\"", text, err.text);
    }

    free(xml);
    free(data);
}


/* every allowed OAEP digest and MGF, and the data ciphers */
static void
test_oaep_parameters(void **state)
{
    char            *e, *data_alg;
    size_t           i, j, k;
    t_ek_t           ek11;
    unsigned char    key[32];

    static const char  *digests[][2] = {
        { T_SHA1, "SHA1" }, { T_XENC "sha256", "SHA256" },
        { T_XENC "sha512", "SHA512" }
    };
    static const char  *mgfs[][2] = {
        { T_XENC11 "mgf1sha1", "SHA1" }, { T_XENC11 "mgf1sha256", "SHA256" },
        { T_XENC11 "mgf1sha512", "SHA512" }
    };
    static const struct {
        const char  *name;
        size_t       key_len;
    } ciphers[] = {
        { "aes128-cbc", 16 }, { "aes192-cbc", 24 }, { "aes256-cbc", 32 },
        { "aes128-gcm", 16 }, { "aes192-gcm", 24 }, { "aes256-gcm", 32 }
    };

    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    data_alg = malloc(128);

    for (i = 0; i < 3; i++) {
        for (j = 0; j < 3; j++) {
            memset(&ek11, 0, sizeof(ek11));
            ek11.alg = T_XENC11 "rsa-oaep";
            ek11.digest = digests[i][0];
            ek11.md = digests[i][1];
            ek11.mgf = mgfs[j][0];
            ek11.mgf_md = mgfs[j][1];
            ek11.key_len = 32;
            e = ek(&ek11, key);
            expect_decrypt(T_XENC11 "aes256-gcm", e, key, 32, NULL,
                           OIOSAML_OK, NULL);
            free(e);
        }
    }

    /* rsa-oaep-mgf1p: MGF1 is always SHA-1, the digest may vary */
    memset(&ek11, 0, sizeof(ek11));
    ek11.alg = T_XENC "rsa-oaep-mgf1p";
    ek11.digest = T_XENC "sha256";
    ek11.md = "SHA256";

    for (k = 0; k < 6; k++) {
        ek11.key_len = ciphers[k].key_len;
        e = ek(&ek11, key);
        snprintf(data_alg, 128, "%s%s", strstr(ciphers[k].name, "gcm")
                 ? T_XENC11 : T_XENC, ciphers[k].name);
        expect_decrypt(data_alg, e, key, ek11.key_len, NULL, OIOSAML_OK,
                       NULL);
        free(e);
    }

    free(data_alg);
}


/* OAEPparams, lengths and algorithms outside the list */
static void
test_refused_parameters(void **state)
{
    char           *e, *e2, *both;
    t_ek_t          x;
    unsigned char   key[32];

    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    memset(&x, 0, sizeof(x));
    x.alg = T_XENC "rsa-oaep-mgf1p";
    x.key_len = 32;

    /* a label (OAEPparams) that matches, and one that does not */
    x.label = "label";
    x.real_label = "label";
    e = ek(&x, key);
    expect_decrypt(T_XENC "aes256-cbc", e, key, 32, NULL, OIOSAML_OK, NULL);
    free(e);

    x.real_label = "other";
    e = ek(&x, key);
    expect_decrypt(T_XENC "aes256-cbc", e, key, 32, NULL,
                   OIOSAML_DENY_DECRYPT, NULL);
    free(e);
    x.label = NULL;
    x.real_label = NULL;

    /* a session key of the wrong length for the cipher */
    x.key_len = 16;
    e = ek(&x, key);
    expect_decrypt(T_XENC "aes128-cbc", e, key, 16, NULL, OIOSAML_OK, NULL);
    expect_decrypt(T_XENC "aes256-cbc", e, key, 32, NULL,
                   OIOSAML_DENY_DECRYPT, NULL);
    free(e);
    x.key_len = 32;

    /* a longer key is not cut short: data under its first 16 bytes */
    e = ek(&x, key);
    expect_decrypt(T_XENC "aes256-cbc", e, key, 32, NULL, OIOSAML_OK, NULL);
    expect_decrypt(T_XENC "aes128-cbc", e, key, 16, NULL,
                   OIOSAML_DENY_DECRYPT, NULL);
    free(e);

    /* digests and MGFs outside the list */
    x.digest = "http://www.w3.org/2001/04/xmldsig-more#md5";
    e = ek(&x, key);
    expect_decrypt(T_XENC "aes256-cbc", e, key, 32, NULL,
                   OIOSAML_DENY_ENC_ALGORITHM, "OAEP digest");
    free(e);
    x.digest = NULL;

    x.alg = T_XENC11 "rsa-oaep";
    x.mgf = T_XENC11 "mgf1sha224";
    e = ek(&x, key);
    expect_decrypt(T_XENC "aes256-cbc", e, key, 32, NULL,
                   OIOSAML_DENY_ENC_ALGORITHM, "OAEP MGF");
    free(e);
    x.mgf = NULL;

    /* RSA-1.5, also when a good EncryptedKey follows */
    x.alg = T_XENC "rsa-1_5";
    x.pkcs1 = 1;
    e = ek(&x, key);
    expect_decrypt(T_XENC "aes256-cbc", e, key, 32, NULL,
                   OIOSAML_DENY_ENC_ALGORITHM, "key transport");
    x.alg = T_XENC "rsa-oaep-mgf1p";
    x.pkcs1 = 0;
    e2 = ek(&x, key);
    both = malloc(strlen(e) + strlen(e2) + 1);
    strcpy(both, e);
    strcat(both, e2);
    expect_decrypt(T_XENC "aes256-cbc", both, key, 32, NULL,
                   OIOSAML_DENY_ENC_ALGORITHM, NULL);
    expect_decrypt(T_XENC "aes256-cbc", e2, key, 32, NULL, OIOSAML_OK,
                   NULL);

    /* ... or comes first: every EncryptedKey is read before any try */
    strcpy(both, e2);
    strcat(both, e);
    oiosaml_pkey_ops = 0;
    expect_decrypt(T_XENC "aes256-cbc", both, key, 32, NULL,
                   OIOSAML_DENY_ENC_ALGORITHM, "rsa-1_5");
    assert_int_equal(oiosaml_pkey_ops, 0);
    free(both);
    free(e);

    /* data algorithms outside the list, or none */
    expect_decrypt(T_XENC "tripledes-cbc", e2, key, 32, NULL,
                   OIOSAML_DENY_ENC_ALGORITHM, "data encryption");
    expect_decrypt("", e2, key, 32, NULL, OIOSAML_DENY_ENC_ALGORITHM,
                   "names no algorithm");
    free(e2);
}


/* where the EncryptedKey is, how many, and for whom */
static void
test_encrypted_keys(void **state)
{
    char           *good, *wrong, *keys, *xml, *data;
    size_t          i;
    t_ek_t          x;
    oiosaml_err_t   err;
    unsigned char   key[32];

    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    memset(&x, 0, sizeof(x));
    x.alg = T_XENC "rsa-oaep-mgf1p";
    x.key_len = 32;
    good = ek(&x, key);
    x.cert = t_cert("idp-wrong.crt");
    wrong = ek(&x, key);

    /* for another recipient first, then for us */
    keys = malloc(strlen(good) * 6);
    sprintf(keys, "%s%s", wrong, good);
    expect_decrypt(T_XENC11 "aes256-gcm", keys, key, 32, NULL, OIOSAML_OK,
                   NULL);
    expect_decrypt(T_XENC11 "aes256-gcm", wrong, key, 32, NULL,
                   OIOSAML_DENY_DECRYPT, NULL);
    expect_decrypt(T_XENC11 "aes256-gcm", "", key, 32, NULL,
                   OIOSAML_DENY_DECRYPT, "no EncryptedKey");

    /* at most four */
    keys[0] = '\0';

    for (i = 0; i < 4; i++) {
        strcat(keys, wrong);
    }

    strcat(keys, good);
    expect_decrypt(T_XENC11 "aes256-gcm", keys, key, 32, NULL,
                   OIOSAML_DENY_DECRYPT, "too many");

    /* the EncryptedKey beside the EncryptedData, and two EncryptedData */
    data = enc_data("aes256-gcm", key, 32, T_ASSERTION, 0);
    xml = malloc(strlen(data) * 2 + strlen(good) + 1024);

    for (i = 0; i < 2; i++) {
        sprintf(xml, "<saml:EncryptedAssertion xmlns:saml=\""
                OIOSAML_NS_SAML "\" xmlns:xenc=\"" T_XENC "\" "
                "xmlns:ds=\"" OIOSAML_NS_DS "\">"
                "<xenc:EncryptedData Type=\"" T_XENC "Element\">"
                "<xenc:EncryptionMethod Algorithm=\""
                T_XENC11 "aes256-gcm\"/><xenc:CipherData><xenc:CipherValue>"
                "%s</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>"
                "%s%s</saml:EncryptedAssertion>", data,
                i ? "<xenc:EncryptedData/>" : "", good);

        assert_int_equal(decrypt(xml, &err),
                         i ? OIOSAML_DENY_DECRYPT : OIOSAML_OK);
    }

    /* a changed ciphertext (GCM) or wrapped key */
    free(data);
    data = enc_data("aes256-gcm", key, 32, T_ASSERTION, 1);
    sprintf(xml, "<saml:EncryptedAssertion xmlns:saml=\"" OIOSAML_NS_SAML
            "\" xmlns:xenc=\"" T_XENC "\" xmlns:ds=\"" OIOSAML_NS_DS "\">"
            "<xenc:EncryptedData Type=\"" T_XENC "Element\">"
            "<xenc:EncryptionMethod Algorithm=\"" T_XENC11 "aes256-gcm\"/>"
            "<xenc:CipherData><xenc:CipherValue>"
            "%s</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>"
            "%s</saml:EncryptedAssertion>", data, good);
    assert_int_equal(decrypt(xml, &err), OIOSAML_DENY_DECRYPT);
    assert_non_null(strstr(err.text, "does not decrypt"));

    strcpy(keys, good);
    keys[strstr(keys, "<xenc:CipherValue>") - keys + 30] ^= 1;
    expect_decrypt(T_XENC11 "aes256-gcm", keys, key, 32, NULL,
                   OIOSAML_DENY_DECRYPT, NULL);

    strcpy(keys, good);
    memcpy(strstr(keys, "<xenc:CipherValue>") + 18, "*", 1);
    expect_decrypt(T_XENC11 "aes256-gcm", keys, key, 32, NULL,
                   OIOSAML_DENY_DECRYPT, "no base64 CipherValue");

    /* the content must be one Assertion */
    expect_decrypt(T_XENC11 "aes256-gcm", good, key, 32,
                   "<x:Other xmlns:x=\"urn:x\"/>",
                   OIOSAML_DENY_ASSERTION_COUNT, "not an Assertion");
    expect_decrypt(T_XENC11 "aes256-gcm", good, key, 32,
                   T_ASSERTION T_ASSERTION, OIOSAML_DENY_ASSERTION_COUNT,
                   "2 assertions");

    free(data);
    free(xml);
    free(keys);
    free(good);
    free(wrong);
}


/*
 * The ciphertext must be inline.  xmlsec follows a CipherReference to any
 * URI (http:// requests, file:///dev/zero never ends) and takes the whole
 * document for an empty CipherData, before any signature is checked; the
 * latter also leaked (found by fuzz_response).
 */
static void
test_cipher_reference(void **state)
{
    char            *good, *xml, path[4096], cd[8192];
    size_t           i;
    t_ek_t           x;
    oiosaml_err_t    err;
    unsigned char    key[32];

    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    memset(&x, 0, sizeof(x));
    x.alg = T_XENC "rsa-oaep-mgf1p";
    x.key_len = 32;
    good = ek(&x, key);

    assert_non_null(realpath(t_file("unit-cipher-ref.bin",
                                    "0123456789abcdef0123456789abcdef"
                                    "0123456789abcdef0123456789abcdef"),
                             path));

    xml = malloc(strlen(good) + sizeof(cd) + 1024);
    assert_non_null(xml);

    for (i = 0; i < 4; i++) {
        switch (i) {
        case 0:
            snprintf(cd, sizeof(cd), "<xenc:CipherReference URI=\"file://%s"
                     "\"/>", path);
            break;
        case 1:
            snprintf(cd, sizeof(cd), "<xenc:CipherReference URI=\"\"/>");
            break;
        case 2:
            snprintf(cd, sizeof(cd), "<xenc:CipherReference URI=\"#_x\">"
                     "<xenc:Transforms/></xenc:CipherReference>");
            break;
        default:
            cd[0] = '\0';
            break;
        }

        sprintf(xml, "<saml:EncryptedAssertion xmlns:saml=\""
                OIOSAML_NS_SAML "\" xmlns:xenc=\"" T_XENC "\" "
                "xmlns:ds=\"" OIOSAML_NS_DS "\">"
                "<xenc:EncryptedData Id=\"_x\" Type=\"" T_XENC "Element\">"
                "<xenc:EncryptionMethod Algorithm=\"" T_XENC "aes256-cbc\"/>"
                "<ds:KeyInfo>%s</ds:KeyInfo><xenc:CipherData>%s"
                "</xenc:CipherData></xenc:EncryptedData>"
                "</saml:EncryptedAssertion>", good, cd);

        assert_int_equal(decrypt(xml, &err), OIOSAML_DENY_DECRYPT);

        if (strstr(err.text, "no inline CipherValue") == NULL) {
            fail_msg("case %zu: %s", i, err.text);
        }
    }

    free(xml);
    free(good);
}


/* one decryption of eks (data under key); its private-key operations */
static unsigned long
ops_of(const oiosaml_sp_t *s, const char *eks, const unsigned char *key,
    oiosaml_status_t want)
{
    oiosaml_pkey_ops = 0;
    expect_decrypt_sp(s, T_XENC11 "aes256-gcm", eks, key, 32, NULL, want,
                      NULL);

    return oiosaml_pkey_ops;
}


/*
 * Review finding 2: before any signature is checked, an EncryptedAssertion
 * costs at most one RSA private-key operation per SP key, however many
 * EncryptedKeys it carries and whatever their KeyInfo and Recipient say.
 */
static void
test_forged_keys_cost_one_try_per_sp_key(void **state)
{
    char            *eks, *e, *ki[8];
    size_t           i, j, n;
    oiosaml_sp_t    *two;
    unsigned long    count;
    unsigned char    key[32];

    const oiosaml_sp_t  *sps[2];

    /* what the four EncryptedKeys' KeyInfo name, per case (ki[] index) */
    static const int  cases[][4] = {
        { -1, -1, -1, -1 },         /* no KeyInfo at all */
        { 0, 0, 0, 0 },             /* sp.crt, four times */
        { 1, 1, 1, 1 },             /* sp-next.crt */
        { 0, 1, -1, -1 },
        { -1, 0, -1, 1 },
        { 2, -1, 2, -1 },           /* a certificate not ours */
        { 3, 4, 5, 6 },             /* X509IssuerSerial, X509SKI */
        { 7, 7, -1, -1 },           /* KeyName: nothing we read */
    };

    static const char  *recipients[] = {
        NULL, T_SP, "https://evil.test/", T_SP
    };

    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    two = t_sp_rollover();
    sps[0] = sp;
    sps[1] = two;

    ki[0] = t_key_info(t_cert("sp.crt"), "cert");
    ki[1] = t_key_info(t_cert("sp-next.crt"), "cert");
    ki[2] = t_key_info(t_cert("idp-wrong.crt"), "cert");
    ki[3] = t_key_info(t_cert("sp.crt"), "issuer-serial");
    ki[4] = t_key_info(t_cert("sp-next.crt"), "issuer-serial");
    ki[5] = t_key_info(t_cert("sp.crt"), "ski");
    ki[6] = t_key_info(t_cert("sp-next.crt"), "ski");
    ki[7] = strdup("<ds:KeyInfo xmlns:ds=\"" OIOSAML_NS_DS "\"><ds:KeyName>"
                   "sp</ds:KeyName></ds:KeyInfo>");

    eks = malloc(65536);
    assert_non_null(eks);

    for (n = 0; n < 2; n++) {
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            eks[0] = '\0';

            for (j = 0; j < 4; j++) {
                /* garbage of the size of our keys (RSA-3072) */
                e = garbage_ek(384, cases[i][j] < 0 ? NULL
                                                    : ki[cases[i][j]],
                               recipients[j]);
                strcat(eks, e);
                free(e);
            }

            count = ops_of(sps[n], eks, key, OIOSAML_DENY_DECRYPT);

            if (count > oiosaml_sp_key_count(sps[n])) {
                fail_msg("case %zu, %zu SP key(s): %lu private-key "
                         "operations", i, n + 1, count);
            }
        }

        /* garbage of another size than every key: no try at all */
        eks[0] = '\0';

        for (j = 0; j < 4; j++) {
            e = garbage_ek(256, j & 1 ? ki[0] : NULL, recipients[j]);
            strcat(eks, e);
            free(e);
        }

        assert_int_equal(ops_of(sps[n], eks, key, OIOSAML_DENY_DECRYPT),
                         0);

        /* all naming another certificate: none of our keys is tried */
        eks[0] = '\0';

        for (j = 0; j < 4; j++) {
            e = garbage_ek(384, ki[2], T_SP);
            strcat(eks, e);
            free(e);
        }

        assert_int_equal(ops_of(sps[n], eks, key, OIOSAML_DENY_DECRYPT),
                         0);
    }

    /* with two keys, EncryptedKeys that all name sp.crt: only sp.key */
    eks[0] = '\0';

    for (j = 0; j < 4; j++) {
        e = garbage_ek(384, ki[j & 1 ? 0 : 3], NULL);
        strcat(eks, e);
        free(e);
    }

    assert_int_equal(ops_of(two, eks, key, OIOSAML_DENY_DECRYPT), 1);

    for (i = 0; i < 8; i++) {
        free(ki[i]);
    }

    free(eks);
    oiosaml_sp_free(two);
}


/*
 * Review finding 2: what an IdP really sends still decrypts, with one key
 * or two (a rollover), with or without a KeyInfo that names the key, in
 * each form we read.
 */
static void
test_legitimate_keys_still_decrypt(void **state)
{
    char            *e, *g, *eks, *ki;
    size_t           i, n;
    t_ek_t           x;
    oiosaml_sp_t    *two;
    unsigned char    key[32];

    static const char  *forms[] = { NULL, "cert", "issuer-serial", "ski" };

    assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
    two = t_sp_rollover();
    eks = malloc(65536);
    assert_non_null(eks);

    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        memset(&x, 0, sizeof(x));
        x.alg = T_XENC "rsa-oaep-mgf1p";
        x.key_len = 32;

        /* one key */
        x.cert = t_cert("sp.crt");
        ki = forms[i] ? t_key_info(x.cert, forms[i]) : NULL;
        x.key_info = ki;
        e = ek(&x, key);
        assert_int_equal(ops_of(sp, e, key, OIOSAML_OK), 1);

        /* two keys, for the current one */
        assert_int_equal(ops_of(two, e, key, OIOSAML_OK), 1);
        free(e);
        free(ki);

        /* two keys, for the next one: named, one try; else at most two */
        x.cert = t_cert("sp-next.crt");
        ki = forms[i] ? t_key_info(x.cert, forms[i]) : NULL;
        x.key_info = ki;
        e = ek(&x, key);
        n = ops_of(two, e, key, OIOSAML_OK);
        assert_true(n == 1 || (ki == NULL && n == 2));
        assert_int_equal(ops_of(sp, e, key, OIOSAML_DENY_DECRYPT),
                         ki ? 0 : 1);
        free(e);
        free(ki);
    }

    /* X509IssuerName as another library may write it */
    memset(&x, 0, sizeof(x));
    x.alg = T_XENC "rsa-oaep-mgf1p";
    x.key_len = 32;
    x.cert = t_cert("sp-next.crt");
    ki = t_key_info(x.cert, "issuer-serial");
    g = malloc(strlen(ki) * 2);
    assert_non_null(g);
    e = strstr(ki, "<ds:X509IssuerName>CN=");
    assert_non_null(e);
    e += sizeof("<ds:X509IssuerName>CN=") - 1;
    n = (size_t) sprintf(g, "%.*scn = ", (int) (e - 3 - ki), ki);

    /* "cn = oiosaml-nginx SP (next), O=Demo Kommune, C=DK" */
    for ( /* void */ ; *e != '\0'; e++) {
        g[n++] = *e;

        if (*e == ',' && strstr(e, "</ds:X509IssuerName>") != NULL) {
            g[n++] = ' ';
        }
    }

    g[n] = '\0';
    x.key_info = g;
    e = ek(&x, key);
    assert_int_equal(ops_of(two, e, key, OIOSAML_OK), 1);
    free(e);
    free(g);
    free(ki);

    /* Recipient breaks the tie between EncryptedKeys that name no key */
    memset(&x, 0, sizeof(x));
    x.alg = T_XENC "rsa-oaep-mgf1p";
    x.key_len = 32;
    x.recipient = T_SP;
    e = ek(&x, key);

    for (i = 0; i < 2; i++) {
        g = garbage_ek(384, NULL, i ? "https://evil.test/" : NULL);
        sprintf(eks, "%s%s", g, e);
        free(g);
        assert_int_equal(ops_of(sp, eks, key, OIOSAML_OK), 1);
        assert_int_equal(ops_of(two, eks, key, OIOSAML_OK), 1);
    }

    /* an EncryptedKey for another certificate, then ours without a name */
    ki = t_key_info(t_cert("idp-wrong.crt"), "cert");
    g = garbage_ek(384, ki, T_SP);
    free(ki);
    x.recipient = NULL;
    free(e);
    e = ek(&x, key);
    sprintf(eks, "%s%s", g, e);
    assert_int_equal(ops_of(sp, eks, key, OIOSAML_OK), 1);
    free(g);

    /* ours, named, behind three forged ones that name nothing */
    ki = t_key_info(t_cert("sp.crt"), "cert");
    x.key_info = ki;
    free(e);
    e = ek(&x, key);
    eks[0] = '\0';

    for (i = 0; i < 3; i++) {
        g = garbage_ek(384, NULL, T_SP);
        strcat(eks, g);
        free(g);
    }

    strcat(eks, e);
    assert_int_equal(ops_of(sp, eks, key, OIOSAML_OK), 1);
    assert_int_equal(ops_of(two, eks, key, OIOSAML_OK), 1);

    free(ki);
    free(e);
    free(eks);
    oiosaml_sp_free(two);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_ciphers_and_transports),
        cmocka_unit_test(test_require_encryption),
        cmocka_unit_test(test_signed_response_around_encryption),
        cmocka_unit_test(test_key_rollover_and_content),
        cmocka_unit_test(test_oaep_parameters),
        cmocka_unit_test(test_refused_parameters),
        cmocka_unit_test(test_encrypted_keys),
        cmocka_unit_test(test_cipher_reference),
        cmocka_unit_test(test_forged_keys_cost_one_try_per_sp_key),
        cmocka_unit_test(test_legitimate_keys_still_decrypt),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
