
/*
 * EncryptedAssertion: RSA-OAEP key transport with OpenSSL (both the
 * xmlenc#rsa-oaep-mgf1p and the xmlenc11#rsa-oaep forms, which xmlsec 1.2
 * lacks), then the AES-CBC or AES-GCM content with xmlsec.  Algorithms
 * outside [OIO-ALG-01] - RSA-1.5 above all - are refused before any
 * private-key operation.
 *
 * All this happens before any signature is checked, so anybody can make
 * us do it: each SP key makes at most one private-key operation per
 * response.  A key is tried on the EncryptedKey whose KeyInfo names its
 * certificate, else on one that names no certificate (an EncryptedKey
 * Recipient that is our entityID first), never on one that names another
 * certificate or whose ciphertext is not of the key's size.  So both keys
 * of a rollover decrypt, with or without a KeyInfo.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/keys.h>
#include <xmlsec/crypto.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_ENCRYPTED_KEYS  4
#define OIOSAML_MAX_DN              1024

/* what an EncryptedKey's KeyInfo names, when not the index of our key */
#define OIOSAML_EK_NAMES_NOTHING    ((size_t) -1)   /* nothing we can read */
#define OIOSAML_EK_NAMES_OTHER      ((size_t) -2)   /* not our certificate */

/* the EncryptedKey's Recipient, the tie-breaker: the higher, the first */
#define OIOSAML_EK_RCPT_OTHER       0
#define OIOSAML_EK_RCPT_NONE        1
#define OIOSAML_EK_RCPT_US          2

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


/* an EncryptedKey, read before any private-key operation */
typedef struct {
    const char      *md;            /* OAEP digest */
    const char      *mgf;           /* MGF1 digest */
    unsigned char   *label;         /* OAEPparams */
    size_t           label_len;
    unsigned char   *in;            /* the wrapped key */
    size_t           in_len;
    size_t           names;         /* our key index, OIOSAML_EK_NAMES_* */
    int              recipient;     /* OIOSAML_EK_RCPT_* */
    unsigned         usable:1;
} oiosaml_ek_t;


/* see oiosaml_internal.h */
unsigned long  oiosaml_pkey_ops;


static oiosaml_status_t oiosaml_decrypt_ek_read(const oiosaml_sp_t *sp,
    xmlNodePtr node, oiosaml_ek_t *ek, oiosaml_err_t *err);
static size_t oiosaml_decrypt_ek_names(const oiosaml_sp_t *sp,
    xmlNodePtr node);
static size_t oiosaml_decrypt_x509_names(const oiosaml_sp_t *sp,
    xmlNodePtr node);
static size_t oiosaml_decrypt_cert_names(const oiosaml_sp_t *sp,
    const char *b64);
static size_t oiosaml_decrypt_ski_names(const oiosaml_sp_t *sp,
    const char *b64);
static size_t oiosaml_decrypt_serial_names(const oiosaml_sp_t *sp,
    xmlNodePtr node);
static int oiosaml_decrypt_dn_eq(const X509_NAME *name, const char *text);
static size_t oiosaml_decrypt_dn_norm(const char *in, size_t len, char *out);
static oiosaml_status_t oiosaml_decrypt_unwrap(const oiosaml_sp_t *sp,
    oiosaml_ek_t *eks, size_t nek, size_t key_len, unsigned char *key);
