
/*
 * The identity headers: their names (built once per server at merge), the
 * oiosaml_headers directive that picks which a location sends, setting
 * them for the upstream, and dropping client-sent copies as soon as a
 * request is read, in every server.
 */


#include "ngx_http_oiosaml_module.h"


#define ngx_http_oiosaml_alnum(c)                                            \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z')               \
     || ((c) >= '0' && (c) <= '9'))


static ngx_uint_t ngx_http_oiosaml_has_prefix(u_char *name,
    ngx_str_t *prefix);


/* the identity headers: the configured prefix and these names */
static const char  *ngx_http_oiosaml_header_suffix[OIOSAML_F_MAX] = {
    "User",             /* OIOSAML_F_USER */
    "NameID-Format",    /* OIOSAML_F_NAMEID_FORMAT */
    "IdP",              /* OIOSAML_F_IDP */
    "LoA",              /* OIOSAML_F_LOA */
    "CVR",              /* OIOSAML_F_CVR */
    "Name",             /* OIOSAML_F_NAME */
    "Email",            /* OIOSAML_F_EMAIL */
    "Org",              /* OIOSAML_F_ORG */
    "UUID",             /* OIOSAML_F_UUID */
    "RID",              /* OIOSAML_F_RID */
    "Spec",             /* OIOSAML_F_SPEC */
    NULL,               /* OIOSAML_F_SESSION_INDEX: kept for logout */
    NULL,               /* OIOSAML_F_PRIVILEGES: see Roles */
    "Attributes",       /* OIOSAML_F_ATTRIBUTES */
    "Roles",            /* OIOSAML_F_ROLES */
    "Constraints",      /* OIOSAML_F_CONSTRAINTS */
    NULL,               /* OIOSAML_F_BOOTSTRAP: a reference, when asked */
};


/* oiosaml_headers on | off | name ...: the identity headers sent upstream */
char *
ngx_http_oiosaml_headers(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_loc_conf_t *olcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   i, f, mask;

    if (olcf->headers != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "on") == 0) {
        olcf->headers = NGX_HTTP_OIOSAML_HEADERS_ALL;
        return NGX_CONF_OK;
    }

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) {
        olcf->headers = 0;
        return NGX_CONF_OK;
    }

    mask = 0;

    for (i = 1; i < cf->args->nelts; i++) {

        for (f = 0; f < OIOSAML_F_MAX; f++) {
            if (ngx_http_oiosaml_header_suffix[f] != NULL
                && ngx_strlen(ngx_http_oiosaml_header_suffix[f])
                   == value[i].len
                && ngx_strncasecmp(value[i].data,
                       (u_char *) ngx_http_oiosaml_header_suffix[f],
                       value[i].len)
                   == 0)
            {
                break;
            }
        }

        if (f == OIOSAML_F_MAX) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown identity header \"%V\" (on, off, "
                               "or any of user, nameid-format, idp, loa, "
                               "cvr, name, email, org, uuid, rid, spec, "
                               "attributes, roles, constraints)", &value[i]);
            return NGX_CONF_ERROR;
        }

        if (mask & (1 << f)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "identity header \"%V\" named twice",
                               &value[i]);
            return NGX_CONF_ERROR;
        }

        mask |= 1 << f;
    }

    olcf->headers = mask;

    return NGX_CONF_OK;
}


/*
 * The prefixes whose client-sent copies are dropped: ours and the
 * configured one, lowercase; for every server, with or without an SP,
 * so that no server behind the same backends passes a forged identity.
 */
