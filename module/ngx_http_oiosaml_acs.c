
/*
 * The Assertion Consumer Service (HTTP-POST binding): read the form, find
 * this browser's pending login by RelayState, let the library verify the
 * SAMLResponse, then open a session and send the browser back.
 */


#include "ngx_http_oiosaml_module.h"


/* a verified answer on its way into the store */
typedef struct {
    ngx_http_oiosaml_commit_t     commit;
    ngx_str_t                     cookie;       /* the session ID, encoded */
    ngx_str_t                     location;     /* back to the app */
    u_char                       *user;         /* for the log */
    const char                   *idp;
    const char                   *loa;
    char                         *assertion_id;
    char                         *request_id;
    ngx_uint_t                    step_up;
} ngx_http_oiosaml_acs_t;


static void ngx_http_oiosaml_acs_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_acs_resume(ngx_http_request_t *r,
    ngx_int_t rc);
static ngx_int_t ngx_http_oiosaml_acs_process(ngx_http_request_t *r);
static ngx_uint_t ngx_http_oiosaml_same_subject(ngx_http_request_t *r,
    ngx_http_oiosaml_session_t *old, oiosaml_identity_t *identity);
static ngx_int_t ngx_http_oiosaml_open_session(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_identity_t *identity,
    oiosaml_pending_t *pending, ngx_http_oiosaml_session_t *old);
static ngx_int_t ngx_http_oiosaml_committed(ngx_http_request_t *r,
    ngx_int_t rc);
static char *ngx_http_oiosaml_pstrdup(ngx_pool_t *pool, const char *s);


ngx_int_t
ngx_http_oiosaml_acs(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    oiosaml_err_t                 err;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    if (r->headers_in.content_length_n > NGX_HTTP_OIOSAML_MAX_BODY) {
        oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
        oiosaml_err_clear(&err);
        oiosaml_err_set(&err, OIOSAML_BAD_TOO_LARGE, "the POST body is "
                        "larger than %d bytes", NGX_HTTP_OIOSAML_MAX_BODY);
        return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_oiosaml_acs_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_oiosaml_acs_body(ngx_http_request_t *r)
{
    ngx_http_finalize_request(r, ngx_http_oiosaml_acs_process(r));
}


/* the store has answered the lookup of the old session: once more */
static ngx_int_t
ngx_http_oiosaml_acs_resume(ngx_http_request_t *r, ngx_int_t rc)
{
    return ngx_http_oiosaml_acs_process(r);
}


static ngx_int_t
ngx_http_oiosaml_acs_process(ngx_http_request_t *r)
{
    size_t                         len;
    ngx_int_t                      rc;
    const char                    *v;
    ngx_str_t                      body, response, relay, name, cookie;
    oiosaml_err_t                  err;
    oiosaml_status_t               st;
    oiosaml_pending_t              pending;
    oiosaml_identity_t            *identity;
    oiosaml_verify_params_t        params;
    ngx_http_oiosaml_session_t    *old;
    ngx_http_oiosaml_srv_conf_t   *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);

    oiosaml_err_clear(&err);

    /*
     * First the session this browser has (a login ends it; the same user
     * again is a step-up): the store may answer later, and then this runs
     * again, before anything is verified or sent.
     */
    rc = ngx_http_oiosaml_get_session(r, oscf, ngx_http_oiosaml_acs_resume,
                                      &old);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    if (rc == NGX_ERROR) {
        return ngx_http_oiosaml_store_down(r, oscf);
    }

    rc = ngx_http_oiosaml_read_body(r, &body);

    if (rc == NGX_DECLINED) {
        oiosaml_err_set(&err, OIOSAML_BAD_TOO_LARGE, "the POST body is "
                        "larger than %d bytes", NGX_HTTP_OIOSAML_MAX_BODY);
        return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_oiosaml_form_get(r, &body, "SAMLResponse", &response);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc != NGX_OK) {
        oiosaml_err_set(&err, OIOSAML_BAD_MESSAGE,
                        rc == NGX_BUSY ? "the POST has two SAMLResponse"
                                       : "the POST has no SAMLResponse");
        return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
    }

    ngx_memzero(&params, sizeof(params));
    params.response = (char *) response.data;
    params.response_len = response.len;
    params.now = ngx_time();
    /* no replay callback: the IDs go to the store with the session */

    /* the pending login of this browser, named by the RelayState */
    rc = ngx_http_oiosaml_form_get(r, &body, "RelayState", &relay);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_BUSY) {
        oiosaml_err_set(&err, OIOSAML_BAD_MESSAGE,
                        "the POST has two RelayState");
        return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
    }

    if (rc == NGX_OK
        && (relay.len = oiosaml_relay_handle((char *) relay.data, relay.len))
           != 0)
    {
        name.len = sizeof(NGX_HTTP_OIOSAML_REQ_COOKIE) - 1 + relay.len;
        name.data = ngx_pnalloc(r->pool, name.len);
        if (name.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(ngx_cpymem(name.data, NGX_HTTP_OIOSAML_REQ_COOKIE,
                              sizeof(NGX_HTTP_OIOSAML_REQ_COOKIE) - 1),
                   relay.data, relay.len);

        if (ngx_http_oiosaml_cookie_get(r, &name, &cookie) == NGX_OK) {

            /* single use: gone whatever the outcome */
            if (ngx_http_oiosaml_cookie_clear(r, oscf, &name, &oscf->prefix)
                != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            st = oiosaml_pending_open(oscf->sp, (char *) cookie.data,
                                      cookie.len, (char *) relay.data,
                                      relay.len, params.now, &pending, &err);
            if (st != OIOSAML_OK) {
                return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
            }

            params.pending = &pending;
        }
    }

    st = oiosaml_response_verify(oscf->sp, &params, &identity, &err);

    if (st != OIOSAML_OK) {
        ngx_http_oiosaml_count(oscf, params.pending ? pending.idp_id : "-",
                               st);

        if (params.pending != NULL) {
            /* the log line names the IdP the login went to */
            len = ngx_strlen(err.text);

            if (len + 80 < sizeof(err.text)) {
                (void) ngx_snprintf((u_char *) err.text + len,
                                    sizeof(err.text) - len - 1,
                                    " (idp \"%s\")%Z", pending.idp_id);
            }
        }

        return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
    }

    if (oiosaml_identity_expired_cert(identity)) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "oiosaml: IdP \"%s\" signed with an EXPIRED "
                      "certificate, accepted only because of its "
                      "cert_grace: renew its metadata now",
                      oiosaml_idp_id(oiosaml_identity_idp(identity)));
    }

    v = oiosaml_identity_get(identity, OIOSAML_F_PRIVILEGES, &len);

    if (len > 0 && v[0] == '!') {
        /* the login stands; every role check will deny, naming this */
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "oiosaml: acs: deny_privileges: user=\"%s\" "
                      "idp=\"%s\": %s; role-protected locations will deny",
                      ngx_http_oiosaml_log_text(r->pool,
                          oiosaml_identity_get(identity, OIOSAML_F_USER,
                                               NULL)),
                      oiosaml_idp_id(oiosaml_identity_idp(identity)),
                      ngx_http_oiosaml_log_text(r->pool, v + 1));
    }

    if (params.pending == NULL) {
        ngx_memzero(&pending, sizeof(pending));
        pending.return_url[0] = '/';
    }

    rc = ngx_http_oiosaml_open_session(r, oscf, identity,
                                       params.pending ? &pending : NULL, old);

    oiosaml_identity_free(identity);

    return rc;
}


