
/*
 * The Redis store (oiosaml_store redis://...): what several nginx nodes
 * share.  Sessions are sealed by the library (oiosaml_session_pack: AES-
 * 256-GCM under a key derived from oiosaml_cookie_secret, bound to their
 * Redis key and the SP) and stored under SHA-256 of the session ID; the
 * single-use records and the login counts are digests with an expiry.
 * Nothing in Redis names a user or holds a session ID.
 *
 *   <prefix>s:<hex>   a session, expiring after oiosaml_session_idle
 *                     (renewed by GETEX on each read) or at its end
 *   <prefix>r:<hex>   a used assertion, AuthnRequest or LogoutRequest ID
 *   <prefix>l:<hex>   a browser's login count in its window
 *
 * The zone is a cache in front of it: a session read or written here is
 * fresh for cache= seconds, and a protected request within that time
 * costs no round trip.  Logout ends a session in Redis and in this node's
 * zone at once, and publishes the hex of its key on <prefix>ended in the
 * same command: every node subscribed (ngx_http_oiosaml_redis_sub.c)
 * drops its copy at once; a node that is not subscribed at that moment
 * keeps it for at most cache= seconds.
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_store.h"
#include "ngx_http_oiosaml_redis.h"


/*
 * An ACS answer, all at once.  KEYS: the assertion's record, the
 * AuthnRequest's record, the old session, the new one.  ARGV: their
 * lifetimes (0: no AuthnRequest), the old session's presence, the new
 * session's value and lifetime, the channel of ended sessions (the old
 * one's key hex is published there).  0: done; 1: the assertion was
 * used; 2: the AuthnRequest was answered.
 */
static const char  ngx_http_oiosaml_redis_commit_lua[] =
    "if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then "
    "return 1 end "
    "if ARGV[2] ~= '0' and "
    "not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then "
    "return 2 end "
    "if ARGV[3] == '1' then redis.call('DEL', KEYS[3]) "
    "redis.call('PUBLISH', ARGV[6], string.sub(KEYS[3], -64)) end "
    "redis.call('SET', KEYS[4], ARGV[4], 'EX', ARGV[5]) "
    "return 0";

/* a session ended: DEL, and its key's hex on the channel (ARGV[1]) */
static const char  ngx_http_oiosaml_redis_remove_lua[] =
    "local n = redis.call('DEL', KEYS[1]) "
    "redis.call('PUBLISH', ARGV[1], string.sub(KEYS[1], -64)) "
    "return n";