static oiosaml_ek_t *oiosaml_decrypt_pick(const oiosaml_sp_t *sp, size_t k,
    oiosaml_ek_t *eks, size_t nek, int named);
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
    xmlNodePtr               ed, em, ki, n, nodes[OIOSAML_MAX_ENCRYPTED_KEYS];
    const char              *alg;
    unsigned char            key[32];
    xmlSecEncCtx             ctx;
    oiosaml_ek_t             eks[OIOSAML_MAX_ENCRYPTED_KEYS];
    oiosaml_err_t            first;
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

            nodes[nek++] = n;
        }
    }

    if (nek == 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                               "no EncryptedKey");
    }

    /*
     * Every EncryptedKey is read first: a refused algorithm in any of
     * them ends it before any private-key operation; one that cannot be
     * read is left out, and named if nothing else decrypts.
     */
    memset(eks, 0, sizeof(eks));
    oiosaml_err_clear(&first);
    rc = OIOSAML_OK;

    for (i = 0; i < nek && rc != OIOSAML_DENY_ENC_ALGORITHM; i++) {
        rc = oiosaml_decrypt_ek_read(sp, nodes[i], &eks[i], &first);
    }

    if (rc != OIOSAML_DENY_ENC_ALGORITHM) {
        rc = oiosaml_decrypt_unwrap(sp, eks, nek, key_len, key);
    }

    for (i = 0; i < nek; i++) {
        free(eks[i].in);
        free(eks[i].label);
    }

    if (rc != OIOSAML_OK) {
        OPENSSL_cleanse(key, sizeof(key));

        if (first.status != OIOSAML_OK) {
            return oiosaml_err_set(err, first.status, "%s", first.text);
        }

        return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
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


/*
 * Reads an EncryptedKey: its algorithms (refused ones end the decryption:
 * OIOSAML_DENY_ENC_ALGORITHM), the wrapped key, what its KeyInfo names
 * and for whom it is.  OIOSAML_DENY_DECRYPT when it cannot be read; it is
 * then not usable, and err says why.
 */
static oiosaml_status_t
oiosaml_decrypt_ek_read(const oiosaml_sp_t *sp, xmlNodePtr node,
    oiosaml_ek_t *ek, oiosaml_err_t *err)
{
    char        *b64;
    xmlNodePtr   em, n, cd, cv;
    const char  *alg, *v;

    em = oiosaml_xml_child(node, OIOSAML_NS_XENC, "EncryptionMethod");
    alg = em ? oiosaml_xml_attr(em, "Algorithm") : NULL;

    if (alg == NULL) {
        return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                               "EncryptedKey names no algorithm");
    }

    ek->md = "SHA1";
    ek->mgf = "SHA1";

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
            ek->md = v ? oiosaml_md_lookup(oiosaml_oaep_digests, v) : NULL;

            if (ek->md == NULL) {
                return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                                       "OAEP digest \"%.100s\" is not "
                                       "allowed", v ? v : "");
            }

        } else if (oiosaml_xml_is(n, OIOSAML_NS_XENC11, "MGF")
                   && strcmp(alg, OIOSAML_XENC11_ALG("rsa-oaep")) == 0)
        {
            ek->mgf = v ? oiosaml_md_lookup(oiosaml_mgfs, v) : NULL;

            if (ek->mgf == NULL) {
                return oiosaml_err_set(err, OIOSAML_DENY_ENC_ALGORITHM,
                                       "OAEP MGF \"%.100s\" is not allowed",
                                       v ? v : "");
            }

        } else if (oiosaml_xml_is(n, OIOSAML_NS_XENC, "OAEPparams")) {
            if (ek->label != NULL) {
                return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                                       "two OAEPparams");
            }

            b64 = oiosaml_xml_text(n);
            if (b64 == NULL
                || oiosaml_b64_decode(b64, strlen(b64), &ek->label,
                                      &ek->label_len)
                   != OIOSAML_OK)
            {
                free(b64);
                return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                                       "OAEPparams is not base64");
            }

            free(b64);
        }
    }

    cd = oiosaml_xml_child(node, OIOSAML_NS_XENC, "CipherData");
    cv = cd ? oiosaml_xml_child(cd, OIOSAML_NS_XENC, "CipherValue") : NULL;
    b64 = cv ? oiosaml_xml_text(cv) : NULL;

    if (b64 == NULL
        || oiosaml_b64_decode(b64, strlen(b64), &ek->in, &ek->in_len)
           != OIOSAML_OK)
    {
        free(b64);
        return oiosaml_err_set(err, OIOSAML_DENY_DECRYPT,
                               "EncryptedKey has no base64 CipherValue");
    }

    free(b64);

    ek->names = oiosaml_decrypt_ek_names(sp, node);

    v = oiosaml_xml_attr(node, "Recipient");
    ek->recipient = (v == NULL) ? OIOSAML_EK_RCPT_NONE
                    : (strcmp(v, sp->entity_id) == 0) ? OIOSAML_EK_RCPT_US
                                                      : OIOSAML_EK_RCPT_OTHER;
    ek->usable = 1;

    return OIOSAML_OK;
}


/*
 * The one private-key operation per SP key: first the keys that an
 * EncryptedKey names, each on the EncryptedKey that names it; then the
 * others, each on the best EncryptedKey that names no certificate.
 */
static oiosaml_status_t
oiosaml_decrypt_unwrap(const oiosaml_sp_t *sp, oiosaml_ek_t *eks,
    size_t nek, size_t key_len, unsigned char *key)
{
    int             named, pass;
    size_t          i, k, out_len;
    oiosaml_ek_t   *e;
    unsigned char   out[512];

    for (pass = 0; pass < 2; pass++) {
        for (k = 0; k < sp->nkeys; k++) {
            named = 0;

            for (i = 0; i < nek; i++) {
                if (eks[i].names == k) {
                    named = 1;
                }
            }

            if (named != (pass == 0)) {
                continue;
            }

            e = oiosaml_decrypt_pick(sp, k, eks, nek, named);

            if (e == NULL) {
                continue;
            }

            out_len = sizeof(out);

            if (oiosaml_decrypt_rsa(sp->keys[k].pkey, e->md, e->mgf,
                                    e->label, e->label_len, e->in,
                                    e->in_len, out, &out_len)
                == OIOSAML_OK
                && out_len == key_len)
            {
                memcpy(key, out, key_len);
                OPENSSL_cleanse(out, sizeof(out));
                return OIOSAML_OK;
            }
        }
    }

    OPENSSL_cleanse(out, sizeof(out));

    return OIOSAML_DENY_DECRYPT;
}


