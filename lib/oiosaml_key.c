
/*
 * Keys and certificates: PEM files, DER from metadata, and the xmlsec
 * key objects built once from them.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <xmlsec/openssl/evp.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_PEM_FILE  (64 * 1024)
#define OIOSAML_MIN_RSA_BITS  2048


static oiosaml_status_t oiosaml_cert_fill(oiosaml_cert_t *cert,
    oiosaml_err_t *err);
static oiosaml_status_t oiosaml_cert_curve(EVP_PKEY *pkey,
    oiosaml_err_t *err);
static time_t oiosaml_asn1_time(const ASN1_TIME *t);


oiosaml_status_t
oiosaml_cert_from_der(const unsigned char *der, size_t len,
    oiosaml_cert_t *cert, oiosaml_err_t *err)
{
    const unsigned char  *p;

    memset(cert, 0, sizeof(*cert));

    p = der;
    cert->x509 = d2i_X509(NULL, &p, (long) len);

    if (cert->x509 == NULL || p != der + len) {
        oiosaml_cert_clear(cert);
        return oiosaml_err_openssl(err, OIOSAML_ERR_CONFIG,
                                   "d2i_X509() failed: not a certificate");
    }

    return oiosaml_cert_fill(cert, err);
}


oiosaml_status_t
oiosaml_cert_from_b64(const char *b64, size_t len, oiosaml_cert_t *cert,
    oiosaml_err_t *err)
{
    size_t            n;
    unsigned char    *der;
    oiosaml_status_t  rc;

    if (oiosaml_b64_decode(b64, len, &der, &n) != OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "X509Certificate is not valid base64");
    }

    rc = oiosaml_cert_from_der(der, n, cert, err);
    free(der);

    return rc;
}


oiosaml_status_t
oiosaml_cert_load(const char *file, oiosaml_cert_t *cert, oiosaml_err_t *err)
{
    char              what[1100];
    BIO              *bio;
    size_t            len;
    unsigned char    *data;
    oiosaml_status_t  rc;

    memset(cert, 0, sizeof(*cert));

    rc = oiosaml_read_file(file, OIOSAML_MAX_PEM_FILE, &data, &len, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    bio = BIO_new_mem_buf(data, (int) len);
    if (bio == NULL) {
        free(data);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "BIO_new_mem_buf()");
    }

    cert->x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    free(data);

    if (cert->x509 == NULL) {
        snprintf(what, sizeof(what), "\"%s\" holds no PEM certificate",
                 file);
        return oiosaml_err_openssl(err, OIOSAML_ERR_CONFIG, what);
    }

    return oiosaml_cert_fill(cert, err);
}


static oiosaml_status_t
oiosaml_cert_fill(oiosaml_cert_t *cert, oiosaml_err_t *err)
{
    int               n;
    unsigned int      mdlen;
    unsigned char    *der;
    oiosaml_status_t  rc;

    cert->pkey = X509_get_pubkey(cert->x509);
    if (cert->pkey == NULL) {
        oiosaml_cert_clear(cert);
        return oiosaml_err_openssl(err, OIOSAML_ERR_CONFIG,
                                   "X509_get_pubkey() failed");
    }

    if (EVP_PKEY_get_base_id(cert->pkey) != EVP_PKEY_RSA
        && EVP_PKEY_get_base_id(cert->pkey) != EVP_PKEY_EC)
    {
        oiosaml_cert_clear(cert);
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "certificate key is neither RSA nor EC");
    }

    if (EVP_PKEY_get_base_id(cert->pkey) == EVP_PKEY_RSA
        && EVP_PKEY_get_bits(cert->pkey) < OIOSAML_MIN_RSA_BITS)
    {
        oiosaml_cert_clear(cert);
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "RSA key shorter than %d bits",
                               OIOSAML_MIN_RSA_BITS);
    }

    if (EVP_PKEY_get_base_id(cert->pkey) == EVP_PKEY_EC) {
        rc = oiosaml_cert_curve(cert->pkey, err);
        if (rc != OIOSAML_OK) {
            oiosaml_cert_clear(cert);
            return rc;
        }
    }

    cert->not_before = oiosaml_asn1_time(X509_get0_notBefore(cert->x509));
    cert->not_after = oiosaml_asn1_time(X509_get0_notAfter(cert->x509));

    mdlen = sizeof(cert->sha256);
    if (X509_digest(cert->x509, EVP_sha256(), cert->sha256, &mdlen) != 1) {
        oiosaml_cert_clear(cert);
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL,
                                   "X509_digest() failed");
    }

    der = NULL;
    n = i2d_X509(cert->x509, &der);
    if (n <= 0) {
        oiosaml_cert_clear(cert);
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL,
                                   "i2d_X509() failed");
    }

    cert->der_b64 = oiosaml_b64_encode(der, (size_t) n, NULL);
    OPENSSL_free(der);

    cert->key = oiosaml_xmlsec_key(cert->pkey);

    if (cert->der_b64 == NULL || cert->key == NULL) {
        oiosaml_cert_clear(cert);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM,
                               "cannot build the xmlsec key");
    }

    return OIOSAML_OK;
}


/*
 * An EC key must be on P-256, P-384 or P-521: the curves of [OIO-ALG-01]
 * and of XML Signature 1.1, at least as strong as RSA-2048.  Smaller
 * (secp112r1, P-192, P-224), other (secp256k1, Brainpool) and explicit
 * curves are refused.
 */