/* a login counted: the count, its window starting with the first */
static const char  ngx_http_oiosaml_redis_count_lua[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return n";


static ngx_int_t ngx_http_oiosaml_redis_find(ngx_http_request_t *r,
    const u_char *key, ngx_uint_t wait);
static void ngx_http_oiosaml_redis_found(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply);
static ngx_int_t ngx_http_oiosaml_redis_commit(ngx_http_request_t *r,
    ngx_http_oiosaml_commit_t *c);
static void ngx_http_oiosaml_redis_committed(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply);
static ngx_int_t ngx_http_oiosaml_redis_remove(ngx_http_request_t *r,
    const u_char *key);
static void ngx_http_oiosaml_redis_removed(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply);
static ngx_int_t ngx_http_oiosaml_redis_once(ngx_http_request_t *r,
    const u_char *digest, time_t until);
static void ngx_http_oiosaml_redis_onced(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply);
static ngx_int_t ngx_http_oiosaml_redis_count(ngx_http_request_t *r,
    const u_char *digest, ngx_uint_t limit, time_t window);
static void ngx_http_oiosaml_redis_counted(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply);
static ngx_int_t ngx_http_oiosaml_redis_bind(ngx_http_request_t *r,
    const u_char *key, ngx_str_t *bind);
static time_t ngx_http_oiosaml_redis_ttl(time_t until, time_t now);
static char *ngx_http_oiosaml_redis_addr(ngx_conf_t *cf, ngx_str_t *s,
    ngx_str_t *host, in_port_t *port);
static char *ngx_http_oiosaml_redis_password(ngx_conf_t *cf,
    ngx_http_oiosaml_redis_conf_t *rc, ngx_str_t *file);


ngx_http_oiosaml_store_ops_t  ngx_http_oiosaml_store_redis_ops = {
    ngx_http_oiosaml_redis_find,
    ngx_http_oiosaml_redis_commit,
    ngx_http_oiosaml_redis_remove,
    ngx_http_oiosaml_redis_once,
    ngx_http_oiosaml_redis_count,
    ngx_http_oiosaml_redis_available
};


/* ---- the operations ------------------------------------------------------ */


/* the zone's copy while fresh; else GETEX, which renews the idle time */
static ngx_int_t
ngx_http_oiosaml_redis_find(ngx_http_request_t *r, const u_char *key,
    ngx_uint_t wait)
{
    ngx_int_t                       rc;
    ngx_uint_t                      fresh;
    ngx_http_oiosaml_ctx_t         *ctx;
    ngx_http_oiosaml_redis_op_t    *op;
    ngx_http_oiosaml_srv_conf_t    *oscf;
    ngx_http_oiosaml_main_conf_t   *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);

    rc = ngx_http_oiosaml_shm_get(r, omcf->shm_zone, key, oscf->session_idle,
                                  &ctx->session, &fresh);

    if (rc == NGX_ERROR || (rc == NGX_OK && (fresh || !wait))) {
        return rc;
    }

    if (!wait) {
        return NGX_DECLINED;
    }

    ctx->session = NULL;

    op = ngx_http_oiosaml_redis_op(r, omcf->redis->prefix.len + 128,
                                   ngx_http_oiosaml_redis_found);
    if (op == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(op->key, key, NGX_HTTP_OIOSAML_KEY_LEN);
    op->cache_gen = ngx_http_oiosaml_redis_cache_gen(omcf->shm_zone);

    ngx_http_oiosaml_redis_arg(op, (u_char *) "GETEX", 5);
    ngx_http_oiosaml_redis_key(op, "s:", key);
    ngx_http_oiosaml_redis_arg(op, (u_char *) "EX", 2);
    ngx_http_oiosaml_redis_num(op, oscf->session_idle);

    return ngx_http_oiosaml_redis_send(op) == NGX_AGAIN ? NGX_AGAIN
                                                         : NGX_ERROR;
}


static void
ngx_http_oiosaml_redis_found(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply)
{
    u_char                         *p;
    void                           *mem;
    size_t                          size;
    time_t                          now;
    ngx_str_t                       bind;
    ngx_int_t                       rc;
    ngx_uint_t                      i;
    oiosaml_err_t                   err;
    ngx_http_request_t             *r;
    oiosaml_session_rec_t           rec;
    ngx_http_oiosaml_ctx_t         *ctx;
    ngx_http_oiosaml_session_t     *s;
    ngx_http_oiosaml_srv_conf_t    *oscf;
    ngx_http_oiosaml_main_conf_t   *omcf;

    r = op->r;
    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);
    now = ngx_time();

    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        ngx_http_oiosaml_store_done(r, NGX_ERROR);
        return;
    }

    rc = NGX_DECLINED;
    mem = NULL;

    if (reply->type == REDIS_REPLY_STRING
        && ngx_http_oiosaml_redis_bind(r, op->key, &bind) == NGX_OK)
    {
        oiosaml_err_clear(&err);

        if (oiosaml_session_unpack(oscf->sp, bind.data, bind.len,
                                   (u_char *) reply->str, reply->len, &rec,
                                   &mem, &err)
            != OIOSAML_OK)
        {
            /* another SP's, or not ours at all: no session */
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "oiosaml: store: a session value does not open "
                          "for this SP: %s", err.text);

        } else if (rec.expires > now) {
            size = sizeof(ngx_http_oiosaml_session_t);

            for (i = 0; i < OIOSAML_F_MAX; i++) {
                size += rec.lens[i];
            }

            s = ngx_pnalloc(r->pool, size);

            if (s == NULL) {
                rc = NGX_ERROR;

            } else {
                ngx_memcpy(s->key, op->key, NGX_HTTP_OIOSAML_KEY_LEN);
                s->created = rec.created;
                s->expires = rec.expires;
                s->loa = (oiosaml_loa_t) rec.loa;

                p = (u_char *) s + sizeof(ngx_http_oiosaml_session_t);

                for (i = 0; i < OIOSAML_F_MAX; i++) {
                    s->fields[i].data = p;
                    s->fields[i].len = rec.lens[i];
                    p = ngx_cpymem(p, rec.fields[i], rec.lens[i]);
                }

                ctx->session = s;
                rc = NGX_OK;
            }
        }

        if (mem != NULL) {
            oiosaml_free(mem);
        }
    }

    /*
     * A session that ended while the answer travelled (the node heard of
     * an end since the GETEX went) is served to this request, which came
     * before the end, but not kept: cache_gen is read again after the
     * copy is in the zone, and the copy goes if it moved.
     */
    if (rc == NGX_OK && omcf->redis->cache
        && ngx_http_oiosaml_redis_cache_gen(omcf->shm_zone) == op->cache_gen)
    {
        (void) ngx_http_oiosaml_shm_put(r, omcf->shm_zone, ctx->session,
                                        oscf->session_idle,
                                        now + omcf->redis->cache);

        if (ngx_http_oiosaml_redis_cache_gen(omcf->shm_zone)
            != op->cache_gen)
        {
            ngx_http_oiosaml_shm_remove(omcf->shm_zone, op->key);
        }

    } else if (rc == NGX_DECLINED) {
        ngx_http_oiosaml_shm_remove(omcf->shm_zone, op->key);
    }

    ngx_http_oiosaml_store_done(r, rc);
}