/*
 * The EncryptedKey for our key k: one that names k (named), else one
 * that names no certificate; of the key's size; our entityID as
 * Recipient first, then none, then another; the first of equals.
 */
static oiosaml_ek_t *
oiosaml_decrypt_pick(const oiosaml_sp_t *sp, size_t k, oiosaml_ek_t *eks,
    size_t nek, int named)
{
    size_t         i, size;
    oiosaml_ek_t  *best;

    if (EVP_PKEY_get_base_id(sp->keys[k].pkey) != EVP_PKEY_RSA) {
        return NULL;
    }

    size = (size_t) EVP_PKEY_get_size(sp->keys[k].pkey);
    best = NULL;

    for (i = 0; i < nek; i++) {
        if (!eks[i].usable || eks[i].in_len != size
            || eks[i].names != (named ? k : OIOSAML_EK_NAMES_NOTHING))
        {
            continue;
        }

        if (best == NULL || eks[i].recipient > best->recipient) {
            best = &eks[i];
        }
    }

    return best;
}


/*
 * What the EncryptedKey's ds:KeyInfo names: the index of our key whose
 * certificate an X509Data child (X509Certificate, X509IssuerSerial,
 * X509SKI) names; OIOSAML_EK_NAMES_OTHER when they name only
 * certificates that are not ours; else OIOSAML_EK_NAMES_NOTHING.
 */
static size_t
oiosaml_decrypt_ek_names(const oiosaml_sp_t *sp, xmlNodePtr node)
{
    size_t      names, n;
    xmlNodePtr  ki, xd, c;

    names = OIOSAML_EK_NAMES_NOTHING;
    ki = oiosaml_xml_child(node, OIOSAML_NS_DS, "KeyInfo");

    if (ki == NULL) {
        return names;
    }

    for (xd = oiosaml_xml_first(ki); xd; xd = oiosaml_xml_next(xd)) {
        if (!oiosaml_xml_is(xd, OIOSAML_NS_DS, "X509Data")) {
            continue;
        }

        for (c = oiosaml_xml_first(xd); c; c = oiosaml_xml_next(c)) {
            n = oiosaml_decrypt_x509_names(sp, c);

            if (n < sp->nkeys) {
                return n;
            }

            if (n == OIOSAML_EK_NAMES_OTHER) {
                names = n;
            }
        }
    }

    return names;
}


/* one child of X509Data */
static size_t
oiosaml_decrypt_x509_names(const oiosaml_sp_t *sp, xmlNodePtr node)
{
    char    *text;
    size_t   n;

    if (oiosaml_xml_is(node, OIOSAML_NS_DS, "X509IssuerSerial")) {
        return oiosaml_decrypt_serial_names(sp, node);
    }

    if (!oiosaml_xml_is(node, OIOSAML_NS_DS, "X509Certificate")
        && !oiosaml_xml_is(node, OIOSAML_NS_DS, "X509SKI"))
    {
        return OIOSAML_EK_NAMES_NOTHING;
    }

    text = oiosaml_xml_text(node);
    if (text == NULL) {
        return OIOSAML_EK_NAMES_NOTHING;
    }

    n = oiosaml_xml_is(node, OIOSAML_NS_DS, "X509Certificate")
        ? oiosaml_decrypt_cert_names(sp, text)
        : oiosaml_decrypt_ski_names(sp, text);

    free(text);

    return n;
}


/* an X509Certificate: equal to one of ours (by SHA-256), or another */
static size_t
oiosaml_decrypt_cert_names(const oiosaml_sp_t *sp, const char *b64)
{
    size_t          k, len;
    unsigned char  *der, md[32];

    if (oiosaml_b64_decode(b64, strlen(b64), &der, &len) != OIOSAML_OK) {
        return OIOSAML_EK_NAMES_OTHER;
    }

    if (EVP_Digest(der, len, md, NULL, EVP_sha256(), NULL) != 1) {
        free(der);
        return OIOSAML_EK_NAMES_NOTHING;
    }

    free(der);

    for (k = 0; k < sp->nkeys; k++) {
        if (memcmp(md, sp->keys[k].cert.sha256, sizeof(md)) == 0) {
            return k;
        }
    }

    return OIOSAML_EK_NAMES_OTHER;
}


/*
 * An X509SKI: the subject key identifier of one of ours, or another
 * (only when every one of our certificates has one to compare)
 */
