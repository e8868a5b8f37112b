
/*
 * The Assertion Consumer Service (HTTP-POST binding): read the form, find
 * this browser's pending login by RelayState, let the library verify the
 * SAMLResponse, then open a session and send the browser back.
 */


#include "ngx_http_oiosaml_module.h"


static void ngx_http_oiosaml_acs_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_acs_process(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_pending_once(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_pending_t *pending,
    oiosaml_err_t *err);
static ngx_uint_t ngx_http_oiosaml_same_subject(ngx_http_request_t *r,
    ngx_http_oiosaml_session_t *old, oiosaml_identity_t *identity);
static ngx_int_t ngx_http_oiosaml_open_session(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_identity_t *identity,
    oiosaml_pending_t *pending);


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
    ngx_http_oiosaml_srv_conf_t   *oscf;
    ngx_http_oiosaml_main_conf_t  *omcf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);

    oiosaml_err_clear(&err);

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
    params.replay = ngx_http_oiosaml_replay;
    params.replay_data = omcf->shm_zone;

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

    /*
     * Only an answer that verified is recorded: garbage posted with a
     * pending login's cookie stores nothing (and leaves the login usable
     * for its real answer)
     */
    if (params.pending != NULL
        && ngx_http_oiosaml_pending_once(r, oscf, &pending, &err) != NGX_OK)
    {
        ngx_http_oiosaml_count(oscf, pending.idp_id, err.status);
        oiosaml_identity_free(identity);
        return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
    }

    ngx_http_oiosaml_count(oscf,
                           oiosaml_idp_id(oiosaml_identity_idp(identity)),
                           OIOSAML_OK);

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

    rc = ngx_http_oiosaml_open_session(r, oscf, identity, &pending);

    oiosaml_identity_free(identity);

    return rc;
}


/*
 * A pending login is answered once on the server too: once an answer to
 * it verified, its AuthnRequest ID goes into the replay cache until the
 * cookie could no longer be opened, so that a copy of the cookie cannot
 * carry a second answer to the same request.  NGX_DECLINED: err says why.
 */
static ngx_int_t
ngx_http_oiosaml_pending_once(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_pending_t *pending,
    oiosaml_err_t *err)
{
    return ngx_http_oiosaml_once(r, "request", pending->request_id,
                                 pending->created + oscf->request_lifetime
                                 + oscf->skew,
                                 "login", "answered", err);
}


static ngx_int_t
ngx_http_oiosaml_open_session(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_identity_t *identity,
    oiosaml_pending_t *pending)
{
    char                          *v;
    size_t                         vlen, len;
    time_t                         expires, nooa;
    u_char                         id[NGX_HTTP_OIOSAML_SESSION_ID_LEN];
    ngx_int_t                      rc;
    ngx_str_t                      value, root = ngx_string("/"), loc;
    oiosaml_err_t                  err;
    ngx_uint_t                     step_up;
    ngx_http_oiosaml_session_t    *old;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);

    /*
     * A login always gets a new session ID and the old session ends; when
     * it was the same user at the same IdP, this was a step-up.
     */
    step_up = 0;
    rc = ngx_http_oiosaml_get_session(r, oscf, &old);

    if (rc == NGX_OK) {
        ngx_http_oiosaml_session_delete(omcf->shm_zone, old->id);
        step_up = ngx_http_oiosaml_same_subject(r, old, identity);
    }

    expires = ngx_time() + oscf->session_lifetime;
    nooa = oiosaml_identity_not_on_or_after(identity);

    if (nooa != 0 && nooa < expires) {
        expires = nooa;
    }

    rc = ngx_http_oiosaml_session_create(r, omcf->shm_zone, identity,
                                         expires, id);
    if (rc == NGX_DECLINED) {
        oiosaml_err_clear(&err);
        oiosaml_err_set(&err, OIOSAML_ERR_STORE, "the session zone is full");
        return ngx_http_oiosaml_fail(r, oscf, "acs", &err);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    v = oiosaml_b64url_encode(id, sizeof(id), &vlen);
    if (v == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    value.data = ngx_pnalloc(r->pool, vlen);
    if (value.data == NULL) {
        oiosaml_free(v);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(value.data, v, vlen);
    value.len = vlen;
    oiosaml_free(v);
    ngx_explicit_memzero(id, sizeof(id));

    if (ngx_http_oiosaml_cookie_set(r, oscf, &oscf->session_cookie, &value,
                                    &root, -1, 0)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml: %s user=\"%s\" idp=\"%s\" loa=%s",
                  step_up ? "step-up" : "login",
                  ngx_http_oiosaml_log_text(r->pool,
                      oiosaml_identity_get(identity, OIOSAML_F_USER, NULL)),
                  oiosaml_idp_id(oiosaml_identity_idp(identity)),
                  oiosaml_loa_name(oiosaml_identity_loa(identity)));

    len = ngx_strlen(pending->return_url);
    loc.data = ngx_pnalloc(r->pool, len);
    if (loc.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(loc.data, pending->return_url, len);
    loc.len = len;

    return ngx_http_oiosaml_redirect(r, NGX_HTTP_SEE_OTHER, loc.data,
                                     loc.len);
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