static ngx_int_t
ngx_http_oiosaml_redis_commit(ngx_http_request_t *r,
    ngx_http_oiosaml_commit_t *c)
{
    time_t                          now;
    size_t                          vlen;
    ngx_str_t                       bind;
    ngx_uint_t                      i;
    oiosaml_err_t                   err;
    unsigned char                  *value;
    oiosaml_session_rec_t           rec;
    ngx_http_oiosaml_session_t     *s;
    ngx_http_oiosaml_redis_op_t    *op;
    ngx_http_oiosaml_srv_conf_t    *oscf;
    ngx_http_oiosaml_main_conf_t   *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    s = c->session;
    now = ngx_time();

    if (ngx_http_oiosaml_redis_bind(r, s->key, &bind) != NGX_OK) {
        return NGX_ERROR;
    }

    rec.created = s->created;
    rec.expires = s->expires;
    rec.loa = s->loa;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        rec.fields[i] = (const char *) s->fields[i].data;
        rec.lens[i] = s->fields[i].len;
    }

    oiosaml_err_clear(&err);

    if (oiosaml_session_pack(oscf->sp, bind.data, bind.len, &rec, &value,
                             &vlen, &err)
        != OIOSAML_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "oiosaml: store: cannot pack the session: %s",
                      err.text);
        return NGX_ERROR;
    }

    op = ngx_http_oiosaml_redis_op(r, sizeof(ngx_http_oiosaml_redis_commit_lua)
                                      + 4 * (omcf->redis->prefix.len + 70)
                                      + omcf->redis->channel.len
                                      + vlen + 128,
                                   ngx_http_oiosaml_redis_committed);
    if (op == NULL) {
        oiosaml_free(value);
        return NGX_ERROR;
    }

    op->data = c;
    ngx_memcpy(op->key, s->key, NGX_HTTP_OIOSAML_KEY_LEN);

    ngx_http_oiosaml_redis_arg(op, (u_char *) "EVAL", 4);
    ngx_http_oiosaml_redis_arg(op,
                               (u_char *) ngx_http_oiosaml_redis_commit_lua,
                               sizeof(ngx_http_oiosaml_redis_commit_lua) - 1);
    ngx_http_oiosaml_redis_arg(op, (u_char *) "4", 1);
    ngx_http_oiosaml_redis_key(op, "r:", c->assertion);
    ngx_http_oiosaml_redis_key(op, "r:", c->request);
    ngx_http_oiosaml_redis_key(op, "s:", c->old);
    ngx_http_oiosaml_redis_key(op, "s:", s->key);
    ngx_http_oiosaml_redis_num(op,
        ngx_http_oiosaml_redis_ttl(c->assertion_until, now));
    ngx_http_oiosaml_redis_num(op, c->request_until
        ? ngx_http_oiosaml_redis_ttl(c->request_until, now) : 0);
    ngx_http_oiosaml_redis_arg(op, (u_char *) (c->has_old ? "1" : "0"), 1);
    ngx_http_oiosaml_redis_arg(op, value, vlen);
    ngx_http_oiosaml_redis_num(op,
        ngx_min(oscf->session_idle,
                ngx_http_oiosaml_redis_ttl(s->expires, now)));
    ngx_http_oiosaml_redis_arg(op, omcf->redis->channel.data,
                               omcf->redis->channel.len);

    oiosaml_free(value);

    return ngx_http_oiosaml_redis_send(op) == NGX_AGAIN ? NGX_AGAIN
                                                         : NGX_ERROR;
}


