
/*
 * Bounded tables in the shared zone: a fixed number of entries, each a
 * SHA-256 digest with an expiry time, made when the zone is made.  The
 * replay cache and the login limiter are such tables.  Entries leave by
 * expiry time (an entry that lives long never holds back the ones behind
 * it); a table with no free entry says so and takes nothing from the
 * rest of the zone.  The caller holds the zone's mutex.
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_store.h"


static ngx_int_t ngx_http_oiosaml_table_match(ngx_rbtree_node_t *node,
    const void *data);
static void ngx_http_oiosaml_table_free(ngx_http_oiosaml_table_t *t,
    ngx_http_oiosaml_tnode_t *tn);


/* n entries at nodes; the table header lives in the zone's context */
void
ngx_http_oiosaml_table_init(ngx_http_oiosaml_table_t *t,
    ngx_http_oiosaml_tnode_t *nodes, ngx_uint_t n)
{
    ngx_uint_t  i;

    ngx_rbtree_init(&t->tree, &t->sentinel, ngx_rbtree_insert_value);
    ngx_rbtree_init(&t->expiry, &t->esentinel, ngx_rbtree_insert_value);

    t->free = NULL;
    t->used = 0;
    t->size = n;
    t->full = 0;

    for (i = n; i > 0; i--) {
        nodes[i - 1].next = t->free;
        t->free = &nodes[i - 1];
    }
}


ngx_http_oiosaml_tnode_t *
ngx_http_oiosaml_table_find(ngx_http_oiosaml_table_t *t,
    const u_char *digest)
{
    ngx_rbtree_key_t  key;

    ngx_memcpy(&key, digest, sizeof(key));

    return (ngx_http_oiosaml_tnode_t *)
               ngx_http_oiosaml_rbtree_find(&t->tree, key,
                                            ngx_http_oiosaml_table_match,
                                            digest);
}


/*
 * A new entry for digest until expires (count 0), or NULL when every
 * entry is taken by one that has not expired.
 */
ngx_http_oiosaml_tnode_t *
ngx_http_oiosaml_table_add(ngx_http_oiosaml_table_t *t, const u_char *digest,
    time_t expires, time_t now)
{
    ngx_http_oiosaml_tnode_t  *tn;

    if (t->free == NULL) {
        ngx_http_oiosaml_table_expire(t, now, t->size);
    }

    tn = t->free;

    if (tn == NULL) {
        t->full++;
        return NULL;
    }

    t->free = tn->next;
    t->used++;

    ngx_memcpy(tn->digest, digest, sizeof(tn->digest));
    ngx_memcpy(&tn->node.key, digest, sizeof(tn->node.key));
    tn->enode.key = (ngx_rbtree_key_t) expires;
    tn->count = 0;
    tn->next = NULL;

    ngx_rbtree_insert(&t->tree, &tn->node);
    ngx_rbtree_insert(&t->expiry, &tn->enode);

    return tn;
}


/* gives an entry a new expiry time */
void
ngx_http_oiosaml_table_renew(ngx_http_oiosaml_table_t *t,
    ngx_http_oiosaml_tnode_t *tn, time_t expires)
{
    ngx_rbtree_delete(&t->expiry, &tn->enode);
    tn->enode.key = (ngx_rbtree_key_t) expires;
    ngx_rbtree_insert(&t->expiry, &tn->enode);
}


/* frees at most n entries whose time has come, the soonest first */
void
ngx_http_oiosaml_table_expire(ngx_http_oiosaml_table_t *t, time_t now,
    ngx_uint_t n)
{
    ngx_rbtree_node_t         *node;
    ngx_http_oiosaml_tnode_t  *tn;

    while (n-- && t->expiry.root != t->expiry.sentinel) {
        node = ngx_rbtree_min(t->expiry.root, t->expiry.sentinel);

        if ((time_t) node->key > now) {
            return;
        }

        tn = (ngx_http_oiosaml_tnode_t *)
                 ((u_char *) node - offsetof(ngx_http_oiosaml_tnode_t,
                                             enode));

        ngx_http_oiosaml_table_free(t, tn);
    }
}


static void
ngx_http_oiosaml_table_free(ngx_http_oiosaml_table_t *t,
    ngx_http_oiosaml_tnode_t *tn)
{
    ngx_rbtree_delete(&t->tree, &tn->node);
    ngx_rbtree_delete(&t->expiry, &tn->enode);

    tn->next = t->free;
    t->free = tn;
    t->used--;
}


static ngx_int_t
ngx_http_oiosaml_table_match(ngx_rbtree_node_t *node, const void *data)
{
    ngx_http_oiosaml_tnode_t  *tn = (ngx_http_oiosaml_tnode_t *) node;

    return ngx_memcmp(tn->digest, data, sizeof(tn->digest)) == 0;
}
