
/*
 * Sealed cookies: AES-256-GCM under a key derived (HKDF-SHA256) from the
 * cookie secret and the cookie's purpose, which is also the associated
 * data.  Value: base64url(version | nonce | ciphertext | tag).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "oiosaml_internal.h"


#define OIOSAML_SEAL_VERSION    1
#define OIOSAML_SEAL_NONCE      12
#define OIOSAML_SEAL_TAG        16
#define OIOSAML_SEAL_OVERHEAD   (1 + OIOSAML_SEAL_NONCE + OIOSAML_SEAL_TAG)
#define OIOSAML_SEAL_MAX        8192




oiosaml_status_t
oiosaml_seal(const oiosaml_sp_t *sp, const char *purpose,
    const unsigned char *plain, size_t len, char **value, size_t *value_len,
    oiosaml_err_t *err)
{
    int                n;
    size_t             total;
    unsigned char      key[32], *buf;
    EVP_CIPHER_CTX    *ctx;
    oiosaml_status_t   rc;

    if (len > OIOSAML_SEAL_MAX) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG, "cookie too large");
    }

    rc = oiosaml_seal_key(sp, purpose, key, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    total = OIOSAML_SEAL_OVERHEAD + len;

    buf = malloc(total);
    ctx = EVP_CIPHER_CTX_new();

    if (buf == NULL || ctx == NULL) {
        rc = oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        goto done;
    }

    buf[0] = OIOSAML_SEAL_VERSION;

    if (oiosaml_random(buf + 1, OIOSAML_SEAL_NONCE) != OIOSAML_OK
        || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf + 1) != 1
        || EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *) purpose,
                             (int) strlen(purpose)) != 1
        || EVP_EncryptUpdate(ctx, buf + 1 + OIOSAML_SEAL_NONCE, &n, plain,
                             (int) len) != 1
        || EVP_EncryptFinal_ex(ctx, buf + 1 + OIOSAML_SEAL_NONCE + n, &n)
           != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, OIOSAML_SEAL_TAG,
                               buf + 1 + OIOSAML_SEAL_NONCE + len) != 1)
    {
        rc = oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL,
                                 "AES-256-GCM sealing failed");
        goto done;
    }

    *value = oiosaml_b64url_encode(buf, total, value_len);
    if (*value == NULL) {
        rc = oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

done:

    OPENSSL_cleanse(key, sizeof(key));
    EVP_CIPHER_CTX_free(ctx);
    free(buf);

    return rc;
}


oiosaml_status_t
oiosaml_unseal(const oiosaml_sp_t *sp, const char *purpose, const char *value,
    size_t len, unsigned char **plain, size_t *plain_len, oiosaml_err_t *err)
{
    int                n;
    size_t             blen, clen;
    unsigned char      key[32], *buf, *out;
    EVP_CIPHER_CTX    *ctx;
    oiosaml_status_t   rc;

    *plain = NULL;

    if (len > OIOSAML_SEAL_MAX * 2
        || oiosaml_b64url_decode(value, len, &buf, &blen) != OIOSAML_OK)
    {
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                               "cookie is not base64url");
    }

    if (blen < OIOSAML_SEAL_OVERHEAD || buf[0] != OIOSAML_SEAL_VERSION) {
        free(buf);
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                               "cookie has an unknown format");
    }

    rc = oiosaml_seal_key(sp, purpose, key, err);
    if (rc != OIOSAML_OK) {
        free(buf);
        return rc;
    }

    clen = blen - OIOSAML_SEAL_OVERHEAD;
    out = malloc(clen + 1);
    ctx = EVP_CIPHER_CTX_new();

    if (out == NULL || ctx == NULL) {
        rc = oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        goto failed;
    }

    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf + 1) != 1
        || EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *) purpose,
                             (int) strlen(purpose)) != 1
        || EVP_DecryptUpdate(ctx, out, &n, buf + 1 + OIOSAML_SEAL_NONCE,
                             (int) clen) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, OIOSAML_SEAL_TAG,
                               buf + 1 + OIOSAML_SEAL_NONCE + clen) != 1
        || EVP_DecryptFinal_ex(ctx, out + n, &n) != 1)
    {
        rc = oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                             "cookie seal does not verify (tampered, or "
                             "sealed with another secret)");
        goto failed;
    }

    out[clen] = '\0';
    *plain = out;
    *plain_len = clen;
    out = NULL;
    rc = OIOSAML_OK;

failed:

    OPENSSL_cleanse(key, sizeof(key));
    EVP_CIPHER_CTX_free(ctx);
    free(buf);
    free(out);

    return rc;
}


/* the AES-256 key for a purpose: HKDF-SHA256 expand of the secret */
oiosaml_status_t
oiosaml_seal_key(const oiosaml_sp_t *sp, const char *purpose,
    unsigned char *key, oiosaml_err_t *err)
{
    int            mode;
    EVP_KDF       *kdf;
    OSSL_PARAM     params[5];
    EVP_KDF_CTX   *ctx;

    if (!sp->has_secret) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG, "no cookie secret");
    }

    kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    EVP_KDF_free(kdf);

    if (ctx == NULL) {
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL, "HKDF");
    }

    mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  (void *) sp->secret,
                                                  sizeof(sp->secret));
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                  (void *) purpose,
                                                  strlen(purpose));
    params[4] = OSSL_PARAM_construct_end();

    if (EVP_KDF_derive(ctx, key, 32, params) != 1) {
        EVP_KDF_CTX_free(ctx);
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL,
                                   "HKDF expand failed");
    }

    EVP_KDF_CTX_free(ctx);

    return OIOSAML_OK;
}