static void
ngx_http_oiosaml_redis_committed(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply)
{
    ngx_http_request_t             *r;
    ngx_http_oiosaml_commit_t      *c;
    ngx_http_oiosaml_srv_conf_t    *oscf;
    ngx_http_oiosaml_main_conf_t   *omcf;

    r = op->r;
    c = op->data;
    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "oiosaml: store: the login cannot be recorded: "
                          "%s", reply->str);
        }

        ngx_http_oiosaml_store_done(r, NGX_ERROR);
        return;
    }

    if (reply->integer != 0) {
        c->refused = (reply->integer == 1) ? NGX_HTTP_OIOSAML_USED_ASSERTION
                                           : NGX_HTTP_OIOSAML_USED_REQUEST;
        ngx_http_oiosaml_store_done(r, NGX_BUSY);
        return;
    }

    if (c->has_old) {
        ngx_http_oiosaml_shm_remove(omcf->shm_zone, c->old);
    }

    if (omcf->redis->cache) {
        (void) ngx_http_oiosaml_shm_put(r, omcf->shm_zone, c->session,
                                        oscf->session_idle,
                                        ngx_time() + omcf->redis->cache);
    }

    ngx_http_oiosaml_store_done(r, NGX_OK);
}


/* gone from Redis and from every node's zone at once (the channel) */
static ngx_int_t
ngx_http_oiosaml_redis_remove(ngx_http_request_t *r, const u_char *key)
{
    ngx_http_oiosaml_redis_op_t    *op;
    ngx_http_oiosaml_main_conf_t   *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);

    ngx_http_oiosaml_shm_remove(omcf->shm_zone, key);

    op = ngx_http_oiosaml_redis_op(r, sizeof(ngx_http_oiosaml_redis_remove_lua)
                                      + omcf->redis->prefix.len + 80
                                      + omcf->redis->channel.len,
                                   ngx_http_oiosaml_redis_removed);
    if (op == NULL) {
        return NGX_ERROR;
    }

    ngx_http_oiosaml_redis_arg(op, (u_char *) "EVAL", 4);
    ngx_http_oiosaml_redis_arg(op,
                               (u_char *) ngx_http_oiosaml_redis_remove_lua,
                               sizeof(ngx_http_oiosaml_redis_remove_lua) - 1);
    ngx_http_oiosaml_redis_arg(op, (u_char *) "1", 1);
    ngx_http_oiosaml_redis_key(op, "s:", key);
    ngx_http_oiosaml_redis_arg(op, omcf->redis->channel.data,
                               omcf->redis->channel.len);

    return ngx_http_oiosaml_redis_send(op) == NGX_AGAIN ? NGX_AGAIN
                                                         : NGX_ERROR;
}


static void
ngx_http_oiosaml_redis_removed(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply)
{
    ngx_http_oiosaml_store_done(op->r,
                                (reply && reply->type == REDIS_REPLY_INTEGER)
                                ? NGX_OK : NGX_ERROR);
}


static ngx_int_t
ngx_http_oiosaml_redis_once(ngx_http_request_t *r, const u_char *digest,
    time_t until)
{
    ngx_http_oiosaml_redis_op_t    *op;
    ngx_http_oiosaml_main_conf_t   *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);

    op = ngx_http_oiosaml_redis_op(r, omcf->redis->prefix.len + 128,
                                   ngx_http_oiosaml_redis_onced);
    if (op == NULL) {
        return NGX_ERROR;
    }

    ngx_http_oiosaml_redis_arg(op, (u_char *) "SET", 3);
    ngx_http_oiosaml_redis_key(op, "r:", digest);
    ngx_http_oiosaml_redis_arg(op, (u_char *) "1", 1);
    ngx_http_oiosaml_redis_arg(op, (u_char *) "NX", 2);
    ngx_http_oiosaml_redis_arg(op, (u_char *) "EX", 2);
    ngx_http_oiosaml_redis_num(op,
                               ngx_http_oiosaml_redis_ttl(until, ngx_time()));

    return ngx_http_oiosaml_redis_send(op) == NGX_AGAIN ? NGX_AGAIN
                                                         : NGX_ERROR;
}


