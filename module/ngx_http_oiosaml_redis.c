
/*
 * A worker's connection to Redis on nginx's events (ngx_http_oiosaml_
 * redis.h).  hiredis owns the socket and the protocol; this file gives it
 * an nginx connection for the socket's events (the adapter), keeps one
 * connection per worker, asks Sentinel for the master when configured,
 * bounds every command by a timer and makes the connection again, with a
 * growing pause, when it fails or a command times out.  An outage is
 * logged once (for all workers, through the zone) and so is the recovery.
 * The code works on a connection (ngx_http_oiosaml_redis_t): the worker's
 * command connection here, and worker 0's subscription in
 * ngx_http_oiosaml_redis_sub.c.
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_redis.h"


#define NGX_HTTP_OIOSAML_REDIS_PAUSE_MIN   100      /* ms */
#define NGX_HTTP_OIOSAML_REDIS_PAUSE_MAX   1000


/* the worker's command connection */
static ngx_http_oiosaml_redis_t  ngx_http_oiosaml_redis;


static void ngx_http_oiosaml_redis_connect(ngx_http_oiosaml_redis_t *rd);
static ngx_int_t ngx_http_oiosaml_redis_attach(ngx_http_oiosaml_redis_t *rd,
    redisAsyncContext *ac);
static void ngx_http_oiosaml_redis_connected(const redisAsyncContext *ac,
    int status);
static void ngx_http_oiosaml_redis_disconnected(const redisAsyncContext *ac,
    int status);
static void ngx_http_oiosaml_redis_gone(ngx_http_oiosaml_redis_t *rd);
static void ngx_http_oiosaml_redis_sentinel_reply(redisAsyncContext *ac,
    void *r, void *privdata);
static void ngx_http_oiosaml_redis_master(ngx_http_oiosaml_redis_t *rd);
static void ngx_http_oiosaml_redis_check_reply(redisAsyncContext *ac,
    void *r, void *privdata);
static void ngx_http_oiosaml_redis_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static ngx_int_t ngx_http_oiosaml_redis_issue(ngx_http_oiosaml_redis_op_t *op);
static void ngx_http_oiosaml_redis_flush(ngx_http_oiosaml_redis_t *rd,
    ngx_uint_t fail);
static void ngx_http_oiosaml_redis_timeout(ngx_event_t *ev);
static void ngx_http_oiosaml_redis_retry(ngx_event_t *ev);
static void ngx_http_oiosaml_redis_drop(ngx_event_t *ev);
static void ngx_http_oiosaml_redis_outage(ngx_http_oiosaml_redis_t *rd,
    const char *why, const char *text);
static void ngx_http_oiosaml_redis_read(ngx_event_t *ev);
static void ngx_http_oiosaml_redis_write(ngx_event_t *ev);
static void ngx_http_oiosaml_redis_add_read(void *privdata);
static void ngx_http_oiosaml_redis_del_read(void *privdata);
static void ngx_http_oiosaml_redis_add_write(void *privdata);
static void ngx_http_oiosaml_redis_del_write(void *privdata);
static void ngx_http_oiosaml_redis_cleanup(void *privdata);


ngx_int_t
ngx_http_oiosaml_redis_init_process(ngx_cycle_t *cycle,
    ngx_http_oiosaml_redis_conf_t *conf, ngx_atomic_t *down_flag)
{
    ngx_memzero(&ngx_http_oiosaml_redis, sizeof(ngx_http_oiosaml_redis_t));

    ngx_http_oiosaml_redis_start(&ngx_http_oiosaml_redis, cycle, conf,
                                 down_flag);

    return NGX_OK;
}


void
ngx_http_oiosaml_redis_exit_process(void)
{
    ngx_http_oiosaml_redis_stop(&ngx_http_oiosaml_redis);
}


