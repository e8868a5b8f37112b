
/*
 * ngx_http_oiosaml_testidp_module: the test IdP in nginx (tests and demo
 * only).  This file is the nginx glue; the IdP itself is testidp_*.c.
 *
 *   location /idp/ {
 *       oiosaml_test_idp entity_id=URL key=PEM cert=PEM users=FILE
 *                        sp_cert=PEM [wrong_key=PEM wrong_cert=PEM]
 *                        [encrypt_cert=PEM] [sp_sls=URL] [base_url=URL]
 *                        [profile=oiosaml3|oiosaml2|adfs] [persona=NAME]
 *                        [next_key=PEM next_cert=PEM] [admin=on|off];
 *   }
 *
 * serves {location}sso, login, slo, logout_user, metadata and admin
 * (docs/test-idp.md).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_oiosaml_testidp_module.h"


#define NGX_HTTP_TESTIDP_MAX_BODY  (1024 * 1024)


static void *ngx_http_oiosaml_testidp_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_oiosaml_testidp(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_oiosaml_testidp_path(ngx_conf_t *cf, ngx_str_t *value,
    const char **path);
static void ngx_http_oiosaml_testidp_cleanup(void *data);
static ngx_int_t ngx_http_oiosaml_testidp_handler(ngx_http_request_t *r);
static char *ngx_http_oiosaml_testidp_param(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *value, testidp_conf_t *tc,
    ngx_http_oiosaml_testidp_loc_conf_t *tlcf);
static ngx_int_t ngx_http_oiosaml_testidp_sso(ngx_http_request_t *r);
static void ngx_http_oiosaml_testidp_login_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_testidp_login(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_testidp_login_form(ngx_http_request_t *r,
    testidp_t *idp, testidp_form_t *form);
static void ngx_http_oiosaml_testidp_knobs(ngx_http_request_t *r,
    testidp_t *idp, testidp_knobs_t *knobs);
static char *ngx_http_oiosaml_testidp_strdup(ngx_pool_t *pool,
    const char *s);
static ngx_int_t ngx_http_oiosaml_testidp_down(ngx_http_request_t *r,
    testidp_t *idp);
static ngx_int_t ngx_http_oiosaml_testidp_metadata(ngx_http_request_t *r,
    testidp_t *idp);
static ngx_int_t ngx_http_oiosaml_testidp_slo(ngx_http_request_t *r,
    testidp_t *idp);
static ngx_int_t ngx_http_oiosaml_testidp_logout_user(ngx_http_request_t *r,
    testidp_t *idp);
static ngx_int_t ngx_http_oiosaml_testidp_redirect(ngx_http_request_t *r,
    const char *url);


static ngx_command_t  ngx_http_oiosaml_testidp_commands[] = {

    { ngx_string("oiosaml_test_idp"),
      NGX_HTTP_LOC_CONF|NGX_CONF_2MORE,
      ngx_http_oiosaml_testidp,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_oiosaml_testidp_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_oiosaml_testidp_create_loc_conf, /* create location conf */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_oiosaml_testidp_module = {
    NGX_MODULE_V1,
    &ngx_http_oiosaml_testidp_module_ctx,  /* module context */
    ngx_http_oiosaml_testidp_commands,     /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_oiosaml_testidp_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_oiosaml_testidp_loc_conf_t));

    if (tlcf == NULL) {
        return NULL;
    }

    tlcf->admin = 1;

    return tlcf;
}


