
/*
 * Compound directives (oiosaml_sp, oiosaml_sp_key, oiosaml_idp) and the
 * build of the library's SP object at merge time, so that "nginx -t"
 * reports bad keys and metadata.
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_store.h"


static ngx_int_t ngx_http_oiosaml_sp_local(ngx_http_oiosaml_srv_conf_t *c);
static char *ngx_http_oiosaml_build_sp(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf);
static void ngx_http_oiosaml_merge_sp_values(
    ngx_http_oiosaml_srv_conf_t *prev, ngx_http_oiosaml_srv_conf_t *conf);
static void ngx_http_oiosaml_sp_cleanup(void *data);
static char *ngx_http_oiosaml_conf_error(ngx_conf_t *cf, ngx_str_t *file,
    ngx_uint_t line, const char *what, ngx_str_t *name, oiosaml_err_t *err);
static void ngx_http_oiosaml_check_private(ngx_conf_t *cf, ngx_str_t *file,
    ngx_uint_t line, const char *what, const char *path);
static char *ngx_http_oiosaml_path(ngx_conf_t *cf, ngx_str_t *path);
static char *ngx_http_oiosaml_cstr(ngx_conf_t *cf, ngx_str_t *s);
static void ngx_http_oiosaml_conf_cert_warnings(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf, time_t now);
static char *ngx_http_oiosaml_entity_set(ngx_conf_t *cf, ngx_array_t *idps,
    ngx_uint_t index, ngx_str_t *entity);
static ngx_str_t *ngx_http_oiosaml_entity_get(ngx_conf_t *cf,
    ngx_array_t *idps, ngx_uint_t index);
static void ngx_http_oiosaml_entity_cleanup(void *data);


/*
 * entity= of the oiosaml_idp lines, until the SP is built at merge time:
 * one list per configuration cycle (in its pool), keyed by a level's IdP
 * array and the line's index in it.
 */
typedef struct {
    ngx_array_t                  *idps;
    ngx_uint_t                    index;
    ngx_str_t                     entity;
} ngx_http_oiosaml_entity_t;

typedef struct {
    ngx_pool_t                   *pool;
    ngx_array_t                   list;     /* ngx_http_oiosaml_entity_t */
} ngx_http_oiosaml_entities_t;

static ngx_http_oiosaml_entities_t  *ngx_http_oiosaml_entities;


#define ngx_http_oiosaml_opt(v, name)                                        \
    ((v)->len > sizeof(name) - 1                                             \
     && ngx_strncmp((v)->data, name, sizeof(name) - 1) == 0)


