
/*
 * A worker's connection to Redis (or to the master that Sentinel names),
 * on hiredis's asynchronous API driven by nginx's events: one connection
 * per worker, commands pipelined on it, each with its own timeout; when
 * the connection fails it is made again with a growing pause.  Used by
 * the Redis store (ngx_http_oiosaml_store_redis.c).  The same code makes
 * the node's subscription to ended sessions (ngx_http_oiosaml_redis_sub.c,
 * worker 0 only): a connection whose ready hook sends SUBSCRIBE instead
 * of taking commands.
 */


#ifndef _NGX_HTTP_OIOSAML_REDIS_H_INCLUDED_
#define _NGX_HTTP_OIOSAML_REDIS_H_INCLUDED_


#include "ngx_http_oiosaml_module.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>


#define NGX_HTTP_OIOSAML_REDIS_MAX_ARGS   14
#define NGX_HTTP_OIOSAML_REDIS_SENTINELS  8
#define NGX_HTTP_OIOSAML_REDIS_CHANNEL    "ended"  /* after the prefix */


typedef struct ngx_http_oiosaml_redis_op_s  ngx_http_oiosaml_redis_op_t;
typedef struct ngx_http_oiosaml_redis_s     ngx_http_oiosaml_redis_t;

/* the reply, or NULL: no answer within the timeout, or no connection */
typedef void (*ngx_http_oiosaml_redis_pt)(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply);


/* where the store is, from oiosaml_store */
struct ngx_http_oiosaml_redis_conf_s {
    ngx_str_t                    url;          /* as configured, for logs */
    ngx_str_t                    host;         /* an address, NUL-ended */
    in_port_t                    port;
    ngx_str_t                    unix_path;    /* NUL-ended */
    ngx_uint_t                   db;
    ngx_str_t                    password;     /* from password_file= */
    ngx_str_t                    prefix;       /* of every key */
    ngx_str_t                    channel;      /* <prefix>ended */
    ngx_msec_t                   timeout;
    time_t                       cache;        /* the zone's lifetime */
    ngx_str_t                    master;       /* Sentinel's name for it */
    ngx_uint_t                   nsentinels;
    ngx_str_t             sentinel_host[NGX_HTTP_OIOSAML_REDIS_SENTINELS];
    in_port_t             sentinel_port[NGX_HTTP_OIOSAML_REDIS_SENTINELS];
};


/*
 * A command.  Allocated by ngx_http_oiosaml_redis_op() and freed after its
 * handler ran: a request that stopped waiting (the timeout) leaves the op
 * to hiredis until the reply or the disconnection comes.
 */
struct ngx_http_oiosaml_redis_op_s {
    ngx_http_request_t          *r;            /* NULL once it gave up */
    ngx_http_oiosaml_redis_pt    handler;
    void                        *data;
    ngx_event_t                  timer;
    ngx_queue_t                  queue;        /* waiting to be sent */
    ngx_uint_t                   queued;
    ngx_uint_t                   argc;
    const char                  *argv[NGX_HTTP_OIOSAML_REDIS_MAX_ARGS];
    size_t                       argvlen[NGX_HTTP_OIOSAML_REDIS_MAX_ARGS];
    u_char                       key[NGX_HTTP_OIOSAML_KEY_LEN];
    ngx_uint_t                   limit;
    ngx_atomic_uint_t            cache_gen;    /* when a find was sent */
    u_char                      *buf;          /* the arguments' bytes */
    u_char                      *last;
    u_char                      *end;
};


typedef enum {
    NGX_HTTP_OIOSAML_REDIS_DOWN = 0,    /* waiting for the retry timer */
    NGX_HTTP_OIOSAML_REDIS_SENTINEL,    /* asking a sentinel */
    NGX_HTTP_OIOSAML_REDIS_UP           /* connected to the master */
} ngx_http_oiosaml_redis_state_e;


/* a hook of a connection's owner */
typedef void (*ngx_http_oiosaml_redis_hook_pt)(ngx_http_oiosaml_redis_t *rd);


/*
 * A connection.  The owner zeroes it, may set the hooks and data, and
 * calls ngx_http_oiosaml_redis_start().  Without a ready hook it is the
 * worker's command connection (PING, then the ops); with one, ready runs
 * once AUTH, SELECT and ROLE are sent to the master, and lost whenever
 * the connection is gone (a retry is then timed).
 */
struct ngx_http_oiosaml_redis_s {
    ngx_http_oiosaml_redis_conf_t   *conf;
    ngx_log_t                       *log;
    ngx_atomic_t                    *down_flag;   /* in the zone, or NULL */
    redisAsyncContext               *ac;
    ngx_http_oiosaml_redis_state_e   state;
    ngx_uint_t                       sentinel;    /* the next to ask */
    ngx_queue_t                      waiting;     /* ops, for the master */
    ngx_event_t                      retry;
    ngx_event_t                      drop;
    ngx_msec_t                       pause;
    ngx_uint_t                       down;        /* this worker saw it */
    time_t                           down_since;
    u_char                           master[NGX_SOCKADDR_STRLEN];
    int                              master_port;
    ngx_http_oiosaml_redis_hook_pt   ready;
    ngx_http_oiosaml_redis_hook_pt   lost;
    void                            *data;
};


ngx_http_oiosaml_redis_op_t *ngx_http_oiosaml_redis_op(
    ngx_http_request_t *r, size_t size, ngx_http_oiosaml_redis_pt handler);
void ngx_http_oiosaml_redis_arg(ngx_http_oiosaml_redis_op_t *op,
    const u_char *data, size_t len);
void ngx_http_oiosaml_redis_key(ngx_http_oiosaml_redis_op_t *op,
    const char *kind, const u_char *digest);
void ngx_http_oiosaml_redis_num(ngx_http_oiosaml_redis_op_t *op,
    time_t n);
ngx_int_t ngx_http_oiosaml_redis_send(ngx_http_oiosaml_redis_op_t *op);
void ngx_http_oiosaml_redis_send_quiet(ngx_http_oiosaml_redis_op_t *op);
ngx_uint_t ngx_http_oiosaml_redis_available(void);
ngx_int_t ngx_http_oiosaml_redis_init_process(ngx_cycle_t *cycle,
    ngx_http_oiosaml_redis_conf_t *conf, ngx_atomic_t *down_flag);
void ngx_http_oiosaml_redis_exit_process(void);

void ngx_http_oiosaml_redis_start(ngx_http_oiosaml_redis_t *rd,
    ngx_cycle_t *cycle, ngx_http_oiosaml_redis_conf_t *conf,
    ngx_atomic_t *down_flag);
void ngx_http_oiosaml_redis_stop(ngx_http_oiosaml_redis_t *rd);
void ngx_http_oiosaml_redis_fail(ngx_http_oiosaml_redis_t *rd,
    const char *why, const char *text);
void ngx_http_oiosaml_redis_up(ngx_http_oiosaml_redis_t *rd);

/* ngx_http_oiosaml_redis_sub.c */
ngx_int_t ngx_http_oiosaml_redis_sub_init_process(ngx_cycle_t *cycle,
    ngx_http_oiosaml_redis_conf_t *conf, ngx_shm_zone_t *zone);
void ngx_http_oiosaml_redis_sub_exit_process(void);
ngx_atomic_uint_t ngx_http_oiosaml_redis_cache_gen(ngx_shm_zone_t *zone);


#endif /* _NGX_HTTP_OIOSAML_REDIS_H_INCLUDED_ */
