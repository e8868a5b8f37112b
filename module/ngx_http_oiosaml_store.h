
/*
 * The store: one interface (ngx_http_oiosaml_store_ops_t), two backends
 * chosen at configuration time (oiosaml_store): the shared-memory zone
 * (ngx_http_oiosaml_store_shm.c, the default) and Redis
 * (ngx_http_oiosaml_store_redis.c), for which the zone is a short-lived
 * cache.  The callers use ngx_http_oiosaml_store_*() (ngx_http_oiosaml_
 * store.c) and never ask which backend runs.
 *
 * The shared-memory zone's layout, for the files that keep state in it:
 * ngx_http_oiosaml_store_shm.c (sessions, replay cache, login counts),
 * ngx_http_oiosaml_refresh.c (refreshed metadata) and
 * ngx_http_oiosaml_status.c (counters).
 *
 * Each kind of entry has its own bound, and only sessions make room for
 * sessions: the replay cache and the login limiter are tables of a fixed
 * number of entries made with the zone (NGX_HTTP_OIOSAML_REPLAY_SHARE
 * and NGX_HTTP_OIOSAML_LOGINS_SHARE of it); sessions may use the slab
 * space that is left but NGX_HTTP_OIOSAML_RESERVE_SHARE, which is kept
 * for refreshed metadata and the status counters (bounded by the
 * configuration, and never evicting anything).
 */


#ifndef _NGX_HTTP_OIOSAML_STORE_H_INCLUDED_
#define _NGX_HTTP_OIOSAML_STORE_H_INCLUDED_


#include "ngx_http_oiosaml_module.h"


/* fractions of the zone: 1/8 replay cache, 1/32 limiter, 1/16 reserve */
#define NGX_HTTP_OIOSAML_REPLAY_SHARE    8
#define NGX_HTTP_OIOSAML_LOGINS_SHARE    32
#define NGX_HTTP_OIOSAML_RESERVE_SHARE   16


/* a session: its key is SHA-256 of the session ID, never the ID */
typedef struct {
    ngx_rbtree_node_t          node;        /* key: leading bytes of key */
    ngx_queue_t                queue;       /* LRU, most recent first */
    u_char                     key[NGX_HTTP_OIOSAML_KEY_LEN];
    time_t                     created;
    time_t                     last;
    time_t                     expires;
    time_t                     idle;
    time_t                     fresh_until; /* as a cache; 0: the store */
    u_char                     loa;
    uint32_t                   sp;          /* the SP's rec->key */
    uint32_t                   attributes;  /* that field's length */
    uint32_t                   len[OIOSAML_F_MAX];  /* as kept in data */
    u_char                     data[1];     /* Attributes compacted */
} ngx_http_oiosaml_snode_t;


/*
 * An entry of a bounded table (the replay cache, the login limiter): a
 * digest, its expiry time and, for the limiter, a count.  The entries of
 * a table are allocated once, when the zone is made; a full table never
 * takes memory from anything else.
 */
typedef struct ngx_http_oiosaml_tnode_s  ngx_http_oiosaml_tnode_t;

struct ngx_http_oiosaml_tnode_s {
    ngx_rbtree_node_t          node;        /* key: leading digest bytes */
    ngx_rbtree_node_t          enode;       /* key: expiry time */
    ngx_http_oiosaml_tnode_t  *next;        /* on the free list */
    ngx_uint_t                 count;
    u_char                     digest[32];
};


typedef struct {
    ngx_rbtree_t               tree;
    ngx_rbtree_node_t          sentinel;
    ngx_rbtree_t               expiry;      /* soonest first */
    ngx_rbtree_node_t          esentinel;
    ngx_http_oiosaml_tnode_t  *free;
    ngx_uint_t                 used;
    ngx_uint_t                 size;
    ngx_uint_t                 full;        /* times it had no room */
} ngx_http_oiosaml_table_t;


typedef struct {
    ngx_rbtree_t               sessions;
    ngx_rbtree_node_t          ssentinel;
    ngx_queue_t                lru;
    size_t                     session_bytes;   /* slab space they use */
    size_t                     session_budget;  /* what they may use */
    ngx_http_oiosaml_table_t   replay;
    ngx_http_oiosaml_table_t   logins;
    time_t                     logins_full_logged;
    ngx_rbtree_t               counters;    /* ngx_http_oiosaml_counter_t */
    ngx_rbtree_node_t          csentinel;
    ngx_queue_t                metadata;    /* ngx_http_oiosaml_md_t */
    ngx_atomic_t               trust_gen;   /* bumped by each new copy */
    ngx_uint_t                 nsessions;
    ngx_uint_t                 evicted;
    ngx_atomic_t               store_down;  /* Redis: an outage logged */
    ngx_atomic_t               cache_gen;   /* Redis: bumped by each ended
                                               session heard of */
} ngx_http_oiosaml_shctx_t;


