
/*
 * Process-wide initialisation and key loading (OpenSSL for the query
 * signatures and OAEP, xmlsec for XML signature and encryption).
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <libxml/parser.h>
#include <lasso/lasso.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/transforms.h>
#include <xmlsec/crypto.h>

#include "testidp.h"


static int testidp_no_password(char *buf, int size, int rwflag, void *u);
static const char *testidp_ssl_error(void);
static X509 *testidp_cert_read(const char *file, testidp_err_t *err);


static int  testidp_initialized;


int
testidp_global_init(testidp_err_t *err)
{
    xmlSecPtrListPtr  list;

    if (testidp_initialized) {
        return 0;
    }

    xmlInitParser();

    /*
     * The SP module (or anyone else in this process) may have set up
     * xmlsec already; initialising it again would reset its lists.
     */

    list = xmlSecTransformIdsGet();

    if (list == NULL || list->id != xmlSecTransformIdListId
        || xmlSecTransformIdListFindByHref(list,
                                           BAD_CAST TESTIDP_SIGALG_RSA_SHA256,
                                           xmlSecTransformUsageAny)
           == xmlSecTransformIdUnknown)
    {
        /* lasso_init() initialises xmlsec and its OpenSSL backend */
        if (lasso_init() != 0) {
            return testidp_err(err, "lasso_init() failed");
        }
    }

    if (xmlSecCheckVersion() != 1) {
        return testidp_err(err, "xmlsec library version mismatch");
    }

    testidp_initialized = 1;

    return 0;
}


static int
testidp_no_password(char *buf, int size, int rwflag, void *u)
{
    (void) buf;
    (void) size;
    (void) rwflag;
    (void) u;

    return 0;
}


/* the oldest queued OpenSSL error, and empties the queue */
static const char *
testidp_ssl_error(void)
{
    unsigned long  e;

    static char  buf[160];

    e = ERR_get_error();

    if (e == 0) {
        return "unknown error";
    }

    ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();

    return buf;
}


static X509 *
testidp_cert_read(const char *file, testidp_err_t *err)
{
    BIO   *bio;
    X509  *cert;

    ERR_clear_error();

    bio = BIO_new_file(file, "r");

    if (bio == NULL) {
        testidp_err(err, "cannot open certificate \"%s\": %s", file,
                    testidp_ssl_error());
        return NULL;
    }

    cert = PEM_read_bio_X509(bio, NULL, testidp_no_password, NULL);
    BIO_free(bio);

    if (cert == NULL) {
        testidp_err(err, "no PEM certificate in \"%s\": %s", file,
                    testidp_ssl_error());
        return NULL;
    }

    return cert;
}


int
testidp_signer_load(const char *key_file, const char *cert_file,
    testidp_signer_t **signer, testidp_err_t *err)
{
    int                len;
    BIO               *bio;
    unsigned char     *der, *p;
    testidp_signer_t  *s;

    s = calloc(1, sizeof(testidp_signer_t));

    if (s == NULL) {
        return testidp_err(err, "out of memory");
    }

    ERR_clear_error();

    bio = BIO_new_file(key_file, "r");

    if (bio == NULL) {
        testidp_err(err, "cannot open key \"%s\": %s", key_file,
                    testidp_ssl_error());
        goto failed;
    }

    s->pkey = PEM_read_bio_PrivateKey(bio, NULL, testidp_no_password, NULL);
    BIO_free(bio);

    if (s->pkey == NULL) {
        testidp_err(err, "no unencrypted PEM private key in \"%s\": %s",
                    key_file, testidp_ssl_error());
        goto failed;
    }

    if (EVP_PKEY_get_base_id(s->pkey) != EVP_PKEY_RSA) {
        testidp_err(err, "key \"%s\" is not an RSA key", key_file);
        goto failed;
    }

    s->cert = testidp_cert_read(cert_file, err);

    if (s->cert == NULL) {
        goto failed;
    }

    if (X509_check_private_key(s->cert, s->pkey) != 1) {
        ERR_clear_error();
        testidp_err(err, "certificate \"%s\" does not match key \"%s\"",
                    cert_file, key_file);
        goto failed;
    }

    len = i2d_X509(s->cert, NULL);

    if (len <= 0) {
        testidp_err(err, "cannot encode certificate \"%s\"", cert_file);
        goto failed;
    }

    der = malloc((size_t) len);

    if (der == NULL) {
        testidp_err(err, "out of memory");
        goto failed;
    }

    p = der;
    i2d_X509(s->cert, &p);
    s->cert_b64 = testidp_b64_encode(der, (size_t) len);
    free(der);

    if (s->cert_b64 == NULL) {
        testidp_err(err, "out of memory");
        goto failed;
    }

    s->xkey = xmlSecCryptoAppKeyLoad(key_file, xmlSecKeyDataFormatPem, NULL,
                                     NULL, NULL);

    if (s->xkey == NULL) {
        testidp_err(err, "xmlsec cannot load key \"%s\"", key_file);
        goto failed;
    }

    if (xmlSecCryptoAppKeyCertLoad(s->xkey, cert_file,
                                   xmlSecKeyDataFormatPem) < 0)
    {
        testidp_err(err, "xmlsec cannot load certificate \"%s\"",
                    cert_file);
        goto failed;
    }

    *signer = s;

    return 0;

failed:

    ERR_clear_error();
    testidp_signer_free(s);

    return -1;
}


void
testidp_signer_free(testidp_signer_t *signer)
{
    if (signer == NULL) {
        return;
    }

    if (signer->xkey != NULL) {
        xmlSecKeyDestroy(signer->xkey);
    }

    EVP_PKEY_free(signer->pkey);
    X509_free(signer->cert);
    free(signer->cert_b64);
    free(signer);
}


int
testidp_peer_load(const char *cert_file, testidp_peer_t **peer,
    testidp_err_t *err)
{
    testidp_peer_t  *p;

    p = calloc(1, sizeof(testidp_peer_t));

    if (p == NULL) {
        return testidp_err(err, "out of memory");
    }

    p->cert = testidp_cert_read(cert_file, err);

    if (p->cert == NULL) {
        goto failed;
    }

    p->pkey = X509_get_pubkey(p->cert);

    if (p->pkey == NULL) {
        testidp_err(err, "no public key in certificate \"%s\"", cert_file);
        goto failed;
    }

    if (EVP_PKEY_get_base_id(p->pkey) != EVP_PKEY_RSA) {
        testidp_err(err, "certificate \"%s\" has no RSA key", cert_file);
        goto failed;
    }

    p->xkey = xmlSecCryptoAppKeyLoad(cert_file, xmlSecKeyDataFormatCertPem,
                                     NULL, NULL, NULL);

    if (p->xkey == NULL) {
        testidp_err(err, "xmlsec cannot load certificate \"%s\"", cert_file);
        goto failed;
    }

    *peer = p;

    return 0;

failed:

    ERR_clear_error();
    testidp_peer_free(p);

    return -1;
}


void
testidp_peer_free(testidp_peer_t *peer)
{
    if (peer == NULL) {
        return;
    }

    if (peer->xkey != NULL) {
        xmlSecKeyDestroy(peer->xkey);
    }

    EVP_PKEY_free(peer->pkey);
    X509_free(peer->cert);
    free(peer);
}
