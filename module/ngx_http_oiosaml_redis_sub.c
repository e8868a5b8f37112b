
/*
 * The node's subscription to ended sessions (the Redis store).  Worker 0
 * keeps a second connection to the store, made by the same code as each
 * worker's command connection (ngx_http_oiosaml_redis.c, here with a
 * ready hook that sends SUBSCRIBE), on the channel <prefix>ended.  A node
 * that ends a session (logout, or the session that a new login replaces)
 * publishes the hex of its key's digest there, in the same command as the
 * DEL (ngx_http_oiosaml_store_redis.c); every node then drops its cached
 * copy at once.  A message names a Redis key, never a session ID.
 *
 * Messages published while the node is not subscribed are lost: when the
 * subscription starts, and whenever it ends, every cached copy in the
 * zone goes, so that the next request reads the store; in between, copies
 * are trusted for cache= seconds, as without a subscription.  Each message
 * and each of those bumps the zone's cache_gen first, so that the answer
 * to a find that crossed a logout is served but not cached.
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_store.h"
#include "ngx_http_oiosaml_redis.h"


#define NGX_HTTP_OIOSAML_SUB_HEX_LEN  (2 * NGX_HTTP_OIOSAML_KEY_LEN)


typedef struct {
    ngx_http_oiosaml_redis_t   rd;          /* the connection */
    ngx_shm_zone_t            *zone;
    ngx_event_t                confirm;     /* SUBSCRIBE answered in time */
    ngx_uint_t                 subscribed;
} ngx_http_oiosaml_redis_sub_t;


static ngx_http_oiosaml_redis_sub_t  ngx_http_oiosaml_redis_sub;


static void ngx_http_oiosaml_redis_sub_ready(ngx_http_oiosaml_redis_t *rd);
static void ngx_http_oiosaml_redis_sub_lost(ngx_http_oiosaml_redis_t *rd);
static void ngx_http_oiosaml_redis_sub_reply(redisAsyncContext *ac, void *r,
    void *privdata);
static void ngx_http_oiosaml_redis_sub_ended(
    ngx_http_oiosaml_redis_sub_t *sub, redisReply *payload);
static void ngx_http_oiosaml_redis_sub_timeout(ngx_event_t *ev);
static void ngx_http_oiosaml_redis_sub_reset(
    ngx_http_oiosaml_redis_sub_t *sub);


/* one subscription per node: worker 0's (or the single process's) */
ngx_int_t
ngx_http_oiosaml_redis_sub_init_process(ngx_cycle_t *cycle,
    ngx_http_oiosaml_redis_conf_t *conf, ngx_shm_zone_t *zone)
{
    ngx_http_oiosaml_redis_sub_t  *sub = &ngx_http_oiosaml_redis_sub;

    ngx_memzero(sub, sizeof(ngx_http_oiosaml_redis_sub_t));

    if (ngx_process == NGX_PROCESS_WORKER && ngx_worker != 0) {
        return NGX_OK;
    }

    sub->zone = zone;

    sub->confirm.handler = ngx_http_oiosaml_redis_sub_timeout;
    sub->confirm.log = cycle->log;
    sub->confirm.data = sub;
    sub->confirm.cancelable = 1;

    sub->rd.ready = ngx_http_oiosaml_redis_sub_ready;
    sub->rd.lost = ngx_http_oiosaml_redis_sub_lost;
    sub->rd.data = sub;

    ngx_http_oiosaml_redis_start(&sub->rd, cycle, conf, NULL);

    return NGX_OK;
}


void
ngx_http_oiosaml_redis_sub_exit_process(void)
{
    ngx_http_oiosaml_redis_sub_t  *sub = &ngx_http_oiosaml_redis_sub;

    if (sub->rd.conf == NULL) {
        return;
    }

    if (sub->confirm.timer_set) {
        ngx_del_timer(&sub->confirm);
    }

    /* the channel's callback gets NULL, the lost hook does not run */
    ngx_http_oiosaml_redis_stop(&sub->rd);
}


/* bumped by each ended session heard of and each (re)subscription */
ngx_atomic_uint_t
ngx_http_oiosaml_redis_cache_gen(ngx_shm_zone_t *zone)
{
    ngx_http_oiosaml_store_t  *store = zone->data;

    return store->sh->cache_gen;
}