/* a refreshed copy of an IdP's metadata, for every worker */
typedef struct {
    ngx_queue_t                queue;
    uint32_t                   sp;          /* ngx_http_oiosaml_sp_key() */
    ngx_atomic_uint_t          gen;
    time_t                     checked;     /* when it was accepted */
    u_char                     idp[64];
    size_t                     len;
    u_char                     data[1];
} ngx_http_oiosaml_md_t;


/* logins and denials per IdP and reason */
typedef struct {
    ngx_rbtree_node_t          node;        /* key: crc32 of the rest */
    uint32_t                   sp;
    oiosaml_status_t           status;
    ngx_atomic_uint_t          count;
    u_char                     idp[64];
} ngx_http_oiosaml_counter_t;


typedef struct {
    ngx_http_oiosaml_shctx_t  *sh;
    ngx_slab_pool_t           *shpool;
} ngx_http_oiosaml_store_t;


/*
 * A backend.  Each operation either ends at once and returns its result,
 * or returns NGX_AGAIN and ends later with ngx_http_oiosaml_store_done();
 * results other than the status go into the request's context
 * (ngx_http_oiosaml_ctx_t: session, first).
 *
 *   find     the session of a key: NGX_OK (ctx->session), NGX_DECLINED;
 *            wait 0: only what is at hand (no NGX_AGAIN)
 *   commit   an ACS answer: both IDs recorded as used, the session
 *            replaced; NGX_OK, NGX_BUSY (an ID was used: c->refused)
 *   remove   ends a session: NGX_OK
 *   once     records a digest until "until": NGX_OK, NGX_BUSY (seen)
 *   count    a login of the browser digest names: NGX_OK, NGX_BUSY (over
 *            the limit; ctx->first on the first refusal of the window)
 *   available  1 unless the store is known to be down (no round trip): a
 *            login is not started that could not be recorded
 *
 * NGX_ERROR from any: the store cannot answer (err_store).
 */
struct ngx_http_oiosaml_store_ops_s {
    ngx_int_t  (*find)(ngx_http_request_t *r, const u_char *key,
                   ngx_uint_t wait);
    ngx_int_t  (*commit)(ngx_http_request_t *r,
                   ngx_http_oiosaml_commit_t *c);
    ngx_int_t  (*remove)(ngx_http_request_t *r, const u_char *key);
    ngx_int_t  (*once)(ngx_http_request_t *r, const u_char *digest,
                   time_t until);
    ngx_int_t  (*count)(ngx_http_request_t *r, const u_char *digest,
                   ngx_uint_t limit, time_t window);
    ngx_uint_t (*available)(void);
};


extern ngx_http_oiosaml_store_ops_t  ngx_http_oiosaml_store_shm_ops;
extern ngx_http_oiosaml_store_ops_t  ngx_http_oiosaml_store_redis_ops;


/* does the node hold what data names? */
typedef ngx_int_t (*ngx_http_oiosaml_match_pt)(ngx_rbtree_node_t *node,
    const void *data);


ngx_rbtree_node_t *ngx_http_oiosaml_rbtree_find(ngx_rbtree_t *tree,
    ngx_rbtree_key_t key, ngx_http_oiosaml_match_pt match, const void *data);

/* ngx_http_oiosaml_store_shm.c, also for the Redis backend's cache */
ngx_int_t ngx_http_oiosaml_shm_get(ngx_http_request_t *r,
    ngx_shm_zone_t *zone, const u_char *key, time_t idle,
    ngx_http_oiosaml_session_t **session, ngx_uint_t *fresh);
ngx_int_t ngx_http_oiosaml_shm_put(ngx_http_request_t *r,
    ngx_shm_zone_t *zone, ngx_http_oiosaml_session_t *s, time_t idle,
    time_t fresh_until);
void ngx_http_oiosaml_shm_remove(ngx_shm_zone_t *zone, const u_char *key);
void ngx_http_oiosaml_shm_drop_cached(ngx_shm_zone_t *zone);

/* ngx_http_oiosaml_table.c */
void ngx_http_oiosaml_table_init(ngx_http_oiosaml_table_t *t,
    ngx_http_oiosaml_tnode_t *nodes, ngx_uint_t n);
ngx_http_oiosaml_tnode_t *ngx_http_oiosaml_table_find(
    ngx_http_oiosaml_table_t *t, const u_char *digest);
ngx_http_oiosaml_tnode_t *ngx_http_oiosaml_table_add(
    ngx_http_oiosaml_table_t *t, const u_char *digest, time_t expires,
    time_t now);
void ngx_http_oiosaml_table_renew(ngx_http_oiosaml_table_t *t,
    ngx_http_oiosaml_tnode_t *tn, time_t expires);
void ngx_http_oiosaml_table_expire(ngx_http_oiosaml_table_t *t, time_t now,
    ngx_uint_t n);


#endif /* _NGX_HTTP_OIOSAML_STORE_H_INCLUDED_ */
