
/*
 * Address lists: who may reach an endpoint that answers only some
 * clients (oiosaml_status, oiosaml_bootstrap_fetch).  "local" is
 * loopback, "all" everyone, "off" nobody; otherwise addresses and
 * networks.  A client outside the list gets 404, as if there were no
 * such endpoint.
 */


#include "ngx_http_oiosaml_module.h"


static char *ngx_http_oiosaml_addr_push(ngx_array_t *a, ngx_str_t *text);


static ngx_str_t  ngx_http_oiosaml_addr_local[] = {
    ngx_string("127.0.0.0/8"), ngx_string("::1"), ngx_null_string
};

static ngx_str_t  ngx_http_oiosaml_addr_all[] = {
    ngx_string("0.0.0.0/0"), ngx_string("::/0"), ngx_null_string
};


/* DIRECTIVE local | all | off | address[/bits] ...; "on" is "local" */
char *
ngx_http_oiosaml_addr_list(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    ngx_int_t     rc;
    ngx_str_t    *value;
    ngx_uint_t    i;
    ngx_cidr_t   *cidr;
    ngx_array_t **a;

    a = (ngx_array_t **) (p + cmd->offset);

    if (*a != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    *a = ngx_array_create(cf->pool, 2, sizeof(ngx_cidr_t));
    if (*a == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2) {

        if (ngx_strcmp(value[1].data, "off") == 0) {
            return NGX_CONF_OK;
        }

        if (ngx_strcmp(value[1].data, "local") == 0
            || ngx_strcmp(value[1].data, "on") == 0)
        {
            return ngx_http_oiosaml_addr_push(*a, ngx_http_oiosaml_addr_local);
        }

        if (ngx_strcmp(value[1].data, "all") == 0) {
            return ngx_http_oiosaml_addr_push(*a, ngx_http_oiosaml_addr_all);
        }
    }

    for (i = 1; i < cf->args->nelts; i++) {
        cidr = ngx_array_push(*a);
        if (cidr == NULL) {
            return NGX_CONF_ERROR;
        }

        rc = ngx_ptocidr(&value[i], cidr);

        if (rc == NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid address \"%V\" (local, all, off, or "
                               "addresses such as 10.0.0.0/8)", &value[i]);
            return NGX_CONF_ERROR;
        }

        if (rc == NGX_DONE) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "low address bits of \"%V\" are meaningless",
                               &value[i]);
        }
    }

    return NGX_CONF_OK;
}


/* inherits a list, or makes the default: loopback (local) or nobody */
char *
ngx_http_oiosaml_addr_merge(ngx_conf_t *cf, ngx_array_t **conf,
    ngx_array_t **prev, ngx_uint_t local)
{
    if (*conf != NGX_CONF_UNSET_PTR) {
        return NGX_CONF_OK;
    }

    if (*prev == NGX_CONF_UNSET_PTR) {
        *prev = ngx_array_create(cf->pool, 2, sizeof(ngx_cidr_t));
        if (*prev == NULL) {
            return NGX_CONF_ERROR;
        }

        if (local
            && ngx_http_oiosaml_addr_push(*prev, ngx_http_oiosaml_addr_local)
               != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    *conf = *prev;

    return NGX_CONF_OK;
}


/* may the client reach it?  NGX_OK or NGX_DECLINED */
ngx_int_t
ngx_http_oiosaml_addr_allowed(ngx_http_request_t *r, ngx_array_t *a)
{
    if (a->nelts == 0
        || ngx_cidr_match(r->connection->sockaddr, a) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* the networks of a list that ends with an empty string */
static char *
ngx_http_oiosaml_addr_push(ngx_array_t *a, ngx_str_t *text)
{
    ngx_cidr_t  *cidr;

    for ( /* void */ ; text->len; text++) {
        cidr = ngx_array_push(a);

        if (cidr == NULL || ngx_ptocidr(text, cidr) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}