char *
ngx_http_oiosaml_strip_list(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf)
{
    u_char      *p;
    ngx_str_t   *s;
    ngx_uint_t   i;

    conf->strip = ngx_array_create(cf->pool, 2, sizeof(ngx_str_t));
    if (conf->strip == NULL) {
        return NGX_CONF_ERROR;
    }

    s = ngx_array_push(conf->strip);
    if (s == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_str_set(s, "x-oiosaml-");

    if (ngx_strncasecmp(conf->header_prefix.data,
                        (u_char *) NGX_HTTP_OIOSAML_HEADER_PREFIX,
                        conf->header_prefix.len) != 0
        || conf->header_prefix.len != sizeof(NGX_HTTP_OIOSAML_HEADER_PREFIX)
                                      - 1)
    {
        s = ngx_array_push(conf->strip);
        if (s == NULL) {
            return NGX_CONF_ERROR;
        }

        s->len = conf->header_prefix.len;
        s->data = ngx_pnalloc(cf->pool, s->len);
        if (s->data == NULL) {
            return NGX_CONF_ERROR;
        }

        for (p = s->data, i = 0; i < s->len; i++) {
            *p++ = ngx_tolower(conf->header_prefix.data[i]);
        }
    }

    return NGX_CONF_OK;
}


char *
ngx_http_oiosaml_header_names(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf)
{
    size_t      len;
    u_char     *p;
    ngx_uint_t  i;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        if (ngx_http_oiosaml_header_suffix[i] == NULL) {
            ngx_str_null(&conf->hnames[i]);
            ngx_str_null(&conf->hlower[i]);
            continue;
        }

        len = conf->header_prefix.len
              + ngx_strlen(ngx_http_oiosaml_header_suffix[i]);

        p = ngx_pnalloc(cf->pool, len * 2);
        if (p == NULL) {
            return NGX_CONF_ERROR;
        }

        conf->hnames[i].data = p;
        conf->hnames[i].len = len;
        p = ngx_cpymem(p, conf->header_prefix.data, conf->header_prefix.len);
        p = ngx_cpymem(p, ngx_http_oiosaml_header_suffix[i],
                       len - conf->header_prefix.len);

        conf->hlower[i].data = p;
        conf->hlower[i].len = len;
        ngx_strlow(p, conf->hnames[i].data, len);
        conf->hhash[i] = ngx_hash_key(p, len);
    }

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_oiosaml_strip_handler(ngx_http_request_t *r)
{
    ngx_str_t                    *prefix;
    ngx_uint_t                    i, j, n, found;
    ngx_list_part_t              *part, first;
    ngx_table_elt_t              *h, *nh;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);

    if (!oscf->strip_headers || oscf->strip == NULL) {
        return NGX_DECLINED;
    }

    prefix = oscf->strip->elts;
    n = oscf->strip->nelts;
    found = 0;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        for (j = 0; j < n; j++) {
            if (h[i].key.len >= prefix[j].len
                && ngx_http_oiosaml_has_prefix(h[i].lowcase_key, &prefix[j]))
            {
                found++;
                h[i].hash = 0;
            }
        }
    }

    if (found == 0) {
        return NGX_DECLINED;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml: dropped %ui client-sent identity header(s)",
                  found);

    /*
     * A new list without them, so that no module can forward them.  The
     * list head is embedded in r->headers_in, so walk a copy of the old
     * first part; the old element arrays stay valid in the pool.
     */
    first = r->headers_in.headers.part;

    if (ngx_list_init(&r->headers_in.headers, r->pool, 20,
                      sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    part = &first;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0) {
            continue;
        }

        nh = ngx_list_push(&r->headers_in.headers);
        if (nh == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        *nh = h[i];
    }

    return NGX_DECLINED;
}


/*
 * Does the lowercase header name start with prefix, any byte that is not
 * a letter or a digit standing for any other such byte?  Backends map
 * header names in their own ways: CGI, FastCGI, PHP and $http_* turn "-"
 * into "_", and PHP also ".", so "X.OIOSAML.User" (with
 * ignore_invalid_headers off) and "X_OIOSAML_User" (with
 * underscores_in_headers on) arrive as X-OIOSAML-User would.
 */
static ngx_uint_t
ngx_http_oiosaml_has_prefix(u_char *name, ngx_str_t *prefix)
{
    u_char      a, b;
    ngx_uint_t  i;

    for (i = 0; i < prefix->len; i++) {
        a = name[i];
        b = prefix->data[i];

        if (a == b) {
            continue;
        }

        if (ngx_http_oiosaml_alnum(a) || ngx_http_oiosaml_alnum(b)) {
            return 0;
        }
    }

    return 1;
}


ngx_int_t
ngx_http_oiosaml_set_headers(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_uint_t mask,
    ngx_http_oiosaml_session_t *s)
{
    ngx_uint_t        i;
    ngx_table_elt_t  *h;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        if (!(mask & (1 << i))
            || oscf->hnames[i].len == 0 || s->fields[i].len == 0)
        {
            continue;
        }

        h = ngx_list_push(&r->headers_in.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = oscf->hhash[i];
        h->key = oscf->hnames[i];
        h->lowcase_key = oscf->hlower[i].data;
        h->value = s->fields[i];
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_oiosaml_header_in(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash != 0 && h[i].key.len == name->len
            && ngx_strncasecmp(h[i].key.data, name->data, name->len) == 0)
        {
            *value = h[i].value;
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}
