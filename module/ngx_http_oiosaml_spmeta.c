
/*
 * What our metadata tells a federation beyond keys and endpoints: the
 * attributes we ask for, the service's name, the organization and its
 * contacts (oiosaml_sp_attribute, oiosaml_sp_service_name,
 * oiosaml_sp_organization, oiosaml_sp_contact).  The directives are kept
 * as written and handed to the library when the SP is built, so that
 * every error names its line; then the warnings an operator onboarding at
 * NemLog-in3 or the Context Handler wants at "nginx -t".
 */


#include "ngx_http_oiosaml_module.h"


/* one directive, as written: its name first */
typedef struct {
    const char              **words;
    ngx_uint_t                n;
    ngx_str_t                 file;
    ngx_uint_t                line;
} ngx_http_oiosaml_md_line_t;


static char *ngx_http_oiosaml_md_error(ngx_conf_t *cf, ngx_uint_t level,
    ngx_str_t *file, ngx_uint_t line, const char *fmt, const char *a,
    const char *b);


/*
 * oiosaml_sp_attribute URI [required];
 * oiosaml_sp_service_name LANG "name";
 * oiosaml_sp_organization LANG "name" "display name" URL;
 * oiosaml_sp_contact TYPE EMAIL [company=...] [name=...] [phone=...];
 */
char *
ngx_http_oiosaml_spmeta_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_oiosaml_srv_conf_t *oscf = conf;

    ngx_str_t                   *value;
    ngx_uint_t                   i;
    ngx_http_oiosaml_md_line_t  *l;

    if (oscf->spmeta == NGX_CONF_UNSET_PTR) {
        oscf->spmeta = ngx_array_create(cf->pool, 8,
                                        sizeof(ngx_http_oiosaml_md_line_t));
        if (oscf->spmeta == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    l = ngx_array_push(oscf->spmeta);
    if (l == NULL) {
        return NGX_CONF_ERROR;
    }

    /* the words are NUL-terminated and live as long as the configuration */
    value = cf->args->elts;
    l->n = cf->args->nelts;
    l->file = cf->conf_file->file.name;
    l->line = cf->conf_file->line;

    l->words = ngx_palloc(cf->pool, l->n * sizeof(const char *));
    if (l->words == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < l->n; i++) {
        l->words[i] = (const char *) value[i].data;
    }

    return NGX_CONF_OK;
}


/*
 * Hands the directives to the library (before oiosaml_sp_finish()), and
 * warns about what the federations ask for and the configuration lacks.
 */
char *
ngx_http_oiosaml_spmeta_apply(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf, oiosaml_sp_t *sp)
{
    ngx_uint_t                   i;
    oiosaml_err_t                err;
    ngx_http_oiosaml_md_line_t  *l;

    oiosaml_err_clear(&err);

    l = (conf->spmeta != NULL) ? conf->spmeta->elts : NULL;

    for (i = 0; conf->spmeta != NULL && i < conf->spmeta->nelts; i++) {

        if (oiosaml_sp_metadata_option(sp, l[i].words[0], l[i].words + 1,
                                       l[i].n - 1, &err)
            != OIOSAML_OK)
        {
            return ngx_http_oiosaml_md_error(cf, NGX_LOG_EMERG, &l[i].file,
                                             l[i].line, "%s: %s",
                                             l[i].words[0], err.text);
        }
    }

    if (!oiosaml_sp_has_contact(sp, "technical")) {
        (void) ngx_http_oiosaml_md_error(cf, NGX_LOG_WARN, &conf->sp_file,
                                         conf->sp_line,
                                         "oiosaml_sp \"%s\": no technical "
                                         "contact in our metadata%s; "
                                         "NemLog-in3 asks for one "
                                         "(oiosaml_sp_contact technical "
                                         "EMAIL)",
                                         oiosaml_sp_entity_id(sp), "");
    }

    if (ngx_strncmp(conf->entity_id.data, "https://saml.", 13) != 0) {
        (void) ngx_http_oiosaml_md_error(cf, NGX_LOG_WARN, &conf->sp_file,
                                         conf->sp_line,
                                         "oiosaml_sp \"%s\": NemLog-in3 "
                                         "wants an entityID that starts "
                                         "with \"https://saml.\" and the "
                                         "SP's domain%s",
                                         oiosaml_sp_entity_id(sp),
                                         ", e.g. https://saml.app.kommune.dk");
    }

    return NGX_CONF_OK;
}


/* a message at the line of the directive it is about */
static char *
ngx_http_oiosaml_md_error(ngx_conf_t *cf, ngx_uint_t level, ngx_str_t *file,
    ngx_uint_t line, const char *fmt, const char *a, const char *b)
{
    ngx_str_t   saved_name;
    ngx_uint_t  saved_line;

    saved_name = cf->conf_file->file.name;
    saved_line = cf->conf_file->line;

    if (file != NULL && file->len) {
        cf->conf_file->file.name = *file;
        cf->conf_file->line = line;
    }

    ngx_conf_log_error(level, cf, 0, fmt, a, b);

    cf->conf_file->file.name = saved_name;
    cf->conf_file->line = saved_line;

    return NGX_CONF_ERROR;
}
