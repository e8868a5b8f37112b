
/*
 * The IdP choice page (GET and POST choose), the remember-my-choice cookie
 * and the way out (GET forget); and which IdP a login goes to when the
 * user did not say: the remembered one, the one whose address ranges hold
 * the client, or the only one.
 */


#include "ngx_http_oiosaml_module.h"

#include <openssl/evp.h>


#define NGX_HTTP_OIOSAML_NONCE_LEN  22


static ngx_int_t ngx_http_oiosaml_choose_get(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
static ngx_int_t ngx_http_oiosaml_choose_page(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *ret, oiosaml_loa_t loa,
    ngx_str_t *query, const oiosaml_idp_t *unavailable);
static void ngx_http_oiosaml_choose_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_choose_post(ngx_http_request_t *r);
static const oiosaml_idp_t *ngx_http_oiosaml_remembered(
    ngx_http_request_t *r, ngx_http_oiosaml_srv_conf_t *oscf,
    ngx_uint_t *gone, const oiosaml_idp_t **unavailable);
static ngx_int_t ngx_http_oiosaml_remember_set(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const oiosaml_idp_t *idp);
static ngx_int_t ngx_http_oiosaml_nonce(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *nonce, ngx_uint_t create);
static ngx_uint_t ngx_http_oiosaml_english(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_arg_string(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);
static ngx_int_t ngx_http_oiosaml_level_arg(ngx_str_t *s, oiosaml_loa_t *loa);
static const oiosaml_idp_t *ngx_http_oiosaml_by_address(
    ngx_http_request_t *r, ngx_http_oiosaml_srv_conf_t *oscf);


static ngx_str_t  ngx_http_oiosaml_idp_cookie =
    ngx_string(NGX_HTTP_OIOSAML_IDP_COOKIE);
static ngx_str_t  ngx_http_oiosaml_csrf_cookie =
    ngx_string(NGX_HTTP_OIOSAML_CSRF_COOKIE);


ngx_int_t
ngx_http_oiosaml_choose(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    ngx_int_t  rc;

    if (r->method == NGX_HTTP_POST) {
        rc = ngx_http_read_client_request_body(r,
                                               ngx_http_oiosaml_choose_body);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    return ngx_http_oiosaml_choose_get(r, oscf);
}


static ngx_int_t
ngx_http_oiosaml_choose_get(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    ngx_str_t       ret, level, query;
    oiosaml_loa_t   loa;
    oiosaml_err_t   err;

    oiosaml_err_clear(&err);

    if (ngx_http_oiosaml_arg_string(r, "return", &ret) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ret.len == 0) {
        ngx_str_set(&ret, "/");
    }

    if (oiosaml_return_url_check((char *) ret.data, ret.len) != OIOSAML_OK) {
        oiosaml_err_set(&err, OIOSAML_DENY_RETURN_URL,
                        "return address is not a local path");
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    if (ngx_http_oiosaml_arg_string(r, "loa", &level) != NGX_OK
        || ngx_http_oiosaml_arg_string(r, "q", &query) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_oiosaml_level_arg(&level, &loa) != NGX_OK) {
        oiosaml_err_set(&err, OIOSAML_BAD_MESSAGE, "unknown level in loa=");
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    return ngx_http_oiosaml_choose_page(r, oscf, &ret, loa, &query, NULL);
}


static ngx_int_t
ngx_http_oiosaml_choose_page(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *ret, oiosaml_loa_t loa,
    ngx_str_t *query, const oiosaml_idp_t *unavailable)
{
    char                  *html, *token, *loa_name;
    size_t                 len, tlen;
    ngx_str_t              nonce;
    ngx_uint_t             gone;
    oiosaml_err_t          err;
    oiosaml_choice_t       c;
    u_char                *body, *q;

    oiosaml_err_clear(&err);

    /* a remembered IdP that cannot be used now, or is gone: say so */
    gone = 0;

    if (unavailable == NULL) {
        (void) ngx_http_oiosaml_remembered(r, oscf, &gone, &unavailable);
    }

    if (ngx_http_oiosaml_nonce(r, oscf, &nonce, 1) != NGX_OK
        || oiosaml_csrf_token(oscf->sp, (char *) nonce.data, nonce.len,
                              ngx_time(), &token, &tlen, &err)
           != OIOSAML_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    loa_name = (loa != OIOSAML_LOA_NONE) ? (char *) oiosaml_loa_name(loa)
                                         : NULL;

    ngx_memzero(&c, sizeof(c));
    c.english = ngx_http_oiosaml_english(r);
    c.return_url = (char *) ret->data;
    c.loa = loa_name;
    c.csrf = token;
    c.query = (query != NULL && query->len) ? (char *) query->data : NULL;
    c.unavailable = unavailable;
    c.gone = gone;
    c.now = ngx_time();

    if (oiosaml_choice_render(oscf->sp, &c, &html, &len, &err)
        != OIOSAML_OK)
    {
        oiosaml_free(token);
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    oiosaml_free(token);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        oiosaml_free(html);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    q = ngx_cpymem(body, html, len);
    oiosaml_free(html);

    return ngx_http_oiosaml_send(r, NGX_HTTP_OK, "text/html; charset=utf-8",
                                 body, q - body);
}


static void
ngx_http_oiosaml_choose_body(ngx_http_request_t *r)
{
    ngx_http_finalize_request(r, ngx_http_oiosaml_choose_post(r));
}


static ngx_int_t
ngx_http_oiosaml_choose_post(ngx_http_request_t *r)
{
    ngx_str_t                     body, csrf, id, ret, level, remember;
    ngx_str_t                     nonce, origin, name = ngx_string("Origin");
    oiosaml_loa_t                 loa;
    oiosaml_err_t                 err;
    const oiosaml_idp_t          *idp;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    oiosaml_err_clear(&err);

    if (ngx_http_oiosaml_read_body(r, &body) != NGX_OK) {
        oiosaml_err_set(&err, OIOSAML_BAD_TOO_LARGE, "the form is too large");
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    /* the form must come from our page, in this browser, recently */
    if (ngx_http_oiosaml_header_in(r, &name, &origin) == NGX_OK
        && (origin.len != oscf->origin.len
            || ngx_strncasecmp(origin.data, oscf->origin.data, origin.len)
               != 0))
    {
        oiosaml_err_set(&err, OIOSAML_DENY_CSRF,
                        "the form was sent from origin \"%.*s\"",
                        (int) ngx_min(origin.len, 200), origin.data);
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    if (ngx_http_oiosaml_form_get(r, &body, "csrf", &csrf) != NGX_OK) {
        ngx_str_null(&csrf);
    }

    if (ngx_http_oiosaml_nonce(r, oscf, &nonce, 0) != NGX_OK) {
        ngx_str_null(&nonce);
    }

    if (oiosaml_csrf_check(oscf->sp, (char *) csrf.data, csrf.len,
                           (char *) nonce.data, nonce.len, ngx_time(), &err)
        != OIOSAML_OK)
    {
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    if (ngx_http_oiosaml_form_get(r, &body, "return", &ret) != NGX_OK
        || ret.len == 0)
    {
        ngx_str_set(&ret, "/");
    }

    if (ngx_strlchr(ret.data, ret.data + ret.len, '\0') != NULL) {
        ngx_str_set(&ret, "?");     /* refused by the check below */
    }

    if (oiosaml_return_url_check((char *) ret.data, ret.len) != OIOSAML_OK) {
        oiosaml_err_set(&err, OIOSAML_DENY_RETURN_URL,
                        "return address is not a local path");
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    if (ngx_http_oiosaml_form_get(r, &body, "loa", &level) != NGX_OK) {
        ngx_str_null(&level);
    }

    if (ngx_http_oiosaml_level_arg(&level, &loa) != NGX_OK) {
        oiosaml_err_set(&err, OIOSAML_BAD_MESSAGE, "unknown level in loa=");
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    if (ngx_http_oiosaml_form_get(r, &body, "idp", &id) != NGX_OK) {
        ngx_str_null(&id);
    }

    idp = oiosaml_sp_idp_by_id(oscf->sp, (char *) id.data, id.len);

    if (idp == NULL) {
        oiosaml_err_set(&err, OIOSAML_DENY_UNKNOWN_IDP,
                        "no IdP \"%.*s\" to choose",
                        (int) ngx_min(id.len, 64), id.data);
        return ngx_http_oiosaml_fail(r, oscf, "choose", &err);
    }

    if (!oiosaml_idp_available(idp, ngx_time())) {
        return ngx_http_oiosaml_choose_page(r, oscf, &ret, loa, NULL, idp);
    }

    if (ngx_http_oiosaml_form_get(r, &body, "remember", &remember) == NGX_OK
        && oscf->remember)
    {
        if (ngx_http_oiosaml_remember_set(r, oscf, idp) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

    } else if (ngx_http_oiosaml_cookie_clear(r, oscf,
                                             &ngx_http_oiosaml_idp_cookie,
                                             &oscf->prefix)
               != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_oiosaml_start_login(r, oscf, idp, &ret, loa);
}


/* the way out: forget the choice, show the page */
ngx_int_t
ngx_http_oiosaml_forget(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    u_char  *location, *p;
    size_t   len;

    if (ngx_http_oiosaml_cookie_clear(r, oscf, &ngx_http_oiosaml_idp_cookie,
                                      &oscf->prefix)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = oscf->prefix.len + sizeof("choose?") - 1 + r->args.len;

    location = ngx_pnalloc(r->pool, len);
    if (location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(location, oscf->prefix.data, oscf->prefix.len);
    p = ngx_cpymem(p, "choose", sizeof("choose") - 1);

    if (r->args.len) {
        *p++ = '?';
        p = ngx_cpymem(p, r->args.data, r->args.len);
    }

    return ngx_http_oiosaml_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, location,
                                     p - location);
}


/*
 * A login without idp=: the remembered IdP (refreshed, and rewritten when
 * it was replaced), else the one IdP whose ip= ranges hold the client,
 * else the only visible IdP.  NULL: show the page.
 */
const oiosaml_idp_t *
ngx_http_oiosaml_pick_idp(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    size_t                i, visible;
    ngx_uint_t            gone;
    const oiosaml_idp_t  *idp, *unavailable, *only;

    idp = ngx_http_oiosaml_remembered(r, oscf, &gone, &unavailable);

    if (idp != NULL) {
        return ngx_http_oiosaml_remember_set(r, oscf, idp) == NGX_OK
               ? idp : NULL;
    }

    if (unavailable != NULL || gone) {
        return NULL;
    }

    idp = ngx_http_oiosaml_by_address(r, oscf);

    if (idp != NULL && oiosaml_idp_available(idp, ngx_time())) {
        return idp;
    }

    only = NULL;
    visible = 0;

    for (i = 0; i < oiosaml_sp_idp_count(oscf->sp); i++) {
        idp = oiosaml_sp_idp_at(oscf->sp, i);

        if (!oiosaml_idp_hidden(idp)) {
            only = idp;
            visible++;
        }
    }

    if (visible == 1 && oiosaml_idp_available(only, ngx_time())) {
        return only;
    }

    return NULL;
}


/*
 * The IdP in the remember-my-choice cookie.  A tampered or expired
 * cookie is cleared and ignored; an IdP that is gone sets *gone; one that
 * cannot be used now is returned in *unavailable.
 */
static const oiosaml_idp_t *
ngx_http_oiosaml_remembered(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_uint_t *gone,
    const oiosaml_idp_t **unavailable)
{
    int                   replaced;
    char                  id[64];
    ngx_str_t             value;
    oiosaml_err_t         err;
    const oiosaml_idp_t  *idp;

    *gone = 0;
    *unavailable = NULL;

    if (oscf->remember == 0
        || ngx_http_oiosaml_cookie_get(r, &ngx_http_oiosaml_idp_cookie,
                                       &value) != NGX_OK)
    {
        return NULL;
    }

    oiosaml_err_clear(&err);

    if (oiosaml_choice_open(oscf->sp, (char *) value.data, value.len,
                            ngx_time(), oscf->remember, id, &err)
        != OIOSAML_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "oiosaml: remembered choice ignored: %s",
                      ngx_http_oiosaml_log_text(r->pool, err.text));
        (void) ngx_http_oiosaml_cookie_clear(r, oscf,
                                             &ngx_http_oiosaml_idp_cookie,
                                             &oscf->prefix);
        return NULL;
    }

    idp = oiosaml_sp_idp_resolve(oscf->sp, id, ngx_strlen(id), &replaced);

    if (idp == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "oiosaml: remembered IdP \"%s\" is no longer "
                      "configured", id);
        *gone = 1;
        (void) ngx_http_oiosaml_cookie_clear(r, oscf,
                                             &ngx_http_oiosaml_idp_cookie,
                                             &oscf->prefix);
        return NULL;
    }

    if (replaced) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "oiosaml: remembered IdP \"%s\" was replaced by "
                      "\"%s\"", id, oiosaml_idp_id(idp));
    }

    if (!oiosaml_idp_available(idp, ngx_time())) {
        *unavailable = idp;
        return NULL;
    }

    return idp;
}


/* (re)writes the cookie with the time of this use */
static ngx_int_t
ngx_http_oiosaml_remember_set(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const oiosaml_idp_t *idp)
{
    char           *v;
    size_t          vlen;
    ngx_str_t       value;
    oiosaml_err_t   err;

    oiosaml_err_clear(&err);

    if (oiosaml_choice_seal(oscf->sp, oiosaml_idp_id(idp), ngx_time(), &v,
                            &vlen, &err)
        != OIOSAML_OK)
    {
        return NGX_ERROR;
    }

    value.data = ngx_pnalloc(r->pool, vlen);
    if (value.data == NULL) {
        oiosaml_free(v);
        return NGX_ERROR;
    }

    ngx_memcpy(value.data, v, vlen);
    value.len = vlen;
    oiosaml_free(v);

    return ngx_http_oiosaml_cookie_set(r, oscf, &ngx_http_oiosaml_idp_cookie,
                                       &value, &oscf->prefix, oscf->remember,
                                       0);
}


/* the browser's CSRF nonce, from its cookie or (create) a new one */
static ngx_int_t
ngx_http_oiosaml_nonce(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *nonce, ngx_uint_t create)
{
    char           *v;
    size_t          vlen;
    unsigned char   rnd[16];

    if (ngx_http_oiosaml_cookie_get(r, &ngx_http_oiosaml_csrf_cookie, nonce)
        == NGX_OK && nonce->len == NGX_HTTP_OIOSAML_NONCE_LEN)
    {
        return NGX_OK;
    }

    if (!create) {
        return NGX_DECLINED;
    }

    if (oiosaml_random(rnd, sizeof(rnd)) != OIOSAML_OK) {
        return NGX_ERROR;
    }

    v = oiosaml_b64url_encode(rnd, sizeof(rnd), &vlen);
    if (v == NULL) {
        return NGX_ERROR;
    }

    nonce->data = ngx_pnalloc(r->pool, vlen);
    if (nonce->data == NULL) {
        oiosaml_free(v);
        return NGX_ERROR;
    }

    ngx_memcpy(nonce->data, v, vlen);
    nonce->len = vlen;
    oiosaml_free(v);

    return ngx_http_oiosaml_cookie_set(r, oscf, &ngx_http_oiosaml_csrf_cookie,
                                       nonce, &oscf->prefix, -1, 0);
}


/* lang=en|da, else the first language of Accept-Language; Danish */
static ngx_uint_t
ngx_http_oiosaml_english(ngx_http_request_t *r)
{
    u_char     *p, *end;
    ngx_str_t   lang, al, name = ngx_string("Accept-Language");

    if (ngx_http_arg(r, (u_char *) "lang", 4, &lang) == NGX_OK) {
        return lang.len == 2 && ngx_strncmp(lang.data, "en", 2) == 0;
    }

    if (ngx_http_oiosaml_header_in(r, &name, &al) != NGX_OK) {
        return 0;
    }

    p = al.data;
    end = al.data + al.len;

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    return end - p >= 2 && ngx_strncasecmp(p, (u_char *) "en", 2) == 0
           && (end - p == 2 || p[2] == '-' || p[2] == ',' || p[2] == ';');
}


/* a decoded, NUL-terminated query argument ("" when absent) */
static ngx_int_t
ngx_http_oiosaml_arg_string(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    u_char     *dst, *src;
    ngx_str_t   arg;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || arg.len > 3 * OIOSAML_RETURN_MAX)
    {
        ngx_str_set(value, "");
        return NGX_OK;
    }

    value->data = ngx_pnalloc(r->pool, arg.len + 1);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    for (src = arg.data; src < arg.data + arg.len; src++) {
        if (*src == '+') {
            *src = ' ';
        }
    }

    dst = value->data;
    src = arg.data;
    ngx_unescape_uri(&dst, &src, arg.len, 0);
    *dst = '\0';
    value->len = dst - value->data;

    /* a NUL inside would cut the value short later: refuse it */
    if (ngx_strlen(value->data) != value->len) {
        ngx_str_set(value, "");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_oiosaml_level_arg(ngx_str_t *s, oiosaml_loa_t *loa)
{
    *loa = OIOSAML_LOA_NONE;

    if (s->len == 0) {
        return NGX_OK;
    }

    if (s->len == 1
        || oiosaml_loa_parse((char *) s->data, s->len, loa) != OIOSAML_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static const oiosaml_idp_t *
ngx_http_oiosaml_by_address(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    u_char               *a;
    struct sockaddr_in   *sin;
#if (NGX_HAVE_INET6)
    struct sockaddr_in6  *sin6;
#endif

    switch (r->connection->sockaddr->sa_family) {

    case AF_INET:
        sin = (struct sockaddr_in *) r->connection->sockaddr;
        return oiosaml_sp_idp_by_address(oscf->sp, AF_INET,
                                         (u_char *) &sin->sin_addr);

#if (NGX_HAVE_INET6)
    case AF_INET6:
        sin6 = (struct sockaddr_in6 *) r->connection->sockaddr;
        a = sin6->sin6_addr.s6_addr;

        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
            return oiosaml_sp_idp_by_address(oscf->sp, AF_INET, a + 12);
        }

        return oiosaml_sp_idp_by_address(oscf->sp, AF_INET6, a);
#endif

    default:
        (void) a;
        return NULL;
    }
}
