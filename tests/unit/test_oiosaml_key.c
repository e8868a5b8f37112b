
/*
 * oiosaml_key.c: certificates (PEM, DER, base64) and private keys.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "support.h"
#include "oiosaml_internal.h"


static X509 *read_x509(const char *file);
static time_t asn1(const ASN1_TIME *t);


static X509 *
read_x509(const char *file)
{
    BIO   *bio;
    X509  *x;

    bio = BIO_new_file(file, "r");
    assert_non_null(bio);
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(x);

    return x;
}


static time_t
asn1(const ASN1_TIME *t)
{
    struct tm  tm;

    assert_int_equal(ASN1_TIME_to_tm(t, &tm), 1);

    return timegm(&tm);
}


static void
test_cert_load(void **state)
{
    X509            *x;
    size_t           n;
    oiosaml_err_t    err;
    oiosaml_cert_t   c, d;
    unsigned char   *der, *mine, md[32];
    unsigned int     mdlen;
    int              len;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load(t_cert("idp.crt"), &c, &err),
                     OIOSAML_OK);

    /* what OpenSSL says about the same file */
    x = read_x509(t_cert("idp.crt"));
    assert_int_equal(c.not_before, asn1(X509_get0_notBefore(x)));
    assert_int_equal(c.not_after, asn1(X509_get0_notAfter(x)));
    assert_true(c.not_before < c.not_after);

    mdlen = sizeof(md);
    assert_int_equal(X509_digest(x, EVP_sha256(), md, &mdlen), 1);
    assert_memory_equal(c.sha256, md, 32);

    der = NULL;
    len = i2d_X509(x, &der);
    assert_true(len > 0);
    assert_int_equal(oiosaml_b64_decode(c.der_b64, strlen(c.der_b64),
                                        &mine, &n), OIOSAML_OK);
    assert_int_equal(n, (size_t) len);
    assert_memory_equal(mine, der, n);
    assert_non_null(c.key);
    assert_int_equal(EVP_PKEY_eq(c.pkey, X509_get0_pubkey(x)), 1);

    /* from DER and from base64: the same certificate */
    assert_int_equal(oiosaml_cert_from_der(der, n, &d, &err), OIOSAML_OK);
    assert_memory_equal(d.sha256, c.sha256, 32);
    oiosaml_cert_clear(&d);

    assert_int_equal(oiosaml_cert_from_b64(c.der_b64, strlen(c.der_b64), &d,
                                           &err), OIOSAML_OK);
    assert_memory_equal(d.sha256, c.sha256, 32);
    oiosaml_cert_clear(&d);

    free(mine);
    OPENSSL_free(der);
    X509_free(x);

    oiosaml_cert_clear(&c);
    assert_null(c.x509);
    oiosaml_cert_clear(&c);
}


static void
test_cert_refused(void **state)
{
    size_t           n;
    oiosaml_err_t    err;
    oiosaml_cert_t   c;
    unsigned char   *der;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load("build/tmp/nonexistent.crt", &c,
                                       &err), OIOSAML_ERR_IO);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load(t_file("unit-x.crt", "garbage"), &c,
                                       &err), OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "holds no PEM certificate"));

    /* a key is not a certificate */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load(t_cert("idp.key"), &c, &err),
                     OIOSAML_ERR_CONFIG);

    /* RSA shorter than 2048 bits; EC is fine; Ed25519 is neither */
    t_genkey("unit-k1024", "rsa1024", NULL);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load("build/tmp/unit-k1024.crt", &c, &err),
                     OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "2048"));

    t_genkey("unit-k2048", "rsa2048", NULL);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load("build/tmp/unit-k2048.crt", &c, &err),
                     OIOSAML_OK);
    oiosaml_cert_clear(&c);

    t_genkey("unit-kec", "ec", NULL);
    assert_int_equal(oiosaml_cert_load("build/tmp/unit-kec.crt", &c, &err),
                     OIOSAML_OK);
    oiosaml_cert_clear(&c);

    t_genkey("unit-ked", "ed25519", NULL);
    assert_int_equal(oiosaml_cert_load("build/tmp/unit-ked.crt", &c, &err),
                     OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "neither RSA nor EC"));

    /* DER with a byte too many, or one too few */
    assert_int_equal(oiosaml_cert_load(t_cert("idp.crt"), &c, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_b64_decode(c.der_b64, strlen(c.der_b64), &der,
                                        &n), OIOSAML_OK);
    oiosaml_cert_clear(&c);

    der = realloc(der, n + 1);
    der[n] = 0;
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_from_der(der, n + 1, &c, &err),
                     OIOSAML_ERR_CONFIG);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_from_der(der, n - 1, &c, &err),
                     OIOSAML_ERR_CONFIG);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_from_der(der, n, &c, &err), OIOSAML_OK);
    oiosaml_cert_clear(&c);
    free(der);

    assert_int_equal(oiosaml_cert_from_b64("!!!!", 4, &c, &err),
                     OIOSAML_ERR_CONFIG);
}