static char *
ngx_http_oiosaml_testidp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_testidp_loc_conf_t *tlcf = conf;

    u_char                    *eq;
    char                      *rv;
    ngx_str_t                 *args, name, value;
    ngx_uint_t                 i;
    testidp_t                 *idp;
    testidp_err_t              err;
    testidp_conf_t             tc;
    ngx_pool_cleanup_t        *cln;
    ngx_http_core_loc_conf_t  *clcf;

    if (tlcf->idp != NULL) {
        return "is duplicate";
    }

    ngx_memzero(&tc, sizeof(testidp_conf_t));
    tc.profile = TESTIDP_PROFILE_OIOSAML3;

    args = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        eq = (u_char *) ngx_strchr(args[i].data, '=');

        if (eq == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "oiosaml_test_idp: \"name=value\" expected, "
                               "not \"%V\"", &args[i]);
            return NGX_CONF_ERROR;
        }

        name.data = args[i].data;
        name.len = eq - args[i].data;
        value.data = eq + 1;
        value.len = args[i].data + args[i].len - value.data;

        if (value.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "oiosaml_test_idp: empty \"%V\"", &args[i]);
            return NGX_CONF_ERROR;
        }

        rv = ngx_http_oiosaml_testidp_param(cf, &name, &value, &tc, tlcf);

        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);

    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    if (testidp_new(&tc, &idp, &err) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "oiosaml_test_idp: %s",
                           err.msg);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_oiosaml_testidp_cleanup;
    cln->data = idp;

    tlcf->idp = idp;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_oiosaml_testidp_handler;

    return ngx_http_oiosaml_testidp_zone(cf, tlcf, &clcf->name);
}


static char *
ngx_http_oiosaml_testidp_param(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *value, testidp_conf_t *tc,
    ngx_http_oiosaml_testidp_loc_conf_t *tlcf)
{
    if (name->len == 9 && ngx_strncmp(name->data, "entity_id", 9) == 0) {
        tc->entity_id = (const char *) value->data;

    } else if (name->len == 3 && ngx_strncmp(name->data, "key", 3) == 0) {
        return ngx_http_oiosaml_testidp_path(cf, value, &tc->key_file);

    } else if (name->len == 4 && ngx_strncmp(name->data, "cert", 4) == 0) {
        return ngx_http_oiosaml_testidp_path(cf, value, &tc->cert_file);

    } else if (name->len == 5 && ngx_strncmp(name->data, "users", 5) == 0)
    {
        return ngx_http_oiosaml_testidp_path(cf, value, &tc->users_file);

    } else if (name->len == 7 && ngx_strncmp(name->data, "sp_cert", 7) == 0)
    {
        return ngx_http_oiosaml_testidp_path(cf, value, &tc->sp_cert_file);

    } else if (name->len == 9 && ngx_strncmp(name->data, "wrong_key", 9) == 0)
    {
        return ngx_http_oiosaml_testidp_path(cf, value, &tc->wrong_key_file);

    } else if (name->len == 10
               && ngx_strncmp(name->data, "wrong_cert", 10) == 0)
    {
        return ngx_http_oiosaml_testidp_path(cf, value, &tc->wrong_cert_file);

    } else if (name->len == 12
               && ngx_strncmp(name->data, "encrypt_cert", 12) == 0)
    {
        return ngx_http_oiosaml_testidp_path(cf, value,
                                             &tc->encrypt_cert_file);

    } else if (name->len == 6 && ngx_strncmp(name->data, "sp_sls", 6) == 0)
    {
        tc->sp_sls = (const char *) value->data;

    } else if (name->len == 8 && ngx_strncmp(name->data, "base_url", 8) == 0)
    {
        tc->base_url = (const char *) value->data;

    } else if (name->len == 7 && ngx_strncmp(name->data, "profile", 7) == 0)
    {
        if (testidp_profile_parse((const char *) value->data, &tc->profile)
            != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "oiosaml_test_idp: unknown profile "
                               "\"%V\" (oiosaml3, oiosaml2 or adfs)",
                               value);
            return NGX_CONF_ERROR;
        }

    } else if (name->len == 7 && ngx_strncmp(name->data, "persona", 7) == 0)
    {
        tc->persona = testidp_persona_find((const char *) value->data);

        if (tc->persona == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "oiosaml_test_idp: unknown persona \"%V\" "
                               "(%s)", value, testidp_persona_names());
            return NGX_CONF_ERROR;
        }

    } else if (name->len == 8 && ngx_strncmp(name->data, "next_key", 8) == 0)
    {
        return ngx_http_oiosaml_testidp_path(cf, value, &tc->next_key_file);

    } else if (name->len == 9
               && ngx_strncmp(name->data, "next_cert", 9) == 0)
    {
        return ngx_http_oiosaml_testidp_path(cf, value, &tc->next_cert_file);

    } else if (name->len == 5 && ngx_strncmp(name->data, "admin", 5) == 0) {
        if (value->len == 2 && ngx_strncmp(value->data, "on", 2) == 0) {
            tlcf->admin = 1;

        } else if (value->len == 3 && ngx_strncmp(value->data, "off", 3) == 0)
        {
            tlcf->admin = 0;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "oiosaml_test_idp: admin is on or off");
            return NGX_CONF_ERROR;
        }

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "oiosaml_test_idp: unknown parameter \"%V\"",
                           name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* a NUL-terminated absolute path, relative to the conf prefix */
