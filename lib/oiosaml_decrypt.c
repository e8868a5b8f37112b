
/*
 * EncryptedAssertion: RSA-OAEP key transport with OpenSSL (both the
 * xmlenc#rsa-oaep-mgf1p and the xmlenc11#rsa-oaep forms, which xmlsec 1.2
 * lacks), then the AES-CBC or AES-GCM content with xmlsec.  Algorithms
 * outside [OIO-ALG-01] - RSA-1.5 above all - are refused before any
 * private-key operation.  Every SP key is tried, so that both keys of a
 * rollover decrypt.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/keys.h>
#include <xmlsec/crypto.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_ENCRYPTED_KEYS  4

#define OIOSAML_XENC_ALG(n)   "http://www.w3.org/2001/04/xmlenc#" n
#define OIOSAML_XENC11_ALG(n) "http://www.w3.org/2009/xmlenc11#" n


typedef struct {
    const char  *uri;
    size_t       key_len;
} oiosaml_cipher_t;


static const oiosaml_cipher_t  oiosaml_ciphers[] = {
    { OIOSAML_XENC_ALG("aes128-cbc"), 16 },
    { OIOSAML_XENC_ALG("aes192-cbc"), 24 },
    { OIOSAML_XENC_ALG("aes256-cbc"), 32 },
    { OIOSAML_XENC11_ALG("aes128-gcm"), 16 },
    { OIOSAML_XENC11_ALG("aes192-gcm"), 24 },
    { OIOSAML_XENC11_ALG("aes256-gcm"), 32 },
    { NULL, 0 }
};


typedef struct {
    const char  *uri;
    const char  *md;
} oiosaml_md_t;


static const oiosaml_md_t  oiosaml_oaep_digests[] = {
    { "http://www.w3.org/2000/09/xmldsig#sha1", "SHA1" },
    { OIOSAML_XENC_ALG("sha256"), "SHA256" },
    { OIOSAML_XENC_ALG("sha512"), "SHA512" },
    { NULL, NULL }
};

static const oiosaml_md_t  oiosaml_mgfs[] = {
    { OIOSAML_XENC11_ALG("mgf1sha1"), "SHA1" },
    { OIOSAML_XENC11_ALG("mgf1sha256"), "SHA256" },
    { OIOSAML_XENC11_ALG("mgf1sha512"), "SHA512" },
    { NULL, NULL }
};


/* see oiosaml_internal.h */
unsigned long  oiosaml_pkey_ops;


static size_t oiosaml_decrypt_key_hint(const oiosaml_sp_t *sp,
    xmlNodePtr ek);