static oiosaml_status_t
oiosaml_cert_curve(EVP_PKEY *pkey, oiosaml_err_t *err)
{
    int          nid;
    char         name[80];
    size_t       len;
    const char  *nist;

    if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1) {
        ERR_clear_error();
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "EC key with explicit curve parameters: "
                               "only the named curves P-256, P-384 or "
                               "P-521 are accepted");
    }

    nid = OBJ_sn2nid(name);

    if (nid == NID_undef) {
        nid = EC_curve_nist2nid(name);
    }

    if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1
        && nid != NID_secp521r1)
    {
        nist = (nid != NID_undef) ? EC_curve_nid2nist(nid) : NULL;

        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "EC key on curve %s (%s%s%d bits): only "
                               "P-256, P-384 or P-521 are accepted", name,
                               nist ? nist : "", nist ? ", " : "",
                               EVP_PKEY_get_bits(pkey));
    }

    return OIOSAML_OK;
}


void
oiosaml_cert_clear(oiosaml_cert_t *cert)
{
    if (cert->key != NULL) {
        xmlSecKeyDestroy(cert->key);
    }

    EVP_PKEY_free(cert->pkey);
    X509_free(cert->x509);
    free(cert->der_b64);

    memset(cert, 0, sizeof(*cert));
}


oiosaml_status_t
oiosaml_pkey_load(const char *file, EVP_PKEY **pkey, oiosaml_err_t *err)
{
    char              what[1100];
    BIO              *bio;
    size_t            len;
    unsigned char    *data;
    oiosaml_status_t  rc;

    rc = oiosaml_read_file(file, OIOSAML_MAX_PEM_FILE, &data, &len, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    bio = BIO_new_mem_buf(data, (int) len);
    if (bio == NULL) {
        oiosaml_wipe_free(data, len);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "BIO_new_mem_buf()");
    }

    /* an empty passphrase: encrypted keys fail instead of prompting */
    *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *) "");
    BIO_free(bio);
    oiosaml_wipe_free(data, len);

    if (*pkey == NULL) {
        snprintf(what, sizeof(what),
                 "\"%s\" holds no unencrypted PEM private key", file);
        return oiosaml_err_openssl(err, OIOSAML_ERR_CONFIG, what);
    }

    return OIOSAML_OK;
}


xmlSecKeyPtr
oiosaml_xmlsec_key(EVP_PKEY *pkey)
{
    xmlSecKeyPtr      key;
    xmlSecKeyDataPtr  data;

    if (EVP_PKEY_up_ref(pkey) != 1) {
        return NULL;
    }

    data = xmlSecOpenSSLEvpKeyAdopt(pkey);
    if (data == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }

    key = xmlSecKeyCreate();
    if (key == NULL) {
        xmlSecKeyDataDestroy(data);
        return NULL;
    }

    if (xmlSecKeySetValue(key, data) < 0) {
        xmlSecKeyDataDestroy(data);
        xmlSecKeyDestroy(key);
        return NULL;
    }

    return key;
}


static time_t
oiosaml_asn1_time(const ASN1_TIME *t)
{
    struct tm  tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        return 0;
    }

    return oiosaml_timegm(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
}
