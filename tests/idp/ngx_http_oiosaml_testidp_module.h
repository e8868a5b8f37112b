
/*
 * ngx_http_oiosaml_testidp_module: what the glue files share.  The run-time
 * switches live in a shared memory zone per IdP location, so that every
 * worker answers the same way (ngx_http_oiosaml_testidp_admin.c).
 */


#ifndef NGX_HTTP_OIOSAML_TESTIDP_MODULE_H_INCLUDED
#define NGX_HTTP_OIOSAML_TESTIDP_MODULE_H_INCLUDED


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "testidp.h"


typedef struct {
    testidp_t       *idp;
    ngx_shm_zone_t  *zone;          /* the switches */
    ngx_flag_t       admin;         /* {location}admin answered */
} ngx_http_oiosaml_testidp_loc_conf_t;


/* a request waiting for "slow" before it is answered */
typedef struct {
    ngx_event_t      delay;
    ngx_uint_t       delayed;       /* the wait is over */
    ngx_int_t      (*resume)(ngx_http_request_t *r);
} ngx_http_oiosaml_testidp_ctx_t;


extern ngx_module_t  ngx_http_oiosaml_testidp_module;


/* adds the zone of this location's switches */
char *ngx_http_oiosaml_testidp_zone(ngx_conf_t *cf,
    ngx_http_oiosaml_testidp_loc_conf_t *tlcf, ngx_str_t *location);
/* a copy of the switches as they are now */
void ngx_http_oiosaml_testidp_switches(ngx_http_request_t *r,
    testidp_switches_t *sw);
/* remembers the ID of the assertion just answered (for "replay") */
void ngx_http_oiosaml_testidp_remember(ngx_http_request_t *r,
    const char *id);
/*
 * NGX_DONE when the request waits for "slow" first (resume then answers
 * it and the timer finalizes it), NGX_DECLINED to answer now.
 * "from_body": called from a request body handler.
 */
ngx_int_t ngx_http_oiosaml_testidp_slow(ngx_http_request_t *r,
    ngx_int_t (*resume)(ngx_http_request_t *r), ngx_uint_t from_body);
/* GET and POST {location}admin */
ngx_int_t ngx_http_oiosaml_testidp_admin(ngx_http_request_t *r);
void ngx_http_oiosaml_testidp_admin_body(ngx_http_request_t *r);

ngx_int_t ngx_http_oiosaml_testidp_body(ngx_http_request_t *r,
    u_char **data, size_t *len);
ngx_int_t ngx_http_oiosaml_testidp_send(ngx_http_request_t *r,
    ngx_uint_t status, const char *type, const char *data, size_t len);
ngx_int_t ngx_http_oiosaml_testidp_fail(ngx_http_request_t *r,
    testidp_err_t *err);


#endif /* NGX_HTTP_OIOSAML_TESTIDP_MODULE_H_INCLUDED */
