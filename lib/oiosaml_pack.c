
/*
 * A session for a store that other hosts read (Redis): its fields packed,
 * deflated (zlib) and sealed with AES-256-GCM under a key derived from the
 * cookie secret, bound to the store's key for it, so that whoever reads
 * the store learns nothing and cannot move a value to another key.  The
 * fields derived from the privileges (roles, constraints as JSON) are not
 * stored: unpacking builds them again.
 *
 *     sealed:  version | nonce (12) | ciphertext | tag (16)
 *     plain:   raw length (4) | zlib stream of
 *              version (1) | created (8) | expires (8) | loa (1)
 *              | per field: length (4) | bytes
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "oiosaml_internal.h"


#define OIOSAML_PACK_VERSION     1
#define OIOSAML_PACK_NONCE       12
#define OIOSAML_PACK_TAG         16
#define OIOSAML_PACK_OVERHEAD    (1 + OIOSAML_PACK_NONCE + OIOSAML_PACK_TAG)
#define OIOSAML_PACK_MAX         (512 * 1024)   /* a session, unpacked */


static oiosaml_status_t oiosaml_unpack_block(const unsigned char *raw,
    size_t raw_len, oiosaml_session_rec_t *rec, const char *roles,
    const char *groups, void **mem);
static int oiosaml_pack_stored(oiosaml_field_t f);
static int oiosaml_pack_deflate(unsigned char *out, uLongf *out_len,
    const unsigned char *in, size_t len);
static void oiosaml_pack_u64(unsigned char *p, uint64_t v);
static uint64_t oiosaml_unpack_u64(const unsigned char *p);
static oiosaml_status_t oiosaml_pack_crypt(const oiosaml_sp_t *sp,
    int encrypt, const unsigned char *bind, size_t bind_len,
    const unsigned char *nonce, const unsigned char *in, size_t len,
    unsigned char *out, unsigned char *tag, oiosaml_err_t *err);