/* the hooks and data are the owner's; the rest is set here */
void
ngx_http_oiosaml_redis_start(ngx_http_oiosaml_redis_t *rd,
    ngx_cycle_t *cycle, ngx_http_oiosaml_redis_conf_t *conf,
    ngx_atomic_t *down_flag)
{
    rd->conf = conf;
    rd->log = cycle->log;
    rd->down_flag = down_flag;
    rd->pause = NGX_HTTP_OIOSAML_REDIS_PAUSE_MIN;
    ngx_queue_init(&rd->waiting);

    rd->retry.handler = ngx_http_oiosaml_redis_retry;
    rd->retry.log = cycle->log;
    rd->retry.data = rd;
    rd->retry.cancelable = 1;

    rd->drop.handler = ngx_http_oiosaml_redis_drop;
    rd->drop.log = cycle->log;
    rd->drop.data = rd;

    /* a store that cannot be reached now is logged, not fatal */
    ngx_http_oiosaml_redis_connect(rd);
}


void
ngx_http_oiosaml_redis_stop(ngx_http_oiosaml_redis_t *rd)
{
    redisAsyncContext  *ac;

    if (rd->conf == NULL) {
        return;
    }

    if (rd->retry.timer_set) {
        ngx_del_timer(&rd->retry);
    }

    if (rd->drop.posted) {
        ngx_delete_posted_event(&rd->drop);
    }

    ngx_http_oiosaml_redis_flush(rd, 1);

    ac = rd->ac;
    rd->ac = NULL;

    if (ac != NULL) {
        redisAsyncFree(ac);         /* calls back, then cleans up */
    }

    rd->conf = NULL;
}


/* a connection to the next sentinel, or to the store itself */
static void
ngx_http_oiosaml_redis_connect(ngx_http_oiosaml_redis_t *rd)
{
    redisAsyncContext              *ac;
    ngx_http_oiosaml_redis_conf_t  *conf = rd->conf;

    if (conf->nsentinels) {
        rd->state = NGX_HTTP_OIOSAML_REDIS_SENTINEL;
        rd->sentinel %= conf->nsentinels;

        ac = redisAsyncConnect((char *) conf->sentinel_host[rd->sentinel].data,
                               conf->sentinel_port[rd->sentinel]);

    } else if (conf->unix_path.len) {
        rd->state = NGX_HTTP_OIOSAML_REDIS_UP;
        ac = redisAsyncConnectUnix((char *) conf->unix_path.data);

    } else {
        rd->state = NGX_HTTP_OIOSAML_REDIS_UP;
        ac = redisAsyncConnect((char *) conf->host.data, conf->port);
    }

    if (ac == NULL || ac->err
        || ngx_http_oiosaml_redis_attach(rd, ac) != NGX_OK)
    {
        ngx_http_oiosaml_redis_outage(rd, "cannot connect",
                                      ac ? ac->errstr : "out of memory");
        if (ac != NULL) {
            redisAsyncFree(ac);
        }

        rd->ac = NULL;
        ngx_http_oiosaml_redis_gone(rd);
        return;
    }

    rd->ac = ac;

    redisAsyncSetConnectCallback(ac, ngx_http_oiosaml_redis_connected);
    redisAsyncSetDisconnectCallback(ac, ngx_http_oiosaml_redis_disconnected);

    if (rd->state == NGX_HTTP_OIOSAML_REDIS_SENTINEL) {
        (void) redisAsyncCommand(ac, ngx_http_oiosaml_redis_sentinel_reply,
                                 NULL, "SENTINEL get-master-addr-by-name %b",
                                 conf->master.data, conf->master.len);
        return;
    }

    ngx_http_oiosaml_redis_master(rd);
}


/*
 * On a new connection to the store: AUTH, SELECT, ROLE, PING, then the
 * ops.  The store counts as back only when PING is answered.  With a
 * ready hook, the hook comes instead of PING and the ops.
 */
