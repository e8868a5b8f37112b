
/*
 * The service provider: our entityID, endpoints, keys, IdPs and policy.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <lasso/lasso.h>
#include <lasso/key.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_URL  1024


static oiosaml_status_t oiosaml_sp_secret(oiosaml_sp_t *sp,
    const unsigned char *ikm, size_t len, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_sp_check_idps(oiosaml_sp_t *sp,
    oiosaml_err_t *err);


oiosaml_status_t
oiosaml_sp_new(const char *entity_id, const char *base_url, oiosaml_sp_t **out,
    oiosaml_err_t *err)
{
    size_t         len;
    const char    *p;
    oiosaml_sp_t  *sp;

    *out = NULL;

    len = strlen(entity_id);

    if (len == 0 || len > OIOSAML_MAX_URL) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "the SP entityID must be 1 to %d characters",
                               OIOSAML_MAX_URL);
    }

    len = strlen(base_url);

    if (strncmp(base_url, "https://", 8) == 0) {
        p = base_url + 8;

    } else if (strncmp(base_url, "http://", 7) == 0) {
        p = base_url + 7;

    } else {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "url=\"%s\" must start with https://",
                               base_url);
    }

    p = strchr(p, '/');

    if (len > OIOSAML_MAX_URL || p == NULL || base_url[len - 1] != '/'
        || strpbrk(base_url, "?#\"<> ") != NULL)
    {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "url=\"%s\" must be an absolute URL with a "
                               "path ending in '/', such as "
                               "https://app.example.dk/saml/", base_url);
    }

    sp = calloc(1, sizeof(oiosaml_sp_t));
    if (sp == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    sp->entity_id = oiosaml_strdup(entity_id);
    sp->base_url = oiosaml_strdup(base_url);
    sp->prefix = oiosaml_strdup(p);
    sp->acs_url = malloc(len + sizeof("acs"));
    sp->sls_url = malloc(len + sizeof("sls"));
    sp->skew = OIOSAML_DEFAULT_SKEW;
    sp->request_lifetime = OIOSAML_DEFAULT_REQUEST_LIFETIME;

    if (sp->entity_id == NULL || sp->base_url == NULL || sp->prefix == NULL
        || sp->acs_url == NULL || sp->sls_url == NULL)
    {
        oiosaml_sp_free(sp);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    memcpy(sp->acs_url, base_url, len);
    memcpy(sp->acs_url + len, "acs", sizeof("acs"));
    memcpy(sp->sls_url, base_url, len);
    memcpy(sp->sls_url + len, "sls", sizeof("sls"));

    *out = sp;

    return OIOSAML_OK;
}


void
oiosaml_sp_free(oiosaml_sp_t *sp)
{
    size_t  i;

    if (sp == NULL) {
        return;
    }

    for (i = 0; i < sp->nkeys; i++) {
        EVP_PKEY_free(sp->keys[i].pkey);
        oiosaml_cert_clear(&sp->keys[i].cert);

        if (sp->keys[i].lasso_key != NULL) {
            g_object_unref(sp->keys[i].lasso_key);
        }
    }

    for (i = 0; i < sp->nidps; i++) {
        oiosaml_idp_free(sp->idps[i]);
    }

    OPENSSL_cleanse(sp->secret, sizeof(sp->secret));
    OPENSSL_cleanse(sp->pack_key, sizeof(sp->pack_key));

    oiosaml_spmeta_free(&sp->md);
    oiosaml_template_free(sp->choice_template);
    free(sp->sorted);
    free(sp->idps);
    free(sp->entity_id);
    free(sp->base_url);
    free(sp->prefix);
    free(sp->acs_url);
    free(sp->sls_url);

    for (i = 0; i < OIOSAML_MAX_SP_KEYS; i++) {
        free(sp->metadata[i]);
    }

    free(sp);
}


oiosaml_status_t
oiosaml_sp_add_key(oiosaml_sp_t *sp, const char *key_file,
    const char *cert_file, time_t from, oiosaml_err_t *err)
{
    oiosaml_sp_key_t  *k;
    oiosaml_status_t   rc;

    if (sp->finished) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG, "SP already finished");
    }

    if (sp->nkeys == OIOSAML_MAX_SP_KEYS) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "at most %d SP keys", OIOSAML_MAX_SP_KEYS);
    }

    k = &sp->keys[sp->nkeys];
    memset(k, 0, sizeof(*k));

    rc = oiosaml_pkey_load(key_file, &k->pkey, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_cert_load(cert_file, &k->cert, err);
    if (rc != OIOSAML_OK) {
        EVP_PKEY_free(k->pkey);
        return rc;
    }

    if (EVP_PKEY_eq(k->pkey, k->cert.pkey) != 1) {
        EVP_PKEY_free(k->pkey);
        oiosaml_cert_clear(&k->cert);
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "key \"%s\" does not match certificate "
                               "\"%s\"", key_file, cert_file);
    }

    k->lasso_key = lasso_key_new_for_signature_from_file((char *) key_file,
                                          NULL,
                                          LASSO_SIGNATURE_METHOD_RSA_SHA256,
                                          NULL);
    if (k->lasso_key == NULL) {
        EVP_PKEY_free(k->pkey);
        oiosaml_cert_clear(&k->cert);
        return oiosaml_err_xml(err, OIOSAML_ERR_CONFIG,
                               "lasso cannot load the signing key");
    }

    k->from = from;
    sp->nkeys++;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_sp_add_idp(oiosaml_sp_t *sp, oiosaml_idp_t *idp, oiosaml_err_t *err)
{
    size_t          i, cap;
    oiosaml_idp_t **idps;

    for (i = 0; i < sp->nidps; i++) {
        if (strcmp(sp->idps[i]->id, idp->id) == 0) {
            oiosaml_idp_free(idp);
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "duplicate IdP id \"%s\"", sp->idps[i]->id);
        }

        if (strcmp(sp->idps[i]->entity_id, idp->entity_id) == 0) {
            oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                            "IdPs \"%s\" and \"%s\" have the same entityID "
                            "\"%s\"", sp->idps[i]->id, idp->id,
                            idp->entity_id);
            oiosaml_idp_free(idp);
            return OIOSAML_ERR_CONFIG;
        }
    }

    if (sp->nidps == sp->idps_cap) {
        cap = sp->idps_cap ? sp->idps_cap * 2 : 8;

        idps = realloc(sp->idps, cap * sizeof(oiosaml_idp_t *));
        if (idps == NULL) {
            oiosaml_idp_free(idp);
            return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }

        sp->idps = idps;
        sp->idps_cap = cap;
    }

    sp->idps[sp->nidps++] = idp;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_sp_set_cookie_secret(oiosaml_sp_t *sp, const char *file,
    oiosaml_err_t *err)
{
    char              why[200];
    size_t            len, whole;
    unsigned char    *data;
    oiosaml_status_t  rc;

    rc = oiosaml_read_file(file, OIOSAML_MAX_SECRET_FILE, &data, &whole,
                           err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    /*
     * Trailing CR and LF are not part of the secret (as always: the keys
     * derived from a file do not change).  In a text file they are not
     * counted either; a binary file (openssl rand 32) counts whole, as
     * its last random byte may be one of them.
     */
    len = whole;

    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r')) {
        len--;
    }

    if ((oiosaml_secret_text(data, whole) ? len : whole)
        < OIOSAML_MIN_SECRET)
    {
        oiosaml_wipe_free(data, whole);
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "cookie secret \"%s\" is shorter than %d "
                               "bytes", file, OIOSAML_MIN_SECRET);
    }

    if (oiosaml_secret_weak(data, len, why, sizeof(why))) {
        oiosaml_wipe_free(data, whole);
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "cookie secret \"%.200s\" is too easy to "
                               "guess: %s; replace it with random bytes, "
                               "e.g. \"openssl rand -base64 48 > file\"",
                               file, why);
    }

    rc = oiosaml_sp_secret(sp, data, len, err);
    oiosaml_wipe_free(data, whole);

    return rc;
}