char *
ngx_http_oiosaml_sp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_srv_conf_t *oscf = conf;

    ngx_str_t  *value;

    if (oscf->entity_id.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (!ngx_http_oiosaml_opt(&value[2], "url=")) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "expected \"url=https://HOST/PREFIX/\" after the "
                           "entityID, got \"%V\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    oscf->entity_id = value[1];
    oscf->url.data = value[2].data + 4;
    oscf->url.len = value[2].len - 4;
    oscf->sp_file = cf->conf_file->file.name;
    oscf->sp_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


char *
ngx_http_oiosaml_sp_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_srv_conf_t *oscf = conf;

    ngx_str_t                    *value;
    ngx_http_oiosaml_key_conf_t  *k;

    value = cf->args->elts;

    if (oscf->keys == NGX_CONF_UNSET_PTR) {
        oscf->keys = ngx_array_create(cf->pool, 2,
                                      sizeof(ngx_http_oiosaml_key_conf_t));
        if (oscf->keys == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    k = ngx_array_push(oscf->keys);
    if (k == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(k, sizeof(ngx_http_oiosaml_key_conf_t));

    k->key = value[1];
    k->cert = value[2];
    k->file = cf->conf_file->file.name;
    k->line = cf->conf_file->line;

    if (cf->args->nelts == 4) {
        if (!ngx_http_oiosaml_opt(&value[3], "from=")
            || oiosaml_parse_time((char *) value[3].data + 5,
                                  value[3].len - 5, &k->from) != OIOSAML_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid \"%V\", expected "
                               "from=YYYY-MM-DDTHH:MM:SSZ", &value[3]);
            return NGX_CONF_ERROR;
        }
    }

    if (ngx_conf_full_name(cf->cycle, &k->key, 1) != NGX_OK
        || ngx_conf_full_name(cf->cycle, &k->cert, 1) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


char *
ngx_http_oiosaml_idp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_srv_conf_t *oscf = conf;

    ngx_str_t                    *value, v;
    ngx_uint_t                    i;
    ngx_http_oiosaml_idp_conf_t  *idp;

    value = cf->args->elts;

    if (oscf->idps == NGX_CONF_UNSET_PTR) {
        oscf->idps = ngx_array_create(cf->pool, 4,
                                      sizeof(ngx_http_oiosaml_idp_conf_t));
        if (oscf->idps == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    idp = ngx_array_push(oscf->idps);
    if (idp == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(idp, sizeof(ngx_http_oiosaml_idp_conf_t));

    idp->id = value[1];
    idp->profile = OIOSAML_PROFILE_OIOSAML3;
    idp->signed_part = OIOSAML_SIGNED_ASSERTION;
    idp->file = cf->conf_file->file.name;
    idp->line = cf->conf_file->line;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_http_oiosaml_opt(&value[i], "metadata=")) {
            idp->metadata.data = value[i].data + 9;
            idp->metadata.len = value[i].len - 9;

            if (ngx_conf_full_name(cf->cycle, &idp->metadata, 1) != NGX_OK) {
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "profile=")) {
            v.data = value[i].data + 8;
            v.len = value[i].len - 8;

            if (oiosaml_profile_parse((char *) v.data, v.len, &idp->profile)
                != OIOSAML_OK)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "unknown profile \"%V\", use one of "
                                   "oiosaml2, oiosaml2-adfs-multipleauthn, "
                                   "oiosaml2-no-loa, oiosaml3, "
                                   "oiosaml3-adfs-multipleauthn, "
                                   "oiosaml3-adfs-relaystate", &v);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "label=")) {
            idp->label.data = value[i].data + 6;
            idp->label.len = value[i].len - 6;
            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "signed=")) {
            v.data = value[i].data + 7;
            v.len = value[i].len - 7;

            if (oiosaml_signed_parse((char *) v.data, v.len,
                                     &idp->signed_part)
                != OIOSAML_OK)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\", use signed=assertion, "
                                   "response, either or both", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "max_loa=")) {
            if (oiosaml_loa_parse((char *) value[i].data + 8,
                                  value[i].len - 8, &idp->max_loa)
                != OIOSAML_OK)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\", use low, substantial, "
                                   "high or nist1 to nist4", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "high_nist=")) {
            idp->high_nist = ngx_atoi(value[i].data + 10, value[i].len - 10);

            if (idp->high_nist != 3 && idp->high_nist != 4) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\", use high_nist=3 or 4",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "backup=")) {
            idp->backup.data = value[i].data + 7;
            idp->backup.len = value[i].len - 7;
            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "replaces=")) {
            idp->replaces.data = value[i].data + 9;
            idp->replaces.len = value[i].len - 9;
            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "ip=")) {
            idp->ip.data = value[i].data + 3;
            idp->ip.len = value[i].len - 3;
            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "next_cert=")) {
            idp->next_cert.data = value[i].data + 10;
            idp->next_cert.len = value[i].len - 10;

            if (ngx_conf_full_name(cf->cycle, &idp->next_cert, 1) != NGX_OK)
            {
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "entity=")) {
            v.data = value[i].data + 7;
            v.len = value[i].len - 7;

            if (ngx_http_oiosaml_entity_set(cf, oscf->idps,
                                            oscf->idps->nelts - 1, &v)
                != NGX_CONF_OK)
            {
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "metadata_signer=")) {
            idp->metadata_signer.data = value[i].data + 16;
            idp->metadata_signer.len = value[i].len - 16;

            if (ngx_conf_full_name(cf->cycle, &idp->metadata_signer, 1)
                != NGX_OK)
            {
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "from=")
            || ngx_http_oiosaml_opt(&value[i], "next_from="))
        {
            v.data = ngx_strlchr(value[i].data,
                                 value[i].data + value[i].len, '=') + 1;
            v.len = value[i].data + value[i].len - v.data;

            if (oiosaml_parse_time((char *) v.data, v.len, &idp->next_from)
                != OIOSAML_OK)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\", expected "
                                   "from=YYYY-MM-DDTHH:MM:SSZ", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_oiosaml_opt(&value[i], "cert_grace=")) {
            v.data = value[i].data + 11;
            v.len = value[i].len - 11;
            idp->cert_grace = ngx_parse_time(&v, 1);

            if (idp->cert_grace == (time_t) NGX_ERROR
                || idp->cert_grace > 90 * 86400)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\" (at most 90d)",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_strcmp(value[i].data, "down") == 0) {
            idp->down = 1;
            continue;
        }

        if (ngx_strcmp(value[i].data, "allow_sha1") == 0) {
            idp->allow_sha1 = 1;
            continue;
        }

        if (ngx_strcmp(value[i].data, "require_encryption") == 0) {
            idp->require_encryption = 1;
            continue;
        }

        if (ngx_strcmp(value[i].data, "hidden") == 0) {
            idp->hidden = 1;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown oiosaml_idp parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (idp->metadata.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "oiosaml_idp \"%V\" needs metadata=FILE", &idp->id);
        return NGX_CONF_ERROR;
    }

    if (idp->next_from != 0 && idp->next_cert.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "oiosaml_idp \"%V\": from= belongs to next_cert=",
                           &idp->id);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * Certificates that expire soon are worth a line at "nginx -t", at the
 * line of the directive that brought them: oiosaml_sp_key, oiosaml_idp.
 */