static void
ngx_http_oiosaml_redis_master(ngx_http_oiosaml_redis_t *rd)
{
    u_char                          db[NGX_INT_T_LEN];
    size_t                          len;
    ngx_http_oiosaml_redis_conf_t  *conf = rd->conf;

    if (conf->password.len) {
        (void) redisAsyncCommand(rd->ac, ngx_http_oiosaml_redis_check_reply,
                                 "AUTH", "AUTH %b", conf->password.data,
                                 conf->password.len);
    }

    if (conf->db) {
        len = ngx_sprintf(db, "%ui", conf->db) - db;
        (void) redisAsyncCommand(rd->ac, ngx_http_oiosaml_redis_check_reply,
                                 "SELECT", "SELECT %b", db, len);
    }

    if (conf->nsentinels) {
        /* a master that Sentinel has just demoted is no master */
        (void) redisAsyncCommand(rd->ac, ngx_http_oiosaml_redis_check_reply,
                                 "ROLE", "ROLE");
    }

    if (rd->ready != NULL) {
        rd->state = NGX_HTTP_OIOSAML_REDIS_UP;
        rd->ready(rd);
        return;
    }

    /* the answer says the store is back (after an outage) */
    (void) redisAsyncCommand(rd->ac, ngx_http_oiosaml_redis_check_reply,
                             "PING", "PING");

    rd->state = NGX_HTTP_OIOSAML_REDIS_UP;

    ngx_http_oiosaml_redis_flush(rd, 0);
}


static void
ngx_http_oiosaml_redis_connected(const redisAsyncContext *ac, int status)
{
    ngx_http_oiosaml_redis_t  *rd = ac->data;

    if (rd->ac != ac) {
        return;
    }

    if (status != REDIS_OK) {
        /* hiredis frees the context after this */
        ngx_http_oiosaml_redis_outage(rd, "cannot connect", ac->errstr);
        rd->ac = NULL;
        ngx_http_oiosaml_redis_gone(rd);
        return;
    }

    if (rd->state == NGX_HTTP_OIOSAML_REDIS_UP) {
        rd->pause = NGX_HTTP_OIOSAML_REDIS_PAUSE_MIN;
    }
}


static void
ngx_http_oiosaml_redis_disconnected(const redisAsyncContext *ac, int status)
{
    ngx_http_oiosaml_redis_t  *rd = ac->data;

    if (rd->ac != ac) {
        return;                     /* a sentinel we were done with */
    }

    if (status != REDIS_OK) {
        ngx_http_oiosaml_redis_outage(rd, "connection lost", ac->errstr);
    }

    rd->ac = NULL;
    ngx_http_oiosaml_redis_gone(rd);
}


/* no connection now: the waiting ops fail, a retry is timed */
static void
ngx_http_oiosaml_redis_gone(ngx_http_oiosaml_redis_t *rd)
{
    if (rd->conf == NULL) {
        return;                     /* exiting */
    }

    rd->state = NGX_HTTP_OIOSAML_REDIS_DOWN;

    ngx_http_oiosaml_redis_flush(rd, 1);

    if (!rd->retry.timer_set) {
        ngx_add_timer(&rd->retry, rd->pause);
        rd->pause = ngx_min(rd->pause * 2, NGX_HTTP_OIOSAML_REDIS_PAUSE_MAX);
    }

    if (rd->lost != NULL) {
        rd->lost(rd);
    }
}


