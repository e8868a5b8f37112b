
/*
 * The test IdP's run-time switches: one shared memory zone per IdP
 * location holds a testidp_switches_t, so that a switch flipped through
 * one worker holds in all of them; {location}admin (loopback clients
 * only) shows and flips them; "slow" makes a request wait on a timer.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_oiosaml_testidp_module.h"


/* a slab pool's smallest useful size: 8 pages */
#define NGX_HTTP_TESTIDP_ZONE_SIZE  (64 * 1024)


static ngx_int_t ngx_http_oiosaml_testidp_zone_init(ngx_shm_zone_t *zone,
    void *data);
static ngx_int_t ngx_http_oiosaml_testidp_loopback(ngx_connection_t *c);
static ngx_int_t ngx_http_oiosaml_testidp_admin_set(ngx_http_request_t *r);
static ngx_int_t ngx_http_oiosaml_testidp_admin_show(ngx_http_request_t *r,
    ngx_uint_t status);
static void ngx_http_oiosaml_testidp_delay_handler(ngx_event_t *ev);
static void ngx_http_oiosaml_testidp_delay_cleanup(void *data);


char *
ngx_http_oiosaml_testidp_zone(ngx_conf_t *cf,
    ngx_http_oiosaml_testidp_loc_conf_t *tlcf, ngx_str_t *location)
{
    u_char     *p;
    ngx_str_t   name;

    /* one zone per IdP and location: "oiosaml_test_idp ENTITY LOCATION" */
    name.len = sizeof("oiosaml_test_idp  ") - 1
               + ngx_strlen(tlcf->idp->entity_id) + location->len;
    name.data = ngx_pnalloc(cf->pool, name.len);

    if (name.data == NULL) {
        return NGX_CONF_ERROR;
    }

    p = ngx_sprintf(name.data, "oiosaml_test_idp %s %V",
                    tlcf->idp->entity_id, location);
    name.len = p - name.data;

    tlcf->zone = ngx_shared_memory_add(cf, &name, NGX_HTTP_TESTIDP_ZONE_SIZE,
                                       &ngx_http_oiosaml_testidp_module);

    if (tlcf->zone == NULL) {
        return NGX_CONF_ERROR;
    }

    tlcf->zone->init = ngx_http_oiosaml_testidp_zone_init;

    return NGX_CONF_OK;
}


/* the switches survive a reload: the old zone's are kept */
static ngx_int_t
ngx_http_oiosaml_testidp_zone_init(ngx_shm_zone_t *zone, void *data)
{
    ngx_slab_pool_t     *shpool;
    testidp_switches_t  *sw;

    if (data != NULL) {
        zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (zone->shm.exists) {
        zone->data = shpool->data;
        return NGX_OK;
    }

    sw = ngx_slab_calloc(shpool, sizeof(testidp_switches_t));

    if (sw == NULL) {
        return NGX_ERROR;
    }

    shpool->data = sw;
    zone->data = sw;

    return NGX_OK;
}


void
ngx_http_oiosaml_testidp_switches(ngx_http_request_t *r,
    testidp_switches_t *sw)
{
    ngx_slab_pool_t                      *shpool;
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_testidp_module);

    if (tlcf->zone == NULL || tlcf->zone->data == NULL) {
        ngx_memzero(sw, sizeof(testidp_switches_t));
        return;
    }

    shpool = (ngx_slab_pool_t *) tlcf->zone->shm.addr;

    ngx_shmtx_lock(&shpool->mutex);
    ngx_memcpy(sw, tlcf->zone->data, sizeof(testidp_switches_t));
    ngx_shmtx_unlock(&shpool->mutex);
}


void
ngx_http_oiosaml_testidp_remember(ngx_http_request_t *r, const char *id)
{
    ngx_slab_pool_t                      *shpool;
    testidp_switches_t                   *sw;
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_testidp_module);

    if (tlcf->zone == NULL || tlcf->zone->data == NULL || id[0] == '\0') {
        return;
    }

    shpool = (ngx_slab_pool_t *) tlcf->zone->shm.addr;
    sw = tlcf->zone->data;

    ngx_shmtx_lock(&shpool->mutex);
    ngx_cpystrn((u_char *) sw->last_id, (u_char *) id, TESTIDP_ID_LEN);
    ngx_shmtx_unlock(&shpool->mutex);
}


ngx_int_t
ngx_http_oiosaml_testidp_admin(ngx_http_request_t *r)
{
    ngx_int_t                             rc;
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_testidp_module);

    if (!tlcf->admin) {
        return NGX_HTTP_NOT_FOUND;
    }

    if (ngx_http_oiosaml_testidp_loopback(r->connection) != NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "oiosaml test idp: admin refused to %V, not a "
                      "loopback client", &r->connection->addr_text);
        return NGX_HTTP_FORBIDDEN;
    }

    if (r->method == NGX_HTTP_POST) {
        r->request_body_in_single_buf = 1;

        rc = ngx_http_read_client_request_body(r,
                                     ngx_http_oiosaml_testidp_admin_body);

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

    return ngx_http_oiosaml_testidp_admin_show(r, NGX_HTTP_OK);
}


void
ngx_http_oiosaml_testidp_admin_body(ngx_http_request_t *r)
{
    ngx_http_finalize_request(r, ngx_http_oiosaml_testidp_admin_set(r));
}