static void
ngx_http_oiosaml_redis_onced(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply)
{
    ngx_int_t  rc;

    if (reply != NULL && reply->type == REDIS_REPLY_STATUS) {
        rc = NGX_OK;

    } else if (reply != NULL && reply->type == REDIS_REPLY_NIL) {
        rc = NGX_BUSY;

    } else {
        rc = NGX_ERROR;
    }

    ngx_http_oiosaml_store_done(op->r, rc);
}


static ngx_int_t
ngx_http_oiosaml_redis_count(ngx_http_request_t *r, const u_char *digest,
    ngx_uint_t limit, time_t window)
{
    ngx_http_oiosaml_redis_op_t    *op;
    ngx_http_oiosaml_main_conf_t   *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);

    op = ngx_http_oiosaml_redis_op(r, sizeof(ngx_http_oiosaml_redis_count_lua)
                                      + omcf->redis->prefix.len + 128,
                                   ngx_http_oiosaml_redis_counted);
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->limit = limit;

    ngx_http_oiosaml_redis_arg(op, (u_char *) "EVAL", 4);
    ngx_http_oiosaml_redis_arg(op,
                               (u_char *) ngx_http_oiosaml_redis_count_lua,
                               sizeof(ngx_http_oiosaml_redis_count_lua) - 1);
    ngx_http_oiosaml_redis_arg(op, (u_char *) "1", 1);
    ngx_http_oiosaml_redis_key(op, "l:", digest);
    ngx_http_oiosaml_redis_num(op, window);

    return ngx_http_oiosaml_redis_send(op) == NGX_AGAIN ? NGX_AGAIN
                                                         : NGX_ERROR;
}


static void
ngx_http_oiosaml_redis_counted(ngx_http_oiosaml_redis_op_t *op,
    redisReply *reply)
{
    ngx_int_t                rc;
    ngx_http_oiosaml_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(op->r, ngx_http_oiosaml_module);

    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        rc = NGX_ERROR;

    } else if ((ngx_uint_t) reply->integer > op->limit) {
        ctx->first = ((ngx_uint_t) reply->integer == op->limit + 1);
        rc = NGX_BUSY;

    } else {
        rc = NGX_OK;
    }

    ngx_http_oiosaml_store_done(op->r, rc);
}