oiosaml_status_t
oiosaml_session_pack(const oiosaml_sp_t *sp, const unsigned char *bind,
    size_t bind_len, const oiosaml_session_rec_t *rec, unsigned char **out,
    size_t *out_len, oiosaml_err_t *err)
{
    size_t            i, raw_len, off;
    uLongf            zlen;
    unsigned char    *raw, *z, *sealed;
    oiosaml_status_t  rc;

    *out = NULL;

    raw_len = 1 + 8 + 8 + 1;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        if (oiosaml_pack_stored((oiosaml_field_t) i)) {
            raw_len += 4 + rec->lens[i];
        }
    }

    if (raw_len > OIOSAML_PACK_MAX) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG, "session too large");
    }

    /* deflateBound() for a small memLevel, with room for the header */
    zlen = raw_len + (raw_len >> 3) + (raw_len >> 6) + 64;
    raw = malloc(raw_len);
    z = malloc(4 + zlen);

    if (raw == NULL || z == NULL) {
        free(raw);
        free(z);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    raw[0] = OIOSAML_PACK_VERSION;
    oiosaml_pack_u64(raw + 1, (uint64_t) rec->created);
    oiosaml_pack_u64(raw + 9, (uint64_t) rec->expires);
    raw[17] = (unsigned char) rec->loa;
    off = 18;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        if (!oiosaml_pack_stored((oiosaml_field_t) i)) {
            continue;
        }

        raw[off] = (unsigned char) (rec->lens[i] >> 24);
        raw[off + 1] = (unsigned char) (rec->lens[i] >> 16);
        raw[off + 2] = (unsigned char) (rec->lens[i] >> 8);
        raw[off + 3] = (unsigned char) rec->lens[i];
        memcpy(raw + off + 4, rec->fields[i], rec->lens[i]);
        off += 4 + rec->lens[i];
    }

    z[0] = (unsigned char) (raw_len >> 24);
    z[1] = (unsigned char) (raw_len >> 16);
    z[2] = (unsigned char) (raw_len >> 8);
    z[3] = (unsigned char) raw_len;

    if (oiosaml_pack_deflate(z + 4, &zlen, raw, raw_len) != Z_OK) {
        OPENSSL_cleanse(raw, raw_len);
        free(raw);
        free(z);
        return oiosaml_err_set(err, OIOSAML_ERR_INTERNAL, "deflate failed");
    }

    OPENSSL_cleanse(raw, raw_len);
    free(raw);

    sealed = malloc(OIOSAML_PACK_OVERHEAD + 4 + zlen);
    if (sealed == NULL) {
        free(z);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    sealed[0] = OIOSAML_PACK_VERSION;

    if (oiosaml_random(sealed + 1, OIOSAML_PACK_NONCE) != OIOSAML_OK) {
        free(z);
        free(sealed);
        return oiosaml_err_set(err, OIOSAML_ERR_INTERNAL, "no randomness");
    }

    rc = oiosaml_pack_crypt(sp, 1, bind, bind_len, sealed + 1, z, 4 + zlen,
                            sealed + 1 + OIOSAML_PACK_NONCE,
                            sealed + 1 + OIOSAML_PACK_NONCE + 4 + zlen, err);
    free(z);

    if (rc != OIOSAML_OK) {
        free(sealed);
        return rc;
    }

    *out = sealed;
    *out_len = OIOSAML_PACK_OVERHEAD + 4 + zlen;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_session_unpack(const oiosaml_sp_t *sp, const unsigned char *bind,
    size_t bind_len, const unsigned char *in, size_t len,
    oiosaml_session_rec_t *rec, void **mem, oiosaml_err_t *err)
{
    char              *roles, *groups;
    size_t             i, clen, raw_len, off, flen;
    uLongf             dlen;
    unsigned char     *z, *raw;
    oiosaml_status_t   rc;

    *mem = NULL;
    memset(rec, 0, sizeof(*rec));

    if (len < OIOSAML_PACK_OVERHEAD + 4 || len > OIOSAML_PACK_MAX
        || in[0] != OIOSAML_PACK_VERSION)
    {
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                               "a stored session of an unknown format");
    }

    clen = len - OIOSAML_PACK_OVERHEAD;
    z = malloc(clen);
    if (z == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    rc = oiosaml_pack_crypt(sp, 0, bind, bind_len, in + 1,
                            in + 1 + OIOSAML_PACK_NONCE, clen, z,
                            (unsigned char *) in + 1 + OIOSAML_PACK_NONCE
                            + clen, err);
    if (rc != OIOSAML_OK) {
        free(z);
        return rc;
    }

    raw_len = (size_t) z[0] << 24 | (size_t) z[1] << 16
              | (size_t) z[2] << 8 | z[3];

    if (raw_len < 18 || raw_len > OIOSAML_PACK_MAX) {
        free(z);
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                               "a stored session of an impossible size");
    }

    /* the fields, then room for the rebuilt JSON after them */
    raw = malloc(raw_len + 1);
    dlen = raw_len;

    if (raw == NULL
        || uncompress(raw, &dlen, z + 4, clen - 4) != Z_OK
        || dlen != raw_len || raw[0] != OIOSAML_PACK_VERSION)
    {
        free(z);
        free(raw);
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                               "a stored session that does not inflate");
    }

    OPENSSL_cleanse(z, clen);
    free(z);

    rec->created = (time_t) oiosaml_unpack_u64(raw + 1);
    rec->expires = (time_t) oiosaml_unpack_u64(raw + 9);
    rec->loa = raw[17];
    off = 18;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        if (!oiosaml_pack_stored((oiosaml_field_t) i)) {
            continue;
        }

        if (off + 4 > raw_len) {
            break;
        }

        flen = (size_t) raw[off] << 24 | (size_t) raw[off + 1] << 16
               | (size_t) raw[off + 2] << 8 | raw[off + 3];
        off += 4;

        if (flen > raw_len - off) {
            break;
        }

        rec->fields[i] = (const char *) raw + off;
        rec->lens[i] = flen;
        off += flen;
    }

    if (i < OIOSAML_F_MAX || off != raw_len) {
        OPENSSL_cleanse(raw, raw_len);
        free(raw);
        memset(rec, 0, sizeof(*rec));
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                               "a stored session that does not parse");
    }

    /* roles and constraints, as at login (oiosaml_identity.c) */
    roles = NULL;
    groups = NULL;

    if (rec->lens[OIOSAML_F_PRIVILEGES] == 0
        || rec->fields[OIOSAML_F_PRIVILEGES][0] != '!')
    {
        rc = oiosaml_privileges_json(rec->fields[OIOSAML_F_PRIVILEGES],
                                     rec->lens[OIOSAML_F_PRIVILEGES], &roles,
                                     &groups, err);
        if (rc != OIOSAML_OK) {
            OPENSSL_cleanse(raw, raw_len);
            free(raw);
            memset(rec, 0, sizeof(*rec));
            return rc;
        }
    }

    /* one block for the caller to free: the fields, then the JSON */
    rc = oiosaml_unpack_block(raw, raw_len, rec, roles, groups, mem);

    free(roles);
    free(groups);
    OPENSSL_cleanse(raw, raw_len);
    free(raw);

    if (rc != OIOSAML_OK) {
        memset(rec, 0, sizeof(*rec));
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    return OIOSAML_OK;
}


