
/*
 * The shared-memory store, the default backend: sessions (an rbtree keyed
 * by SHA-256 of the session ID, with an LRU queue for eviction), the
 * replay cache and the login limiter (bounded tables,
 * ngx_http_oiosaml_table.c).  One zone for all workers; it survives
 * "nginx -s reload".  The zone's layout and bounds are in
 * ngx_http_oiosaml_store.h.  Its sessions are also the Redis backend's
 * cache (ngx_http_oiosaml_shm_get/put/remove, with fresh_until).
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_store.h"


#define NGX_HTTP_OIOSAML_EXPIRE_BATCH  4
#define NGX_HTTP_OIOSAML_FULL_LOG      60   /* s between "table full" */


static ngx_int_t ngx_http_oiosaml_store_init(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_oiosaml_store_tables(
    ngx_http_oiosaml_store_t *store, size_t size);
static size_t ngx_http_oiosaml_slab_charge(size_t size);
static size_t ngx_http_oiosaml_session_size(ngx_http_oiosaml_snode_t *sn);
static ngx_http_oiosaml_snode_t *ngx_http_oiosaml_session_alloc(
    ngx_http_oiosaml_store_t *store, size_t size);
static ngx_int_t ngx_http_oiosaml_shm_find(ngx_http_request_t *r,
    const u_char *key, ngx_uint_t wait);
static ngx_int_t ngx_http_oiosaml_shm_commit(ngx_http_request_t *r,
    ngx_http_oiosaml_commit_t *c);
static ngx_int_t ngx_http_oiosaml_shm_remove_op(ngx_http_request_t *r,
    const u_char *key);
static ngx_int_t ngx_http_oiosaml_shm_once(ngx_http_request_t *r,
    const u_char *digest, time_t until);
static ngx_int_t ngx_http_oiosaml_shm_count(ngx_http_request_t *r,
    const u_char *digest, ngx_uint_t limit, time_t window);
static ngx_uint_t ngx_http_oiosaml_shm_available(void);
static ngx_int_t ngx_http_oiosaml_shm_compact(ngx_http_request_t *r,
    ngx_http_oiosaml_session_t *s, ngx_str_t *attributes);
static ngx_int_t ngx_http_oiosaml_shm_insert(ngx_http_oiosaml_store_t *store,
    ngx_http_oiosaml_session_t *s, ngx_str_t *attributes, uint32_t sp,
    time_t idle, time_t fresh_until);
static ngx_int_t ngx_http_oiosaml_replay_add(ngx_http_oiosaml_store_t *store,
    const u_char *digest, time_t until, time_t now);
static ngx_int_t ngx_http_oiosaml_login_count(ngx_shm_zone_t *zone,
    const u_char *digest, ngx_uint_t limit, time_t window,
    ngx_uint_t *first, ngx_log_t *log);
static ngx_rbtree_key_t ngx_http_oiosaml_key(const u_char *p);
static ngx_int_t ngx_http_oiosaml_session_match(ngx_rbtree_node_t *node,
    const void *data);
static ngx_rbtree_node_t *ngx_http_oiosaml_rbtree_walk(
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel,
    ngx_rbtree_key_t key, ngx_http_oiosaml_match_pt match,
    const void *data);
static ngx_http_oiosaml_snode_t *ngx_http_oiosaml_session_lookup(
    ngx_http_oiosaml_store_t *store, const u_char *id);
static void ngx_http_oiosaml_session_unlink(ngx_http_oiosaml_store_t *store,
    ngx_http_oiosaml_snode_t *sn);
static void ngx_http_oiosaml_expire(ngx_http_oiosaml_store_t *store,
    time_t now, ngx_uint_t n);
static ngx_uint_t ngx_http_oiosaml_evict(ngx_http_oiosaml_store_t *store);


ngx_http_oiosaml_store_ops_t  ngx_http_oiosaml_store_shm_ops = {
    ngx_http_oiosaml_shm_find,
    ngx_http_oiosaml_shm_commit,
    ngx_http_oiosaml_shm_remove_op,
    ngx_http_oiosaml_shm_once,
    ngx_http_oiosaml_shm_count,
    ngx_http_oiosaml_shm_available
};



/* oiosaml_zone name:size: the zone, and the store unless oiosaml_store */
char *
ngx_http_oiosaml_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_oiosaml_main_conf_t *omcf = conf;

    u_char      *p;
    ssize_t      size;
    ngx_str_t   *value, name, s;

    if (omcf->shm_zone != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    p = (u_char *) ngx_strchr(value[1].data, ':');
    if (p == NULL || p == value[1].data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone \"%V\", expected NAME:SIZE such as "
                           "\"oiosaml:64m\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    name.data = value[1].data;
    name.len = p - value[1].data;

    s.data = p + 1;
    s.len = value[1].data + value[1].len - s.data;

    size = ngx_parse_size(&s);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is too small or invalid, the minimum "
                           "is %uzk", &value[1], 8 * ngx_pagesize / 1024);
        return NGX_CONF_ERROR;
    }

    omcf->shm_zone = ngx_http_oiosaml_store_add(cf, &name, size);
    if (omcf->shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (omcf->ops == NULL) {
        /* the zone is the store, unless oiosaml_store names another */
        omcf->ops = &ngx_http_oiosaml_store_shm_ops;
    }

    return NGX_CONF_OK;
}


ngx_shm_zone_t *
ngx_http_oiosaml_store_add(ngx_conf_t *cf, ngx_str_t *name, size_t size)
{
    ngx_shm_zone_t            *shm_zone;
    ngx_http_oiosaml_store_t  *store;

    store = ngx_pcalloc(cf->pool, sizeof(ngx_http_oiosaml_store_t));
    if (store == NULL) {
        return NULL;
    }

    shm_zone = ngx_shared_memory_add(cf, name, size,
                                     &ngx_http_oiosaml_module);
    if (shm_zone == NULL) {
        return NULL;
    }

    if (shm_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is already used", name);
        return NULL;
    }

    shm_zone->init = ngx_http_oiosaml_store_init;
    shm_zone->data = store;

    return shm_zone;
}


static ngx_int_t
ngx_http_oiosaml_store_init(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_oiosaml_store_t  *ostore = data;

    size_t                     len;
    ngx_queue_t               *q;
    ngx_http_oiosaml_store_t  *store;

    store = shm_zone->data;

    if (ostore) {
        /*
         * Reload: keep the sessions, the replay cache and the counters;
         * refreshed metadata is superseded by the files just loaded.
         */
        store->sh = ostore->sh;
        store->shpool = ostore->shpool;

        ngx_shmtx_lock(&store->shpool->mutex);

        while (!ngx_queue_empty(&store->sh->metadata)) {
            q = ngx_queue_head(&store->sh->metadata);
            ngx_queue_remove(q);
            ngx_slab_free_locked(store->shpool,
                                 ngx_queue_data(q, ngx_http_oiosaml_md_t,
                                                queue));
        }

        store->sh->trust_gen++;

        ngx_shmtx_unlock(&store->shpool->mutex);

        return NGX_OK;
    }

    store->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        store->sh = store->shpool->data;
        return NGX_OK;
    }

    store->sh = ngx_slab_alloc(store->shpool,
                               sizeof(ngx_http_oiosaml_shctx_t));
    if (store->sh == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(store->sh, sizeof(ngx_http_oiosaml_shctx_t));
    store->shpool->data = store->sh;

    ngx_rbtree_init(&store->sh->sessions, &store->sh->ssentinel,
                    ngx_rbtree_insert_value);
    ngx_rbtree_init(&store->sh->counters, &store->sh->csentinel,
                    ngx_rbtree_insert_value);
    ngx_queue_init(&store->sh->metadata);
    ngx_queue_init(&store->sh->lru);

    len = sizeof(" in oiosaml zone \"\"") + shm_zone->shm.name.len;

    store->shpool->log_ctx = ngx_slab_alloc(store->shpool, len);
    if (store->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(store->shpool->log_ctx, " in oiosaml zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* running out of memory is handled here: the oldest sessions go */
    store->shpool->log_nomem = 0;

    return ngx_http_oiosaml_store_tables(store, shm_zone->shm.size);
}


/*
 * The replay cache and the limiter get their entries now, once; sessions
 * may use what is left but the reserve.
 */
static ngx_int_t
ngx_http_oiosaml_store_tables(ngx_http_oiosaml_store_t *store, size_t size)
{
    size_t                     n, free;
    ngx_http_oiosaml_tnode_t  *nodes;

    n = size / NGX_HTTP_OIOSAML_REPLAY_SHARE
        / sizeof(ngx_http_oiosaml_tnode_t);

    nodes = ngx_slab_alloc(store->shpool,
                           n * sizeof(ngx_http_oiosaml_tnode_t));
    if (nodes == NULL) {
        return NGX_ERROR;
    }

    ngx_http_oiosaml_table_init(&store->sh->replay, nodes, n);

    n = size / NGX_HTTP_OIOSAML_LOGINS_SHARE
        / sizeof(ngx_http_oiosaml_tnode_t);

    nodes = ngx_slab_alloc(store->shpool,
                           n * sizeof(ngx_http_oiosaml_tnode_t));
    if (nodes == NULL) {
        return NGX_ERROR;
    }

    ngx_http_oiosaml_table_init(&store->sh->logins, nodes, n);

    free = store->shpool->pfree * ngx_pagesize;
    n = size / NGX_HTTP_OIOSAML_RESERVE_SHARE;

    store->sh->session_budget = (free > n) ? free - n : 0;
    store->sh->session_bytes = 0;

    return NGX_OK;
}


/* the operations: the zone of the http block */


static ngx_int_t
ngx_http_oiosaml_shm_find(ngx_http_request_t *r, const u_char *key,
    ngx_uint_t wait)
{
    ngx_int_t                      rc;
    ngx_uint_t                     fresh;
    ngx_http_oiosaml_ctx_t        *ctx;
    ngx_http_oiosaml_srv_conf_t   *oscf;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);

    /* the zone is the store: what it holds is always fresh */
    rc = ngx_http_oiosaml_shm_get(r, omcf->shm_zone, key, oscf->session_idle,
                                  &ctx->session, &fresh);

    return rc;
}


/*
 * An ACS answer, under one lock: both IDs recorded as used (a full replay
 * cache fails closed), the old session ended, the new one stored.
 */
static ngx_int_t
ngx_http_oiosaml_shm_commit(ngx_http_request_t *r,
    ngx_http_oiosaml_commit_t *c)
{
    time_t                         now;
    ngx_int_t                      rc;
    ngx_str_t                      attributes;
    ngx_http_oiosaml_snode_t      *sn;
    ngx_http_oiosaml_store_t      *store;
    ngx_http_oiosaml_srv_conf_t   *oscf;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    store = omcf->shm_zone->data;
    now = ngx_time();

    if (ngx_http_oiosaml_shm_compact(r, c->session, &attributes) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&store->shpool->mutex);

    rc = ngx_http_oiosaml_replay_add(store, c->assertion, c->assertion_until,
                                     now);

    if (rc == NGX_BUSY) {
        c->refused = NGX_HTTP_OIOSAML_USED_ASSERTION;
        goto done;
    }

    if (rc == NGX_OK && c->request_until != 0) {
        rc = ngx_http_oiosaml_replay_add(store, c->request,
                                         c->request_until, now);

        if (rc == NGX_BUSY) {
            c->refused = NGX_HTTP_OIOSAML_USED_REQUEST;
            goto done;
        }
    }

    if (rc != NGX_OK) {
        goto done;
    }

    if (c->has_old) {
        sn = ngx_http_oiosaml_session_lookup(store, c->old);
        if (sn != NULL) {
            ngx_http_oiosaml_session_unlink(store, sn);
        }
    }

    ngx_http_oiosaml_expire(store, now, NGX_HTTP_OIOSAML_EXPIRE_BATCH);

    rc = ngx_http_oiosaml_shm_insert(store, c->session, &attributes,
                                     oscf->rec->key, oscf->session_idle, 0);

done:

    ngx_shmtx_unlock(&store->shpool->mutex);

    if (rc == NGX_ERROR || rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "oiosaml: acs: err_store: %s",
                      rc == NGX_ERROR
                      ? "the replay cache is full of IDs that may not be "
                        "forgotten yet"
                      : "the session zone is full");
        return NGX_ERROR;
    }

    return rc;
}


static ngx_int_t
ngx_http_oiosaml_shm_remove_op(ngx_http_request_t *r, const u_char *key)
{
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);

    ngx_http_oiosaml_shm_remove(omcf->shm_zone, key);

    return NGX_OK;
}