static oiosaml_status_t oiosaml_decrypt_key(const oiosaml_sp_t *sp,
    xmlNodePtr ek, size_t key_len, unsigned char *key, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_decrypt_rsa(EVP_PKEY *pkey, const char *md,
    const char *mgf, const unsigned char *label, size_t label_len,
    const unsigned char *in, size_t in_len, unsigned char *out,
    size_t *out_len);
static const char *oiosaml_md_lookup(const oiosaml_md_t *table,
    const char *uri);


oiosaml_status_t
oiosaml_decrypt_assertion(const oiosaml_sp_t *sp, xmlNodePtr ea,
    xmlNodePtr *assertion, oiosaml_err_t *err)
{
    int                      ret;
    size_t                   i, nek, key_len;
    xmlNodePtr               ed, em, ki, n, eks[OIOSAML_MAX_ENCRYPTED_KEYS];
    const char              *alg;
    unsigned char            key[32];
    xmlSecEncCtx             ctx;
    oiosaml_status_t         rc;
    const oiosaml_cipher_t  *c;

    *assertion = NULL;

    if (oiosaml_xml_count(ea, OIOSAML_NS_XENC, "EncryptedData") != 1) {
        return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                               "EncryptedAssertion must hold exactly one "
                               "EncryptedData");
    }

    ed = oiosaml_xml_child(ea, OIOSAML_NS_XENC, "EncryptedData");
    em = oiosaml_xml_child(ed, OIOSAML_NS_XENC, "EncryptionMethod");
    alg = em ? oiosaml_xml_attr(em, "Algorithm") : NULL;

    if (alg == NULL) {
        return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                               "EncryptedData names no algorithm");
    }

    for (c = oiosaml_ciphers; c->uri != NULL; c++) {
        if (strcmp(c->uri, alg) == 0) {
            break;
        }
    }

    if (c->uri == NULL) {
        return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                               "data encryption \"%.100s\" is not allowed",
                               alg);
    }

    key_len = c->key_len;

    /*
     * The ciphertext inline only: for a CipherReference (or an empty
     * CipherData) xmlsec fetches the URI, of any scheme (http://, file://
     * /dev/zero), or takes the whole document; before any signature.
     */
    n = oiosaml_xml_child(ed, OIOSAML_NS_XENC, "CipherData");

    if (n == NULL
        || !oiosaml_xml_is(oiosaml_xml_first(n), OIOSAML_NS_XENC,
                           "CipherValue"))
    {
        return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                               "EncryptedData has no inline CipherValue");
    }

    /* EncryptedKey in the EncryptedData's KeyInfo, or beside it */
    nek = 0;
    ki = oiosaml_xml_child(ed, OIOSAML_NS_DS, "KeyInfo");

    for (i = 0; i < 2; i++) {
        xmlNodePtr  parent = (i == 0) ? ki : ea;

        if (parent == NULL) {
            continue;
        }

        for (n = oiosaml_xml_first(parent); n; n = oiosaml_xml_next(n)) {
            if (!oiosaml_xml_is(n, OIOSAML_NS_XENC, "EncryptedKey")) {
                continue;
            }

            if (nek == OIOSAML_MAX_ENCRYPTED_KEYS) {
                return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                                       "too many EncryptedKey elements");
            }

            eks[nek++] = n;
        }
    }

    if (nek == 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                               "no EncryptedKey");
    }

    rc = OIOSAML_DENY_DECRYPT;

    for (i = 0; i < nek; i++) {
        rc = oiosaml_decrypt_key(sp, eks[i], key_len, key, err);

        if (rc == OIOSAML_OK || rc == OIOSAML_DENY_ENC_ALGORITHM) {
            break;
        }
    }

    if (rc != OIOSAML_OK) {
        OPENSSL_cleanse(key, sizeof(key));
        return oiosaml_err_set(err, rc,
                               "no SP key decrypts the EncryptedKey");
    }

    oiosaml_lib_error_clear();

    if (xmlSecEncCtxInitialize(&ctx, NULL) < 0) {
        OPENSSL_cleanse(key, sizeof(key));
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "xmlSecEncCtxInitialize() failed");
    }

    ctx.encKey = xmlSecKeyReadMemory(xmlSecKeyDataAesId, key,
                                           key_len);
    OPENSSL_cleanse(key, sizeof(key));

    if (ctx.encKey == NULL) {
        xmlSecEncCtxFinalize(&ctx);
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "cannot build the AES key");
    }

    ctx.keyInfoReadCtx.maxRetrievalMethodLevel = 0;
    ctx.transformCtx.enabledUris = xmlSecTransformUriTypeNone;

    ret = xmlSecEncCtxDecrypt(&ctx, ed);
    xmlSecEncCtxFinalize(&ctx);

    if (ret < 0) {
        return oiosaml_err_xml(err, OIOSAML_DENY_DECRYPT,
                               "EncryptedData does not decrypt");
    }

    /* EncryptedKey siblings may stay; exactly one Assertion must appear */
    n = NULL;
    i = 0;

    for (ed = oiosaml_xml_first(ea); ed != NULL; ed = oiosaml_xml_next(ed)) {
        if (oiosaml_xml_is(ed, OIOSAML_NS_XENC, "EncryptedKey")) {
            continue;
        }

        if (!oiosaml_xml_is(ed, OIOSAML_NS_SAML, "Assertion")) {
            return oiosaml_err_set(err, OIOSAML_DENY_ASSERTION_COUNT,
                                   "decrypted content is not an Assertion");
        }

        n = ed;
        i++;
    }

    if (i != 1) {
        return oiosaml_err_set(err, OIOSAML_DENY_ASSERTION_COUNT,
                               "EncryptedAssertion holds %zu assertions", i);
    }

    *assertion = n;

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_decrypt_key(const oiosaml_sp_t *sp, xmlNodePtr ek, size_t key_len,
    unsigned char *key, oiosaml_err_t *err)
{
    char           *b64;
    size_t          i, j, first, in_len, label_len, out_len;
    xmlNodePtr      em, n, cd, cv;
    const char     *alg, *md, *mgf, *v;
    unsigned char  *in, *label, out[512];

    em = oiosaml_xml_child(ek, OIOSAML_NS_XENC, "EncryptionMethod");
    alg = em ? oiosaml_xml_attr(em, "Algorithm") : NULL;

    if (alg == NULL) {
        return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                               "EncryptedKey names no algorithm");
    }

    md = "SHA1";
    mgf = "SHA1";
    label = NULL;
    label_len = 0;

    if (strcmp(alg, OIOSAML_XENC_ALG("rsa-oaep-mgf1p")) != 0
        && strcmp(alg, OIOSAML_XENC11_ALG("rsa-oaep")) != 0)
    {
        return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                               "key transport \"%.100s\" is not allowed",
                               alg);
    }

    for (n = oiosaml_xml_first(em); n != NULL; n = oiosaml_xml_next(n)) {
        v = oiosaml_xml_attr(n, "Algorithm");

        if (oiosaml_xml_is(n, OIOSAML_NS_DS, "DigestMethod")) {
            md = v ? oiosaml_md_lookup(oiosaml_oaep_digests, v) : NULL;

            if (md == NULL) {
                return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                                       "OAEP digest \"%.100s\" is not "
                                       "allowed", v ? v : "");
            }

        } else if (oiosaml_xml_is(n, OIOSAML_NS_XENC11, "MGF")
                   && strcmp(alg, OIOSAML_XENC11_ALG("rsa-oaep")) == 0)
        {
            mgf = v ? oiosaml_md_lookup(oiosaml_mgfs, v) : NULL;

            if (mgf == NULL) {
                return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                                       "OAEP MGF \"%.100s\" is not allowed",
                                       v ? v : "");
            }

        } else if (oiosaml_xml_is(n, OIOSAML_NS_XENC, "OAEPparams")) {
            if (label != NULL) {
                free(label);
                return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                                       "two OAEPparams");
            }

            b64 = oiosaml_xml_text(n);
            if (b64 == NULL
                || oiosaml_b64_decode(b64, strlen(b64), &label, &label_len)
                   != OIOSAML_OK)
            {
                free(b64);
                return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                                       "OAEPparams is not base64");
            }

            free(b64);
        }
    }

    cd = oiosaml_xml_child(ek, OIOSAML_NS_XENC, "CipherData");
    cv = cd ? oiosaml_xml_child(cd, OIOSAML_NS_XENC, "CipherValue") : NULL;
    b64 = cv ? oiosaml_xml_text(cv) : NULL;

    if (b64 == NULL
        || oiosaml_b64_decode(b64, strlen(b64), &in, &in_len) != OIOSAML_OK)
    {
        free(b64);
        free(label);
        return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                               "EncryptedKey has no base64 CipherValue");
    }

    free(b64);

    /*
     * Each try is a private-key operation: first the key whose certificate
     * the EncryptedKey names, never a key of another size.
     */
    first = oiosaml_decrypt_key_hint(sp, ek);

    for (j = 0; j <= sp->nkeys; j++) {
        i = (j == 0) ? first : j - 1;

        if (i >= sp->nkeys || (j > 0 && i == first)
            || (size_t) EVP_PKEY_get_size(sp->keys[i].pkey) != in_len)
        {
            continue;
        }

        out_len = sizeof(out);

        if (oiosaml_decrypt_rsa(sp->keys[i].pkey, md, mgf, label, label_len,
                                in, in_len, out, &out_len) == OIOSAML_OK
            && out_len == key_len)
        {
            memcpy(key, out, key_len);
            OPENSSL_cleanse(out, sizeof(out));
            free(in);
            free(label);
            return OIOSAML_OK;
        }
    }

    OPENSSL_cleanse(out, sizeof(out));
    free(in);
    free(label);

    return OIOSAML_DENY_DECRYPT;
}