static void
ngx_http_oiosaml_redis_sentinel_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply                *reply = r;
    ngx_http_oiosaml_redis_t  *rd = ac->data;

    if (rd->ac != ac || rd->conf == NULL) {
        return;
    }

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
        || reply->elements != 2
        || reply->element[0]->type != REDIS_REPLY_STRING
        || reply->element[1]->type != REDIS_REPLY_STRING
        || reply->element[0]->len >= sizeof(rd->master))
    {
        ngx_http_oiosaml_redis_outage(rd,
                                      "Sentinel does not name the master",
                                      reply && reply->type
                                               == REDIS_REPLY_ERROR
                                      ? reply->str : "no answer");
        rd->sentinel++;
        ngx_post_event(&rd->drop, &ngx_posted_events);
        return;
    }

    ngx_memcpy(rd->master, reply->element[0]->str, reply->element[0]->len);
    rd->master[reply->element[0]->len] = '\0';
    rd->master_port = atoi(reply->element[1]->str);

    /* the sentinel's connection goes when this callback returns */
    rd->ac = NULL;
    redisAsyncDisconnect(ac);

    ac = redisAsyncConnect((char *) rd->master, rd->master_port);

    if (ac == NULL || ac->err
        || ngx_http_oiosaml_redis_attach(rd, ac) != NGX_OK)
    {
        ngx_http_oiosaml_redis_outage(rd, "cannot connect to the master",
                                      ac ? ac->errstr : "out of memory");
        if (ac != NULL) {
            redisAsyncFree(ac);
        }

        ngx_http_oiosaml_redis_gone(rd);
        return;
    }

    rd->ac = ac;

    redisAsyncSetConnectCallback(ac, ngx_http_oiosaml_redis_connected);
    redisAsyncSetDisconnectCallback(ac, ngx_http_oiosaml_redis_disconnected);

    ngx_http_oiosaml_redis_master(rd);
}


/* AUTH, SELECT, ROLE, PING: anything but the expected answer drops it */
static void
ngx_http_oiosaml_redis_check_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    char                      *what = privdata;
    redisReply                *reply = r;
    ngx_http_oiosaml_redis_t  *rd = ac->data;

    if (reply == NULL || rd->ac != ac) {
        return;                     /* the disconnection says why */
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_oiosaml_redis_fail(rd, what, reply->str);
        return;
    }

    if (ngx_strcmp(what, "ROLE") == 0
        && (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0
            || reply->element[0]->type != REDIS_REPLY_STRING
            || ngx_strcmp(reply->element[0]->str, "master") != 0))
    {
        ngx_http_oiosaml_redis_fail(rd, "the server Sentinel named is not "
                                    "the master", (char *) rd->master);
        return;
    }

    if (ngx_strcmp(what, "PING") == 0) {
        ngx_http_oiosaml_redis_up(rd);
    }
}


/* ---- commands ----------------------------------------------------------- */


ngx_http_oiosaml_redis_op_t *
ngx_http_oiosaml_redis_op(ngx_http_request_t *r, size_t size,
    ngx_http_oiosaml_redis_pt handler)
{
    ngx_http_oiosaml_redis_op_t  *op;

    op = ngx_alloc(sizeof(ngx_http_oiosaml_redis_op_t) + size,
                   ngx_cycle->log);
    if (op == NULL) {
        return NULL;
    }

    ngx_memzero(op, sizeof(ngx_http_oiosaml_redis_op_t));

    op->r = r;
    op->handler = handler;
    op->buf = (u_char *) op + sizeof(ngx_http_oiosaml_redis_op_t);
    op->last = op->buf;
    op->end = op->buf + size;

    return op;
}


void
ngx_http_oiosaml_redis_arg(ngx_http_oiosaml_redis_op_t *op,
    const u_char *data, size_t len)
{
    if (op->argc == NGX_HTTP_OIOSAML_REDIS_MAX_ARGS
        || (size_t) (op->end - op->last) < len)
    {
        op->argc = NGX_HTTP_OIOSAML_REDIS_MAX_ARGS + 1;  /* refused */
        return;
    }

    op->argv[op->argc] = (char *) op->last;
    op->argvlen[op->argc] = len;
    op->argc++;
    op->last = ngx_cpymem(op->last, data, len);
}


/* <prefix><kind><hex of the digest>: never an ID itself */
void
ngx_http_oiosaml_redis_key(ngx_http_oiosaml_redis_op_t *op,
    const char *kind, const u_char *digest)
{
    u_char     *p;
    size_t      len;
    ngx_str_t  *prefix;

    prefix = &ngx_http_oiosaml_redis.conf->prefix;
    len = prefix->len + ngx_strlen(kind) + 64;

    if (op->argc >= NGX_HTTP_OIOSAML_REDIS_MAX_ARGS
        || (size_t) (op->end - op->last) < len)
    {
        op->argc = NGX_HTTP_OIOSAML_REDIS_MAX_ARGS + 1;
        return;
    }

    p = ngx_cpymem(op->last, prefix->data, prefix->len);
    p = ngx_cpymem(p, kind, ngx_strlen(kind));
    p = ngx_hex_dump(p, (u_char *) digest, 32);

    op->argv[op->argc] = (char *) op->last;
    op->argvlen[op->argc] = p - op->last;
    op->argc++;
    op->last = p;
}


