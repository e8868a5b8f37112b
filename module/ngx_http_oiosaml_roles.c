
/*
 * Role-based access: the oiosaml_require_role family of directives, the
 * policy they build at configuration time, and the check on the request
 * path.  The check reads the session's compact privileges (compiled once
 * at login by the library): no XML, no allocation.
 */


#include "ngx_http_oiosaml_module.h"


static void ngx_http_oiosaml_role_audit(ngx_http_request_t *r,
    ngx_http_oiosaml_loc_conf_t *olcf, ngx_http_oiosaml_session_t *s,
    const char *decision, oiosaml_access_t *access);
static ngx_uint_t ngx_http_oiosaml_log_level(ngx_str_t *name);


/* oiosaml_require_role URI ... [any|all] | off */
char *
ngx_http_oiosaml_require_role(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_loc_conf_t *olcf = conf;

    ngx_str_t    *value;
    ngx_uint_t    i, n;
    const char  **role;

    if (olcf->roles != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    n = cf->args->nelts;

    olcf->roles = ngx_array_create(cf->pool, n, sizeof(const char *));
    if (olcf->roles == NULL) {
        return NGX_CONF_ERROR;
    }

    if (n == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        /* no role check here, whatever the enclosing block says */
        return NGX_CONF_OK;
    }

    olcf->roles_all = 0;

    if (ngx_strcmp(value[n - 1].data, "all") == 0) {
        olcf->roles_all = 1;
        n--;

    } else if (ngx_strcmp(value[n - 1].data, "any") == 0) {
        n--;
    }

    if (n < 2) {
        return "needs at least one role URI";
    }

    for (i = 1; i < n; i++) {
        if (value[i].len == 0 || value[i].len > 2048
            || ngx_strlchr(value[i].data, value[i].data + value[i].len, '\n')
            || ngx_strlchr(value[i].data, value[i].data + value[i].len, '\r'))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid role \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        if (ngx_strstr(value[i].data, "://") == NULL
            && ngx_strncmp(value[i].data, "urn:", 4) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "role \"%V\" is not a URI, such as "
                               "\"http://kombit.dk/roles/usersystemrole/"
                               "name/1\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        role = ngx_array_push(olcf->roles);
        if (role == NULL) {
            return NGX_CONF_ERROR;
        }

        /* configuration arguments end in NUL */
        *role = (const char *) value[i].data;
    }

    return NGX_CONF_OK;
}


/* oiosaml_role_scope user_cvr | any | URN */
char *
ngx_http_oiosaml_role_scope(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_loc_conf_t *olcf = conf;

    ngx_str_t  *value;

    if (olcf->role_scope != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "user_cvr") == 0) {
        olcf->role_scope = OIOSAML_SCOPE_USER_CVR;

    } else if (ngx_strcmp(value[1].data, "any") == 0) {
        olcf->role_scope = OIOSAML_SCOPE_ANY;

    } else if (ngx_strncmp(value[1].data, "urn:", 4) == 0
               && value[1].len > 4)
    {
        olcf->role_scope = OIOSAML_SCOPE_FIXED;
        olcf->role_scope_urn = value[1];

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid scope \"%V\", use user_cvr, any or a "
                           "URN such as \"urn:dk:gov:saml:"
                           "cvrNumberIdentifier:12345678\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* oiosaml_require_constraint NAME VALUE, repeatable: all must be met */
char *
ngx_http_oiosaml_require_constraint(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_oiosaml_loc_conf_t *olcf = conf;

    ngx_str_t             *value;
    oiosaml_constraint_t  *c;

    value = cf->args->elts;

    if (value[1].len == 0 || value[2].len == 0
        || ngx_strlchr(value[2].data, value[2].data + value[2].len, ',')
        || ngx_strlchr(value[2].data, value[2].data + value[2].len, '*'))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid constraint \"%V\" \"%V\": the value is "
                           "one value the user must be allowed, such as a "
                           "KLE number \"32.30\", without \"*\" or \",\"",
                           &value[1], &value[2]);
        return NGX_CONF_ERROR;
    }

    if (olcf->constraints == NGX_CONF_UNSET_PTR) {
        olcf->constraints = ngx_array_create(cf->pool, 2,
                                             sizeof(oiosaml_constraint_t));
        if (olcf->constraints == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    c = ngx_array_push(olcf->constraints);
    if (c == NULL) {
        return NGX_CONF_ERROR;
    }

    c->name = (const char *) value[1].data;
    c->value = (const char *) value[2].data;

    return NGX_CONF_OK;
}


/* oiosaml_role_loa URI LEVEL, repeatable */
char *
ngx_http_oiosaml_role_loa(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_loc_conf_t *olcf = conf;

    ngx_str_t           *value;
    ngx_uint_t           i;
    oiosaml_loa_t        loa;
    oiosaml_role_loa_t  *rl;

    value = cf->args->elts;

    if (value[2].len == 1
        || oiosaml_loa_parse((char *) value[2].data, value[2].len, &loa)
           != OIOSAML_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid level \"%V\", use low, substantial, high "
                           "or nist1 to nist4", &value[2]);
        return NGX_CONF_ERROR;
    }

    if (olcf->role_loas == NGX_CONF_UNSET_PTR) {
        olcf->role_loas = ngx_array_create(cf->pool, 2,
                                           sizeof(oiosaml_role_loa_t));
        if (olcf->role_loas == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    rl = olcf->role_loas->elts;

    for (i = 0; i < olcf->role_loas->nelts; i++) {
        if (ngx_strcmp(rl[i].role, value[1].data) == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate oiosaml_role_loa for \"%V\"",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    rl = ngx_array_push(olcf->role_loas);
    if (rl == NULL) {
        return NGX_CONF_ERROR;
    }

    rl->role = (const char *) value[1].data;
    rl->loa = loa;

    return NGX_CONF_OK;
}


/* oiosaml_role_label URI "text shown on the denial page" */
char *
ngx_http_oiosaml_role_label(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_loc_conf_t *olcf = conf;

    ngx_str_t                      *value;
    ngx_http_oiosaml_role_label_t  *l;

    value = cf->args->elts;

    if (value[2].len == 0 || value[2].len > 200) {
        return "needs a label of 1 to 200 bytes";
    }

    if (olcf->labels == NGX_CONF_UNSET_PTR) {
        olcf->labels = ngx_array_create(cf->pool, 4,
                                  sizeof(ngx_http_oiosaml_role_label_t));
        if (olcf->labels == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    l = ngx_array_push(olcf->labels);
    if (l == NULL) {
        return NGX_CONF_ERROR;
    }

    l->role = value[1];
    l->label = value[2];

    return NGX_CONF_OK;
}


/* oiosaml_role_log LEVEL [ALLOW_LEVEL] | off */
char *
ngx_http_oiosaml_role_log(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_loc_conf_t *olcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   i, level[2] = { 0, 0 };

    if (olcf->role_log_deny != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        level[i - 1] = ngx_http_oiosaml_log_level(&value[i]);

        if (level[i - 1] == NGX_CONF_UNSET_UINT) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid log level \"%V\", use error, warn, "
                               "notice, info or off", &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    olcf->role_log_deny = level[0];
    olcf->role_log_allow = (cf->args->nelts == 3) ? level[1] : level[0];

    return NGX_CONF_OK;
}


static ngx_uint_t
ngx_http_oiosaml_log_level(ngx_str_t *name)
{
    ngx_uint_t  i;

    static const struct {
        const char  *name;
        ngx_uint_t   level;
    } levels[] = {
        { "off", 0 },
        { "error", NGX_LOG_ERR },
        { "warn", NGX_LOG_WARN },
        { "notice", NGX_LOG_NOTICE },
        { "info", NGX_LOG_INFO },
    };

    for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (ngx_strcmp(name->data, levels[i].name) == 0) {
            return levels[i].level;
        }
    }

    return NGX_CONF_UNSET_UINT;
}


void
ngx_http_oiosaml_init_policy(ngx_http_oiosaml_loc_conf_t *olcf)
{
    olcf->roles = NGX_CONF_UNSET_PTR;
    olcf->roles_all = NGX_CONF_UNSET;
    olcf->role_scope = NGX_CONF_UNSET;
    olcf->constraints = NGX_CONF_UNSET_PTR;
    olcf->role_loas = NGX_CONF_UNSET_PTR;
    olcf->labels = NGX_CONF_UNSET_PTR;
    olcf->role_log_deny = NGX_CONF_UNSET_UINT;
    olcf->role_log_allow = NGX_CONF_UNSET_UINT;
}


/*
 * Like other nginx directives, each one is inherited when a block does
 * not set it; a repeatable one (constraints, levels, labels) is inherited
 * as a whole.  oiosaml_require_role in a block turns oiosaml on there,
 * unless the same block says "oiosaml off": a role check without a login
 * would be no check at all.
 */
char *
ngx_http_oiosaml_merge_policy(ngx_conf_t *cf,
    ngx_http_oiosaml_loc_conf_t *prev, ngx_http_oiosaml_loc_conf_t *conf)
{
    ngx_uint_t          i;
    oiosaml_policy_t   *p;
    oiosaml_role_loa_t *rl;

    /* the http level is only ever a parent: settle it here */
    if (prev->enable == NGX_CONF_UNSET && prev->roles != NGX_CONF_UNSET_PTR
        && prev->roles->nelts > 0)
    {
        prev->enable = 1;
    }

    if (conf->enable == NGX_CONF_UNSET && conf->roles != NGX_CONF_UNSET_PTR
        && conf->roles->nelts > 0)
    {
        conf->enable = 1;
    }

    if (conf->roles == NGX_CONF_UNSET_PTR) {
        conf->roles = prev->roles;
        conf->roles_all = prev->roles_all;
    }

    ngx_conf_merge_ptr_value(conf->roles, prev->roles, NULL);
    ngx_conf_merge_value(conf->roles_all, prev->roles_all, 0);
    ngx_conf_merge_value(conf->role_scope, prev->role_scope,
                         OIOSAML_SCOPE_USER_CVR);

    if (conf->role_scope_urn.data == NULL) {
        conf->role_scope_urn = prev->role_scope_urn;
    }

    ngx_conf_merge_ptr_value(conf->constraints, prev->constraints, NULL);
    ngx_conf_merge_ptr_value(conf->role_loas, prev->role_loas, NULL);
    ngx_conf_merge_ptr_value(conf->labels, prev->labels, NULL);
    ngx_conf_merge_uint_value(conf->role_log_deny, prev->role_log_deny,
                              NGX_LOG_WARN);
    ngx_conf_merge_uint_value(conf->role_log_allow, prev->role_log_allow,
                              NGX_LOG_INFO);

    p = &conf->policy;
    ngx_memzero(p, sizeof(oiosaml_policy_t));

    if (conf->roles == NULL || conf->roles->nelts == 0) {
        return NGX_CONF_OK;
    }

    p->roles = conf->roles->elts;
    p->nroles = conf->roles->nelts;
    p->all = conf->roles_all ? 1 : 0;
    p->scope = (oiosaml_scope_t) conf->role_scope;
    p->scope_value = (const char *) conf->role_scope_urn.data;

    if (conf->constraints != NULL) {
        p->constraints = conf->constraints->elts;
        p->nconstraints = conf->constraints->nelts;
    }

    if (conf->role_loas != NULL) {
        p->role_loas = conf->role_loas->elts;
        p->nrole_loas = conf->role_loas->nelts;

        /* a level above what the location asks of every user */
        rl = conf->role_loas->elts;

        for (i = 0; i < conf->role_loas->nelts; i++) {
            if (rl[i].loa == OIOSAML_LOA_NONE) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "oiosaml_role_loa \"%s\" has no level",
                                   rl[i].role);
                return NGX_CONF_ERROR;
            }
        }
    }

    return NGX_CONF_OK;
}


/*
 * NGX_DECLINED: allowed, go on; NGX_DONE: denied, the page was sent and
 * the request ended; otherwise an HTTP status (the step-up redirect).
 */
ngx_int_t
ngx_http_oiosaml_role_check(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_loc_conf_t *olcf,
    ngx_http_oiosaml_session_t *s, const oiosaml_idp_t *idp)
{
    ngx_int_t            rc;
    ngx_str_t           *priv, *cvr;
    oiosaml_access_t     access;
    oiosaml_decision_t   d;

    if (olcf->policy.nroles == 0) {
        return NGX_DECLINED;
    }

    priv = &s->fields[OIOSAML_F_PRIVILEGES];
    cvr = &s->fields[OIOSAML_F_CVR];

    d = oiosaml_policy_check(&olcf->policy, (const char *) priv->data,
                             priv->len, (const char *) cvr->data, cvr->len,
                             idp, s->loa, &access);

    switch (d) {

    case OIOSAML_ACCESS_ALLOW:
        ngx_http_oiosaml_role_audit(r, olcf, s, "allow", &access);
        return NGX_DECLINED;

    case OIOSAML_ACCESS_STEP_UP:

        if (oiosaml_idp_can_reach(idp, access.step_up) == OIOSAML_OK) {
            ngx_http_oiosaml_role_audit(r, olcf, s, "step_up", &access);
            return ngx_http_oiosaml_login_redirect(r, oscf,
                                                   oiosaml_idp_id(idp),
                                                   access.step_up);
        }

        ngx_http_oiosaml_role_audit(r, olcf, s, "deny_loa", &access);
        break;

    case OIOSAML_ACCESS_MALFORMED:
        ngx_http_oiosaml_role_audit(r, olcf, s, "deny_privileges",
                                    &access);
        break;

    default:
        ngx_http_oiosaml_role_audit(r, olcf, s, "deny_role", &access);
        break;
    }

    if (d == OIOSAML_ACCESS_STEP_UP) {
        /* the role needs a level that the user's IdP cannot give */
        rc = ngx_http_oiosaml_loa_page(r, oscf, access.step_up, s->loa);

    } else {
        rc = ngx_http_oiosaml_role_page(r, oscf, olcf, &access);
    }

    return ngx_http_oiosaml_deny(r, rc);
}


/*
 * One line per decision: who, where, which role and what came of it.
 * The privileges themselves are not logged; nginx adds the request.
 */
static void
ngx_http_oiosaml_role_audit(ngx_http_request_t *r,
    ngx_http_oiosaml_loc_conf_t *olcf, ngx_http_oiosaml_session_t *s,
    const char *decision, oiosaml_access_t *access)
{
    ngx_str_t                  role;
    ngx_uint_t                 level;
    const char                *what;
    ngx_http_core_loc_conf_t  *clcf;

    level = (access->decision == OIOSAML_ACCESS_ALLOW
             || (access->decision == OIOSAML_ACCESS_STEP_UP
                 && decision[0] == 's'))
            ? olcf->role_log_allow : olcf->role_log_deny;

    if (level == 0 || r->connection->log->log_level < level) {
        return;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    switch (access->decision) {

    case OIOSAML_ACCESS_ALLOW:
        what = "matched";
        role.data = (u_char *) access->role;
        break;

    case OIOSAML_ACCESS_STEP_UP:
        what = "needs_level";
        role.data = (u_char *) access->role;
        break;

    case OIOSAML_ACCESS_MALFORMED:
        /* "!<reason>": the reason found at login */
        what = "reason";
        role = s->fields[OIOSAML_F_PRIVILEGES];
        role.data++;
        role.len--;
        break;

    default:
        what = "missing";
        role.data = (u_char *) access->missing;
        break;
    }

    if (access->decision != OIOSAML_ACCESS_MALFORMED) {
        role.len = role.data ? ngx_strlen(role.data) : 0;
    }

    ngx_log_error(level, r->connection->log, 0,
                  "oiosaml: role: %s: user=\"%V\" idp=\"%V\" cvr=\"%V\" "
                  "location=\"%V\" %s=\"%V\" level=%s%s%s",
                  decision, &s->fields[OIOSAML_F_USER],
                  &s->fields[OIOSAML_F_IDP], &s->fields[OIOSAML_F_CVR],
                  &clcf->name, what, &role, oiosaml_loa_name(s->loa),
                  access->step_up ? " required=" : "",
                  access->step_up ? oiosaml_loa_name(access->step_up) : "");
}