static ngx_int_t
ngx_http_oiosaml_shm_once(ngx_http_request_t *r, const u_char *digest,
    time_t until)
{
    ngx_int_t                      rc;
    ngx_http_oiosaml_store_t      *store;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    store = omcf->shm_zone->data;

    ngx_shmtx_lock(&store->shpool->mutex);
    rc = ngx_http_oiosaml_replay_add(store, digest, until, ngx_time());
    ngx_shmtx_unlock(&store->shpool->mutex);

    return rc;
}


static ngx_int_t
ngx_http_oiosaml_shm_count(ngx_http_request_t *r, const u_char *digest,
    ngx_uint_t limit, time_t window)
{
    ngx_http_oiosaml_ctx_t        *ctx;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);

    return ngx_http_oiosaml_login_count(omcf->shm_zone, digest, limit,
                                        window, &ctx->first,
                                        r->connection->log);
}


/* the zone is always there */
static ngx_uint_t
ngx_http_oiosaml_shm_available(void)
{
    return 1;
}


/*
 * NGX_OK: recorded; NGX_BUSY: recorded before (an expired entry still
 * counts: the skew is in "until"); NGX_ERROR: the table is full of IDs
 * that may not be forgotten yet (fail closed).  Under the lock.
 */
static ngx_int_t
ngx_http_oiosaml_replay_add(ngx_http_oiosaml_store_t *store,
    const u_char *digest, time_t until, time_t now)
{
    ngx_http_oiosaml_table_expire(&store->sh->replay, now,
                                  NGX_HTTP_OIOSAML_EXPIRE_BATCH);

    if (ngx_http_oiosaml_table_find(&store->sh->replay, digest) != NULL) {
        return NGX_BUSY;
    }

    if (ngx_http_oiosaml_table_add(&store->sh->replay, digest, until, now)
        == NULL)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* sessions, for this backend and as the Redis backend's cache */


/*
 * A copy of the session of key, if this SP's, not expired and not idle
 * for longer than idle.  *fresh: the zone holds it (0 for a cached entry
 * past its fresh_until: the caller asks the store behind).
 */
ngx_int_t
ngx_http_oiosaml_shm_get(ngx_http_request_t *r, ngx_shm_zone_t *zone,
    const u_char *key, time_t idle, ngx_http_oiosaml_session_t **session,
    ngx_uint_t *fresh)
{
    u_char                       *p, *src;
    size_t                        size;
    time_t                        now;
    ngx_uint_t                    i;
    ngx_http_oiosaml_snode_t     *sn;
    ngx_http_oiosaml_store_t     *store;
    ngx_http_oiosaml_session_t   *s;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    store = zone->data;
    now = ngx_time();
    *fresh = 0;
    *session = NULL;

    ngx_shmtx_lock(&store->shpool->mutex);

    sn = ngx_http_oiosaml_session_lookup(store, key);

    /* a session opened for another SP in the same zone is not ours */
    if (sn == NULL || sn->sp != oscf->rec->key) {
        ngx_shmtx_unlock(&store->shpool->mutex);
        return NGX_DECLINED;
    }

    if (sn->expires <= now || sn->last + idle <= now) {
        ngx_http_oiosaml_session_unlink(store, sn);
        ngx_shmtx_unlock(&store->shpool->mutex);
        return NGX_DECLINED;
    }

    /* cache=T: fresh for T to T + 1 seconds (the clock counts seconds) */
    *fresh = (sn->fresh_until == 0 || now <= sn->fresh_until);

    sn->last = now;
    ngx_queue_remove(&sn->queue);
    ngx_queue_insert_head(&store->sh->lru, &sn->queue);

    size = sizeof(ngx_http_oiosaml_session_t) + sn->attributes;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        if (i != OIOSAML_F_ATTRIBUTES) {
            size += sn->len[i];
        }
    }

    s = ngx_pnalloc(r->pool, size);
    if (s == NULL) {
        ngx_shmtx_unlock(&store->shpool->mutex);
        return NGX_ERROR;
    }

    ngx_memcpy(s->key, sn->key, NGX_HTTP_OIOSAML_KEY_LEN);
    s->created = sn->created;
    s->expires = sn->expires;
    s->loa = (oiosaml_loa_t) sn->loa;

    p = (u_char *) s + sizeof(ngx_http_oiosaml_session_t);
    src = sn->data;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        s->fields[i].data = p;

        if (i == OIOSAML_F_ATTRIBUTES) {
            /* checked when compacted: every code is in the table */
            p = oiosaml_attributes_expand(p, src, sn->len[i]);

        } else {
            p = ngx_cpymem(p, src, sn->len[i]);
        }

        s->fields[i].len = p - s->fields[i].data;
        src += sn->len[i];
    }

    ngx_shmtx_unlock(&store->shpool->mutex);

    *session = s;

    return NGX_OK;
}


