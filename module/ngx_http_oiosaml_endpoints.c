
/*
 * The endpoints under the SP's prefix (default /saml/): metadata, login,
 * acs (in ngx_http_oiosaml_acs.c), logout, sls and forget.
 */


#include "ngx_http_oiosaml_module.h"


#define NGX_HTTP_OIOSAML_SLO_PURPOSE  "slo "

/* "slo " and our own relay handle, NUL-terminated */
#define NGX_HTTP_OIOSAML_SLO_PURPOSE_LEN                                     \
    (sizeof(NGX_HTTP_OIOSAML_SLO_PURPOSE) + OIOSAML_RELAY_LEN)


static ngx_int_t ngx_http_oiosaml_metadata(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
static ngx_int_t ngx_http_oiosaml_login(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
/* a login on its way to the IdP: the limiter may answer later */
typedef struct {
    const oiosaml_idp_t          *idp;
    ngx_str_t                     ret;
    oiosaml_loa_t                 loa;
    ngx_uint_t                    limit;
    ngx_str_t                     browser;  /* a new oiosaml-b cookie */
} ngx_http_oiosaml_login_t;


static ngx_int_t ngx_http_oiosaml_limit(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_login_t *l);
static ngx_int_t ngx_http_oiosaml_limit_answer(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_login_t *l,
    ngx_int_t rc);
static ngx_int_t ngx_http_oiosaml_limited(ngx_http_request_t *r,
    ngx_int_t rc);
static ngx_int_t ngx_http_oiosaml_login_go(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_login_t *l);
static ngx_int_t ngx_http_oiosaml_to_choose(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
static ngx_int_t ngx_http_oiosaml_logout(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
static ngx_int_t ngx_http_oiosaml_slo_once(ngx_http_request_t *r,
    oiosaml_slo_t *slo);
static ngx_int_t ngx_http_oiosaml_sls(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
static ngx_int_t ngx_http_oiosaml_logged_out(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *ret);
static ngx_int_t ngx_http_oiosaml_return_arg(ngx_http_request_t *r,
    ngx_str_t *ret);
static ngx_int_t ngx_http_oiosaml_relay_cookie(ngx_http_request_t *r,
    const char *prefix, const char *relay, ngx_str_t *name);
static ngx_int_t ngx_http_oiosaml_slo_purpose(u_char *buf,
    const char *relay);
static u_char *ngx_http_oiosaml_unescape(ngx_pool_t *pool, ngx_str_t *s);


ngx_int_t
ngx_http_oiosaml_endpoint_handler(ngx_http_request_t *r)
{
    ngx_str_t                     name;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);

    name.data = r->uri.data + oscf->prefix.len;
    name.len = r->uri.len - oscf->prefix.len;

    ngx_http_oiosaml_trust_sync(oscf, r->connection->log);

#define ngx_http_oiosaml_is(s)                                               \
    (name.len == sizeof(s) - 1 && ngx_strncmp(name.data, s, name.len) == 0)

    if (ngx_http_oiosaml_is("acs")) {
        if (r->method != NGX_HTTP_POST) {
            return NGX_HTTP_NOT_ALLOWED;
        }

        return ngx_http_oiosaml_acs(r);
    }

    if (ngx_http_oiosaml_is("choose")) {
        return ngx_http_oiosaml_choose(r, oscf);
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (ngx_http_oiosaml_is("metadata")) {
        return ngx_http_oiosaml_metadata(r, oscf);
    }

    if (ngx_http_oiosaml_is("login")) {
        return ngx_http_oiosaml_login(r, oscf);
    }

    if (ngx_http_oiosaml_is("logout")) {
        return ngx_http_oiosaml_logout(r, oscf);
    }

    if (ngx_http_oiosaml_is("sls")) {
        return ngx_http_oiosaml_sls(r, oscf);
    }

    if (ngx_http_oiosaml_is("forget")) {
        return ngx_http_oiosaml_forget(r, oscf);
    }

    if (ngx_http_oiosaml_is("status")) {
        return ngx_http_oiosaml_status(r, oscf);
    }

    if (ngx_http_oiosaml_is("bootstrap")) {
        return ngx_http_oiosaml_bootstrap(r, oscf);
    }

#undef ngx_http_oiosaml_is

    return NGX_HTTP_NOT_FOUND;
}


static ngx_int_t
ngx_http_oiosaml_metadata(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    size_t          len;
    const char     *md;
    oiosaml_err_t   err;

    /* once a day in each worker: validUntil moves on (a few ms) */
    oiosaml_err_clear(&err);

    if (oiosaml_sp_metadata_refresh(oscf->sp, ngx_time(), &err)
        != OIOSAML_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "oiosaml: metadata: cannot build it again, serving "
                      "the last copy: %s", err.text);
    }

    md = oiosaml_sp_metadata(oscf->sp, ngx_time(), &len);

    return ngx_http_oiosaml_send(r, NGX_HTTP_OK,
                                 "application/samlmetadata+xml",
                                 (u_char *) md, len);
}


static ngx_int_t
ngx_http_oiosaml_login(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    ngx_str_t             ret, id, level;
    oiosaml_loa_t         loa;
    oiosaml_err_t         err;
    const oiosaml_idp_t  *idp;

    oiosaml_err_clear(&err);

    if (ngx_http_oiosaml_return_arg(r, &ret) != NGX_OK) {
        oiosaml_err_set(&err, OIOSAML_DENY_RETURN_URL,
                               "return address is not a local path");
        return ngx_http_oiosaml_fail(r, oscf, "login", &err);
    }

    loa = OIOSAML_LOA_NONE;

    if (ngx_http_arg(r, (u_char *) "loa", 3, &level) == NGX_OK
        && (oiosaml_loa_parse((char *) level.data, level.len, &loa)
            != OIOSAML_OK || level.len == 1))
    {
        oiosaml_err_set(&err, OIOSAML_BAD_MESSAGE, "unknown level in loa=");
        return ngx_http_oiosaml_fail(r, oscf, "login", &err);
    }

    if (ngx_http_arg(r, (u_char *) "idp", 3, &id) == NGX_OK) {
        idp = oiosaml_sp_idp_by_id(oscf->sp, (char *) id.data, id.len);

        if (idp == NULL) {
            oiosaml_err_set(&err, OIOSAML_DENY_UNKNOWN_IDP,
                                   "unknown IdP in idp=");
            return ngx_http_oiosaml_fail(r, oscf, "login", &err);
        }

    } else {
        idp = ngx_http_oiosaml_pick_idp(r, oscf);

        if (idp == NULL) {
            /* the page: same arguments, another endpoint */
            return ngx_http_oiosaml_to_choose(r, oscf);
        }
    }

    if (oiosaml_idp_can_reach(idp, loa) != OIOSAML_OK) {
        ngx_log_error(oscf->log_level, r->connection->log, 0,
                      "oiosaml: login: deny_loa: IdP \"%s\" cannot deliver "
                      "%s (its max_loa)", oiosaml_idp_id(idp),
                      oiosaml_loa_name(loa));
        return ngx_http_oiosaml_loa_page(r, oscf, loa, OIOSAML_LOA_NONE);
    }

    return ngx_http_oiosaml_start_login(r, oscf, idp, &ret, loa);
}


static ngx_int_t
ngx_http_oiosaml_to_choose(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    u_char  *location, *p;

    location = ngx_pnalloc(r->pool, oscf->prefix.len + sizeof("choose?")
                                    + r->args.len);
    if (location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(location, oscf->prefix.data, oscf->prefix.len);
    p = ngx_cpymem(p, "choose?", sizeof("choose?") - 1);
    p = ngx_cpymem(p, r->args.data, r->args.len);

    return ngx_http_oiosaml_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, location,
                                     p - location);
}


/*
 * No login storms: a browser (its oiosaml-b cookie, or without one its
 * address and User-Agent) may start oiosaml_login_limit logins per window,
 * counted by the store (across the nodes that share it).  NGX_DECLINED:
 * go on; NGX_AGAIN: the store answers later (ngx_http_oiosaml_limited);
 * anything else: the page was sent.
 */
static ngx_int_t
ngx_http_oiosaml_limit(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_login_t *l)
{
    u_char                        *p;
    char                          *v;
    size_t                         vlen;
    ngx_str_t                      name = ngx_string(NGX_HTTP_OIOSAML_B_COOKIE);
    ngx_str_t                      key, value;
    ngx_int_t                      rc;
    unsigned char                  rnd[16];

    if (oscf->login_limit == 0) {
        return NGX_DECLINED;
    }

    l->limit = oscf->login_limit;

    if (ngx_http_oiosaml_cookie_get(r, &name, &key) != NGX_OK
        || key.len != 22)
    {
        /*
         * No browser cookie yet: the address and User-Agent name it.  Many
         * users can share both (one NAT, one managed browser build), so
         * this key gets ten times the limit; a client that keeps no
         * cookies at all is still stopped.
         */
        l->limit *= NGX_HTTP_OIOSAML_SHARED_FACTOR;
        value = r->headers_in.user_agent ? r->headers_in.user_agent->value
                                         : (ngx_str_t) ngx_null_string;

        key.len = r->connection->addr_text.len + 1 + value.len;
        key.data = ngx_pnalloc(r->pool, key.len);
        if (key.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_cpymem(key.data, r->connection->addr_text.data,
                       r->connection->addr_text.len);
        *p++ = '\n';
        ngx_memcpy(p, value.data, value.len);

        if (oiosaml_random(rnd, sizeof(rnd)) != OIOSAML_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        v = oiosaml_b64url_encode(rnd, sizeof(rnd), &vlen);
        if (v == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        l->browser.data = ngx_pnalloc(r->pool, vlen);
        if (l->browser.data == NULL) {
            oiosaml_free(v);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(l->browser.data, v, vlen);
        l->browser.len = vlen;
        oiosaml_free(v);
    }

    rc = ngx_http_oiosaml_store_count(r, key.data, key.len, l->limit,
                                      oscf->login_window,
                                      ngx_http_oiosaml_limited);

    if (rc == NGX_AGAIN) {
        return NGX_AGAIN;
    }

    return ngx_http_oiosaml_limit_answer(r, oscf, l, rc);
}


/*
 * The store's count: NGX_DECLINED to go on (the new browser cookie set),
 * or the page.  Nothing is stored under a new cookie's name: it is counted from
 * its next login on, so a client that drops its cookies stores nothing
 * but the one address and User-Agent entry.
 */
static ngx_int_t
ngx_http_oiosaml_limit_answer(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_login_t *l,
    ngx_int_t rc)
{
    ngx_str_t                name = ngx_string(NGX_HTTP_OIOSAML_B_COOKIE);
    oiosaml_err_t            err;
    ngx_http_oiosaml_ctx_t  *ctx;

    if (rc == NGX_ERROR) {
        /* the login could not be recorded at the ACS either */
        return ngx_http_oiosaml_store_down(r, oscf);
    }

    if (rc == NGX_OK) {
        if (l->browser.len
            && ngx_http_oiosaml_cookie_set(r, oscf, &name, &l->browser,
                                           &oscf->prefix,
                                           NGX_HTTP_OIOSAML_B_COOKIE_AGE, 0)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_DECLINED;
    }

    oiosaml_err_clear(&err);
    oiosaml_err_set(&err, OIOSAML_DENY_TOO_MANY_LOGINS,
                    "more than %lu logins in %ld s from client %.*s",
                    (unsigned long) l->limit,
                    (long) oscf->login_window,
                    (int) r->connection->addr_text.len,
                    (char *) r->connection->addr_text.data);

    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);

    if (!ctx->first) {
        /* logged once per window */
        return ngx_http_oiosaml_fail_quiet(r, oscf, &err);
    }

    return ngx_http_oiosaml_fail(r, oscf, "login", &err);
}


/* the store counted later: the login goes on, or the page */
static ngx_int_t
ngx_http_oiosaml_limited(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_http_oiosaml_ctx_t       *ctx;
    ngx_http_oiosaml_login_t     *l;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);
    l = ctx->data;

    rc = ngx_http_oiosaml_limit_answer(r, oscf, l, rc);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_oiosaml_login_go(r, oscf, l);
}


ngx_int_t
ngx_http_oiosaml_start_login(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const oiosaml_idp_t *idp,
    ngx_str_t *ret, oiosaml_loa_t loa)
{
    ngx_int_t                  rc;
    oiosaml_err_t              err;
    ngx_http_oiosaml_ctx_t    *ctx;
    ngx_http_oiosaml_login_t  *l;

    oiosaml_err_clear(&err);

    if (!oiosaml_idp_available(idp, ngx_time())) {
        /* marked down, its metadata past validUntil, or no valid key */
        oiosaml_err_set(&err, OIOSAML_DENY_IDP_UNAVAILABLE, "IdP \"%s\" "
                        "cannot be used now (marked down, metadata expired "
                        "or no valid signing certificate)",
                        oiosaml_idp_id(idp));
        return ngx_http_oiosaml_fail(r, oscf, "login", &err);
    }

    if (!ngx_http_oiosaml_store_available(r)) {
        /* its answer could not be recorded: say so now, not after it */
        return ngx_http_oiosaml_store_down(r, oscf);
    }

    ctx = ngx_http_oiosaml_ctx(r);
    l = ngx_pcalloc(r->pool, sizeof(ngx_http_oiosaml_login_t));

    if (ctx == NULL || l == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    l->idp = idp;
    l->ret = *ret;
    l->loa = loa;
    ctx->data = l;

    rc = ngx_http_oiosaml_limit(r, oscf, l);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_oiosaml_login_go(r, oscf, l);
}


/* the AuthnRequest: the pending-login cookie and the redirect */
static ngx_int_t
ngx_http_oiosaml_login_go(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_login_t *l)
{
    u_char                  *location;
    size_t                   len, vlen;
    char                    *value;
    ngx_str_t                name, v, *ret;
    oiosaml_err_t            err;
    oiosaml_login_t          login;
    oiosaml_pending_t        pending;
    oiosaml_status_t         rc;
    const oiosaml_idp_t     *idp;
    oiosaml_login_params_t   params;

    oiosaml_err_clear(&err);

    idp = l->idp;
    ret = &l->ret;

    ngx_memzero(&params, sizeof(params));
    params.loa = l->loa;

    rc = oiosaml_login_build(oscf->sp, idp, &params, ngx_time(), &login,
                             &err);
    if (rc != OIOSAML_OK) {
        return ngx_http_oiosaml_fail(r, oscf, "login", &err);
    }

    ngx_memzero(&pending, sizeof(pending));
    ngx_cpystrn((u_char *) pending.request_id, (u_char *) login.id,
                sizeof(pending.request_id));
    ngx_cpystrn((u_char *) pending.idp_id, (u_char *) oiosaml_idp_id(idp),
                sizeof(pending.idp_id));
    ngx_memcpy(pending.return_url, ret->data, ret->len);
    pending.return_url[ret->len] = '\0';
    pending.loa = l->loa;
    pending.created = ngx_time();

    rc = oiosaml_pending_seal(oscf->sp, &pending, login.relay, &value, &vlen,
                              &err);
    if (rc != OIOSAML_OK) {
        oiosaml_free(login.url);
        return ngx_http_oiosaml_fail(r, oscf, "login", &err);
    }

    len = ngx_strlen(login.url);
    location = ngx_pnalloc(r->pool, len);
    v.data = ngx_pnalloc(r->pool, vlen);

    if (location == NULL || v.data == NULL
        || ngx_http_oiosaml_relay_cookie(r, NGX_HTTP_OIOSAML_REQ_COOKIE,
                                         login.relay, &name) != NGX_OK)
    {
        oiosaml_free(login.url);
        oiosaml_free(value);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(location, login.url, len);
    ngx_memcpy(v.data, value, vlen);
    v.len = vlen;

    oiosaml_free(login.url);
    oiosaml_free(value);

    if (ngx_http_oiosaml_pending_trim(r, oscf, name.len + 1 + v.len)
           != NGX_OK
        || ngx_http_oiosaml_cookie_set(r, oscf, &name, &v, &oscf->prefix,
                                       oscf->request_lifetime, 1)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml: login started at IdP \"%s\" (request %s)",
                  oiosaml_idp_id(idp), login.id);

    return ngx_http_oiosaml_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, location,
                                     len);
}


static ngx_int_t
ngx_http_oiosaml_logout(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    char                          *value;
    u_char                        *user, *fmt, *sindex, *location;
    size_t                         len, vlen;
    ngx_str_t                      ret, name, v, root = ngx_string("/");
    ngx_int_t                      rc;
    oiosaml_err_t                  err;
    oiosaml_login_t                out;
    const oiosaml_idp_t           *idp;
    ngx_http_oiosaml_session_t    *s;

    oiosaml_err_clear(&err);

    if (ngx_http_oiosaml_return_arg(r, &ret) != NGX_OK) {
        oiosaml_err_set(&err, OIOSAML_DENY_RETURN_URL,
                               "return address is not a local path");
        return ngx_http_oiosaml_fail(r, oscf, "logout", &err);
    }

    /* the store may answer later: this runs again (nothing sent yet) */
    rc = ngx_http_oiosaml_get_session(r, oscf, ngx_http_oiosaml_store_rerun,
                                      &s);

    if (rc == NGX_OK) {
        rc = ngx_http_oiosaml_store_remove(r, s->key,
                                           ngx_http_oiosaml_store_rerun);
        if (rc == NGX_OK) {
            rc = NGX_BUSY;     /* a session, ended */
        }
    }

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    if (rc == NGX_ERROR) {
        /* the session lives on in the store: say so, keep the cookie */
        return ngx_http_oiosaml_store_down(r, oscf);
    }

    if (ngx_http_oiosaml_cookie_clear(r, oscf, &oscf->session_cookie, &root)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_oiosaml_logged_out(r, oscf, &ret);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml: logout user=\"%V\" idp=\"%V\"",
                  &s->fields[OIOSAML_F_USER], &s->fields[OIOSAML_F_IDP]);

    idp = oiosaml_sp_idp_by_id(oscf->sp, (char *) s->fields[OIOSAML_F_IDP].data,
                               s->fields[OIOSAML_F_IDP].len);

    if (idp == NULL || oiosaml_idp_slo_url(idp) == NULL) {
        return ngx_http_oiosaml_logged_out(r, oscf, &ret);
    }

    /* single logout at the IdP, then back to "ret" */
    user = ngx_http_oiosaml_unescape(r->pool, &s->fields[OIOSAML_F_USER]);
    fmt = ngx_http_oiosaml_unescape(r->pool,
                                     &s->fields[OIOSAML_F_NAMEID_FORMAT]);
    sindex = ngx_http_oiosaml_unescape(r->pool,
                                       &s->fields[OIOSAML_F_SESSION_INDEX]);

    if (user == NULL || fmt == NULL || sindex == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (oiosaml_logout_build(oscf->sp, idp, (char *) user, (char *) fmt,
                             (char *) sindex, ngx_time(), &out, &err)
        != OIOSAML_OK)
    {
        return ngx_http_oiosaml_fail(r, oscf, "logout", &err);
    }

    /* where to go afterwards, sealed and bound to this logout's relay */
    {
        u_char  purpose[NGX_HTTP_OIOSAML_SLO_PURPOSE_LEN];

        if (ngx_http_oiosaml_slo_purpose(purpose, out.relay) != NGX_OK) {
            oiosaml_free(out.url);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (oiosaml_seal(oscf->sp, (char *) purpose, ret.data, ret.len,
                         &value, &vlen, &err)
            != OIOSAML_OK)
        {
            oiosaml_free(out.url);
            return ngx_http_oiosaml_fail(r, oscf, "logout", &err);
        }
    }

    len = ngx_strlen(out.url);
    location = ngx_pnalloc(r->pool, len);
    v.data = ngx_pnalloc(r->pool, vlen);

    if (location == NULL || v.data == NULL
        || ngx_http_oiosaml_relay_cookie(r, NGX_HTTP_OIOSAML_SLO_COOKIE,
                                         out.relay, &name) != NGX_OK)
    {
        oiosaml_free(out.url);
        oiosaml_free(value);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(location, out.url, len);
    ngx_memcpy(v.data, value, vlen);
    v.len = vlen;
    oiosaml_free(out.url);
    oiosaml_free(value);

    if (ngx_http_oiosaml_cookie_set(r, oscf, &name, &v, &oscf->prefix,
                                    oscf->request_lifetime, 0)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_oiosaml_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, location,
                                     len);
}


/* a LogoutRequest's ID in the replay cache: the same message acts once */
static ngx_int_t
ngx_http_oiosaml_slo_once(ngx_http_request_t *r, oiosaml_slo_t *slo)
{
    u_char      *kind;
    const char  *entity;

    entity = oiosaml_idp_entity_id(slo->idp);

    kind = ngx_pnalloc(r->pool, sizeof("logout\n") + ngx_strlen(entity));
    if (kind == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(kind, "logout\n%s%Z", entity);

    return ngx_http_oiosaml_store_once(r, (char *) kind, slo->id,
                                       slo->expires,
                                       ngx_http_oiosaml_store_rerun);
}


static ngx_int_t
ngx_http_oiosaml_sls(ngx_http_request_t *r, ngx_http_oiosaml_srv_conf_t *oscf)
{
    u_char                        *location, *user;
    u_char                         purpose[NGX_HTTP_OIOSAML_SLO_PURPOSE_LEN];
    size_t                         len, plen;
    ngx_str_t                      name, value, ret, root = ngx_string("/");
    ngx_int_t                      rc;
    oiosaml_err_t                  err;
    oiosaml_slo_t                  slo;
    unsigned char                 *plain;
    oiosaml_login_t                out;
    ngx_http_oiosaml_session_t    *s;

    oiosaml_err_clear(&err);

    if (oiosaml_slo_parse_redirect(oscf->sp, (char *) r->args.data,
                                   r->args.len, ngx_time(), &slo, &err)
        != OIOSAML_OK)
    {
        return ngx_http_oiosaml_fail(r, oscf, "sls", &err);
    }

    if (slo.kind == OIOSAML_SLO_RESPONSE) {
        ngx_str_set(&ret, "/");

        /* only our own relay handle names a cookie; anything else: "/" */
        if (ngx_http_oiosaml_slo_purpose(purpose, slo.relay) == NGX_OK
            && ngx_http_oiosaml_relay_cookie(r, NGX_HTTP_OIOSAML_SLO_COOKIE,
                                             slo.relay, &name) == NGX_OK
            && ngx_http_oiosaml_cookie_get(r, &name, &value) == NGX_OK)
        {
            if (oiosaml_unseal(oscf->sp, (char *) purpose,
                               (char *) value.data, value.len, &plain, &plen,
                               &err) == OIOSAML_OK)
            {
                ret.data = ngx_pnalloc(r->pool, plen);
                if (ret.data == NULL) {
                    oiosaml_free(plain);
                    return NGX_HTTP_INTERNAL_SERVER_ERROR;
                }

                ngx_memcpy(ret.data, plain, plen);
                ret.len = plen;
                oiosaml_free(plain);

                if (oiosaml_return_url_check((char *) ret.data, ret.len)
                    != OIOSAML_OK)
                {
                    ngx_str_set(&ret, "/");
                }
            }

            if (ngx_http_oiosaml_cookie_clear(r, oscf, &name, &oscf->prefix)
                != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "oiosaml: single logout at IdP \"%s\" %s",
                      oiosaml_idp_id(slo.idp),
                      slo.success ? "succeeded" : "failed");

        return ngx_http_oiosaml_logged_out(r, oscf, &ret);
    }

    /*
     * The IdP logs the user out, once per message.  The store may answer
     * each step later: this runs again (nothing is sent before the last).
     */
    rc = ngx_http_oiosaml_slo_once(r, &slo);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    if (rc == NGX_ERROR) {
        return ngx_http_oiosaml_store_down(r, oscf);
    }

    if (rc == NGX_BUSY) {
        oiosaml_err_set(&err, OIOSAML_DENY_REPLAY, "the LogoutRequest "
                        "\"%.128s\" was received before", slo.id);
        return ngx_http_oiosaml_fail(r, oscf, "sls", &err);
    }

    /* end our session if it is that user's */
    rc = ngx_http_oiosaml_get_session(r, oscf, ngx_http_oiosaml_store_rerun,
                                      &s);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    if (rc == NGX_ERROR) {
        return ngx_http_oiosaml_store_down(r, oscf);
    }

    if (rc == NGX_OK) {
        user = ngx_http_oiosaml_unescape(r->pool, &s->fields[OIOSAML_F_USER]);
        if (user == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ngx_strcmp(user, slo.name_id) == 0
            && s->fields[OIOSAML_F_IDP].len == ngx_strlen(oiosaml_idp_id(
                                                              slo.idp))
            && ngx_strncmp(s->fields[OIOSAML_F_IDP].data,
                           oiosaml_idp_id(slo.idp),
                           s->fields[OIOSAML_F_IDP].len) == 0)
        {
            rc = ngx_http_oiosaml_store_remove(r, s->key,
                                               ngx_http_oiosaml_store_rerun);
            if (rc == NGX_AGAIN) {
                return NGX_DONE;
            }

            if (rc == NGX_ERROR) {
                return ngx_http_oiosaml_store_down(r, oscf);
            }

            if (ngx_http_oiosaml_cookie_clear(r, oscf,
                                              &oscf->session_cookie, &root)
                != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "oiosaml: logout by IdP \"%s\" user=\"%V\"",
                          oiosaml_idp_id(slo.idp),
                          &s->fields[OIOSAML_F_USER]);
        }
    }

    if (oiosaml_slo_response_build(oscf->sp, &slo, ngx_time(), &out, &err)
        != OIOSAML_OK)
    {
        return ngx_http_oiosaml_fail(r, oscf, "sls", &err);
    }

    len = ngx_strlen(out.url);
    location = ngx_pnalloc(r->pool, len);

    if (location == NULL) {
        oiosaml_free(out.url);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(location, out.url, len);
    oiosaml_free(out.url);

    return ngx_http_oiosaml_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, location,
                                     len);
}


static ngx_int_t
ngx_http_oiosaml_logged_out(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_str_t *ret)
{
    ngx_str_t  da = ngx_string("Du er logget ud.");
    ngx_str_t  en = ngx_string("You are logged out.");

    if (ret->len > 1) {
        return ngx_http_oiosaml_redirect(r, NGX_HTTP_SEE_OTHER, ret->data,
                                         ret->len);
    }

    return ngx_http_oiosaml_page(r, oscf, NGX_HTTP_OK, "Logget ud",
                                 "Logged out", &da, &en);
}


/* the "return" argument, decoded and checked; "/" when absent */
static ngx_int_t
ngx_http_oiosaml_return_arg(ngx_http_request_t *r, ngx_str_t *ret)
{
    u_char     *dst, *src;
    ngx_str_t   arg;

    if (ngx_http_arg(r, (u_char *) "return", 6, &arg) != NGX_OK
        || arg.len == 0)
    {
        ngx_str_set(ret, "/");
        return NGX_OK;
    }

    if (arg.len > OIOSAML_RETURN_MAX * 3) {
        return NGX_DECLINED;
    }

    ret->data = ngx_pnalloc(r->pool, arg.len);
    if (ret->data == NULL) {
        return NGX_ERROR;
    }

    dst = ret->data;
    src = arg.data;
    ngx_unescape_uri(&dst, &src, arg.len, 0);
    ret->len = dst - ret->data;

    if (oiosaml_return_url_check((char *) ret->data, ret->len)
        != OIOSAML_OK)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_oiosaml_relay_cookie(ngx_http_request_t *r, const char *prefix,
    const char *relay, ngx_str_t *name)
{
    size_t  plen, rlen;

    plen = ngx_strlen(prefix);
    rlen = ngx_strlen(relay);

    name->data = ngx_pnalloc(r->pool, plen + rlen);
    if (name->data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(name->data, prefix, plen);
    ngx_memcpy(name->data + plen, relay, rlen);
    name->len = plen + rlen;

    return NGX_OK;
}


/*
 * The sealing purpose of a logout's return cookie, into a buffer of
 * NGX_HTTP_OIOSAML_SLO_PURPOSE_LEN bytes: NGX_DECLINED unless relay is
 * exactly one of our handles (22 base64url characters).
 */
static ngx_int_t
ngx_http_oiosaml_slo_purpose(u_char *buf, const char *relay)
{
    size_t  len;

    len = ngx_strnlen((u_char *) relay, OIOSAML_RELAY_LEN + 1);

    if (len != OIOSAML_RELAY_LEN
        || oiosaml_relay_handle(relay, len) != OIOSAML_RELAY_LEN)
    {
        return NGX_DECLINED;
    }

    ngx_memcpy(ngx_cpymem(buf, NGX_HTTP_OIOSAML_SLO_PURPOSE,
                          sizeof(NGX_HTTP_OIOSAML_SLO_PURPOSE) - 1),
               relay, OIOSAML_RELAY_LEN + 1);

    return NGX_OK;
}


/* reverses oiosaml_header_escape(): "%XX" only, NUL-terminated */
static u_char *
ngx_http_oiosaml_unescape(ngx_pool_t *pool, ngx_str_t *s)
{
    u_char      *p, *d;
    ngx_uint_t   i;
    ngx_int_t    hi, lo;

    p = ngx_pnalloc(pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }

    d = p;

    for (i = 0; i < s->len; i++) {
        if (s->data[i] == '%' && i + 2 < s->len
            && (hi = ngx_hextoi(&s->data[i + 1], 1)) >= 0
            && (lo = ngx_hextoi(&s->data[i + 2], 1)) >= 0)
        {
            *d++ = (u_char) (hi << 4 | lo);
            i += 2;
            continue;
        }

        *d++ = s->data[i];
    }

    *d = '\0';

    return p;
}