oiosaml_status_t
oiosaml_sp_random_cookie_secret(oiosaml_sp_t *sp, oiosaml_err_t *err)
{
    unsigned char     buf[32];
    oiosaml_status_t  rc;

    if (oiosaml_random(buf, sizeof(buf)) != OIOSAML_OK) {
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL, "RAND_bytes()");
    }

    rc = oiosaml_sp_secret(sp, buf, sizeof(buf), err);
    OPENSSL_cleanse(buf, sizeof(buf));

    return rc;
}


static oiosaml_status_t
oiosaml_sp_secret(oiosaml_sp_t *sp, const unsigned char *ikm, size_t len,
    oiosaml_err_t *err)
{
    int            mode;
    EVP_KDF       *kdf;
    OSSL_PARAM     params[5];
    EVP_KDF_CTX   *ctx;
    static char    salt[] = "oiosaml cookie secret v1";

    kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (kdf == NULL) {
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL,
                                   "EVP_KDF_fetch(HKDF)");
    }

    ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);

    if (ctx == NULL) {
        return oiosaml_err_openssl(err, OIOSAML_ERR_NOMEM, "EVP_KDF_CTX_new");
    }

    mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  (void *) ikm, len);
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                  salt, sizeof(salt) - 1);
    params[4] = OSSL_PARAM_construct_end();

    if (EVP_KDF_derive(ctx, sp->secret, sizeof(sp->secret), params) != 1) {
        EVP_KDF_CTX_free(ctx);
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL,
                                   "HKDF extract failed");
    }

    EVP_KDF_CTX_free(ctx);
    sp->has_secret = 1;
    sp->has_pack_key = 0;       /* derived again from this secret */

    return OIOSAML_OK;
}