/* stores s (replacing a copy under its key), fresh until fresh_until */
ngx_int_t
ngx_http_oiosaml_shm_put(ngx_http_request_t *r, ngx_shm_zone_t *zone,
    ngx_http_oiosaml_session_t *s, time_t idle, time_t fresh_until)
{
    ngx_int_t                     rc;
    ngx_str_t                     attributes;
    ngx_http_oiosaml_snode_t     *sn;
    ngx_http_oiosaml_store_t     *store;
    ngx_http_oiosaml_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_http_oiosaml_module);
    store = zone->data;

    if (ngx_http_oiosaml_shm_compact(r, s, &attributes) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&store->shpool->mutex);

    sn = ngx_http_oiosaml_session_lookup(store, s->key);
    if (sn != NULL) {
        ngx_http_oiosaml_session_unlink(store, sn);
    }

    ngx_http_oiosaml_expire(store, ngx_time(), NGX_HTTP_OIOSAML_EXPIRE_BATCH);

    rc = ngx_http_oiosaml_shm_insert(store, s, &attributes, oscf->rec->key,
                                     idle, fresh_until);

    ngx_shmtx_unlock(&store->shpool->mutex);

    return rc;
}


void
ngx_http_oiosaml_shm_remove(ngx_shm_zone_t *zone, const u_char *key)
{
    ngx_http_oiosaml_snode_t  *sn;
    ngx_http_oiosaml_store_t  *store;

    store = zone->data;

    ngx_shmtx_lock(&store->shpool->mutex);

    sn = ngx_http_oiosaml_session_lookup(store, key);
    if (sn != NULL) {
        ngx_http_oiosaml_session_unlink(store, sn);
    }

    ngx_shmtx_unlock(&store->shpool->mutex);
}