void
ngx_http_oiosaml_redis_num(ngx_http_oiosaml_redis_op_t *op, time_t n)
{
    u_char  buf[NGX_TIME_T_LEN];

    ngx_http_oiosaml_redis_arg(op, buf, ngx_sprintf(buf, "%T", n) - buf);
}


/*
 * Sends op (or keeps it until the master is known).  NGX_AGAIN: its
 * handler runs later, with the reply or NULL; NGX_ERROR: no connection
 * (op is freed, the handler does not run).
 */
ngx_int_t
ngx_http_oiosaml_redis_send(ngx_http_oiosaml_redis_op_t *op)
{
    ngx_http_oiosaml_redis_t  *rd = &ngx_http_oiosaml_redis;

    if (op->argc > NGX_HTTP_OIOSAML_REDIS_MAX_ARGS || rd->conf == NULL
        || rd->state == NGX_HTTP_OIOSAML_REDIS_DOWN)
    {
        ngx_free(op);
        return NGX_ERROR;
    }

    op->timer.handler = ngx_http_oiosaml_redis_timeout;
    op->timer.data = op;
    op->timer.log = ngx_cycle->log;

    if (rd->state == NGX_HTTP_OIOSAML_REDIS_SENTINEL) {
        ngx_queue_insert_tail(&rd->waiting, &op->queue);
        op->queued = 1;
        ngx_add_timer(&op->timer, rd->conf->timeout);
        return NGX_AGAIN;
    }

    if (ngx_http_oiosaml_redis_issue(op) != NGX_OK) {
        ngx_free(op);
        return NGX_ERROR;
    }

    ngx_add_timer(&op->timer, rd->conf->timeout);

    return NGX_AGAIN;
}


/* can commands be sent now (or as soon as Sentinel names the master)? */
ngx_uint_t
ngx_http_oiosaml_redis_available(void)
{
    ngx_http_oiosaml_redis_t  *rd = &ngx_http_oiosaml_redis;

    /* down: as this worker or another worker of the node saw it */
    return rd->conf != NULL && rd->state != NGX_HTTP_OIOSAML_REDIS_DOWN
           && !rd->down && *rd->down_flag == 0;
}


/* a command no request waits for (its reply is dropped) */
void
ngx_http_oiosaml_redis_send_quiet(ngx_http_oiosaml_redis_op_t *op)
{
    ngx_http_oiosaml_redis_t  *rd = &ngx_http_oiosaml_redis;

    op->r = NULL;

    if (op->argc > NGX_HTTP_OIOSAML_REDIS_MAX_ARGS
        || rd->state != NGX_HTTP_OIOSAML_REDIS_UP
        || ngx_http_oiosaml_redis_issue(op) != NGX_OK)
    {
        ngx_free(op);
    }
}


