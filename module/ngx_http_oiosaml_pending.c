
/*
 * The pending-login cookies ("oiosaml-req-<relay>", one per started
 * login, sent back with the IdP's cross-site POST): few and small enough
 * that the Cookie header of a browser that starts many logins (tabs, a
 * loop, a cross-site page) never outgrows the server's header buffers.
 * Before a new one is set, the oldest go until at most
 * NGX_HTTP_OIOSAML_PENDING_MAX remain, NGX_HTTP_OIOSAML_PENDING_BYTES in
 * all; expired and unreadable ones go at once.
 */


#include "ngx_http_oiosaml_module.h"


#define NGX_HTTP_OIOSAML_PENDING_MAX     3
#define NGX_HTTP_OIOSAML_PENDING_BYTES   4096


typedef struct {
    ngx_str_t          name;
    time_t             created;
    size_t             size;
} ngx_http_oiosaml_pending_cookie_t;


static ngx_int_t ngx_http_oiosaml_pending_read(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *name, ngx_str_t *value,
    time_t *created);


/*
 * Makes room for a new pending-login cookie of size bytes (name and
 * value): clears the browser's oldest ones.  NGX_ERROR only when a
 * Set-Cookie header cannot be added.
 */
ngx_int_t
ngx_http_oiosaml_pending_trim(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, size_t size)
{
    size_t                              total;
    time_t                              created;
    ngx_str_t                           name, value;
    ngx_uint_t                          i, n, oldest;
    ngx_http_oiosaml_cookie_iter_t      it;
    ngx_http_oiosaml_pending_cookie_t   kept[NGX_HTTP_OIOSAML_PENDING_MAX
                                             * 4];

    n = 0;
    total = size;
    ngx_memzero(&it, sizeof(it));

    while (ngx_http_oiosaml_cookie_next(r, &it, &name, &value) == NGX_OK) {

        if (name.len < sizeof(NGX_HTTP_OIOSAML_REQ_COOKIE) - 1
            || ngx_strncmp(name.data, NGX_HTTP_OIOSAML_REQ_COOKIE,
                           sizeof(NGX_HTTP_OIOSAML_REQ_COOKIE) - 1)
               != 0)
        {
            continue;
        }

        if (n == sizeof(kept) / sizeof(kept[0])
            || ngx_http_oiosaml_pending_read(r, oscf, &name, &value,
                                             &created)
               != NGX_OK)
        {
            /* expired, not ours, or one too many to look at: gone */
            if (ngx_http_oiosaml_cookie_clear(r, oscf, &name, &oscf->prefix)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            continue;
        }

        kept[n].name = name;
        kept[n].created = created;
        kept[n].size = name.len + 1 + value.len;
        total += kept[n].size;
        n++;
    }

    while (n > 0
           && (n + 1 > NGX_HTTP_OIOSAML_PENDING_MAX
               || total > NGX_HTTP_OIOSAML_PENDING_BYTES))
    {
        oldest = 0;

        for (i = 1; i < n; i++) {
            if (kept[i].created < kept[oldest].created) {
                oldest = i;
            }
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "oiosaml: login: an older pending login of this "
                      "browser is dropped (at most %d, %d bytes)",
                      NGX_HTTP_OIOSAML_PENDING_MAX,
                      NGX_HTTP_OIOSAML_PENDING_BYTES);

        if (ngx_http_oiosaml_cookie_clear(r, oscf, &kept[oldest].name,
                                          &oscf->prefix)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        total -= kept[oldest].size;
        kept[oldest] = kept[--n];
    }

    return NGX_OK;
}


/* NGX_OK and when it was made, for a pending login this SP can open */
static ngx_int_t
ngx_http_oiosaml_pending_read(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *name, ngx_str_t *value,
    time_t *created)
{
    char               *relay;
    size_t              len;
    oiosaml_err_t       err;
    oiosaml_pending_t   pending;

    relay = (char *) name->data + sizeof(NGX_HTTP_OIOSAML_REQ_COOKIE) - 1;
    len = name->len - (sizeof(NGX_HTTP_OIOSAML_REQ_COOKIE) - 1);

    if (len != OIOSAML_RELAY_LEN
        || oiosaml_relay_handle(relay, len) != OIOSAML_RELAY_LEN)
    {
        return NGX_DECLINED;
    }

    oiosaml_err_clear(&err);

    if (oiosaml_pending_open(oscf->sp, (char *) value->data, value->len,
                             relay, len, ngx_time(), &pending, &err)
        != OIOSAML_OK)
    {
        return NGX_DECLINED;
    }

    *created = pending.created;

    return NGX_OK;
}