void
oiosaml_sp_set_skew(oiosaml_sp_t *sp, time_t skew)
{
    sp->skew = skew;
}


void
oiosaml_sp_set_request_lifetime(oiosaml_sp_t *sp, time_t lifetime)
{
    sp->request_lifetime = lifetime;
}


void
oiosaml_sp_set_allow_unsolicited(oiosaml_sp_t *sp, int on)
{
    sp->allow_unsolicited = on ? 1 : 0;
}


oiosaml_status_t
oiosaml_sp_finish(oiosaml_sp_t *sp, time_t now, oiosaml_err_t *err)
{
    size_t            i;
    oiosaml_status_t  rc;

    if (sp->finished) {
        return OIOSAML_OK;
    }

    if (sp->nkeys == 0) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "no SP key (oiosaml_sp_key)");
    }

    if (sp->nidps == 0) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "no identity provider (oiosaml_idp)");
    }

    rc = oiosaml_sp_check_idps(sp, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    if (!sp->has_secret) {
        rc = oiosaml_sp_random_cookie_secret(sp, err);
        if (rc != OIOSAML_OK) {
            return rc;
        }
    }

    /* derived once: a session is packed at each login (a store's) */
    rc = oiosaml_seal_key(sp, OIOSAML_PACK_PURPOSE, sp->pack_key, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    sp->has_pack_key = 1;

    /* the metadata as each key would sign it: it switches with the key */
    for (i = 0; i < sp->nkeys; i++) {
        rc = oiosaml_spmeta_build(sp, now, i, &sp->metadata[i],
                                  &sp->metadata_len[i], err);
        if (rc != OIOSAML_OK) {
            return rc;
        }
    }

    sp->md.built = now;

    rc = oiosaml_choice_finish(sp, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    sp->finished = 1;

    return OIOSAML_OK;
}


/* backup= names an IdP; replaces= names none that is configured */
static oiosaml_status_t
oiosaml_sp_check_idps(oiosaml_sp_t *sp, oiosaml_err_t *err)
{
    size_t            i;
    oiosaml_status_t  rc;

    for (i = 0; i < sp->nidps; i++) {
        rc = oiosaml_sp_check_idp(sp, sp->idps[i], err);
        if (rc != OIOSAML_OK) {
            return rc;
        }
    }

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_sp_check_idp(const oiosaml_sp_t *sp, const oiosaml_idp_t *idp,
    oiosaml_err_t *err)
{
    size_t  j;

    if (idp->backup != NULL
        && (oiosaml_sp_idp_by_id(sp, idp->backup, strlen(idp->backup))
            == NULL || strcmp(idp->backup, idp->id) == 0))
    {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "IdP \"%s\": backup=%s is not another "
                               "configured IdP", idp->id, idp->backup);
    }

    for (j = 0; idp->replaces != NULL && idp->replaces[j] != NULL; j++) {
        if (oiosaml_sp_idp_by_id(sp, idp->replaces[j],
                                 strlen(idp->replaces[j])) != NULL)
        {
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "IdP \"%s\": replaces=%s, but \"%s\" "
                                   "is still configured", idp->id,
                                   idp->replaces[j], idp->replaces[j]);
        }
    }

    return OIOSAML_OK;
}


const char *
oiosaml_sp_entity_id(const oiosaml_sp_t *sp)
{
    return sp->entity_id;
}


const char *
oiosaml_sp_acs_url(const oiosaml_sp_t *sp)
{
    return sp->acs_url;
}


const char *
oiosaml_sp_prefix(const oiosaml_sp_t *sp)
{
    return sp->prefix;
}


size_t
oiosaml_sp_idp_count(const oiosaml_sp_t *sp)
{
    return sp->nidps;
}


const oiosaml_idp_t *
oiosaml_sp_idp_at(const oiosaml_sp_t *sp, size_t i)
{
    return i < sp->nidps ? sp->idps[i] : NULL;
}


const oiosaml_idp_t *
oiosaml_sp_idp_by_id(const oiosaml_sp_t *sp, const char *id, size_t len)
{
    size_t  i;

    for (i = 0; i < sp->nidps; i++) {
        if (strlen(sp->idps[i]->id) == len
            && memcmp(sp->idps[i]->id, id, len) == 0)
        {
            return sp->idps[i];
        }
    }

    return NULL;
}


const oiosaml_idp_t *
oiosaml_sp_idp_by_entity_id(const oiosaml_sp_t *sp, const char *entity_id,
    size_t len)
{
    size_t  i;

    for (i = 0; i < sp->nidps; i++) {
        if (strlen(sp->idps[i]->entity_id) == len
            && memcmp(sp->idps[i]->entity_id, entity_id, len) == 0)
        {
            return sp->idps[i];
        }
    }

    return NULL;
}


oiosaml_status_t
oiosaml_sp_idp_update(oiosaml_sp_t *sp, const char *id, size_t id_len,
    const char *xml, size_t len, time_t now, oiosaml_err_t *err)
{
    size_t  i;

    for (i = 0; i < sp->nidps; i++) {
        if (strlen(sp->idps[i]->id) == id_len
            && memcmp(sp->idps[i]->id, id, id_len) == 0)
        {
            return oiosaml_idp_update(sp->idps[i], xml, len, now, err);
        }
    }

    return oiosaml_err_set(err, OIOSAML_DENY_UNKNOWN_IDP, "no IdP \"%.*s\"",
                           (int) (id_len > 64 ? 64 : id_len), id);
}


const oiosaml_idp_t *
oiosaml_sp_idp_resolve(const oiosaml_sp_t *sp, const char *id, size_t len,
    int *replaced)
{
    size_t                i, j;
    const oiosaml_idp_t  *idp;

    *replaced = 0;

    idp = oiosaml_sp_idp_by_id(sp, id, len);
    if (idp != NULL) {
        return idp;
    }

    for (i = 0; i < sp->nidps; i++) {
        for (j = 0; sp->idps[i]->replaces != NULL
                    && sp->idps[i]->replaces[j] != NULL; j++)
        {
            if (strlen(sp->idps[i]->replaces[j]) == len
                && memcmp(sp->idps[i]->replaces[j], id, len) == 0)
            {
                *replaced = 1;
                return sp->idps[i];
            }
        }
    }

    return NULL;
}


const oiosaml_idp_t *
oiosaml_sp_idp_by_address(const oiosaml_sp_t *sp, int family,
    const unsigned char *addr)
{
    size_t                i, j;
    const oiosaml_idp_t  *found;

    found = NULL;

    for (i = 0; i < sp->nidps; i++) {
        for (j = 0; j < sp->idps[i]->nranges; j++) {
            if (oiosaml_range_match(&sp->idps[i]->ranges[j], family, addr)) {
                if (found != NULL) {
                    return NULL;
                }

                found = sp->idps[i];
                break;
            }
        }
    }

    return found;
}


const oiosaml_idp_t *
oiosaml_idp_backup(const oiosaml_sp_t *sp, const oiosaml_idp_t *idp)
{
    if (idp->backup == NULL) {
        return NULL;
    }

    return oiosaml_sp_idp_by_id(sp, idp->backup, strlen(idp->backup));
}


const char *
oiosaml_sp_metadata(const oiosaml_sp_t *sp, time_t now, size_t *len)
{
    size_t  k;

    k = sp->nkeys ? oiosaml_sp_signing_key_at(sp, now) : 0;

    if (len != NULL) {
        *len = sp->metadata_len[k];
    }

    return sp->metadata[k];
}


oiosaml_status_t
oiosaml_sp_metadata_at(const oiosaml_sp_t *sp, time_t t, char **xml,
    size_t *len, oiosaml_err_t *err)
{
    if (sp->nkeys == 0) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG, "no SP key");
    }

    return oiosaml_spmeta_build(sp, t, oiosaml_sp_signing_key_at(sp, t), xml,
                                len, err);
}


size_t
oiosaml_sp_key_count(const oiosaml_sp_t *sp)
{
    return sp->nkeys;
}


void
oiosaml_sp_key_info(const oiosaml_sp_t *sp, size_t i,
    oiosaml_cert_info_t *info)
{
    oiosaml_cert_info(&sp->keys[i].cert, "sp", sp->keys[i].from, info);
}


size_t
oiosaml_sp_signing_key_at(const oiosaml_sp_t *sp, time_t t)
{
    return (size_t) (oiosaml_sp_signing_key(sp, t) - sp->keys);
}


const oiosaml_sp_key_t *
oiosaml_sp_signing_key(const oiosaml_sp_t *sp, time_t now)
{
    size_t                   i;
    const oiosaml_sp_key_t  *best;

    best = &sp->keys[0];

    for (i = 1; i < sp->nkeys; i++) {
        if (sp->keys[i].from <= now
            && (best->from > now || sp->keys[i].from > best->from))
        {
            best = &sp->keys[i];
        }
    }

    return best;
}
