
/*
 * ngx_http_oiosaml_module: OIOSAML 2/3 service provider in nginx.
 *
 * This file holds the module definition, the directive table, the
 * configuration create/merge functions and the phase registration.
 * Compound directives are parsed in ngx_http_oiosaml_conf.c.
 */


#include "ngx_http_oiosaml_module.h"


/* like ngx_conf_num_bounds_t, for seconds */
typedef struct {
    ngx_conf_post_handler_pt  post_handler;
    time_t                    low;
    time_t                    high;
} ngx_http_oiosaml_sec_bounds_t;


static void *ngx_http_oiosaml_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_oiosaml_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_oiosaml_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child);
static void *ngx_http_oiosaml_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_oiosaml_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_oiosaml_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_oiosaml_postconfiguration(ngx_conf_t *cf);
static char *ngx_http_oiosaml_check_sec(ngx_conf_t *cf, void *post,
    void *data);
static ngx_int_t ngx_http_oiosaml_module_init_process(ngx_cycle_t *cycle);


static ngx_conf_post_t  ngx_http_oiosaml_secret_post_handler = {
    ngx_http_oiosaml_secret_post
};

static ngx_http_oiosaml_sec_bounds_t  ngx_http_oiosaml_skew_bounds = {
    ngx_http_oiosaml_check_sec, 0, 900
};

static ngx_http_oiosaml_sec_bounds_t  ngx_http_oiosaml_request_bounds = {
    ngx_http_oiosaml_check_sec, 30, 3600
};

static ngx_http_oiosaml_sec_bounds_t  ngx_http_oiosaml_session_bounds = {
    ngx_http_oiosaml_check_sec, 5, 7 * 86400
};