/*
 * The index of our key whose certificate the EncryptedKey's KeyInfo
 * carries (an X509Certificate), or sp->nkeys.  Only an ordering hint: any
 * key is still tried.
 */
static size_t
oiosaml_decrypt_key_hint(const oiosaml_sp_t *sp, xmlNodePtr ek)
{
    char        *text, *p, *q;
    size_t       i;
    xmlNodePtr   n;

    if (sp->nkeys < 2) {
        return 0;
    }

    n = oiosaml_xml_child(ek, OIOSAML_NS_DS, "KeyInfo");
    n = n ? oiosaml_xml_child(n, OIOSAML_NS_DS, "X509Data") : NULL;
    n = n ? oiosaml_xml_child(n, OIOSAML_NS_DS, "X509Certificate") : NULL;
    text = n ? oiosaml_xml_text(n) : NULL;

    if (text == NULL) {
        return sp->nkeys;
    }

    /* base64 without its line breaks */
    for (p = text, q = text; *p; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            *q++ = *p;
        }
    }

    *q = '\0';

    for (i = 0; i < sp->nkeys; i++) {
        if (sp->keys[i].cert.der_b64 != NULL
            && strcmp(sp->keys[i].cert.der_b64, text) == 0)
        {
            break;
        }
    }

    free(text);

    return i;
}