static ngx_int_t
ngx_http_oiosaml_redis_issue(ngx_http_oiosaml_redis_op_t *op)
{
    ngx_http_oiosaml_redis_t  *rd = &ngx_http_oiosaml_redis;

    if (rd->ac == NULL
        || redisAsyncCommandArgv(rd->ac, ngx_http_oiosaml_redis_reply, op,
                                 (int) op->argc, op->argv, op->argvlen)
           != REDIS_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the master is known (fail 0), or cannot be (fail 1) */
static void
ngx_http_oiosaml_redis_flush(ngx_http_oiosaml_redis_t *rd, ngx_uint_t fail)
{
    ngx_queue_t                  *q;
    ngx_http_oiosaml_redis_op_t  *op;

    while (!ngx_queue_empty(&rd->waiting)) {
        q = ngx_queue_head(&rd->waiting);
        ngx_queue_remove(q);

        op = ngx_queue_data(q, ngx_http_oiosaml_redis_op_t, queue);
        op->queued = 0;

        if (!fail && ngx_http_oiosaml_redis_issue(op) == NGX_OK) {
            continue;               /* its timer runs on */
        }

        if (op->timer.timer_set) {
            ngx_del_timer(&op->timer);
        }

        if (op->r != NULL) {
            op->handler(op, NULL);
        }

        ngx_free(op);
    }
}


static void
ngx_http_oiosaml_redis_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redisReply                   *reply = r;
    ngx_http_oiosaml_redis_op_t  *op = privdata;
    ngx_http_oiosaml_redis_t     *rd = ac->data;

    if (op->timer.timer_set) {
        ngx_del_timer(&op->timer);
    }

    if (reply != NULL && reply->type == REDIS_REPLY_ERROR
        && (ngx_strncmp(reply->str, "READONLY", 8) == 0
            || ngx_strncmp(reply->str, "NOAUTH", 6) == 0
            || ngx_strncmp(reply->str, "LOADING", 7) == 0
            || ngx_strncmp(reply->str, "MASTERDOWN", 10) == 0))
    {
        /* a replica now, or not ready: ask again (Sentinel) */
        ngx_http_oiosaml_redis_outage(rd, "the store refuses commands",
                                      reply->str);
        if (rd->ac == ac) {
            ngx_post_event(&rd->drop, &ngx_posted_events);
        }

    } else if (reply != NULL && reply->type != REDIS_REPLY_ERROR) {
        ngx_http_oiosaml_redis_up(rd);
    }

    if (op->r != NULL) {
        op->handler(op, reply);
    }

    ngx_free(op);
}


/* no answer in time: the request goes on without it; so does the store */
static void
ngx_http_oiosaml_redis_timeout(ngx_event_t *ev)
{
    ngx_http_oiosaml_redis_op_t  *op = ev->data;
    ngx_http_oiosaml_redis_t     *rd = &ngx_http_oiosaml_redis;

    ngx_http_oiosaml_redis_outage(rd, "no answer within the timeout", "");

    if (op->queued) {
        ngx_queue_remove(&op->queue);
        op->queued = 0;

        if (op->r != NULL) {
            op->handler(op, NULL);
        }

        ngx_free(op);

    } else if (op->r != NULL) {
        /* hiredis still holds op: freed when its reply or end comes */
        op->handler(op, NULL);
        op->r = NULL;
    }

    if (rd->ac != NULL && !rd->drop.posted) {
        ngx_post_event(&rd->drop, &ngx_posted_events);
    }
}


static void
ngx_http_oiosaml_redis_retry(ngx_event_t *ev)
{
    ngx_http_oiosaml_redis_t  *rd = ev->data;

    if (rd->conf == NULL || rd->ac != NULL || ngx_exiting || ngx_quit) {
        return;
    }

    ngx_http_oiosaml_redis_connect(rd);
}


/* outside hiredis's callbacks: the connection goes, a retry follows */
static void
ngx_http_oiosaml_redis_drop(ngx_event_t *ev)
{
    redisAsyncContext         *ac;
    ngx_http_oiosaml_redis_t  *rd = ev->data;

    ac = rd->ac;

    if (ac == NULL) {
        return;
    }

    /* the pending callbacks get NULL; the disconnect callback may not run */
    rd->ac = NULL;
    redisAsyncFree(ac);

    ngx_http_oiosaml_redis_gone(rd);
}


/* logged, and the connection goes (outside hiredis's callbacks) */
void
ngx_http_oiosaml_redis_fail(ngx_http_oiosaml_redis_t *rd, const char *why,
    const char *text)
{
    ngx_http_oiosaml_redis_outage(rd, why, text);

    if (rd->ac != NULL && !rd->drop.posted) {
        ngx_post_event(&rd->drop, &ngx_posted_events);
    }
}


/*
 * One line for all workers when the store goes, one when it is back (the
 * flag in the zone); a connection without a flag logs its own lines.
 */
static void
ngx_http_oiosaml_redis_outage(ngx_http_oiosaml_redis_t *rd, const char *why,
    const char *text)
{
    if (rd->down) {
        return;
    }

    rd->down = 1;
    rd->down_since = ngx_time();

    if (rd->ready != NULL) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "oiosaml: store \"%V\": the subscription to ended "
                      "sessions: %s%s%s; sessions cached on this node are "
                      "trusted for cache= seconds until it is back",
                      &rd->conf->url, why, text[0] ? ": " : "", text);

    } else if (ngx_atomic_cmp_set(rd->down_flag, 0, 1)) {
        ngx_log_error(NGX_LOG_ERR, rd->log, 0,
                      "oiosaml: store \"%V\": %s%s%s; logins answer 503 and "
                      "sessions are served from the local cache while it "
                      "is fresh, until the store is back",
                      &rd->conf->url, why, text[0] ? ": " : "", text);
    }
}