/* moves the fields of raw into a new block with roles and groups after */
static oiosaml_status_t
oiosaml_unpack_block(const unsigned char *raw, size_t raw_len,
    oiosaml_session_rec_t *rec, const char *roles, const char *groups,
    void **mem)
{
    char    *block, *p;
    size_t   i, rlen, glen;

    rlen = roles ? strlen(roles) : 0;
    glen = groups ? strlen(groups) : 0;

    block = malloc(raw_len + rlen + glen + 2);
    if (block == NULL) {
        return OIOSAML_ERR_NOMEM;
    }

    memcpy(block, raw, raw_len);

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        if (rec->fields[i] != NULL) {
            rec->fields[i] = block
                             + ((const unsigned char *) rec->fields[i] - raw);
        }
    }

    p = block + raw_len;
    memcpy(p, roles ? roles : "", rlen + 1);
    rec->fields[OIOSAML_F_ROLES] = p;
    rec->lens[OIOSAML_F_ROLES] = rlen;

    p += rlen + 1;
    memcpy(p, groups ? groups : "", glen + 1);
    rec->fields[OIOSAML_F_CONSTRAINTS] = p;
    rec->lens[OIOSAML_F_CONSTRAINTS] = glen;

    *mem = block;

    return OIOSAML_OK;
}


/* roles and constraints are derived from the privileges, not stored */
static int
oiosaml_pack_stored(oiosaml_field_t f)
{
    return f != OIOSAML_F_ROLES && f != OIOSAML_F_CONSTRAINTS;
}


static void
oiosaml_pack_u64(unsigned char *p, uint64_t v)
{
    int  i;

    for (i = 7; i >= 0; i--) {
        p[i] = (unsigned char) v;
        v >>= 8;
    }
}


static uint64_t
oiosaml_unpack_u64(const unsigned char *p)
{
    int       i;
    uint64_t  v;

    v = 0;

    for (i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }

    return v;
}


/* AES-256-GCM under the "session" key, with bind as associated data */
static oiosaml_status_t
oiosaml_pack_crypt(const oiosaml_sp_t *sp, int encrypt,
    const unsigned char *bind, size_t bind_len, const unsigned char *nonce,
    const unsigned char *in, size_t len, unsigned char *out,
    unsigned char *tag, oiosaml_err_t *err)
{
    int                n, ok;
    unsigned char      key[32];
    EVP_CIPHER_CTX    *ctx;
    oiosaml_status_t   rc;

    if (sp->has_pack_key) {
        memcpy(key, sp->pack_key, sizeof(key));

    } else {
        rc = oiosaml_seal_key(sp, OIOSAML_PACK_PURPOSE, key, err);
        if (rc != OIOSAML_OK) {
            return rc;
        }
    }

    ctx = EVP_CIPHER_CTX_new();

    if (encrypt) {
        ok = ctx != NULL
             && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce)
                == 1
             && EVP_EncryptUpdate(ctx, NULL, &n, bind, (int) bind_len) == 1
             && EVP_EncryptUpdate(ctx, out, &n, in, (int) len) == 1
             && EVP_EncryptFinal_ex(ctx, out + n, &n) == 1
             && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
                                    OIOSAML_PACK_TAG, tag) == 1;

    } else {
        ok = ctx != NULL
             && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce)
                == 1
             && EVP_DecryptUpdate(ctx, NULL, &n, bind, (int) bind_len) == 1
             && EVP_DecryptUpdate(ctx, out, &n, in, (int) len) == 1
             && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
                                    OIOSAML_PACK_TAG, tag) == 1
             && EVP_DecryptFinal_ex(ctx, out + n, &n) == 1;
    }

    OPENSSL_cleanse(key, sizeof(key));
    EVP_CIPHER_CTX_free(ctx);

    if (!ok) {
        return encrypt ? oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL,
                                             "AES-256-GCM sealing failed")
                       : oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                                         "a stored session that does not "
                                         "verify (changed, moved to another "
                                         "key, or another cookie secret)");
    }

    return OIOSAML_OK;
}


/*
 * zlib's format with a 4 KB window and a small hash: a session is a few
 * KB, and compress2()'s defaults (a 32 KB window, 256 KB of state) cost
 * more in allocation and clearing than in compressing.  uncompress()
 * reads the window size from the header.
 */
static int
oiosaml_pack_deflate(unsigned char *out, uLongf *out_len,
    const unsigned char *in, size_t len)
{
    int       rc;
    z_stream  zs;

    memset(&zs, 0, sizeof(z_stream));

    rc = deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 12, 4,
                      Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
        return rc;
    }

    zs.next_in = (Bytef *) in;
    zs.avail_in = (uInt) len;
    zs.next_out = out;
    zs.avail_out = (uInt) *out_len;

    rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;

    deflateEnd(&zs);

    return (rc == Z_STREAM_END) ? Z_OK : Z_BUF_ERROR;
}