static size_t
oiosaml_decrypt_ski_names(const oiosaml_sp_t *sp, const char *b64)
{
    int                         all;
    size_t                      k, len;
    unsigned char              *ski;
    const ASN1_OCTET_STRING    *ours;

    if (oiosaml_b64_decode(b64, strlen(b64), &ski, &len) != OIOSAML_OK) {
        return OIOSAML_EK_NAMES_OTHER;
    }

    all = 1;

    for (k = 0; k < sp->nkeys; k++) {
        ours = X509_get0_subject_key_id(sp->keys[k].cert.x509);

        if (ours == NULL) {
            all = 0;
            continue;
        }

        if ((size_t) ASN1_STRING_length(ours) == len
            && memcmp(ASN1_STRING_get0_data(ours), ski, len) == 0)
        {
            free(ski);
            return k;
        }
    }

    free(ski);

    return all ? OIOSAML_EK_NAMES_OTHER : OIOSAML_EK_NAMES_NOTHING;
}


/*
 * An X509IssuerSerial: a serial number that none of our certificates has
 * names another one; the serial and the issuer (compared as RFC 2253
 * text) of one of ours name it; the serial of ours with an issuer written
 * in a way we do not compare names nothing we can read.
 */
static size_t
oiosaml_decrypt_serial_names(const oiosaml_sp_t *sp, xmlNodePtr node)
{
    int          maybe;
    char        *issuer, *serial;
    size_t       k, names;
    BIGNUM      *bn, *ours;
    xmlNodePtr   in, sn;

    in = oiosaml_xml_child(node, OIOSAML_NS_DS, "X509IssuerName");
    sn = oiosaml_xml_child(node, OIOSAML_NS_DS, "X509SerialNumber");

    if (in == NULL || sn == NULL) {
        return OIOSAML_EK_NAMES_NOTHING;
    }

    serial = oiosaml_xml_text(sn);
    issuer = oiosaml_xml_text(in);
    bn = NULL;
    names = OIOSAML_EK_NAMES_NOTHING;

    if (serial == NULL || issuer == NULL || serial[0] == '\0'
        || strspn(serial, "0123456789") != strlen(serial)
        || strlen(serial) > 100
        || BN_dec2bn(&bn, serial) == 0)
    {
        goto done;
    }

    maybe = 0;

    for (k = 0; k < sp->nkeys; k++) {
        ours = ASN1_INTEGER_to_BN(
                   X509_get0_serialNumber(sp->keys[k].cert.x509), NULL);

        if (ours == NULL) {
            maybe = 1;
            continue;
        }

        if (BN_cmp(ours, bn) == 0) {
            maybe = 1;

            if (oiosaml_decrypt_dn_eq(
                    X509_get_issuer_name(sp->keys[k].cert.x509), issuer))
            {
                BN_free(ours);
                names = k;
                goto done;
            }
        }

        BN_free(ours);
    }

    names = maybe ? OIOSAML_EK_NAMES_NOTHING : OIOSAML_EK_NAMES_OTHER;

done:

    BN_free(bn);
    free(serial);
    free(issuer);

    return names;
}


/* is text the RFC 2253 form of name (spaces and letter case aside)? */
static int
oiosaml_decrypt_dn_eq(const X509_NAME *name, const char *text)
{
    int     n, eq;
    BIO    *bio;
    char    ours[OIOSAML_MAX_DN + 1], a[OIOSAML_MAX_DN + 1];
    char    b[OIOSAML_MAX_DN + 1];
    size_t  alen, blen;

    if (strlen(text) > OIOSAML_MAX_DN) {
        return 0;
    }

    bio = BIO_new(BIO_s_mem());
    if (bio == NULL) {
        return 0;
    }

    n = -1;

    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        n = BIO_read(bio, ours, OIOSAML_MAX_DN);
    }

    BIO_free(bio);
    ERR_clear_error();

    if (n < 0) {
        return 0;
    }

    alen = oiosaml_decrypt_dn_norm(ours, (size_t) n, a);
    blen = oiosaml_decrypt_dn_norm(text, strlen(text), b);
    eq = (alen == blen && memcmp(a, b, alen) == 0);

    return eq;
}


/* drops the spaces around ',', '+' and '=' and lowercases ASCII */
static size_t
oiosaml_decrypt_dn_norm(const char *in, size_t len, char *out)
{
    char    c;
    size_t  i, j, n;

    n = 0;

    for (i = 0; i < len; i++) {
        c = in[i];

        if (c == ' ') {
            for (j = i; j < len && in[j] == ' '; j++) {
                /* void */
            }

            if (n == 0 || j == len
                || out[n - 1] == ',' || out[n - 1] == '+'
                || out[n - 1] == '=' || in[j] == ',' || in[j] == '+'
                || in[j] == '=')
            {
                i = j - 1;
                continue;
            }
        }

        out[n++] = (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
    }

    return n;
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
