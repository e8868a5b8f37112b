
/*
 * The shared-memory zone's layout, for the files that keep state in it:
 * ngx_http_oiosaml_store.c (sessions, replay cache, login counts),
 * ngx_http_oiosaml_refresh.c (refreshed metadata) and
 * ngx_http_oiosaml_status.c (counters).
 */


#ifndef _NGX_HTTP_OIOSAML_STORE_H_INCLUDED_
#define _NGX_HTTP_OIOSAML_STORE_H_INCLUDED_


#include "ngx_http_oiosaml_module.h"


typedef struct {
    ngx_rbtree_node_t          node;        /* key: leading bytes of id */
    ngx_queue_t                queue;       /* LRU, most recent first */
    u_char                     id[NGX_HTTP_OIOSAML_SESSION_ID_LEN];
    time_t                     created;
    time_t                     last;
    time_t                     expires;
    time_t                     idle;
    u_char                     loa;
    uint32_t                   sp;          /* the SP's rec->key */
    uint32_t                   len[OIOSAML_F_MAX];
    u_char                     data[1];
} ngx_http_oiosaml_snode_t;


typedef struct {
    ngx_rbtree_node_t          node;        /* key: leading digest bytes */
    ngx_queue_t                queue;       /* insertion order */
    time_t                     expires;
    u_char                     digest[32];  /* SHA-256(issuer \n ID) */
} ngx_http_oiosaml_rnode_t;


/* logins started by one browser in the current window */
typedef struct {
    ngx_rbtree_node_t          node;        /* key: leading digest bytes */
    ngx_queue_t                queue;       /* by window start */
    time_t                     start;
    ngx_uint_t                 count;
    u_char                     digest[32];
} ngx_http_oiosaml_lnode_t;


typedef struct {
    ngx_rbtree_t               sessions;
    ngx_rbtree_node_t          ssentinel;
    ngx_queue_t                lru;
    ngx_rbtree_t               replay;
    ngx_rbtree_node_t          rsentinel;
    ngx_queue_t                rqueue;
    ngx_rbtree_t               logins;
    ngx_rbtree_node_t          lsentinel;
    ngx_queue_t                lqueue;
    ngx_rbtree_t               counters;    /* ngx_http_oiosaml_counter_t */
    ngx_rbtree_node_t          csentinel;
    ngx_queue_t                metadata;    /* ngx_http_oiosaml_md_t */
    ngx_atomic_t               trust_gen;   /* bumped by each new copy */
    ngx_uint_t                 nsessions;
    ngx_uint_t                 nreplay;
    ngx_uint_t                 evicted;
} ngx_http_oiosaml_shctx_t;



/* a refreshed copy of an IdP's metadata, for every worker */
typedef struct {
    ngx_queue_t                queue;
    uint32_t                   sp;          /* ngx_http_oiosaml_sp_key() */
    ngx_atomic_uint_t          gen;
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


/* does the node hold what data names? */
typedef ngx_int_t (*ngx_http_oiosaml_match_pt)(ngx_rbtree_node_t *node,
    const void *data);


void *ngx_http_oiosaml_store_alloc(ngx_http_oiosaml_store_t *store,
    size_t size, time_t now);
ngx_rbtree_node_t *ngx_http_oiosaml_rbtree_find(ngx_rbtree_t *tree,
    ngx_rbtree_key_t key, ngx_http_oiosaml_match_pt match, const void *data);


#endif /* _NGX_HTTP_OIOSAML_STORE_H_INCLUDED_ */