/* what a session's seal is bound to: its key and the SP's entityID */
static ngx_int_t
ngx_http_oiosaml_redis_bind(ngx_http_request_t *r, const u_char *key,
    ngx_str_t *bind)
{
    u_char                       *p;
    const char                   *entity;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    entity = oiosaml_sp_entity_id(oscf->sp);

    bind->len = NGX_HTTP_OIOSAML_KEY_LEN + 1 + ngx_strlen(entity);
    bind->data = ngx_pnalloc(r->pool, bind->len);
    if (bind->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(bind->data, key, NGX_HTTP_OIOSAML_KEY_LEN);
    *p++ = '\n';
    ngx_memcpy(p, entity, ngx_strlen(entity));

    return NGX_OK;
}


static time_t
ngx_http_oiosaml_redis_ttl(time_t until, time_t now)
{
    return (until > now) ? until - now : 1;
}


/* ---- the directive ------------------------------------------------------- */


/*
 * oiosaml_store zone
 * oiosaml_store redis://HOST[:PORT][/DB] | unix:/PATH
 *               | sentinel=HOST:PORT[,HOST:PORT...] master=NAME
 *               [db=N] [password_file=FILE] [prefix=P] [timeout=T]
 *               [cache=T]
 */
char *
ngx_http_oiosaml_store(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_main_conf_t *omcf = conf;

    u_char                         *p, *last, *comma;
    ngx_int_t                       n;
    ngx_str_t                      *value, s, v;
    ngx_uint_t                      i;
    ngx_http_oiosaml_redis_conf_t  *rc;

    if (omcf->store_set) {
        return "is duplicate";
    }

    omcf->store_set = 1;
    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "zone") == 0) {
        omcf->ops = &ngx_http_oiosaml_store_shm_ops;
        return NGX_CONF_OK;
    }

    rc = ngx_pcalloc(cf->pool, sizeof(ngx_http_oiosaml_redis_conf_t));
    if (rc == NULL) {
        return NGX_CONF_ERROR;
    }

    rc->url = value[1];
    rc->port = 6379;
    rc->timeout = 1000;
    rc->cache = 5;
    ngx_str_set(&rc->prefix, "oiosaml:");

    if (ngx_strncmp(value[1].data, "redis://", 8) == 0) {
        s.data = value[1].data + 8;
        s.len = value[1].len - 8;

        p = ngx_strlchr(s.data, s.data + s.len, '/');
        if (p != NULL) {
            n = ngx_atoi(p + 1, s.data + s.len - p - 1);
            if (n == NGX_ERROR || n > 1000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid database "
                                   "number in \"%V\"", &value[1]);
                return NGX_CONF_ERROR;
            }

            rc->db = n;
            s.len = p - s.data;
        }

        if (ngx_http_oiosaml_redis_addr(cf, &s, &rc->host, &rc->port)
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

    } else if (ngx_strncmp(value[1].data, "unix:", 5) == 0
               && value[1].len > 6 && value[1].data[5] == '/')
    {
        rc->unix_path.len = value[1].len - 5;
        rc->unix_path.data = value[1].data + 5;     /* NUL-ended */

    } else if (ngx_strncmp(value[1].data, "sentinel=", 9) == 0) {
        p = value[1].data + 9;
        last = value[1].data + value[1].len;

        while (p < last) {
            comma = ngx_strlchr(p, last, ',');
            if (comma == NULL) {
                comma = last;
            }

            if (rc->nsentinels == NGX_HTTP_OIOSAML_REDIS_SENTINELS) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "more than %d sentinels",
                                   NGX_HTTP_OIOSAML_REDIS_SENTINELS);
                return NGX_CONF_ERROR;
            }

            s.data = p;
            s.len = comma - p;
            rc->sentinel_port[rc->nsentinels] = 26379;

            if (ngx_http_oiosaml_redis_addr(cf, &s,
                    &rc->sentinel_host[rc->nsentinels],
                    &rc->sentinel_port[rc->nsentinels])
                != NGX_CONF_OK)
            {
                return NGX_CONF_ERROR;
            }

            rc->nsentinels++;
            p = comma + 1;
        }

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid store \"%V\": "
                           "expected \"zone\", \"redis://HOST:PORT/DB\", "
                           "\"unix:/PATH\" or \"sentinel=HOST:PORT,...\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        p = (u_char *) ngx_strchr(value[i].data, '=');

        if (p == NULL) {
            goto invalid;
        }

        s.data = value[i].data;
        s.len = p - value[i].data;
        v.data = p + 1;
        v.len = value[i].data + value[i].len - v.data;

        if (s.len == 6 && ngx_strncmp(s.data, "master", 6) == 0
            && v.len > 0)
        {
            rc->master = v;

        } else if (s.len == 2 && ngx_strncmp(s.data, "db", 2) == 0) {
            n = ngx_atoi(v.data, v.len);
            if (n == NGX_ERROR || n > 1000) {
                goto invalid;
            }

            rc->db = n;

        } else if (s.len == 13
                   && ngx_strncmp(s.data, "password_file", 13) == 0)
        {
            if (ngx_http_oiosaml_redis_password(cf, rc, &v) != NGX_CONF_OK) {
                return NGX_CONF_ERROR;
            }

        } else if (s.len == 6 && ngx_strncmp(s.data, "prefix", 6) == 0
                   && v.len > 0 && v.len <= 64)
        {
            rc->prefix = v;

        } else if (s.len == 7 && ngx_strncmp(s.data, "timeout", 7) == 0) {
            n = ngx_parse_time(&v, 0);
            if (n == NGX_ERROR || n < 10 || n > 60000) {
                goto invalid;
            }

            rc->timeout = n;

        } else if (s.len == 5 && ngx_strncmp(s.data, "cache", 5) == 0) {
            n = ngx_parse_time(&v, 1);
            if (n == NGX_ERROR || n > 300) {
                goto invalid;
            }

            rc->cache = n;

        } else {
            goto invalid;
        }
    }

    if ((rc->nsentinels != 0) != (rc->master.len != 0)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"sentinel=\" and "
                           "\"master=\" go together");
        return NGX_CONF_ERROR;
    }

    /* <prefix>ended: where ended sessions are published */
    rc->channel.len = rc->prefix.len
                      + sizeof(NGX_HTTP_OIOSAML_REDIS_CHANNEL) - 1;
    rc->channel.data = ngx_pnalloc(cf->pool, rc->channel.len);
    if (rc->channel.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(ngx_cpymem(rc->channel.data, rc->prefix.data, rc->prefix.len),
               NGX_HTTP_OIOSAML_REDIS_CHANNEL,
               sizeof(NGX_HTTP_OIOSAML_REDIS_CHANNEL) - 1);

    omcf->redis = rc;
    omcf->ops = &ngx_http_oiosaml_store_redis_ops;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid parameter \"%V\" (the "
                       "options are master=, db=, password_file=, prefix= "
                       "(at most 64 bytes), timeout= (10ms to 60s) and "
                       "cache= (0 to 300s))", &value[i]);
    return NGX_CONF_ERROR;
}