/*
 * Only an answer that verified is recorded, and all of it at once, in the
 * store: the assertion ID (per IdP, until the assertion could no longer
 * be accepted), the AuthnRequest ID of the pending login (a copy of its
 * cookie cannot carry a second answer; garbage posted with the cookie
 * stores nothing and leaves the login usable), the old session's end and
 * the new session.  A login always gets a new session ID.  The store may
 * answer later (NGX_DONE; then ngx_http_oiosaml_committed finishes).
 */
static ngx_int_t
ngx_http_oiosaml_open_session(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_identity_t *identity,
    oiosaml_pending_t *pending, ngx_http_oiosaml_session_t *old)
{
    char                     *v;
    size_t                    vlen, len;
    time_t                    expires, nooa;
    ngx_int_t                 rc;
    u_char                    id[NGX_HTTP_OIOSAML_SESSION_ID_LEN];
    u_char                    key[NGX_HTTP_OIOSAML_KEY_LEN];
    const char               *return_url;
    const oiosaml_idp_t      *idp;
    ngx_http_oiosaml_ctx_t   *ctx;
    ngx_http_oiosaml_acs_t   *a;

    ctx = ngx_http_oiosaml_ctx(r);

    a = ngx_pcalloc(r->pool, sizeof(ngx_http_oiosaml_acs_t));
    if (ctx == NULL || a == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    idp = oiosaml_identity_idp(identity);

    a->idp = oiosaml_idp_id(idp);
    a->loa = oiosaml_loa_name(oiosaml_identity_loa(identity));
    a->user = ngx_http_oiosaml_log_text(r->pool,
                  oiosaml_identity_get(identity, OIOSAML_F_USER, NULL));
    a->assertion_id = ngx_http_oiosaml_pstrdup(r->pool,
                          oiosaml_identity_assertion_id(identity));

    if (a->user == NULL || a->assertion_id == NULL
        || ngx_http_oiosaml_digest(a->commit.assertion,
                                   oiosaml_idp_entity_id(idp),
                                   a->assertion_id, NULL)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    a->commit.assertion_until = oiosaml_identity_replay_until(identity);

    if (pending != NULL) {
        a->request_id = ngx_http_oiosaml_pstrdup(r->pool,
                                                 pending->request_id);

        if (a->request_id == NULL
            || ngx_http_oiosaml_digest(a->commit.request, "", "request",
                                       a->request_id)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        a->commit.request_until = pending->created + oscf->request_lifetime
                                  + oscf->skew;
        return_url = pending->return_url;

    } else {
        return_url = "/";
    }

    if (old != NULL) {
        ngx_memcpy(a->commit.old, old->key, NGX_HTTP_OIOSAML_KEY_LEN);
        a->commit.has_old = 1;
        a->step_up = ngx_http_oiosaml_same_subject(r, old, identity);
    }

    expires = ngx_time() + oscf->session_lifetime;
    nooa = oiosaml_identity_not_on_or_after(identity);

    if (nooa != 0 && nooa < expires) {
        expires = nooa;
    }

    if (oiosaml_random(id, sizeof(id)) != OIOSAML_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_oiosaml_store_key(id, key);

    a->commit.session = ngx_http_oiosaml_session_new(r, oscf, identity,
                                                     expires, key);
    if (a->commit.session == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    v = oiosaml_b64url_encode(id, sizeof(id), &vlen);
    ngx_explicit_memzero(id, sizeof(id));

    if (v == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    a->cookie.data = ngx_pnalloc(r->pool, vlen);
    if (a->cookie.data == NULL) {
        oiosaml_free(v);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(a->cookie.data, v, vlen);
    a->cookie.len = vlen;
    oiosaml_free(v);

    len = ngx_strlen(return_url);
    a->location.data = ngx_pnalloc(r->pool, len);
    if (a->location.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(a->location.data, return_url, len);
    a->location.len = len;

    ctx->data = a;

    rc = ngx_http_oiosaml_store_commit(r, &a->commit,
                                       ngx_http_oiosaml_committed);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    return ngx_http_oiosaml_committed(r, rc);
}


/* the store's answer to the commit: the session cookie, or why not */
static ngx_int_t
ngx_http_oiosaml_committed(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_str_t                     root = ngx_string("/");
    oiosaml_err_t                 err;
    ngx_http_oiosaml_ctx_t       *ctx;
    ngx_http_oiosaml_acs_t       *a;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);
    a = ctx->data;

    oiosaml_err_clear(&err);

    if (rc == NGX_BUSY) {
        if (a->commit.refused == NGX_HTTP_OIOSAML_USED_REQUEST) {
            oiosaml_err_set(&err, OIOSAML_DENY_REPLAY, "the login \"%.128s\" "
                            "was answered before", a->request_id);
        } else {
            oiosaml_err_set(&err, OIOSAML_DENY_REPLAY, "assertion \"%.80s\" "
                            "from \"%s\" was already used", a->assertion_id,
                            a->idp);
        }

        ngx_http_oiosaml_count(oscf, a->idp, err.status);

        return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
    }

    if (rc != NGX_OK) {
        /* the backend has said why (once per outage for Redis) */
        ngx_http_oiosaml_count(oscf, a->idp, OIOSAML_ERR_STORE);

        return ngx_http_oiosaml_store_down(r, oscf);
    }

    ngx_http_oiosaml_count(oscf, a->idp, OIOSAML_OK);

    if (ngx_http_oiosaml_cookie_set(r, oscf, &oscf->session_cookie,
                                    &a->cookie, &root, -1, 0)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml: %s user=\"%s\" idp=\"%s\" loa=%s",
                  a->step_up ? "step-up" : "login", a->user, a->idp, a->loa);

    return ngx_http_oiosaml_redirect(r, NGX_HTTP_SEE_OTHER, a->location.data,
                                     a->location.len);
}


static char *
ngx_http_oiosaml_pstrdup(ngx_pool_t *pool, const char *s)
{
    size_t   len;
    char    *p;

    len = ngx_strlen(s) + 1;

    p = ngx_pnalloc(pool, len);
    if (p != NULL) {
        ngx_memcpy(p, s, len);
    }

    return p;
}


/* the stored values are escaped for headers: compare escaped */
static ngx_uint_t
ngx_http_oiosaml_same_subject(ngx_http_request_t *r,
    ngx_http_oiosaml_session_t *old, oiosaml_identity_t *identity)
{
    u_char      *p;
    size_t       len, n;
    ngx_uint_t   i;
    const char  *v;

    static const oiosaml_field_t  fields[] = { OIOSAML_F_USER,
                                               OIOSAML_F_IDP };

    for (i = 0; i < 2; i++) {
        v = oiosaml_identity_get(identity, fields[i], &len);

        p = ngx_pnalloc(r->pool, len * 3 + 1);
        if (p == NULL) {
            return 0;
        }

        n = oiosaml_header_escape((char *) p, v, len);

        if (n != old->fields[fields[i]].len
            || ngx_memcmp(p, old->fields[fields[i]].data, n) != 0)
        {
            return 0;
        }
    }

    return 1;
}