/*
 * The Attributes field as the zone keeps it: its attribute names one byte
 * each (oiosaml_attributes_compact), about half of an OIOSAML 3 session.
 */
static ngx_int_t
ngx_http_oiosaml_shm_compact(ngx_http_request_t *r,
    ngx_http_oiosaml_session_t *s, ngx_str_t *attributes)
{
    ngx_str_t  *a;

    a = &s->fields[OIOSAML_F_ATTRIBUTES];

    attributes->data = ngx_pnalloc(r->pool, a->len + 1);
    if (attributes->data == NULL) {
        return NGX_ERROR;
    }

    attributes->len = oiosaml_attributes_compact(attributes->data, a->data,
                                                 a->len);

    if (attributes->len == (size_t) -1) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "oiosaml: err_store: a session's Attributes field is "
                      "not form-encoded");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * A new node for s, with the Attributes field compacted; NGX_DECLINED
 * when no room can be made.  Locked.
 */
static ngx_int_t
ngx_http_oiosaml_shm_insert(ngx_http_oiosaml_store_t *store,
    ngx_http_oiosaml_session_t *s, ngx_str_t *attributes, uint32_t sp,
    time_t idle, time_t fresh_until)
{
    u_char                    *p;
    size_t                     size;
    ngx_str_t                 *f;
    ngx_uint_t                 i;
    ngx_http_oiosaml_snode_t  *sn;

    size = offsetof(ngx_http_oiosaml_snode_t, data);

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        size += (i == OIOSAML_F_ATTRIBUTES) ? attributes->len
                                            : s->fields[i].len;
    }

    sn = ngx_http_oiosaml_session_alloc(store, size);
    if (sn == NULL) {
        return NGX_DECLINED;
    }

    ngx_memcpy(sn->key, s->key, NGX_HTTP_OIOSAML_KEY_LEN);
    sn->node.key = ngx_http_oiosaml_key(s->key);
    sn->created = s->created;
    sn->last = ngx_time();
    sn->expires = s->expires;
    sn->idle = idle;
    sn->fresh_until = fresh_until;
    sn->loa = (u_char) s->loa;
    sn->sp = sp;
    sn->attributes = (uint32_t) s->fields[OIOSAML_F_ATTRIBUTES].len;

    p = sn->data;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        f = (i == OIOSAML_F_ATTRIBUTES) ? attributes : &s->fields[i];
        sn->len[i] = (uint32_t) f->len;
        p = ngx_cpymem(p, f->data, f->len);
    }

    ngx_rbtree_insert(&store->sh->sessions, &sn->node);
    ngx_queue_insert_head(&store->sh->lru, &sn->queue);
    store->sh->nsessions++;
    store->sh->session_bytes += ngx_http_oiosaml_slab_charge(size);

    return NGX_OK;
}