static void
ngx_http_oiosaml_conf_cert_warnings(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf, time_t now)
{
    size_t                         k;
    ngx_str_t                      saved_name;
    ngx_uint_t                     i, saved_line;
    oiosaml_cert_info_t            info;
    const oiosaml_idp_t           *idp;
    ngx_http_oiosaml_key_conf_t   *keys;
    ngx_http_oiosaml_idp_conf_t   *idps;

    if (conf->cert_warn == 0) {
        return;
    }

    saved_name = cf->conf_file->file.name;
    saved_line = cf->conf_file->line;

    keys = conf->keys->elts;

    for (k = 0; k < oiosaml_sp_key_count(conf->sp); k++) {
        oiosaml_sp_key_info(conf->sp, k, &info);

        if (info.not_after - now >= conf->cert_warn) {
            continue;
        }

        if (k < conf->keys->nelts) {
            cf->conf_file->file.name = keys[k].file;
            cf->conf_file->line = keys[k].line;
        }

        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "oiosaml_sp_key: our certificate \"%s\" %s %T "
                           "days", info.subject,
                           info.not_after < now ? "has EXPIRED, since"
                                                : "expires in",
                           (info.not_after < now ? now - info.not_after
                                                 : info.not_after - now)
                           / 86400);
    }

    idps = conf->idps->elts;

    for (i = 0; i < conf->idps->nelts; i++) {
        idp = oiosaml_sp_idp_by_id(conf->sp, (char *) idps[i].id.data,
                                   idps[i].id.len);
        if (idp == NULL) {
            continue;
        }

        cf->conf_file->file.name = idps[i].file;
        cf->conf_file->line = idps[i].line;

        for (k = 0; k < oiosaml_idp_cert_count(idp); k++) {
            oiosaml_idp_cert_info(idp, k, &info);

            if (info.not_after < now) {
                ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                                   "oiosaml_idp \"%s\": %s certificate "
                                   "\"%s\" has EXPIRED", oiosaml_idp_id(idp),
                                   info.use, info.subject);

            } else if (info.not_after - now < conf->cert_warn) {
                ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                                   "oiosaml_idp \"%s\": %s certificate "
                                   "\"%s\" expires in %T days",
                                   oiosaml_idp_id(idp), info.use,
                                   info.subject,
                                   (info.not_after - now) / 86400);
            }
        }
    }

    cf->conf_file->file.name = saved_name;
    cf->conf_file->line = saved_line;
}