static void
test_pkey_load(void **state)
{
    char            *big;
    size_t           len;
    EVP_PKEY        *pkey;
    const char      *key;
    oiosaml_err_t    err;
    oiosaml_cert_t   c;
    xmlSecKeyPtr     xk;
    unsigned char   *data;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pkey_load(t_cert("sp.key"), &pkey, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_cert_load(t_cert("sp.crt"), &c, &err),
                     OIOSAML_OK);
    assert_int_equal(EVP_PKEY_eq(pkey, c.pkey), 1);

    /* the xmlsec key holds its own reference */
    xk = oiosaml_xmlsec_key(pkey);
    assert_non_null(xk);
    EVP_PKEY_free(pkey);
    assert_int_equal(xmlSecKeyGetType(xk) & xmlSecKeyDataTypePrivate,
                     xmlSecKeyDataTypePrivate);
    xmlSecKeyDestroy(xk);
    oiosaml_cert_clear(&c);

    /* an encrypted key fails instead of prompting */
    key = t_genkey("unit-pk-enc", "rsa2048", "secret");
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pkey_load(key, &pkey, &err),
                     OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "unencrypted"));

    key = t_genkey("unit-pk-plain", "rsa2048", NULL);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pkey_load(key, &pkey, &err), OIOSAML_OK);
    EVP_PKEY_free(pkey);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pkey_load(t_file("unit-pk.key", "garbage"),
                                       &pkey, &err), OIOSAML_ERR_CONFIG);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pkey_load(t_cert("sp.crt"), &pkey, &err),
                     OIOSAML_ERR_CONFIG);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pkey_load("build/tmp/nonexistent.key", &pkey,
                                       &err), OIOSAML_ERR_IO);

    /* at most 64 KiB: a valid key padded with newlines to the limit */
    assert_int_equal(oiosaml_read_file(key, 64 * 1024, &data, &len, &err),
                     OIOSAML_OK);
    big = malloc(64 * 1024 + 2);
    memcpy(big, data, len);
    memset(big + len, '\n', 64 * 1024 - len);
    big[64 * 1024] = '\0';
    free(data);

    assert_int_equal(oiosaml_pkey_load(t_file("unit-pk-big.key", big), &pkey,
                                       &err), OIOSAML_OK);
    EVP_PKEY_free(pkey);

    strcat(big, "\n");
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pkey_load(t_file("unit-pk-big.key", big), &pkey,
                                       &err), OIOSAML_ERR_IO);
    free(big);
}


/*
 * Review finding 3b: EC keys only on P-256, P-384 and P-521, as RSA only
 * from 2048 bits: for IdP signing certificates (files and metadata) and
 * for our own keys.
 */
static void
test_weak_curves(void **state)
{
    char              name[64];
    size_t            i;
    oiosaml_sp_t     *sp;
    oiosaml_err_t     err;
    oiosaml_cert_t    c;
    oiosaml_idp_t    *idp;
    const char       *key, *verdict;

    oiosaml_idp_conf_t  ic;

    t_init();

    static const struct {
        const char  *curve;
        int          ok;
    } curves[] = {
        { "secp112r1", 0 },
        { "prime192v1", 0 },            /* P-192 */
        { "secp224r1", 0 },             /* P-224 */
        { "secp256k1", 0 },             /* 256 bits, not P-256 */
        { "brainpoolP256r1", 0 },
        { "prime256v1", 1 },            /* P-256 */
        { "secp384r1", 1 },             /* P-384 */
        { "secp521r1", 1 },             /* P-521 */
    };

    for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
        snprintf(name, sizeof(name), "ec-%s", curves[i].curve);
        key = t_genkey(name, name, NULL);
        snprintf(name, sizeof(name), "build/tmp/ec-%s.crt", curves[i].curve);

        /* a certificate file (next_cert=, metadata_signer=, our keys) */
        oiosaml_err_clear(&err);
        assert_int_equal(oiosaml_cert_load(name, &c, &err),
                         curves[i].ok ? OIOSAML_OK : OIOSAML_ERR_CONFIG);

        if (curves[i].ok) {
            oiosaml_cert_clear(&c);

        } else if (strstr(err.text, "P-256, P-384 or P-521") == NULL
                   || strstr(err.text, curves[i].curve) == NULL)
        {
            fail_msg("%s: %s", curves[i].curve, err.text);
        }

        /* an IdP signing certificate in metadata */
        memset(&ic, 0, sizeof(ic));
        ic.id = "ec";
        ic.profile = OIOSAML_PROFILE_OIOSAML3;
        ic.metadata_file = t_idp_metadata("unit-ec-idp.xml", T_IDP, name,
                                          NULL);
        oiosaml_err_clear(&err);
        assert_int_equal(oiosaml_idp_new(&ic, t_now(), &idp, &err),
                         curves[i].ok ? OIOSAML_OK : OIOSAML_ERR_CONFIG);
        oiosaml_idp_free(idp);

        if (!curves[i].ok) {
            assert_non_null(strstr(err.text, "P-256, P-384 or P-521"));
        }

        /* our own key */
        oiosaml_err_clear(&err);
        assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &sp, &err),
                         OIOSAML_OK);
        verdict = (oiosaml_sp_add_key(sp, key, name, 0, &err)
                   == OIOSAML_OK) ? "accepted" : "refused";

        if (!curves[i].ok) {
            assert_string_equal(verdict, "refused");
            assert_non_null(strstr(err.text, "P-256, P-384 or P-521"));
        }

        oiosaml_sp_free(sp);
    }
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_cert_load),
        cmocka_unit_test(test_cert_refused),
        cmocka_unit_test(test_weak_curves),
        cmocka_unit_test(test_pkey_load),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