static ngx_rbtree_key_t
ngx_http_oiosaml_key(const u_char *p)
{
    ngx_rbtree_key_t  key;

    /* the leading bytes of a random ID or a digest are already uniform */
    ngx_memcpy(&key, p, sizeof(key));

    return key;
}


static ngx_http_oiosaml_snode_t *
ngx_http_oiosaml_session_lookup(ngx_http_oiosaml_store_t *store,
    const u_char *key)
{
    return (ngx_http_oiosaml_snode_t *)
               ngx_http_oiosaml_rbtree_find(&store->sh->sessions,
                                            ngx_http_oiosaml_key(key),
                                            ngx_http_oiosaml_session_match,
                                            key);
}


static ngx_int_t
ngx_http_oiosaml_session_match(ngx_rbtree_node_t *node, const void *data)
{
    ngx_http_oiosaml_snode_t  *sn = (ngx_http_oiosaml_snode_t *) node;

    return oiosaml_memeq(sn->key, data, NGX_HTTP_OIOSAML_KEY_LEN);
}


/*
 * The node with this key that match() accepts.  ngx_rbtree_insert_value()
 * sends an equal key right, but rotations can move nodes with equal keys
 * to either side of each other: at an equal key both subtrees are
 * searched (the left one recursively, as deep as the equal keys go).
 */
