
/*
 * Cookies: reading one by name, setting and clearing ours with the
 * attributes they need (HttpOnly always; Secure and a SameSite policy).
 */


#include "ngx_http_oiosaml_module.h"


/*
 * The next "name=value" pair of the request's Cookie headers, from where
 * the iterator (zeroed to start) stopped.  Names are kept as sent: cookie
 * names are case-sensitive, and "__Host-" only means something in that
 * spelling (nginx's own parser compares them case-insensitively).
 */
ngx_int_t
ngx_http_oiosaml_cookie_next(ngx_http_request_t *r,
    ngx_http_oiosaml_cookie_iter_t *it, ngx_str_t *name, ngx_str_t *value)
{
    u_char            *p, *end, *eq;
    ngx_table_elt_t  **h;

    h = r->headers_in.cookies.elts;

    for ( /* void */ ; it->header < r->headers_in.cookies.nelts;
         it->header++, it->pos = 0)
    {
        p = h[it->header]->value.data + it->pos;
        end = h[it->header]->value.data + h[it->header]->value.len;

        while (p < end) {

            while (p < end && (*p == ' ' || *p == '\t' || *p == ';')) {
                p++;
            }

            name->data = p;

            while (p < end && *p != ';') {
                p++;
            }

            it->pos = p - h[it->header]->value.data;

            eq = ngx_strlchr(name->data, p, '=');
            if (eq == NULL) {
                continue;
            }

            name->len = eq - name->data;

            value->data = eq + 1;
            value->len = p - value->data;

            while (value->len
                   && (value->data[value->len - 1] == ' '
                       || value->data[value->len - 1] == '\t'))
            {
                value->len--;
            }

            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/* the first cookie of this exact name */
ngx_int_t
ngx_http_oiosaml_cookie_get(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value)
{
    ngx_str_t                       n;
    ngx_http_oiosaml_cookie_iter_t  it;

    ngx_memzero(&it, sizeof(it));

    while (ngx_http_oiosaml_cookie_next(r, &it, &n, value) == NGX_OK) {
        if (n.len == name->len && ngx_memcmp(n.data, name->data, n.len) == 0)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/*
 * cross_site: the cookie must come back on the IdP's cross-site POST to
 * the ACS, so it is SameSite=None (which browsers accept only with Secure);
 * all other cookies are SameSite=Lax.
 */
ngx_int_t
ngx_http_oiosaml_cookie_set(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *name, ngx_str_t *value,
    ngx_str_t *path, time_t max_age, ngx_uint_t cross_site)
{
    u_char           *p;
    size_t            len;
    ngx_table_elt_t  *h;

    len = name->len + 1 + value->len + sizeof("; Path=") - 1 + path->len
          + sizeof("; Max-Age=") - 1 + NGX_TIME_T_LEN
          + sizeof("; HttpOnly; Secure; SameSite=None") - 1;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Set-Cookie");
    h->value.data = p;

    p = ngx_cpymem(p, name->data, name->len);
    *p++ = '=';
    p = ngx_cpymem(p, value->data, value->len);
    p = ngx_cpymem(p, "; Path=", sizeof("; Path=") - 1);
    p = ngx_cpymem(p, path->data, path->len);

    if (max_age >= 0) {
        p = ngx_sprintf(p, "; Max-Age=%T", max_age);
    }

    p = ngx_cpymem(p, "; HttpOnly", sizeof("; HttpOnly") - 1);

    if (oscf->secure) {
        p = ngx_cpymem(p, "; Secure", sizeof("; Secure") - 1);
    }

    if (cross_site && oscf->secure) {
        p = ngx_cpymem(p, "; SameSite=None", sizeof("; SameSite=None") - 1);

    } else {
        p = ngx_cpymem(p, "; SameSite=Lax", sizeof("; SameSite=Lax") - 1);
    }

    h->value.len = p - h->value.data;

    return NGX_OK;
}


ngx_int_t
ngx_http_oiosaml_cookie_clear(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *name, ngx_str_t *path)
{
    ngx_str_t  empty = ngx_string("");

    return ngx_http_oiosaml_cookie_set(r, oscf, name, &empty, path, 0, 0);
}
