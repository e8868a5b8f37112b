
/*
 * The HTTP-Redirect binding: lasso deflates, encodes and signs our
 * messages (RSA-SHA256 with the active SP key); zlib inflates theirs.
 */


#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <lasso/lasso.h>
#include <lasso/key.h>

#include "oiosaml_internal.h"


static char *oiosaml_url_escape(const char *s);


void
oiosaml_new_id(char *id)
{
    unsigned char  rnd[20];

    if (oiosaml_random(rnd, sizeof(rnd)) != OIOSAML_OK) {
        /* RAND_bytes() does not fail once seeded; never emit a weak ID */
        abort();
    }

    id[0] = '_';
    oiosaml_hex(id + 1, rnd, sizeof(rnd));
}


oiosaml_status_t
oiosaml_redirect_url(const oiosaml_sp_t *sp, void *lasso_node,
    const char *param, const char *url, const char *relay, time_t now,
    char **out, oiosaml_err_t *err)
{
    char                    *query, *signed_query, *escaped, *result;
    size_t                   ulen, qlen;
    const oiosaml_sp_key_t  *key;

    *out = NULL;

    oiosaml_lib_error_clear();

    query = lasso_node_export_to_saml2_query(LASSO_NODE(lasso_node), param,
                                             NULL, NULL);
    if (query == NULL) {
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "lasso_node_export_to_saml2_query() failed");
    }

    if (relay != NULL && relay[0] != '\0') {
        escaped = oiosaml_url_escape(relay);
        if (escaped == NULL) {
            g_free(query);
            return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }

        result = g_strconcat(query, "&RelayState=", escaped, NULL);
        free(escaped);
        g_free(query);
        query = result;
    }

    key = oiosaml_sp_signing_key(sp, now);

    signed_query = lasso_key_query_sign(key->lasso_key, query);
    g_free(query);

    if (signed_query == NULL) {
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "lasso_key_query_sign() failed");
    }

    ulen = strlen(url);
    qlen = strlen(signed_query);

    result = malloc(ulen + 1 + qlen + 1);
    if (result == NULL) {
        g_free(signed_query);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    memcpy(result, url, ulen);
    result[ulen] = strchr(url, '?') ? '&' : '?';
    memcpy(result + ulen + 1, signed_query, qlen + 1);
    g_free(signed_query);

    *out = result;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_redirect_inflate(const char *b64, size_t len, unsigned char **xml,
    size_t *xml_len, oiosaml_err_t *err)
{
    int               rc;
    size_t            dlen;
    z_stream          zs;
    unsigned char    *deflated, *out;
    oiosaml_status_t  st;

    st = oiosaml_b64_decode(b64, len, &deflated, &dlen);
    if (st != OIOSAML_OK) {
        return oiosaml_err_set(err, st, "message is not valid base64");
    }

    out = malloc(OIOSAML_MAX_INFLATED + 1);
    if (out == NULL) {
        free(deflated);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    memset(&zs, 0, sizeof(zs));

    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
        free(deflated);
        free(out);
        return oiosaml_err_set(err, OIOSAML_ERR_INTERNAL, "inflateInit2()");
    }

    zs.next_in = deflated;
    zs.avail_in = (uInt) dlen;
    zs.next_out = out;
    zs.avail_out = OIOSAML_MAX_INFLATED;

    rc = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    free(deflated);

    if (rc != Z_STREAM_END) {
        free(out);

        if (rc == Z_BUF_ERROR && zs.avail_out == 0) {
            return oiosaml_err_set(err, OIOSAML_BAD_TOO_LARGE,
                                   "inflated message exceeds %d bytes",
                                   OIOSAML_MAX_INFLATED);
        }

        return oiosaml_err_set(err, OIOSAML_BAD_ENCODING,
                               "message is not valid DEFLATE data");
    }

    *xml_len = zs.total_out;
    out[*xml_len] = '\0';
    *xml = out;

    return OIOSAML_OK;
}


static char *
oiosaml_url_escape(const char *s)
{
    char        *out, *p;
    static const char  hex[] = "0123456789ABCDEF";

    out = malloc(strlen(s) * 3 + 1);
    if (out == NULL) {
        return NULL;
    }

    for (p = out; *s; s++) {
        unsigned char  c = (unsigned char) *s;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
            || c == '~')
        {
            *p++ = (char) c;

        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0xf];
        }
    }

    *p = '\0';

    return out;
}