ngx_rbtree_node_t *
ngx_http_oiosaml_rbtree_find(ngx_rbtree_t *tree, ngx_rbtree_key_t key,
    ngx_http_oiosaml_match_pt match, const void *data)
{
    return ngx_http_oiosaml_rbtree_walk(tree->root, tree->sentinel, key,
                                        match, data);
}


static ngx_rbtree_node_t *
ngx_http_oiosaml_rbtree_walk(ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel, ngx_rbtree_key_t key,
    ngx_http_oiosaml_match_pt match, const void *data)
{
    ngx_rbtree_node_t  *found;

    while (node != sentinel) {
        if (key != node->key) {
            node = (key < node->key) ? node->left : node->right;
            continue;
        }

        if (match(node, data)) {
            return node;
        }

        found = ngx_http_oiosaml_rbtree_walk(node->left, sentinel, key,
                                             match, data);
        if (found != NULL) {
            return found;
        }

        node = node->right;
    }

    return NULL;
}


static void
ngx_http_oiosaml_session_unlink(ngx_http_oiosaml_store_t *store,
    ngx_http_oiosaml_snode_t *sn)
{
    ngx_queue_remove(&sn->queue);
    ngx_rbtree_delete(&store->sh->sessions, &sn->node);
    store->sh->nsessions--;
    store->sh->session_bytes -= ngx_http_oiosaml_slab_charge(
                                    ngx_http_oiosaml_session_size(sn));
    ngx_slab_free_locked(store->shpool, sn);
}