/* the pending-login cookie */

#define OIOSAML_PENDING_PURPOSE  "pending "


oiosaml_status_t
oiosaml_pending_seal(const oiosaml_sp_t *sp, const oiosaml_pending_t *pending,
    const char *relay, char **value, size_t *len, oiosaml_err_t *err)
{
    int               n;
    char              purpose[sizeof(OIOSAML_PENDING_PURPOSE) + 64];
    char              plain[OIOSAML_RETURN_MAX + 256];
    oiosaml_status_t  rc;

    if (strlen(relay) > 63) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG, "relay too long");
    }

    snprintf(purpose, sizeof(purpose), OIOSAML_PENDING_PURPOSE "%s", relay);

    n = snprintf(plain, sizeof(plain), "1\n%lld\n%d\n%s\n%s\n%s",
                 (long long) pending->created, (int) pending->loa,
                 pending->request_id, pending->idp_id, pending->return_url);

    if (n < 0 || (size_t) n >= sizeof(plain)) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG, "pending too large");
    }

    rc = oiosaml_seal(sp, purpose, (unsigned char *) plain, (size_t) n,
                      value, len, err);
    OPENSSL_cleanse(plain, sizeof(plain));

    return rc;
}


oiosaml_status_t
oiosaml_pending_open(const oiosaml_sp_t *sp, const char *value, size_t len,
    const char *relay, size_t relay_len, time_t now,
    oiosaml_pending_t *pending, oiosaml_err_t *err)
{
    int               loa;
    char              purpose[sizeof(OIOSAML_PENDING_PURPOSE) + 64];
    char             *p, *f[6];
    size_t            plen, i;
    long long         created;
    unsigned char    *plain;
    oiosaml_status_t  rc;

    memset(pending, 0, sizeof(*pending));

    if (relay_len > 63) {
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE, "relay too long");
    }

    snprintf(purpose, sizeof(purpose), OIOSAML_PENDING_PURPOSE "%.*s",
             (int) relay_len, relay);

    rc = oiosaml_unseal(sp, purpose, value, len, &plain, &plen, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    p = (char *) plain;

    for (i = 0; i < 5; i++) {
        f[i] = p;
        p = strchr(p, '\n');

        if (p == NULL) {
            free(plain);
            return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                                   "pending cookie is incomplete");
        }

        *p++ = '\0';
    }

    f[5] = p;

    if (strcmp(f[0], "1") != 0
        || sscanf(f[1], "%lld", &created) != 1
        || sscanf(f[2], "%d", &loa) != 1
        || loa < OIOSAML_LOA_NONE || loa > OIOSAML_LOA_HIGH
        || strlen(f[3]) > OIOSAML_ID_LEN
        || strlen(f[4]) >= sizeof(pending->idp_id)
        || strlen(f[5]) > OIOSAML_RETURN_MAX)
    {
        free(plain);
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                               "pending cookie is malformed");
    }

    pending->created = (time_t) created;
    pending->loa = (oiosaml_loa_t) loa;
    strcpy(pending->request_id, f[3]);
    strcpy(pending->idp_id, f[4]);
    strcpy(pending->return_url, f[5]);

    free(plain);

    if (pending->created > now + sp->skew
        || pending->created + sp->request_lifetime < now)
    {
        return oiosaml_err_set(err, OIOSAML_DENY_COOKIE_EXPIRED,
                               "the login was started %lld seconds ago, "
                               "the limit is %lld",
                               (long long) (now - pending->created),
                               (long long) sp->request_lifetime);
    }

    return OIOSAML_OK;
}