static oiosaml_status_t
oiosaml_decrypt_rsa(EVP_PKEY *pkey, const char *md, const char *mgf,
    const unsigned char *label, size_t label_len, const unsigned char *in,
    size_t in_len, unsigned char *out, size_t *out_len)
{
    int             ok;
    EVP_MD         *omd, *mmd;
    EVP_PKEY_CTX   *ctx;
    unsigned char  *l;

    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        return OIOSAML_DENY_DECRYPT;
    }

    ctx = EVP_PKEY_CTX_new(pkey, NULL);
    omd = EVP_MD_fetch(NULL, md, NULL);
    mmd = EVP_MD_fetch(NULL, mgf, NULL);
    l = NULL;

    if (label_len > 0) {
        l = OPENSSL_memdup(label, label_len);
    }

    ok = ctx != NULL && omd != NULL && mmd != NULL
         && (label_len == 0 || l != NULL)
         && EVP_PKEY_decrypt_init(ctx) == 1
         && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1
         && EVP_PKEY_CTX_set_rsa_oaep_md(ctx, omd) == 1
         && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mmd) == 1;

    if (ok && l != NULL) {
        ok = EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, l, (int) label_len) == 1;

        if (ok) {
            l = NULL;   /* owned by ctx now */
        }
    }

    if (ok) {
        oiosaml_pkey_ops++;
        ok = EVP_PKEY_decrypt(ctx, out, out_len, in, in_len) == 1;
    }

    OPENSSL_free(l);
    EVP_MD_free(omd);
    EVP_MD_free(mmd);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();

    return ok ? OIOSAML_OK : OIOSAML_DENY_DECRYPT;
}


static const char *
oiosaml_md_lookup(const oiosaml_md_t *table, const char *uri)
{
    for ( /* void */ ; table->uri != NULL; table++) {
        if (strcmp(table->uri, uri) == 0) {
            return table->md;
        }
    }

    return NULL;
}