/* what the node took: its header and the fields */
static size_t
ngx_http_oiosaml_session_size(ngx_http_oiosaml_snode_t *sn)
{
    size_t      size;
    ngx_uint_t  i;

    size = offsetof(ngx_http_oiosaml_snode_t, data);

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        size += sn->len[i];
    }

    return size;
}


/* what the slab allocator sets aside for size bytes (ngx_slab.c) */
static size_t
ngx_http_oiosaml_slab_charge(size_t size)
{
    size_t  n;

    if (size > ngx_pagesize / 2) {
        return ngx_align(size, ngx_pagesize);
    }

    for (n = 8; n < size; n <<= 1) { /* void */ }

    return n;
}


/* drops expired sessions at the LRU tail */
static void
ngx_http_oiosaml_expire(ngx_http_oiosaml_store_t *store, time_t now,
    ngx_uint_t n)
{
    ngx_uint_t                 i;
    ngx_queue_t               *q;
    ngx_http_oiosaml_snode_t  *sn;

    for (i = 0; i < n && !ngx_queue_empty(&store->sh->lru); i++) {
        q = ngx_queue_last(&store->sh->lru);
        sn = ngx_queue_data(q, ngx_http_oiosaml_snode_t, queue);

        if (sn->expires > now && sn->last + sn->idle > now) {
            break;
        }

        ngx_http_oiosaml_session_unlink(store, sn);
    }
}


/* evicts the least recently used session: 0 when there is none */
static ngx_uint_t
ngx_http_oiosaml_evict(ngx_http_oiosaml_store_t *store)
{
    ngx_queue_t               *q;
    ngx_http_oiosaml_snode_t  *sn;

    if (ngx_queue_empty(&store->sh->lru)) {
        return 0;
    }

    q = ngx_queue_last(&store->sh->lru);
    sn = ngx_queue_data(q, ngx_http_oiosaml_snode_t, queue);
    ngx_http_oiosaml_session_unlink(store, sn);
    store->sh->evicted++;

    return 1;
}


/*
 * Room for a session: within the sessions' budget, and in the slab; only
 * other sessions, the least recently used first, make room for it.
 */