/* AUTH, SELECT and ROLE are sent: SUBSCRIBE, answered within timeout= */
static void
ngx_http_oiosaml_redis_sub_ready(ngx_http_oiosaml_redis_t *rd)
{
    ngx_http_oiosaml_redis_sub_t  *sub = rd->data;

    if (rd->conf->unix_path.len == 0) {
        /* a peer gone without a word is noticed in some 30 s */
        (void) redisEnableKeepAlive(&rd->ac->c);
    }

    if (redisAsyncCommand(rd->ac, ngx_http_oiosaml_redis_sub_reply, sub,
                          "SUBSCRIBE %b", rd->conf->channel.data,
                          rd->conf->channel.len)
        != REDIS_OK)
    {
        ngx_http_oiosaml_redis_fail(rd, "cannot subscribe", rd->ac->errstr);
        return;
    }

    if (!sub->confirm.timer_set) {
        ngx_add_timer(&sub->confirm, rd->conf->timeout);
    }
}


/* the connection is gone (a retry is timed): messages may be lost now */
static void
ngx_http_oiosaml_redis_sub_lost(ngx_http_oiosaml_redis_t *rd)
{
    ngx_http_oiosaml_redis_sub_t  *sub = rd->data;

    if (sub->confirm.timer_set) {
        ngx_del_timer(&sub->confirm);
    }

    if (sub->subscribed) {
        sub->subscribed = 0;
        ngx_http_oiosaml_redis_sub_reset(sub);
    }
}


/*
 * The confirmation of SUBSCRIBE, or a message: ["subscribe", channel, n]
 * or ["message", channel, payload].  Anything else is ignored.
 */
static void
ngx_http_oiosaml_redis_sub_reply(redisAsyncContext *ac, void *r,
    void *privdata)
{
    redisReply                    *reply = r;
    redisReply                    *kind;
    ngx_http_oiosaml_redis_sub_t  *sub = privdata;

    if (reply == NULL || sub->rd.ac != ac) {
        return;                     /* the end: the lost hook says it */
    }

    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3
        && reply->element[0]->type == REDIS_REPLY_STRING)
    {
        kind = reply->element[0];

        if (kind->len == 7 && ngx_strncmp(kind->str, "message", 7) == 0) {
            ngx_http_oiosaml_redis_sub_ended(sub, reply->element[2]);
            return;
        }

        if (kind->len == 9 && ngx_strncmp(kind->str, "subscribe", 9) == 0) {
            if (sub->confirm.timer_set) {
                ngx_del_timer(&sub->confirm);
            }

            /* what was published before now may have been missed */
            ngx_http_oiosaml_redis_sub_reset(sub);
            sub->subscribed = 1;

            ngx_http_oiosaml_redis_up(&sub->rd);
            return;
        }
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, sub->rd.log, 0,
                   "oiosaml: store: an unexpected reply on the "
                   "subscription, ignored");
}


/* a session ended on some node: the hex of its key's digest */
static void
ngx_http_oiosaml_redis_sub_ended(ngx_http_oiosaml_redis_sub_t *sub,
    redisReply *payload)
{
    u_char                     key[NGX_HTTP_OIOSAML_KEY_LEN];
    ngx_int_t                  n;
    ngx_uint_t                 i;
    ngx_http_oiosaml_store_t  *store;

    if (payload->type != REDIS_REPLY_STRING
        || payload->len != NGX_HTTP_OIOSAML_SUB_HEX_LEN)
    {
        goto invalid;
    }

    for (i = 0; i < NGX_HTTP_OIOSAML_KEY_LEN; i++) {
        n = ngx_hextoi((u_char *) payload->str + 2 * i, 2);

        if (n == NGX_ERROR) {
            goto invalid;
        }

        key[i] = (u_char) n;
    }

    store = sub->zone->data;

    /* first, so that a find whose answer crosses this does not cache it */
    (void) ngx_atomic_fetch_add(&store->sh->cache_gen, 1);

    ngx_http_oiosaml_shm_remove(sub->zone, key);

    return;

invalid:

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, sub->rd.log, 0,
                   "oiosaml: store: a message on the ended sessions' "
                   "channel that is no key digest, ignored");
}


static void
ngx_http_oiosaml_redis_sub_timeout(ngx_event_t *ev)
{
    ngx_http_oiosaml_redis_sub_t  *sub = ev->data;

    ngx_http_oiosaml_redis_fail(&sub->rd, "SUBSCRIBE not confirmed within "
                                "the timeout", "");
}


/* every cached copy goes: the next request reads the store */
static void
ngx_http_oiosaml_redis_sub_reset(ngx_http_oiosaml_redis_sub_t *sub)
{
    ngx_http_oiosaml_store_t  *store;

    store = sub->zone->data;

    (void) ngx_atomic_fetch_add(&store->sh->cache_gen, 1);

    ngx_http_oiosaml_shm_drop_cached(sub->zone);
}