/* HOST[:PORT]: resolved now, so that a worker never waits for DNS */
static char *
ngx_http_oiosaml_redis_addr(ngx_conf_t *cf, ngx_str_t *s, ngx_str_t *host,
    in_port_t *port)
{
    u_char     *p;
    size_t      len;
    ngx_url_t   u;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = *s;
    u.default_port = *port;

    if (ngx_parse_url(cf->pool, &u) != NGX_OK || u.naddrs == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid store address "
                           "\"%V\": %s", s, u.err ? u.err : "no address");
        return NGX_CONF_ERROR;
    }

    p = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    len = ngx_sock_ntop(u.addrs[0].sockaddr, u.addrs[0].socklen, p,
                        NGX_SOCKADDR_STRLEN, 0);
    p[len] = '\0';

    if (len > 2 && p[0] == '[') {
        /* hiredis takes IPv6 without the brackets */
        ngx_memmove(p, p + 1, len - 2);
        p[len - 2] = '\0';
        len -= 2;
    }

    host->data = p;
    host->len = len;
    *port = ngx_inet_get_port(u.addrs[0].sockaddr);

    return NGX_CONF_OK;
}


/* the first line of the file; the file must not be world-readable */
static char *
ngx_http_oiosaml_redis_password(ngx_conf_t *cf,
    ngx_http_oiosaml_redis_conf_t *rc, ngx_str_t *file)
{
    u_char           *p, buf[512];
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         name;
    ngx_file_info_t   fi;

    name = *file;

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "cannot open "
                           "password_file \"%V\"", &name);
        return NGX_CONF_ERROR;
    }

    if (ngx_fd_info(fd, &fi) != NGX_FILE_ERROR && (fi.st_mode & 0004)) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0, "password_file \"%V\" can "
                           "be read by every user", &name);
    }

    n = ngx_read_fd(fd, buf, sizeof(buf));
    ngx_close_file(fd);

    if (n <= 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "password_file \"%V\" is "
                           "empty", &name);
        return NGX_CONF_ERROR;
    }

    p = ngx_strlchr(buf, buf + n, '\n');
    n = (p ? p : buf + n) - buf;

    if (n > 0 && buf[n - 1] == '\r') {
        n--;
    }

    if (n == 0 || n == (ssize_t) sizeof(buf)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "password_file \"%V\" has "
                           "no password on its first line (or a longer one "
                           "than %uz bytes)", &name, sizeof(buf) - 1);
        return NGX_CONF_ERROR;
    }

    rc->password.data = ngx_pnalloc(cf->pool, n);
    if (rc->password.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(rc->password.data, buf, n);
    rc->password.len = n;
    ngx_explicit_memzero(buf, sizeof(buf));

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_oiosaml_store_init_process(ngx_cycle_t *cycle)
{
    ngx_http_oiosaml_store_t      *store;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_oiosaml_module);

    if (omcf == NULL || omcf->redis == NULL || omcf->shm_zone == NULL
        || (ngx_process != NGX_PROCESS_WORKER
            && ngx_process != NGX_PROCESS_SINGLE))
    {
        return NGX_OK;
    }

    store = omcf->shm_zone->data;

    if (ngx_http_oiosaml_redis_init_process(cycle, omcf->redis,
                                            &store->sh->store_down)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_oiosaml_redis_sub_init_process(cycle, omcf->redis,
                                                   omcf->shm_zone);
}


void
ngx_http_oiosaml_store_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_oiosaml_redis_sub_exit_process();
    ngx_http_oiosaml_redis_exit_process();
}