static ngx_int_t
ngx_http_oiosaml_testidp_admin_set(ngx_http_request_t *r)
{
    int                                   ok;
    u_char                               *body;
    size_t                                len;
    ngx_int_t                             rc;
    testidp_err_t                         err;
    testidp_form_t                       *form;
    ngx_slab_pool_t                      *shpool;
    testidp_switches_t                    sw;
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_testidp_module);

    rc = ngx_http_oiosaml_testidp_body(r, &body, &len);

    if (rc != NGX_OK) {
        return rc;
    }

    if (testidp_form_parse((const char *) body, len, &form, &err) != 0) {
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    shpool = (ngx_slab_pool_t *) tlcf->zone->shm.addr;

    /* changed on a copy, written back whole: every worker sees all or none */
    ngx_shmtx_lock(&shpool->mutex);

    ngx_memcpy(&sw, tlcf->zone->data, sizeof(testidp_switches_t));
    ok = testidp_switch_set(tlcf->idp, &sw, form, ngx_time(), &err);

    if (ok == 0) {
        ngx_memcpy(tlcf->zone->data, &sw, sizeof(testidp_switches_t));
    }

    ngx_shmtx_unlock(&shpool->mutex);

    if (ok != 0) {
        testidp_form_free(form);
        return ngx_http_oiosaml_testidp_fail(r, &err);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "oiosaml test idp: \"%s\" switch %s%s%s",
                  tlcf->idp->entity_id, testidp_form_get(form, "switch"),
                  testidp_form_get(form, "value") ? " = " : "",
                  testidp_form_get(form, "value")
                  ? testidp_form_get(form, "value") : "");

    testidp_form_free(form);

    return ngx_http_oiosaml_testidp_admin_show(r, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_oiosaml_testidp_admin_show(ngx_http_request_t *r, ngx_uint_t status)
{
    char                                 *json;
    size_t                                len;
    ngx_int_t                             rc;
    testidp_switches_t                    sw;
    ngx_http_oiosaml_testidp_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_oiosaml_testidp_module);

    ngx_http_oiosaml_testidp_switches(r, &sw);

    json = testidp_switch_json(tlcf->idp, &sw, ngx_time(), &len);

    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_oiosaml_testidp_send(r, status, "application/json", json,
                                       len);
    free(json);

    return rc;
}


/* 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 and unix sockets */
static ngx_int_t
ngx_http_oiosaml_testidp_loopback(ngx_connection_t *c)
{
    u_char               *a;
    struct sockaddr_in   *sin;
#if (NGX_HAVE_INET6)
    struct sockaddr_in6  *sin6;
#endif

    switch (c->sockaddr->sa_family) {

    case AF_INET:
        sin = (struct sockaddr_in *) c->sockaddr;
        a = (u_char *) &sin->sin_addr.s_addr;
        return (a[0] == 127) ? NGX_OK : NGX_DECLINED;

#if (NGX_HAVE_INET6)
    case AF_INET6:
        sin6 = (struct sockaddr_in6 *) c->sockaddr;
        a = sin6->sin6_addr.s6_addr;

        if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)
            || (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) && a[12] == 127))
        {
            return NGX_OK;
        }

        return NGX_DECLINED;
#endif

#if (NGX_HAVE_UNIX_DOMAIN)
    case AF_UNIX:
        return NGX_OK;
#endif

    default:
        return NGX_DECLINED;
    }
}


ngx_int_t
ngx_http_oiosaml_testidp_slow(ngx_http_request_t *r,
    ngx_int_t (*resume)(ngx_http_request_t *r), ngx_uint_t from_body)
{
    testidp_switches_t               sw;
    ngx_pool_cleanup_t              *cln;
    ngx_http_oiosaml_testidp_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_testidp_module);

    if (ctx != NULL && ctx->delayed) {
        return NGX_DECLINED;
    }

    ngx_http_oiosaml_testidp_switches(r, &sw);

    if (sw.slow == 0) {
        return NGX_DECLINED;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_oiosaml_testidp_ctx_t));
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (ctx == NULL || cln == NULL) {
        return NGX_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_oiosaml_testidp_module);

    ctx->resume = resume;
    ctx->delay.handler = ngx_http_oiosaml_testidp_delay_handler;
    ctx->delay.data = r;
    ctx->delay.log = r->connection->log;
    ctx->delay.cancelable = 1;

    cln->handler = ngx_http_oiosaml_testidp_delay_cleanup;
    cln->data = &ctx->delay;

    ngx_add_timer(&ctx->delay, (ngx_msec_t) sw.slow * 1000);

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml test idp: slow: answering in %uis",
                  (ngx_uint_t) sw.slow);

    /* a request body handler keeps the count the body reader took */
    if (!from_body) {
        r->main->count++;
    }

    return NGX_DONE;
}


static void
ngx_http_oiosaml_testidp_delay_handler(ngx_event_t *ev)
{
    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_http_oiosaml_testidp_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_testidp_module);

    ctx->delayed = 1;

    ngx_http_finalize_request(r, ctx->resume(r));
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_oiosaml_testidp_delay_cleanup(void *data)
{
    ngx_event_t  *ev = data;

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }
}