char *
ngx_http_oiosaml_merge_sp(ngx_conf_t *cf, ngx_http_oiosaml_srv_conf_t *prev,
    ngx_http_oiosaml_srv_conf_t *conf)
{
    char  *rc;

    /*
     * A server without SP directives of its own shares the SP built for
     * the http level, built once here for all such servers.
     */

    if (!ngx_http_oiosaml_sp_local(conf)) {

        if (prev->sp == NULL && prev->prefix.data == NULL) {
            ngx_http_oiosaml_merge_sp_values(NULL, prev);

            rc = ngx_http_oiosaml_build_sp(cf, prev);
            if (rc != NGX_CONF_OK) {
                return rc;
            }
        }

        conf->entity_id = prev->entity_id;
        conf->url = prev->url;
        conf->keys = prev->keys;
        conf->idps = prev->idps;
        conf->cookie_secret = prev->cookie_secret;
        conf->secret_file = prev->secret_file;
        conf->secret_line = prev->secret_line;
        conf->skew = prev->skew;
        conf->request_lifetime = prev->request_lifetime;
        conf->allow_unsolicited = prev->allow_unsolicited;
        conf->session_cookie = prev->session_cookie;
        conf->header_prefix = prev->header_prefix;
        conf->choose_template = prev->choose_template;
        conf->spmeta = prev->spmeta;
        conf->sp = prev->sp;
        conf->prefix = prev->prefix;
        conf->origin = prev->origin;
        conf->strip = prev->strip;
        conf->secure = prev->secure;
        conf->rec = prev->rec;
        ngx_memcpy(conf->hnames, prev->hnames, sizeof(conf->hnames));
        ngx_memcpy(conf->hlower, prev->hlower, sizeof(conf->hlower));
        ngx_memcpy(conf->hhash, prev->hhash, sizeof(conf->hhash));

        return NGX_CONF_OK;
    }

    ngx_http_oiosaml_merge_sp_values(prev, conf);

    return ngx_http_oiosaml_build_sp(cf, conf);
}


static ngx_int_t
ngx_http_oiosaml_sp_local(ngx_http_oiosaml_srv_conf_t *c)
{
    return c->entity_id.data != NULL
           || c->keys != NGX_CONF_UNSET_PTR
           || c->idps != NGX_CONF_UNSET_PTR
           || c->cookie_secret.data != NULL
           || c->skew != NGX_CONF_UNSET
           || c->request_lifetime != NGX_CONF_UNSET
           || c->allow_unsolicited != NGX_CONF_UNSET
           || c->session_cookie.data != NULL
           || c->header_prefix.data != NULL
           || c->choose_template.data != NULL
           || c->spmeta != NGX_CONF_UNSET_PTR;
}


static void
ngx_http_oiosaml_merge_sp_values(ngx_http_oiosaml_srv_conf_t *prev,
    ngx_http_oiosaml_srv_conf_t *conf)
{
    ngx_http_oiosaml_srv_conf_t  none;

    if (prev == NULL) {
        ngx_memzero(&none, sizeof(none));
        none.keys = NGX_CONF_UNSET_PTR;
        none.idps = NGX_CONF_UNSET_PTR;
        none.spmeta = NGX_CONF_UNSET_PTR;
        none.skew = NGX_CONF_UNSET;
        none.request_lifetime = NGX_CONF_UNSET;
        none.allow_unsolicited = NGX_CONF_UNSET;
        none.metadata_refresh = NGX_CONF_UNSET;
        none.cert_warn = NGX_CONF_UNSET;
        none.session_idle = NGX_CONF_UNSET;
        none.session_lifetime = NGX_CONF_UNSET;
        none.remember = NGX_CONF_UNSET;
        none.login_limit = NGX_CONF_UNSET_UINT;
        none.login_window = NGX_CONF_UNSET;
        none.status = NGX_CONF_UNSET_PTR;
        none.log_level = NGX_CONF_UNSET_UINT;
        none.debug = NGX_CONF_UNSET;
        prev = &none;
    }

    if (conf->entity_id.data == NULL) {
        conf->entity_id = prev->entity_id;
        conf->url = prev->url;
        conf->sp_file = prev->sp_file;
        conf->sp_line = prev->sp_line;
    }

    ngx_conf_merge_ptr_value(conf->keys, prev->keys, NULL);
    ngx_conf_merge_ptr_value(conf->idps, prev->idps, NULL);
    ngx_conf_merge_ptr_value(conf->spmeta, prev->spmeta, NULL);
    if (conf->cookie_secret.data == NULL) {
        conf->secret_file = prev->secret_file;
        conf->secret_line = prev->secret_line;
    }

    ngx_conf_merge_str_value(conf->cookie_secret, prev->cookie_secret, "");
    ngx_conf_merge_sec_value(conf->skew, prev->skew, 180);
    ngx_conf_merge_sec_value(conf->request_lifetime, prev->request_lifetime,
                             600);
    ngx_conf_merge_value(conf->allow_unsolicited, prev->allow_unsolicited,
                         0);
    ngx_conf_merge_str_value(conf->session_cookie, prev->session_cookie, "");
    ngx_conf_merge_str_value(conf->header_prefix, prev->header_prefix,
                             NGX_HTTP_OIOSAML_HEADER_PREFIX);
    ngx_conf_merge_str_value(conf->choose_template, prev->choose_template,
                             "");

    /* the SP's upkeep reads these when it is built */
    ngx_conf_merge_sec_value(conf->metadata_refresh, prev->metadata_refresh,
                             300);
    ngx_conf_merge_sec_value(conf->cert_warn, prev->cert_warn, 30 * 86400);
}