/* it answers (PING, a reply, a subscription) */
void
ngx_http_oiosaml_redis_up(ngx_http_oiosaml_redis_t *rd)
{
    rd->pause = NGX_HTTP_OIOSAML_REDIS_PAUSE_MIN;

    if (!rd->down) {
        return;
    }

    rd->down = 0;

    if (rd->ready != NULL) {
        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "oiosaml: store \"%V\": subscribed to ended sessions "
                      "again (after %T s)",
                      &rd->conf->url, ngx_time() - rd->down_since);

    } else if (ngx_atomic_cmp_set(rd->down_flag, 1, 0)) {
        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "oiosaml: store \"%V\" answers again (after %T s)",
                      &rd->conf->url, ngx_time() - rd->down_since);
    }
}


/* ---- the adapter: hiredis's socket on nginx's events -------------------- */


static ngx_int_t
ngx_http_oiosaml_redis_attach(ngx_http_oiosaml_redis_t *rd,
    redisAsyncContext *ac)
{
    ngx_connection_t  *c;

    c = ngx_get_connection(ac->c.fd, ngx_cycle->log);
    if (c == NULL) {
        return NGX_ERROR;
    }

    c->data = ac;
    ac->data = rd;
    c->read->handler = ngx_http_oiosaml_redis_read;
    c->write->handler = ngx_http_oiosaml_redis_write;
    c->read->log = ngx_cycle->log;
    c->write->log = ngx_cycle->log;

    ac->ev.data = c;
    ac->ev.addRead = ngx_http_oiosaml_redis_add_read;
    ac->ev.delRead = ngx_http_oiosaml_redis_del_read;
    ac->ev.addWrite = ngx_http_oiosaml_redis_add_write;
    ac->ev.delWrite = ngx_http_oiosaml_redis_del_write;
    ac->ev.cleanup = ngx_http_oiosaml_redis_cleanup;

    return NGX_OK;
}


static void
ngx_http_oiosaml_redis_read(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    redisAsyncHandleRead(c->data);
}


static void
ngx_http_oiosaml_redis_write(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    redisAsyncHandleWrite(c->data);
}


/* level-triggered: hiredis reads a bounded amount at a time */
static void
ngx_http_oiosaml_redis_add_read(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (!c->read->active) {
        (void) ngx_add_event(c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT);
    }
}


static void
ngx_http_oiosaml_redis_del_read(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }
}


static void
ngx_http_oiosaml_redis_add_write(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (!c->write->active) {
        (void) ngx_add_event(c->write, NGX_WRITE_EVENT, NGX_LEVEL_EVENT);
    }
}


static void
ngx_http_oiosaml_redis_del_write(void *privdata)
{
    ngx_connection_t  *c = privdata;

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }
}


/* hiredis closes the socket itself, after this */
static void
ngx_http_oiosaml_redis_cleanup(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_http_oiosaml_redis_del_read(c);
    ngx_http_oiosaml_redis_del_write(c);

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    c->fd = (ngx_socket_t) -1;
    ngx_free_connection(c);
}
