
/*
 * The request path: protected locations need a session (a cookie and one
 * lookup in shared memory, no XML, no crypto); the identity goes to the
 * upstream as headers (ngx_http_oiosaml_headers.c) and to the
 * configuration as $oiosaml_*.
 */


#include "ngx_http_oiosaml_module.h"


static ngx_int_t ngx_http_oiosaml_is_endpoint(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
static ngx_int_t ngx_http_oiosaml_subrequest_check(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf);
static ngx_int_t ngx_http_oiosaml_can_redirect(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


ngx_int_t
ngx_http_oiosaml_access_handler(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    const oiosaml_idp_t          *idp;
    ngx_http_oiosaml_session_t   *s;
    ngx_http_oiosaml_loc_conf_t  *olcf;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);

    if (oscf->sp == NULL || r != r->main) {
        return NGX_DECLINED;
    }

    if (ngx_http_oiosaml_is_endpoint(r, oscf)) {
        /* served in the precontent phase, after every access check */
        return NGX_DECLINED;
    }

    ngx_http_oiosaml_trust_sync(oscf, r->connection->log);

    olcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_module);

    if (!olcf->enable) {
        return NGX_DECLINED;
    }

    rc = ngx_http_oiosaml_get_session(r, oscf, ngx_http_oiosaml_store_phases,
                                      &s);

    if (rc == NGX_AGAIN) {
        /* the phases run again when the store answers */
        return NGX_DONE;
    }

    if (rc == NGX_ERROR) {
        return ngx_http_oiosaml_deny(r,
                   ngx_http_oiosaml_store_down(r, oscf));
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_oiosaml_login_redirect(r, oscf, NULL,
                                               olcf->require_loa);
    }

    /* found, so its IdP is configured (ngx_http_oiosaml_get_session) */
    idp = oiosaml_sp_idp_by_id(oscf->sp,
                               (char *) s->fields[OIOSAML_F_IDP].data,
                               s->fields[OIOSAML_F_IDP].len);

    if (!oiosaml_loa_satisfies(idp, s->loa, olcf->require_loa)) {

        if (oiosaml_idp_can_reach(idp, olcf->require_loa) != OIOSAML_OK) {
            ngx_log_error(oscf->log_level, r->connection->log, 0,
                          "oiosaml: access: deny_loa: user=\"%V\" "
                          "idp=\"%V\" required=%s achieved=%s (the IdP "
                          "cannot deliver more)",
                          &s->fields[OIOSAML_F_USER],
                          &s->fields[OIOSAML_F_IDP],
                          oiosaml_loa_name(olcf->require_loa),
                          oiosaml_loa_name(s->loa));

            return ngx_http_oiosaml_deny(r,
                       ngx_http_oiosaml_loa_page(r, oscf, olcf->require_loa,
                                                 s->loa));
        }

        /* step-up: the same IdP, the higher level */
        return ngx_http_oiosaml_login_redirect(r, oscf, oiosaml_idp_id(idp),
                                               olcf->require_loa);
    }

    rc = ngx_http_oiosaml_role_check(r, oscf, olcf, s, idp);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    if (olcf->headers
        && ngx_http_oiosaml_set_headers(r, oscf, olcf->headers, s) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (olcf->bootstrap
        && ngx_http_oiosaml_bootstrap_header(r, oscf, s) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


/*
 * The precontent phase, after every access check of the location
 * (allow/deny, auth_basic) and before try_files, which would otherwise
 * send an endpoint's request elsewhere: the endpoints are answered here,
 * and the request ends here.
 */
ngx_int_t
ngx_http_oiosaml_precontent_handler(ngx_http_request_t *r)
{
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);

    if (oscf->sp == NULL) {
        return NGX_DECLINED;
    }

    if (r != r->main) {
        return ngx_http_oiosaml_subrequest_check(r, oscf);
    }

    if (!ngx_http_oiosaml_is_endpoint(r, oscf)) {
        return NGX_DECLINED;
    }

    /* as the content phase does: the ACS may read a body */
    r->write_event_handler = ngx_http_request_empty_handler;

    ngx_http_finalize_request(r, ngx_http_oiosaml_endpoint_handler(r));

    return NGX_DONE;
}


/*
 * nginx runs no access phase for subrequests (SSI include, mirror, ...):
 * here, just before the content, a subrequest to a protected location
 * needs the main request's session, at the location's level and with its
 * roles; otherwise 403, as there is no way to send it to a login.
 */
static ngx_int_t
ngx_http_oiosaml_subrequest_check(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    ngx_int_t                     rc;
    oiosaml_access_t              access;
    const oiosaml_idp_t          *idp;
    ngx_http_oiosaml_session_t   *s;
    ngx_http_oiosaml_loc_conf_t  *olcf;

    olcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_module);

    if (!olcf->enable) {
        return NGX_DECLINED;
    }

    rc = ngx_http_oiosaml_get_session(r->main, oscf, NULL, &s);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    idp = (rc == NGX_OK)
          ? oiosaml_sp_idp_by_id(oscf->sp,
                                 (char *) s->fields[OIOSAML_F_IDP].data,
                                 s->fields[OIOSAML_F_IDP].len)
          : NULL;

    if (idp != NULL && oiosaml_loa_satisfies(idp, s->loa, olcf->require_loa)
        && (olcf->policy.nroles == 0
            || oiosaml_policy_check(&olcf->policy,
                   (const char *) s->fields[OIOSAML_F_PRIVILEGES].data,
                   s->fields[OIOSAML_F_PRIVILEGES].len,
                   (const char *) s->fields[OIOSAML_F_CVR].data,
                   s->fields[OIOSAML_F_CVR].len, idp, s->loa, &access)
               == OIOSAML_ACCESS_ALLOW))
    {
        return NGX_DECLINED;
    }

    ngx_log_error(oscf->log_level, r->connection->log, 0,
                  "oiosaml: subrequest to protected \"%V\" refused: %s",
                  &r->uri, idp ? "the level or a role is missing"
                               : "no session");

    return NGX_HTTP_FORBIDDEN;
}


static ngx_int_t
ngx_http_oiosaml_is_endpoint(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    return r->uri.len > oscf->prefix.len
           && ngx_strncmp(r->uri.data, oscf->prefix.data, oscf->prefix.len)
              == 0;
}


/*
 * The session the request's cookie names, looked up once per request:
 * NGX_OK (*session), NGX_DECLINED (none), NGX_ERROR (the store cannot
 * answer) or, with next, NGX_AGAIN: the store answers later and next
 * goes on (ngx_http_oiosaml_store_phases: the phases run again and this
 * returns the answer).  Without next only what is at hand counts.
 */
ngx_int_t
ngx_http_oiosaml_get_session(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_next_pt next,
    ngx_http_oiosaml_session_t **session)
{
    ngx_int_t                rc;
    ngx_str_t                cookie, id, canon;
    u_char                   buf[NGX_HTTP_OIOSAML_SESSION_ID_LEN + 3];
    u_char                   enc[NGX_HTTP_OIOSAML_COOKIE_ID_LEN + 1];
    u_char                   key[NGX_HTTP_OIOSAML_KEY_LEN];
    ngx_http_oiosaml_ctx_t  *ctx;

    *session = NULL;

    ctx = ngx_http_oiosaml_ctx(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (!ctx->found) {
        ctx->found = 1;
        ctx->session = NULL;
        ctx->rc = NGX_DECLINED;

        if (oscf->sp == NULL
            || ngx_http_oiosaml_cookie_get(r, &oscf->session_cookie, &cookie)
               != NGX_OK)
        {
            return NGX_DECLINED;
        }

        /*
         * nginx's decoder, into the stack: this runs on every request; it
         * ignores the unused low bits of the last character, so the value
         * must also be the one encoding of the id it names
         */
        id.data = buf;

        if (cookie.len != NGX_HTTP_OIOSAML_COOKIE_ID_LEN
            || ngx_decode_base64url(&id, &cookie) != NGX_OK
            || id.len != NGX_HTTP_OIOSAML_SESSION_ID_LEN)
        {
            return NGX_DECLINED;
        }

        canon.data = enc;
        ngx_encode_base64url(&canon, &id);

        if (canon.len != cookie.len
            || ngx_memcmp(canon.data, cookie.data, cookie.len) != 0)
        {
            return NGX_DECLINED;
        }

        ngx_http_oiosaml_store_key(id.data, key);

        rc = ngx_http_oiosaml_store_find(r, key, next);

        if (rc == NGX_AGAIN) {
            return NGX_AGAIN;
        }

        ctx->rc = rc;
    }

    rc = ctx->rc;

    if (rc != NGX_OK || ctx->session == NULL) {
        ctx->session = NULL;
        return (rc == NGX_ERROR) ? NGX_ERROR : NGX_DECLINED;
    }

    /*
     * a session of an IdP that is gone from the configuration (a reload)
     * is no session: not for the access check, not for $oiosaml_*
     */
    if (oiosaml_sp_idp_by_id(oscf->sp,
                             (char *) ctx->session->fields[OIOSAML_F_IDP].data,
                             ctx->session->fields[OIOSAML_F_IDP].len)
        == NULL)
    {
        ctx->session = NULL;
        ctx->rc = NGX_DECLINED;
        return NGX_DECLINED;
    }

    *session = ctx->session;

    return NGX_OK;
}


/*
 * To the login endpoint (for a step-up: at the session's IdP), or 401 for
 * a client that cannot follow a redirect.
 */
ngx_int_t
ngx_http_oiosaml_login_redirect(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const char *idp, oiosaml_loa_t loa)
{
    u_char           *p;
    size_t            len;
    ngx_str_t         ret;
    const char       *level;
    ngx_table_elt_t  *h;

    ret = r->unparsed_uri;

    if (oiosaml_return_url_check((char *) ret.data, ret.len) != OIOSAML_OK) {
        ngx_str_set(&ret, "/");
    }

    level = oiosaml_loa_name(loa);

    len = oscf->prefix.len + sizeof("login?idp=&loa=&return=") - 1
          + (idp ? ngx_strlen(idp) : 0) + ngx_strlen(level)
          + ret.len + 2 * ngx_escape_uri(NULL, ret.data, ret.len,
                                         NGX_ESCAPE_URI_COMPONENT);

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    h->value.data = p;

    p = ngx_cpymem(p, oscf->prefix.data, oscf->prefix.len);
    p = ngx_cpymem(p, "login?", sizeof("login?") - 1);

    if (idp != NULL) {
        p = ngx_sprintf(p, "idp=%s&", idp);
    }

    if (loa != OIOSAML_LOA_NONE) {
        p = ngx_sprintf(p, "loa=%s&", level);
    }

    p = ngx_cpymem(p, "return=", sizeof("return=") - 1);
    p = (u_char *) ngx_escape_uri(p, ret.data, ret.len,
                                  NGX_ESCAPE_URI_COMPONENT);
    h->value.len = p - h->value.data;

    if (ngx_http_oiosaml_can_redirect(r)) {
        ngx_str_set(&h->key, "Location");
        r->headers_out.location = h;

        if (ngx_http_oiosaml_no_store(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_HTTP_MOVED_TEMPORARILY;
    }

    /* scripts and API clients: tell them where a browser would log in */
    ngx_str_set(&h->key, "WWW-Authenticate");

    p = ngx_pnalloc(r->pool, h->value.len + sizeof("OIOSAML login=\"\""));
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = ngx_sprintf(p, "OIOSAML login=\"%V\"", &h->value) - p;
    h->value.data = p;
    h->value.len = len;
    r->headers_out.www_authenticate = h;

    return NGX_HTTP_UNAUTHORIZED;
}


/*
 * A browser navigation can follow a redirect to the IdP; a POST, an XHR or
 * a client that does not accept HTML cannot.
 */
static ngx_int_t
ngx_http_oiosaml_can_redirect(ngx_http_request_t *r)
{
    ngx_str_t         xrw = ngx_string("X-Requested-With");
    ngx_str_t         v;
    ngx_table_elt_t  *accept;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return 0;
    }

    if (ngx_http_oiosaml_header_in(r, &xrw, &v) == NGX_OK
        && v.len == sizeof("XMLHttpRequest") - 1
        && ngx_strncasecmp(v.data, (u_char *) "XMLHttpRequest", v.len) == 0)
    {
        return 0;
    }

    accept = r->headers_in.accept;

    if (accept != NULL
        && ngx_strlcasestrn(accept->value.data,
                            accept->value.data + accept->value.len,
                            (u_char *) "text/html", 9 - 1)
           == NULL)
    {
        return 0;
    }

    return 1;
}


/* variables: $oiosaml_user, $oiosaml_idp, ... one per identity field */
ngx_int_t
ngx_http_oiosaml_add_variables(ngx_conf_t *cf)
{
    u_char               *p;
    ngx_str_t             name;
    ngx_uint_t            i;
    const char           *field;
    ngx_http_variable_t  *var;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        field = oiosaml_field_name(i);

        name.len = sizeof("oiosaml_") - 1 + ngx_strlen(field);
        name.data = ngx_pnalloc(cf->pool, name.len);
        if (name.data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(name.data, "oiosaml_", sizeof("oiosaml_") - 1);
        ngx_memcpy(p, field, ngx_strlen(field));

        var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = ngx_http_oiosaml_variable;
        var->data = i;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_oiosaml_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_int_t                     rc;
    ngx_http_oiosaml_session_t   *s;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);

    rc = ngx_http_oiosaml_get_session(r->main, oscf, NULL, &s);

    /* the compact privileges and the bootstrap token are never variables */
    if (rc != NGX_OK || data == OIOSAML_F_PRIVILEGES
        || data == OIOSAML_F_BOOTSTRAP)
    {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = s->fields[data].len;
    v->data = s->fields[data].data;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}