static char *
ngx_http_oiosaml_build_sp(ngx_conf_t *cf, ngx_http_oiosaml_srv_conf_t *conf)
{
    char                          *entity_id, *url, *path;
    time_t                         now;
    ngx_uint_t                     i;
    oiosaml_err_t                  err;
    oiosaml_sp_t                  *sp;
    oiosaml_idp_t                 *idp;
    ngx_str_t                     *entity;
    ngx_pool_cleanup_t            *cln;
    oiosaml_idp_conf_t             ic;
    oiosaml_status_t               rc;
    ngx_http_oiosaml_key_conf_t   *keys;
    ngx_http_oiosaml_idp_conf_t   *idps;
    ngx_http_oiosaml_main_conf_t  *omcf;

    /* an empty marker: "built, nothing to build" */
    conf->prefix.data = (u_char *) "";
    conf->prefix.len = 0;

    if (ngx_http_oiosaml_strip_list(cf, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if (conf->entity_id.len == 0) {
        if (conf->keys != NULL || conf->idps != NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "oiosaml_sp_key or oiosaml_idp without "
                               "oiosaml_sp");
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    omcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_oiosaml_module);

    if (omcf->shm_zone == NULL) {
        return ngx_http_oiosaml_conf_error(cf, &conf->sp_file, conf->sp_line,
                                           "oiosaml_sp", &conf->entity_id,
                                           NULL);
    }

    oiosaml_err_clear(&err);

    if (omcf->redis != NULL && conf->cookie_secret.len == 0) {
        oiosaml_err_set(&err, OIOSAML_ERR_CONFIG, "the Redis store "
                        "(oiosaml_store) needs oiosaml_cookie_secret: the "
                        "same secret file on every node seals the sessions");
        return ngx_http_oiosaml_conf_error(cf, &conf->sp_file, conf->sp_line,
                                           "oiosaml_sp", &conf->entity_id,
                                           &err);
    }

    if (oiosaml_global_init(&err) != OIOSAML_OK) {
        return ngx_http_oiosaml_conf_error(cf, &conf->sp_file, conf->sp_line,
                                           "oiosaml_sp", &conf->entity_id,
                                           &err);
    }

    entity_id = ngx_http_oiosaml_cstr(cf, &conf->entity_id);
    url = ngx_http_oiosaml_cstr(cf, &conf->url);

    if (entity_id == NULL || url == NULL) {
        return NGX_CONF_ERROR;
    }

    rc = oiosaml_sp_new(entity_id, url, &sp, &err);
    if (rc != OIOSAML_OK) {
        return ngx_http_oiosaml_conf_error(cf, &conf->sp_file, conf->sp_line,
                                           "oiosaml_sp", &conf->entity_id,
                                           &err);
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        oiosaml_sp_free(sp);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_oiosaml_sp_cleanup;
    cln->data = sp;

    now = ngx_time();

    if (conf->keys == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "oiosaml_sp \"%V\" has no oiosaml_sp_key",
                           &conf->entity_id);
        return NGX_CONF_ERROR;
    }

    keys = conf->keys->elts;

    for (i = 0; i < conf->keys->nelts; i++) {
        ngx_http_oiosaml_check_private(cf, &keys[i].file, keys[i].line,
                                       "oiosaml_sp_key",
                                       (char *) keys[i].key.data);

        rc = oiosaml_sp_add_key(sp, (char *) keys[i].key.data,
                                (char *) keys[i].cert.data, keys[i].from,
                                &err);
        if (rc != OIOSAML_OK) {
            return ngx_http_oiosaml_conf_error(cf, &keys[i].file,
                                               keys[i].line, "oiosaml_sp_key",
                                               &keys[i].key, &err);
        }
    }

    if (conf->idps == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "oiosaml_sp \"%V\" has no oiosaml_idp",
                           &conf->entity_id);
        return NGX_CONF_ERROR;
    }

    idps = conf->idps->elts;

    for (i = 0; i < conf->idps->nelts; i++) {
        ngx_memzero(&ic, sizeof(ic));

        ic.id = ngx_http_oiosaml_cstr(cf, &idps[i].id);
        ic.metadata_file = (char *) idps[i].metadata.data;
        ic.label = idps[i].label.len
                   ? ngx_http_oiosaml_cstr(cf, &idps[i].label) : NULL;
        ic.profile = idps[i].profile;
        ic.signed_part = idps[i].signed_part;
        ic.max_loa = idps[i].max_loa;
        ic.high_nist = idps[i].high_nist;
        ic.backup = idps[i].backup.len
                    ? ngx_http_oiosaml_cstr(cf, &idps[i].backup) : NULL;
        ic.replaces = idps[i].replaces.len
                      ? ngx_http_oiosaml_cstr(cf, &idps[i].replaces) : NULL;
        ic.ip = idps[i].ip.len ? ngx_http_oiosaml_cstr(cf, &idps[i].ip)
                               : NULL;
        ic.down = idps[i].down;
        ic.next_cert = idps[i].next_cert.len
                       ? (char *) idps[i].next_cert.data : NULL;
        ic.next_from = idps[i].next_from;
        ic.cert_grace = idps[i].cert_grace;
        ic.metadata_signer = idps[i].metadata_signer.len
                             ? (char *) idps[i].metadata_signer.data : NULL;
        ic.allow_sha1 = idps[i].allow_sha1;
        ic.require_encryption = idps[i].require_encryption;
        ic.hidden = idps[i].hidden;

        entity = ngx_http_oiosaml_entity_get(cf, conf->idps, i);
        ic.entity = entity ? ngx_http_oiosaml_cstr(cf, entity) : NULL;

        if ((idps[i].backup.len && ic.backup == NULL)
            || (entity != NULL && ic.entity == NULL)
            || (idps[i].replaces.len && ic.replaces == NULL)
            || (idps[i].ip.len && ic.ip == NULL))
        {
            return NGX_CONF_ERROR;
        }

        if (ic.id == NULL) {
            return NGX_CONF_ERROR;
        }

        rc = oiosaml_idp_new(&ic, now, &idp, &err);
        if (rc == OIOSAML_OK) {
            rc = oiosaml_sp_add_idp(sp, idp, &err);
        }

        if (rc != OIOSAML_OK) {
            return ngx_http_oiosaml_conf_error(cf, &idps[i].file,
                                               idps[i].line, "oiosaml_idp",
                                               &idps[i].id, &err);
        }
    }

    /* backup= and replaces=, at the line of the IdP that names them */
    for (i = 0; i < conf->idps->nelts; i++) {
        if (oiosaml_sp_check_idp(sp, oiosaml_sp_idp_by_id(sp,
                                         (char *) idps[i].id.data,
                                         idps[i].id.len), &err)
            != OIOSAML_OK)
        {
            return ngx_http_oiosaml_conf_error(cf, &idps[i].file,
                                               idps[i].line, "oiosaml_idp",
                                               &idps[i].id, &err);
        }
    }

    if (conf->cookie_secret.len) {
        path = ngx_http_oiosaml_path(cf, &conf->cookie_secret);
        if (path == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_http_oiosaml_check_private(cf, &conf->secret_file,
                                       conf->secret_line,
                                       "oiosaml_cookie_secret", path);

        rc = oiosaml_sp_set_cookie_secret(sp, path, &err);
        if (rc != OIOSAML_OK) {
            return ngx_http_oiosaml_conf_error(cf, &conf->secret_file,
                                               conf->secret_line,
                                               "oiosaml_cookie_secret",
                                               &conf->cookie_secret, &err);
        }
    }

    if (conf->choose_template.len) {
        path = ngx_http_oiosaml_path(cf, &conf->choose_template);
        if (path == NULL) {
            return NGX_CONF_ERROR;
        }

        rc = oiosaml_sp_set_choice_template(sp, path, &err);
        if (rc != OIOSAML_OK) {
            return ngx_http_oiosaml_conf_error(cf, &conf->sp_file,
                                               conf->sp_line,
                                               "oiosaml_choose_template",
                                               &conf->choose_template, &err);
        }
    }

    if (ngx_http_oiosaml_spmeta_apply(cf, conf, sp) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    oiosaml_sp_set_skew(sp, conf->skew);
    oiosaml_sp_set_request_lifetime(sp, conf->request_lifetime);
    oiosaml_sp_set_allow_unsolicited(sp, conf->allow_unsolicited);

    rc = oiosaml_sp_finish(sp, now, &err);
    if (rc != OIOSAML_OK) {
        return ngx_http_oiosaml_conf_error(cf, &conf->sp_file, conf->sp_line,
                                           "oiosaml_sp", &conf->entity_id,
                                           &err);
    }

    conf->sp = sp;

    if (ngx_http_oiosaml_register_sp(cf, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_http_oiosaml_conf_cert_warnings(cf, conf, now);

    conf->prefix.data = (u_char *) oiosaml_sp_prefix(sp);
    conf->prefix.len = ngx_strlen(conf->prefix.data);
    conf->origin.data = (u_char *) url;
    conf->origin.len = conf->url.len - conf->prefix.len;
    conf->secure = (ngx_strncmp(url, "https://", 8) == 0);

    if (conf->session_cookie.len == 0) {
        ngx_str_set(&conf->session_cookie, "oiosaml");

        if (conf->secure) {
            ngx_str_set(&conf->session_cookie, "__Host-oiosaml");
        }
    }

    return ngx_http_oiosaml_header_names(cf, conf);
}


static void
ngx_http_oiosaml_sp_cleanup(void *data)
{
    oiosaml_sp_free(data);
}


static char *
ngx_http_oiosaml_entity_set(ngx_conf_t *cf, ngx_array_t *idps,
    ngx_uint_t index, ngx_str_t *entity)
{
    ngx_pool_cleanup_t           *cln;
    ngx_http_oiosaml_entity_t    *e;
    ngx_http_oiosaml_entities_t  *all;

    if (ngx_http_oiosaml_entity_get(cf, idps, index) != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "oiosaml_idp parameter \"entity=\" is duplicate");
        return NGX_CONF_ERROR;
    }

    all = ngx_http_oiosaml_entities;

    if (all == NULL || all->pool != cf->pool) {
        all = ngx_palloc(cf->pool, sizeof(ngx_http_oiosaml_entities_t));
        cln = ngx_pool_cleanup_add(cf->pool, 0);

        if (all == NULL || cln == NULL
            || ngx_array_init(&all->list, cf->pool, 4,
                              sizeof(ngx_http_oiosaml_entity_t))
               != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        all->pool = cf->pool;
        cln->handler = ngx_http_oiosaml_entity_cleanup;
        cln->data = all;
        ngx_http_oiosaml_entities = all;
    }

    e = ngx_array_push(&all->list);
    if (e == NULL) {
        return NGX_CONF_ERROR;
    }

    e->idps = idps;
    e->index = index;
    e->entity = *entity;

    return NGX_CONF_OK;
}


static ngx_str_t *
ngx_http_oiosaml_entity_get(ngx_conf_t *cf, ngx_array_t *idps,
    ngx_uint_t index)
{
    ngx_uint_t                    i;
    ngx_http_oiosaml_entity_t    *e;
    ngx_http_oiosaml_entities_t  *all;

    all = ngx_http_oiosaml_entities;

    if (all == NULL || all->pool != cf->pool) {
        return NULL;
    }

    e = all->list.elts;

    for (i = 0; i < all->list.nelts; i++) {
        if (e[i].idps == idps && e[i].index == index) {
            return &e[i].entity;
        }
    }

    return NULL;
}


/* the cycle's pool goes: so does its list */
static void
ngx_http_oiosaml_entity_cleanup(void *data)
{
    if (ngx_http_oiosaml_entities == data) {
        ngx_http_oiosaml_entities = NULL;
    }
}


/* logs with the file and line of the directive that caused the error */
static char *
ngx_http_oiosaml_conf_error(ngx_conf_t *cf, ngx_str_t *file, ngx_uint_t line,
    const char *what, ngx_str_t *name, oiosaml_err_t *err)
{
    ngx_str_t   saved_name;
    ngx_uint_t  saved_line;

    saved_name = cf->conf_file->file.name;
    saved_line = cf->conf_file->line;

    if (file != NULL && file->len) {
        cf->conf_file->file.name = *file;
        cf->conf_file->line = line;
    }

    if (err == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%s \"%V\" needs an \"oiosaml_zone\" in the http "
                           "block", what, name);

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s \"%V\": %s", what, name,
                           err->text[0] ? err->text
                                        : oiosaml_strerror(err->status));
    }

    cf->conf_file->file.name = saved_name;
    cf->conf_file->line = saved_line;

    return NGX_CONF_ERROR;
}


/* oiosaml_cookie_secret: where it was set, for the messages about it */
char *
ngx_http_oiosaml_secret_post(ngx_conf_t *cf, void *post, void *data)
{
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = (ngx_http_oiosaml_srv_conf_t *)
               ((u_char *) data
                - offsetof(ngx_http_oiosaml_srv_conf_t, cookie_secret));

    oscf->secret_file = cf->conf_file->file.name;
    oscf->secret_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


/*
 * A private key or secret that other users can read is worth a warning
 * at "nginx -t" (nginx reads it as root; the workers never need to).
 */
static void
ngx_http_oiosaml_check_private(ngx_conf_t *cf, ngx_str_t *file,
    ngx_uint_t line, const char *what, const char *path)
{
    ngx_str_t        saved_name;
    ngx_uint_t       saved_line, mode;
    ngx_file_info_t  fi;

    if (ngx_file_info(path, &fi) == NGX_FILE_ERROR
        || (ngx_file_access(&fi) & 0077) == 0)
    {
        return;
    }

    saved_name = cf->conf_file->file.name;
    saved_line = cf->conf_file->line;

    if (file != NULL && file->len) {
        cf->conf_file->file.name = *file;
        cf->conf_file->line = line;
    }

    mode = ngx_file_access(&fi);

    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "%s: \"%s\" can be read by %s (mode 0%ui%ui%ui): "
                       "\"chmod 600\" it, owned by root",
                       what, path, (mode & 0007) ? "every user" : "its group",
                       (mode >> 6) & 7, (mode >> 3) & 7, mode & 7);

    cf->conf_file->file.name = saved_name;
    cf->conf_file->line = saved_line;
}


static char *
ngx_http_oiosaml_path(ngx_conf_t *cf, ngx_str_t *path)
{
    ngx_str_t  full;

    full = *path;

    if (ngx_conf_full_name(cf->cycle, &full, 1) != NGX_OK) {
        return NULL;
    }

    return (char *) full.data;
}


/* a NUL-terminated copy in the configuration pool */
static char *
ngx_http_oiosaml_cstr(ngx_conf_t *cf, ngx_str_t *s)
{
    u_char  *p;

    p = ngx_pnalloc(cf->pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s->data, s->len);
    p[s->len] = '\0';

    return (char *) p;
}