static ngx_conf_enum_t  ngx_http_oiosaml_log_levels[] = {
    { ngx_string("error"), NGX_LOG_ERR },
    { ngx_string("warn"), NGX_LOG_WARN },
    { ngx_string("notice"), NGX_LOG_NOTICE },
    { ngx_string("info"), NGX_LOG_INFO },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_oiosaml_commands[] = {

    { ngx_string("oiosaml_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_oiosaml_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_store"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_oiosaml_store,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_sp"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE2,
      ngx_http_oiosaml_sp,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_sp_key"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE23,
      ngx_http_oiosaml_sp_key,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_idp"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_2MORE,
      ngx_http_oiosaml_idp,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_sp_attribute"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE12,
      ngx_http_oiosaml_spmeta_directive,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_sp_service_name"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE2,
      ngx_http_oiosaml_spmeta_directive,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_sp_organization"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE4,
      ngx_http_oiosaml_spmeta_directive,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_sp_contact"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_2MORE,
      ngx_http_oiosaml_spmeta_directive,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_cookie_secret"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, cookie_secret),
      &ngx_http_oiosaml_secret_post_handler },

    { ngx_string("oiosaml_clock_skew"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, skew),
      &ngx_http_oiosaml_skew_bounds },

    { ngx_string("oiosaml_request_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, request_lifetime),
      &ngx_http_oiosaml_request_bounds },

    { ngx_string("oiosaml_allow_unsolicited"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, allow_unsolicited),
      NULL },

    { ngx_string("oiosaml_choose_template"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, choose_template),
      NULL },

    { ngx_string("oiosaml_remember"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_oiosaml_remember,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, remember),
      NULL },

    { ngx_string("oiosaml_metadata_refresh"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_oiosaml_time_or_off,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, metadata_refresh),
      NULL },

    { ngx_string("oiosaml_cert_warn"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_oiosaml_time_or_off,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, cert_warn),
      NULL },

    { ngx_string("oiosaml_status"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_1MORE,
      ngx_http_oiosaml_addr_list,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, status),
      NULL },

    { ngx_string("oiosaml_bootstrap_fetch"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_1MORE,
      ngx_http_oiosaml_addr_list,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, bootstrap),
      NULL },

    { ngx_string("oiosaml_strip_headers"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, strip_headers),
      NULL },

    { ngx_string("oiosaml_session_cookie"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, session_cookie),
      NULL },

    { ngx_string("oiosaml_session_idle"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, session_idle),
      &ngx_http_oiosaml_session_bounds },

    { ngx_string("oiosaml_session_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, session_lifetime),
      &ngx_http_oiosaml_session_bounds },

    { ngx_string("oiosaml_log_level"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, log_level),
      &ngx_http_oiosaml_log_levels },

    { ngx_string("oiosaml_debug"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, debug),
      NULL },

    { ngx_string("oiosaml_header_prefix"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_srv_conf_t, header_prefix),
      NULL },

    { ngx_string("oiosaml"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_loc_conf_t, enable),
      NULL },

    { ngx_string("oiosaml_bootstrap_token"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_oiosaml_loc_conf_t, bootstrap),
      NULL },

    { ngx_string("oiosaml_require_loa"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_oiosaml_require_loa,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_require_role"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_oiosaml_require_role,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_role_scope"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_oiosaml_role_scope,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_require_constraint"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_oiosaml_require_constraint,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_role_loa"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_oiosaml_role_loa,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_role_label"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_oiosaml_role_label,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_role_log"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_oiosaml_role_log,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_login_limit"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE12,
      ngx_http_oiosaml_login_limit,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("oiosaml_headers"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_oiosaml_headers,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_oiosaml_module_ctx = {
    ngx_http_oiosaml_preconfiguration,     /* preconfiguration */
    ngx_http_oiosaml_postconfiguration,    /* postconfiguration */

    ngx_http_oiosaml_create_main_conf,     /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_http_oiosaml_create_srv_conf,      /* create server configuration */
    ngx_http_oiosaml_merge_srv_conf,       /* merge server configuration */

    ngx_http_oiosaml_create_loc_conf,      /* create location configuration */
    ngx_http_oiosaml_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_oiosaml_module = {
    NGX_MODULE_V1,
    &ngx_http_oiosaml_module_ctx,          /* module context */
    ngx_http_oiosaml_commands,             /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_oiosaml_module_init_process,  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_oiosaml_store_exit_process,   /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_oiosaml_create_main_conf(ngx_conf_t *cf)
{
    return ngx_pcalloc(cf->pool, sizeof(ngx_http_oiosaml_main_conf_t));
}


static void *
ngx_http_oiosaml_create_srv_conf(ngx_conf_t *cf)
{
    ngx_http_oiosaml_srv_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_oiosaml_srv_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->entity_id = { 0, NULL };
     *     conf->url = { 0, NULL };
     *     conf->cookie_secret = { 0, NULL };
     *     conf->session_cookie = { 0, NULL };
     *     conf->header_prefix = { 0, NULL };
     *     conf->sp = NULL;
     */

    conf->keys = NGX_CONF_UNSET_PTR;
    conf->idps = NGX_CONF_UNSET_PTR;
    conf->spmeta = NGX_CONF_UNSET_PTR;
    conf->skew = NGX_CONF_UNSET;
    conf->request_lifetime = NGX_CONF_UNSET;
    conf->allow_unsolicited = NGX_CONF_UNSET;
    conf->session_idle = NGX_CONF_UNSET;
    conf->session_lifetime = NGX_CONF_UNSET;
    conf->log_level = NGX_CONF_UNSET_UINT;
    conf->debug = NGX_CONF_UNSET;
    conf->login_limit = NGX_CONF_UNSET_UINT;
    conf->login_window = NGX_CONF_UNSET;
    conf->remember = NGX_CONF_UNSET;
    conf->metadata_refresh = NGX_CONF_UNSET;
    conf->cert_warn = NGX_CONF_UNSET;
    conf->status = NGX_CONF_UNSET_PTR;
    conf->bootstrap = NGX_CONF_UNSET_PTR;
    conf->strip_headers = NGX_CONF_UNSET;

    return conf;
}


static char *
ngx_http_oiosaml_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_oiosaml_srv_conf_t *prev = parent;
    ngx_http_oiosaml_srv_conf_t *conf = child;

    ngx_conf_merge_sec_value(conf->session_idle, prev->session_idle, 1800);
    ngx_conf_merge_sec_value(conf->session_lifetime, prev->session_lifetime,
                             8 * 3600);
    ngx_conf_merge_uint_value(conf->log_level, prev->log_level,
                              NGX_LOG_WARN);
    ngx_conf_merge_value(conf->debug, prev->debug, 0);
    ngx_conf_merge_uint_value(conf->login_limit, prev->login_limit, 5);
    ngx_conf_merge_sec_value(conf->login_window, prev->login_window, 60);
    ngx_conf_merge_sec_value(conf->remember, prev->remember, 30 * 86400);
    ngx_conf_merge_sec_value(conf->metadata_refresh, prev->metadata_refresh,
                             300);
    ngx_conf_merge_sec_value(conf->cert_warn, prev->cert_warn, 30 * 86400);
    if (ngx_http_oiosaml_addr_merge(cf, &conf->status, &prev->status, 1)
        != NGX_CONF_OK
        || ngx_http_oiosaml_addr_merge(cf, &conf->bootstrap,
                                       &prev->bootstrap, 0)
           != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    ngx_conf_merge_value(conf->strip_headers, prev->strip_headers, 1);

    return ngx_http_oiosaml_merge_sp(cf, prev, conf);
}


static void *
ngx_http_oiosaml_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_oiosaml_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_oiosaml_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->enable = NGX_CONF_UNSET;
    conf->headers = NGX_CONF_UNSET_UINT;
    conf->require_loa = NGX_CONF_UNSET_UINT;
    conf->bootstrap = NGX_CONF_UNSET;

    ngx_http_oiosaml_init_policy(conf);

    return conf;
}


static char *
ngx_http_oiosaml_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_oiosaml_loc_conf_t *prev = parent;
    ngx_http_oiosaml_loc_conf_t *conf = child;

    ngx_http_oiosaml_srv_conf_t  *oscf;

    /* first: a role requirement turns oiosaml on */
    if (ngx_http_oiosaml_merge_policy(cf, prev, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_uint_value(conf->headers, prev->headers,
                              NGX_HTTP_OIOSAML_HEADERS_ALL);
    ngx_conf_merge_uint_value(conf->require_loa, prev->require_loa,
                              OIOSAML_LOA_LOW);
    ngx_conf_merge_value(conf->bootstrap, prev->bootstrap, 0);

    if (conf->bootstrap) {
        oscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_oiosaml_module);

        if (oscf->bootstrap == NGX_CONF_UNSET_PTR
            || oscf->bootstrap->nelts == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"oiosaml_bootstrap_token on\" needs "
                               "\"oiosaml_bootstrap_fetch\" in the server: "
                               "the addresses that may fetch the token");
            return NGX_CONF_ERROR;
        }
    }

    if (conf->enable) {
        oscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_oiosaml_module);

        /* checked again at merge of the server; here for a clear line */
        if (oscf->entity_id.len == 0 && oscf->sp == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"oiosaml on\" needs \"oiosaml_sp\" in the "
                               "http or server block");
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_oiosaml_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_oiosaml_add_variables(cf);
}


static ngx_int_t
ngx_http_oiosaml_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_POST_READ_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_oiosaml_strip_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_oiosaml_access_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PRECONTENT_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_oiosaml_precontent_handler;

    return NGX_OK;
}


static char *
ngx_http_oiosaml_check_sec(ngx_conf_t *cf, void *post, void *data)
{
    ngx_http_oiosaml_sec_bounds_t  *b = post;
    time_t                         *sp = data;

    if (*sp < b->low || *sp > b->high) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "value must be between %T and %T seconds",
                           b->low, b->high);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* a worker starts: its connection to the store, the upkeep timers */
static ngx_int_t
ngx_http_oiosaml_module_init_process(ngx_cycle_t *cycle)
{
    if (ngx_http_oiosaml_store_init_process(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_oiosaml_init_process(cycle);
}
