
/*
 * Directives of one value and its options: oiosaml_require_loa,
 * oiosaml_login_limit, oiosaml_remember and the "time | off" ones.
 */


#include "ngx_http_oiosaml_module.h"


char *
ngx_http_oiosaml_require_loa(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_loc_conf_t *olcf = conf;

    ngx_str_t      *value;
    oiosaml_loa_t   loa;

    if (olcf->require_loa != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (oiosaml_loa_parse((char *) value[1].data, value[1].len, &loa)
        != OIOSAML_OK || (value[1].len == 1))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid level \"%V\", use low, substantial, high "
                           "or nist1 to nist4", &value[1]);
        return NGX_CONF_ERROR;
    }

    olcf->require_loa = loa;

    return NGX_CONF_OK;
}


char *
ngx_http_oiosaml_login_limit(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_srv_conf_t *oscf = conf;

    ngx_int_t    n;
    ngx_str_t   *value;

    if (oscf->login_limit != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0 && cf->args->nelts == 2) {
        oscf->login_limit = 0;
        oscf->login_window = 60;
        return NGX_CONF_OK;
    }

    n = ngx_atoi(value[1].data, value[1].len);
    if (n < 1 || n > 1000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid number of logins \"%V\" (1 to 1000, or "
                           "off)", &value[1]);
        return NGX_CONF_ERROR;
    }

    oscf->login_limit = n;
    oscf->login_window = 60;

    if (cf->args->nelts == 3) {
        oscf->login_window = ngx_parse_time(&value[2], 1);

        if (oscf->login_window == (time_t) NGX_ERROR
            || oscf->login_window < 1 || oscf->login_window > 86400)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid time \"%V\" (1s to 1d)", &value[2]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* a time, or off (0): oiosaml_metadata_refresh, oiosaml_cert_warn */
char *
ngx_http_oiosaml_time_or_off(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    time_t     *t;
    ngx_str_t  *value;

    t = (time_t *) (p + cmd->offset);

    if (*t != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        *t = 0;
        return NGX_CONF_OK;
    }

    *t = ngx_parse_time(&value[1], 1);

    if (*t == (time_t) NGX_ERROR || *t < 1) {
        return "invalid value";
    }

    return NGX_CONF_OK;
}


/* oiosaml_remember 30d | off */
char *
ngx_http_oiosaml_remember(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_srv_conf_t *oscf = conf;

    ngx_str_t  *value;

    if (oscf->remember != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        oscf->remember = 0;
        return NGX_CONF_OK;
    }

    oscf->remember = ngx_parse_time(&value[1], 1);

    if (oscf->remember == (time_t) NGX_ERROR || oscf->remember < 60
        || oscf->remember > 400 * 86400)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid time \"%V\" (1m to 400d, or off)",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