static ngx_http_oiosaml_snode_t *
ngx_http_oiosaml_session_alloc(ngx_http_oiosaml_store_t *store, size_t size)
{
    size_t                     charge;
    ngx_http_oiosaml_snode_t  *sn;

    charge = ngx_http_oiosaml_slab_charge(size);

    if (charge > store->sh->session_budget) {
        return NULL;
    }

    while (store->sh->session_bytes + charge > store->sh->session_budget) {
        if (!ngx_http_oiosaml_evict(store)) {
            return NULL;
        }
    }

    for ( ;; ) {
        sn = ngx_slab_alloc_locked(store->shpool, size);
        if (sn != NULL) {
            return sn;
        }

        if (!ngx_http_oiosaml_evict(store)) {
            return NULL;
        }
    }
}


/*
 * Counts a login started by the browser named by digest (of a cookie
 * value, or of the address and User-Agent).  NGX_OK: within the limit;
 * NGX_BUSY: over it, and *first is set on the first refusal of the window
 * (the one that is logged).  With the limiter's table full the login is
 * allowed (and that logged once a minute): the limit protects the IdP, it
 * must not lock users out.
 */
static ngx_int_t
ngx_http_oiosaml_login_count(ngx_shm_zone_t *zone, const u_char *digest,
    ngx_uint_t limit, time_t window, ngx_uint_t *first, ngx_log_t *log)
{
    time_t                     now;
    ngx_int_t                  rc;
    ngx_uint_t                 full;
    ngx_http_oiosaml_store_t  *store;
    ngx_http_oiosaml_tnode_t  *tn;

    *first = 0;

    store = zone->data;
    now = ngx_time();
    full = 0;
    rc = NGX_OK;

    ngx_shmtx_lock(&store->shpool->mutex);

    ngx_http_oiosaml_table_expire(&store->sh->logins, now,
                                  NGX_HTTP_OIOSAML_EXPIRE_BATCH);

    tn = ngx_http_oiosaml_table_find(&store->sh->logins, digest);

    if (tn != NULL && (time_t) tn->enode.key <= now) {
        /* its window has passed: a new one */
        tn->count = 0;
        ngx_http_oiosaml_table_renew(&store->sh->logins, tn, now + window);
    }

    if (tn == NULL) {
        tn = ngx_http_oiosaml_table_add(&store->sh->logins, digest,
                                        now + window, now);

        if (tn == NULL
            && store->sh->logins_full_logged + NGX_HTTP_OIOSAML_FULL_LOG
               <= now)
        {
            store->sh->logins_full_logged = now;
            full = store->sh->logins.size;
        }
    }

    if (tn != NULL) {
        tn->count++;

        if (tn->count > limit) {
            *first = (tn->count == limit + 1);
            rc = NGX_BUSY;
        }
    }

    ngx_shmtx_unlock(&store->shpool->mutex);

    if (full) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "oiosaml: the login limiter's table is full (%ui "
                      "browsers in their window): logins are not limited "
                      "until entries expire; consider limit_req for the "
                      "endpoints and a larger oiosaml_zone", full);
    }

    return rc;
}


/*
 * Every cached copy (one with a fresh_until) goes, so that the next
 * request reads the store behind: the Redis backend, when its
 * subscription to ended sessions starts or stops.  Bounded by the
 * sessions the zone holds; sessions of this backend stay.
 */
void
ngx_http_oiosaml_shm_drop_cached(ngx_shm_zone_t *zone)
{
    ngx_queue_t               *q, *next;
    ngx_http_oiosaml_snode_t  *sn;
    ngx_http_oiosaml_store_t  *store;

    store = zone->data;

    ngx_shmtx_lock(&store->shpool->mutex);

    for (q = ngx_queue_head(&store->sh->lru);
         q != ngx_queue_sentinel(&store->sh->lru);
         q = next)
    {
        next = ngx_queue_next(q);
        sn = ngx_queue_data(q, ngx_http_oiosaml_snode_t, queue);

        if (sn->fresh_until != 0) {
            ngx_http_oiosaml_session_unlink(store, sn);
        }
    }

    ngx_shmtx_unlock(&store->shpool->mutex);
}