static char *
ngx_http_oiosaml_testidp_path(ngx_conf_t *cf, ngx_str_t *value,
    const char **path)
{
    ngx_str_t  name;

    name.len = value->len;
    name.data = ngx_pnalloc(cf->pool, value->len + 1);

    if (name.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_cpystrn(name.data, value->data, value->len + 1);

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    *path = (const char *) name.data;

    return NGX_CONF_OK;
}


static void
ngx_http_oiosaml_testidp_cleanup(void *data)
{
    testidp_free(data);
}


static ngx_int_t
ngx_http_oiosaml_testidp_handler(ngx_http_request_t *r)
{
    ngx_int_t                             rc;
    ngx_str_t                             ep;
    ngx_http_core_loc_conf_t             *clcf;
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_testidp_module);
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (tlcf->idp == NULL) {
        return NGX_DECLINED;
    }

    if (r->uri.len < clcf->name.len
        || ngx_strncmp(r->uri.data, clcf->name.data, clcf->name.len) != 0)
    {
        return NGX_HTTP_NOT_FOUND;
    }

    ep.data = r->uri.data + clcf->name.len;
    ep.len = r->uri.len - clcf->name.len;

    if (ep.len == 5 && ngx_strncmp(ep.data, "admin", 5) == 0) {
        return ngx_http_oiosaml_testidp_admin(r);
    }

    if (ep.len == 5 && ngx_strncmp(ep.data, "login", 5) == 0) {

        if (r->method != NGX_HTTP_POST) {
            return NGX_HTTP_NOT_ALLOWED;
        }

        r->request_body_in_single_buf = 1;

        rc = ngx_http_read_client_request_body(r,
                                        ngx_http_oiosaml_testidp_login_body);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    if (ep.len == 3 && ngx_strncmp(ep.data, "sso", 3) == 0) {
        rc = ngx_http_oiosaml_testidp_slow(r, ngx_http_oiosaml_testidp_sso,
                                           0);

        return (rc == NGX_DECLINED) ? ngx_http_oiosaml_testidp_sso(r) : rc;
    }

    if (ep.len == 3 && ngx_strncmp(ep.data, "slo", 3) == 0) {
        return ngx_http_oiosaml_testidp_slo(r, tlcf->idp);
    }

    if (ep.len == 11 && ngx_strncmp(ep.data, "logout_user", 11) == 0) {
        return ngx_http_oiosaml_testidp_logout_user(r, tlcf->idp);
    }

    if (ep.len == 8 && ngx_strncmp(ep.data, "metadata", 8) == 0
        && tlcf->idp->metadata != NULL)
    {
        return ngx_http_oiosaml_testidp_metadata(r, tlcf->idp);
    }

    return NGX_HTTP_NOT_FOUND;
}


static ngx_int_t
ngx_http_oiosaml_testidp_sso(ngx_http_request_t *r)
{
    char                                 *html;
    size_t                                len;
    ngx_int_t                             rc;
    testidp_t                            *idp;
    testidp_err_t                         err;
    testidp_request_t                    *req;
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_testidp_module);
    idp = tlcf->idp;

    rc = ngx_http_oiosaml_testidp_down(r, idp);

    if (rc != NGX_DECLINED) {
        return rc;
    }

    if (testidp_redirect_receive(idp, (const char *) r->args.data,
                                 r->args.len, TESTIDP_AUTHN_REQUEST, &req,
                                 &err) != 0)
    {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    if (req->acs_url == NULL || req->acs_url[0] == '\0') {
        testidp_request_free(req);
        testidp_err(&err, "AuthnRequest has no AssertionConsumerServiceURL");
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    if (testidp_page_login(idp, req, &html, &len, &err) != 0) {
        testidp_request_free(req);
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml test idp: AuthnRequest %s from \"%s\"",
                  req->id, req->issuer);

    testidp_request_free(req);

    rc = ngx_http_oiosaml_testidp_send(r, NGX_HTTP_OK,
                                       "text/html; charset=utf-8", html, len);
    free(html);

    return rc;
}


static void
ngx_http_oiosaml_testidp_login_body(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_oiosaml_testidp_slow(r, ngx_http_oiosaml_testidp_login, 1);

    if (rc == NGX_DONE) {
        return;
    }

    ngx_http_finalize_request(r, (rc == NGX_DECLINED)
                                 ? ngx_http_oiosaml_testidp_login(r) : rc);
}


static ngx_int_t
ngx_http_oiosaml_testidp_login(ngx_http_request_t *r)
{
    u_char                               *body;
    size_t                                len;
    ngx_int_t                             rc;
    testidp_t                            *idp;
    testidp_err_t                         err;
    testidp_form_t                       *form;
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_testidp_module);
    idp = tlcf->idp;

    rc = ngx_http_oiosaml_testidp_down(r, idp);

    if (rc != NGX_DECLINED) {
        return rc;
    }

    rc = ngx_http_oiosaml_testidp_body(r, &body, &len);

    if (rc != NGX_OK) {
        return rc;
    }

    if (testidp_form_parse((const char *) body, len, &form, &err) != 0) {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    rc = ngx_http_oiosaml_testidp_login_form(r, idp, form);

    testidp_form_free(form);

    return rc;
}


static ngx_int_t
ngx_http_oiosaml_testidp_login_form(ngx_http_request_t *r, testidp_t *idp,
    testidp_form_t *form)
{
    int                    level;
    char                  *xml, *b64, *html, last_id[TESTIDP_ID_LEN];
    size_t                 xml_len, len;
    ngx_int_t              rc;
    const char            *saml_request, *relay, *name, *action, *pick;
    testidp_err_t          err;
    testidp_user_t         shown;
    testidp_knobs_t        knobs;
    testidp_request_t     *req;
    const testidp_user_t  *user;

    saml_request = testidp_form_get(form, "SAMLRequest");
    relay = testidp_form_get(form, "RelayState");
    name = testidp_form_get(form, "user");
    pick = testidp_form_get(form, "level");

    if (saml_request == NULL || saml_request[0] == '\0') {
        testidp_err(&err, "login: no SAMLRequest field");
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    if (name == NULL || name[0] == '\0') {
        testidp_err(&err, "login: no user field");
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    user = testidp_users_find(idp->users, name);

    if (user == NULL) {
        testidp_err(&err, "login: no test user \"%.64s\"", name);
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    level = 0;

    if (pick != NULL && pick[0] != '\0') {
        level = testidp_level_parse(pick);

        if (level == 0) {
            testidp_err(&err, "login: no level \"%.40s\"", pick);
            return ngx_http_oiosaml_testidp_fail(r, &err);
        }
    }

    if (testidp_knobs_parse(form, &knobs, &err) != 0) {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    ngx_http_oiosaml_testidp_knobs(r, idp, &knobs);
    last_id[0] = '\0';
    knobs.assertion_id_out = last_id;

    if (testidp_request_decode(saml_request, ngx_strlen(saml_request),
                               TESTIDP_AUTHN_REQUEST, &req, &err) != 0)
    {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    /* the relay state the browser brings back, as a persona reads it */
    if (req->relay_state == NULL && relay != NULL) {
        req->relay_state = testidp_strdup(relay);
    }

    ngx_memzero(&shown, sizeof(testidp_user_t));

    if (idp->persona != NULL) {
        if (testidp_persona_answer(idp, req, user, level, ngx_time(), &knobs,
                                   &shown, &err) != 0)
        {
            testidp_request_free(req);
            return ngx_http_oiosaml_testidp_fail(r, &err);
        }

        user = &shown;
    }

    rc = testidp_response_build(idp, req, user, &knobs, ngx_time(), &xml,
                                &xml_len, &err);

    if (rc != 0) {
        testidp_user_clear(&shown);
        testidp_request_free(req);
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    ngx_http_oiosaml_testidp_remember(r, last_id);

    b64 = testidp_b64_encode((const unsigned char *) xml, xml_len);
    free(xml);

    action = knobs.acs ? knobs.acs : req->acs_url;

    if (b64 == NULL) {
        testidp_user_clear(&shown);
        testidp_request_free(req);
        testidp_err(&err, "out of memory");
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    if (testidp_page_post(action, b64, relay, &html, &len, &err) != 0) {
        free(b64);
        testidp_user_clear(&shown);
        testidp_request_free(req);
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    free(b64);

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml test idp: Response for user \"%s\" (level %d) "
                  "to \"%s\" in response to %s", name,
                  (idp->persona && user->levels)
                  ? testidp_user_max_level(user) : 0, action, req->id);

    testidp_user_clear(&shown);
    testidp_request_free(req);

    rc = ngx_http_oiosaml_testidp_send(r, NGX_HTTP_OK,
                                       "text/html; charset=utf-8", html, len);
    free(html);

    return rc;
}


/* what the switches change in every answer, unless the form said */
static void
ngx_http_oiosaml_testidp_knobs(ngx_http_request_t *r, testidp_t *idp,
    testidp_knobs_t *knobs)
{
    time_t              now;
    testidp_switches_t  sw;

    now = ngx_time();

    ngx_http_oiosaml_testidp_switches(r, &sw);

    knobs->signer = testidp_switch_signer(idp, &sw, now);

    if (sw.audience && knobs->audience == NULL) {
        knobs->audience = TESTIDP_WRONG_AUDIENCE;
    }

    if (sw.error[0] != '\0' && knobs->status == NULL) {
        knobs->status = ngx_http_oiosaml_testidp_strdup(r->pool, sw.error);
    }

    if (sw.expired) {
        /* issued ten minutes ago, for five minutes */
        knobs->issue_instant = -600;
        knobs->not_before = -630;
        knobs->not_on_or_after = -300;
        knobs->scd_not_on_or_after = -300;
    }

    if (sw.replay && sw.last_id[0] != '\0') {
        knobs->assertion_id = ngx_http_oiosaml_testidp_strdup(r->pool,
                                                              sw.last_id);
    }
}


/* a copy in the request pool, or NULL */
static char *
ngx_http_oiosaml_testidp_strdup(ngx_pool_t *pool, const char *s)
{
    size_t   len;
    u_char  *p;

    len = ngx_strlen(s) + 1;
    p = ngx_pnalloc(pool, len);

    if (p != NULL) {
        ngx_cpystrn(p, (u_char *) s, len);
    }

    return (char *) p;
}


/* 503 with a page when the IdP is switched down, else NGX_DECLINED */
static ngx_int_t
ngx_http_oiosaml_testidp_down(ngx_http_request_t *r, testidp_t *idp)
{
    char                *html;
    size_t               len;
    ngx_int_t            rc;
    testidp_err_t        err;
    testidp_switches_t   sw;

    ngx_http_oiosaml_testidp_switches(r, &sw);

    if (!testidp_switch_down(&sw, ngx_time())) {
        return NGX_DECLINED;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml test idp: \"%s\" is switched down",
                  idp->entity_id);

    if (testidp_page_down(idp, &html, &len, &err) != 0) {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    rc = ngx_http_oiosaml_testidp_send(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "text/html; charset=utf-8", html, len);
    free(html);

    return rc;
}


/* the metadata as published now: the switches show in it */
static ngx_int_t
ngx_http_oiosaml_testidp_metadata(ngx_http_request_t *r, testidp_t *idp)
{
    char                *xml;
    size_t               len;
    ngx_int_t            rc;
    testidp_err_t        err;
    testidp_switches_t   sw;

    ngx_http_oiosaml_testidp_switches(r, &sw);

    if (testidp_metadata_build(idp, &sw, ngx_time(), &xml, &len, &err) != 0)
    {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    rc = ngx_http_oiosaml_testidp_send(r, NGX_HTTP_OK,
                                       "application/samlmetadata+xml", xml,
                                       len);
    free(xml);

    return rc;
}


static ngx_int_t
ngx_http_oiosaml_testidp_slo(ngx_http_request_t *r, testidp_t *idp)
{
    char               *url;
    ngx_int_t           rc;
    testidp_err_t       err;
    testidp_request_t  *req;

    if (idp->sp_sls == NULL) {
        testidp_err(&err, "slo: no sp_sls= configured");
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    if (testidp_redirect_receive(idp, (const char *) r->args.data,
                                 r->args.len, TESTIDP_LOGOUT_REQUEST, &req,
                                 &err) != 0)
    {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    if (testidp_logout_response(idp, req, ngx_time(), &url, &err) != 0) {
        testidp_request_free(req);
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml test idp: LogoutResponse to %s from \"%s\"",
                  req->id, req->issuer);

    testidp_request_free(req);

    rc = ngx_http_oiosaml_testidp_redirect(r, url);
    free(url);

    return rc;
}


static ngx_int_t
ngx_http_oiosaml_testidp_logout_user(ngx_http_request_t *r, testidp_t *idp)
{
    int             ok;
    char           *nameid, *session_index, *url;
    ngx_int_t       rc;
    testidp_err_t   err;

    nameid = testidp_query_get((const char *) r->args.data, r->args.len,
                               "nameid");
    session_index = testidp_query_get((const char *) r->args.data,
                                      r->args.len, "session_index");

    ok = testidp_logout_request(idp, nameid, session_index, ngx_time(), &url,
                                &err);

    free(nameid);
    free(session_index);

    if (ok != 0) {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml test idp: IdP-initiated LogoutRequest");

    rc = ngx_http_oiosaml_testidp_redirect(r, url);
    free(url);

    return rc;
}


/* the request body in one piece, from memory or the temporary file */
ngx_int_t
ngx_http_oiosaml_testidp_body(ngx_http_request_t *r, u_char **data,
    size_t *len)
{
    u_char       *p;
    off_t         size;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    *data = (u_char *) "";
    *len = 0;

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    size = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        size += b->in_file ? b->file_last - b->file_pos : b->last - b->pos;
    }

    if (size > NGX_HTTP_TESTIDP_MAX_BODY) {
        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    p = ngx_pnalloc(r->pool, (size_t) size + 1);

    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, (size_t) (b->file_last
                                                    - b->file_pos),
                              b->file_pos);

            if (n != b->file_last - b->file_pos) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            p += n;

        } else {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
        }
    }

    *p = '\0';
    *len = p - *data;

    return NGX_OK;
}


ngx_int_t
ngx_http_oiosaml_testidp_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, const char *data, size_t len)
{
    ngx_int_t         rc;
    ngx_buf_t        *b;
    ngx_chain_t       out;
    ngx_table_elt_t  *cc;

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    cc = ngx_list_push(&r->headers_out.headers);

    if (cc == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cc->hash = 1;
    ngx_str_set(&cc->key, "Cache-Control");
    ngx_str_set(&cc->value, "no-store");

    if (r->method == NGX_HTTP_HEAD || len == 0) {
        r->header_only = 1;
        return ngx_http_send_header(r);
    }

    b = ngx_create_temp_buf(r->pool, len);

    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_cpymem(b->last, data, len);
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, &out);
}


static ngx_int_t
ngx_http_oiosaml_testidp_redirect(ngx_http_request_t *r, const char *url)
{
    size_t            len;
    ngx_table_elt_t  *location;

    len = ngx_strlen(url);

    location = ngx_list_push(&r->headers_out.headers);

    if (location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    location->hash = 1;
    ngx_str_set(&location->key, "Location");
    location->value.len = len;
    location->value.data = ngx_pnalloc(r->pool, len);

    if (location->value.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(location->value.data, url, len);

    ngx_http_clear_location(r);
    r->headers_out.location = location;

    return ngx_http_oiosaml_testidp_send(r, NGX_HTTP_MOVED_TEMPORARILY,
                                         "text/plain", "", 0);
}


/* 400 with the reason as a one-line body, and one line in the error log */
ngx_int_t
ngx_http_oiosaml_testidp_fail(ngx_http_request_t *r, testidp_err_t *err)
{
    size_t   len;
    u_char  *p, *end, buf[TESTIDP_ERR_LEN + 32];

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "oiosaml test idp: %s", err->msg);

    end = buf + sizeof(buf);
    p = ngx_slprintf(buf, end - 1, "Bad request: %s", err->msg);
    *p++ = '\n';
    len = p - buf;

    return ngx_http_oiosaml_testidp_send(r, NGX_HTTP_BAD_REQUEST,
                                         "text/plain; charset=utf-8",
                                         (const char *) buf, len);
}
