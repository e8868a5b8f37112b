
/*
 * GET <prefix>status: every certificate (role, subject, fingerprint,
 * expiry), the IdPs' state, and login and denial counters per IdP and
 * reason (kept in shared memory), as JSON or, with ?format=prometheus, in
 * the Prometheus text format.
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_store.h"


#define NGX_HTTP_OIOSAML_MAX_COUNTERS  4096


typedef struct {
    u_char             idp[64];
    oiosaml_status_t   status;
    ngx_uint_t         count;
} ngx_http_oiosaml_count_t;


/* what the zone holds, for the report */
typedef struct {
    ngx_uint_t         sessions;
    ngx_uint_t         evicted;
    ngx_uint_t         size;
    ngx_uint_t         free;            /* free pages, in bytes */
    ngx_uint_t         session_bytes;
    ngx_uint_t         session_budget;
    ngx_uint_t         replay_used;
    ngx_uint_t         replay_size;
    ngx_uint_t         replay_full;
    ngx_uint_t         logins_used;
    ngx_uint_t         logins_size;
    ngx_uint_t         logins_full;
} ngx_http_oiosaml_zone_use_t;


static ngx_int_t ngx_http_oiosaml_counter_match(ngx_rbtree_node_t *node,
    const void *data);
static ngx_int_t ngx_http_oiosaml_counters(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_array_t *out,
    ngx_http_oiosaml_zone_use_t *zone);
static void ngx_http_oiosaml_json(ngx_http_request_t *r, ngx_chain_t ***ll,
    const char *fmt, ...);
static u_char *ngx_http_oiosaml_json_escape(ngx_pool_t *pool,
    const char *s);


static ngx_int_t
ngx_http_oiosaml_counter_match(ngx_rbtree_node_t *node, const void *data)
{
    const ngx_http_oiosaml_counter_t  *c, *want;

    c = (const ngx_http_oiosaml_counter_t *) node;
    want = data;

    return c->sp == want->sp && c->status == want->status
           && ngx_strcmp(c->idp, want->idp) == 0;
}


void
ngx_http_oiosaml_count(ngx_http_oiosaml_srv_conf_t *oscf, const char *idp,
    oiosaml_status_t status)
{
    u_char                         buf[128], *p;
    size_t                         n;
    uint32_t                       key;
    ngx_http_oiosaml_store_t      *store;
    ngx_http_oiosaml_counter_t    *c, want;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_oiosaml_module);

    if (omcf == NULL || omcf->shm_zone == NULL || oscf->rec == NULL) {
        return;
    }

    n = ngx_strlen(idp);
    if (n >= sizeof(c->idp)) {
        n = sizeof(c->idp) - 1;
    }

    p = ngx_snprintf(buf, sizeof(buf), "%uD %d %*s", oscf->rec->key,
                     (int) status, n, idp);
    key = ngx_crc32_short(buf, p - buf);

    store = omcf->shm_zone->data;

    ngx_shmtx_lock(&store->shpool->mutex);

    want.sp = oscf->rec->key;
    want.status = status;
    ngx_memcpy(want.idp, idp, n);
    want.idp[n] = '\0';

    c = (ngx_http_oiosaml_counter_t *)
            ngx_http_oiosaml_rbtree_find(&store->sh->counters, key,
                                         ngx_http_oiosaml_counter_match,
                                         &want);
    if (c != NULL) {
        c->count++;
        ngx_shmtx_unlock(&store->shpool->mutex);
        return;
    }

    /* from the zone's reserve: a counter never evicts a session */
    c = ngx_slab_alloc_locked(store->shpool,
                              sizeof(ngx_http_oiosaml_counter_t));
    if (c != NULL) {
        c->node.key = key;
        c->sp = oscf->rec->key;
        c->status = status;
        c->count = 1;
        ngx_memcpy(c->idp, idp, n);
        c->idp[n] = '\0';
        ngx_rbtree_insert(&store->sh->counters, &c->node);
    }

    ngx_shmtx_unlock(&store->shpool->mutex);
}


/* the counters of this SP, copied out of the zone */
static ngx_int_t
ngx_http_oiosaml_counters(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_array_t *out,
    ngx_http_oiosaml_zone_use_t *zone)
{
    ngx_rbtree_node_t             *node, *root, *sentinel;
    ngx_http_oiosaml_count_t      *o;
    ngx_http_oiosaml_store_t      *store;
    ngx_http_oiosaml_counter_t    *c;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);
    store = omcf->shm_zone->data;

    if (ngx_array_init(out, r->pool, 32, sizeof(ngx_http_oiosaml_count_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&store->shpool->mutex);

    zone->sessions = store->sh->nsessions;
    zone->evicted = store->sh->evicted;
    zone->size = omcf->shm_zone->shm.size;
    zone->free = store->shpool->pfree * ngx_pagesize;
    zone->session_bytes = store->sh->session_bytes;
    zone->session_budget = store->sh->session_budget;
    zone->replay_used = store->sh->replay.used;
    zone->replay_size = store->sh->replay.size;
    zone->replay_full = store->sh->replay.full;
    zone->logins_used = store->sh->logins.used;
    zone->logins_size = store->sh->logins.size;
    zone->logins_full = store->sh->logins.full;
    root = store->sh->counters.root;
    sentinel = store->sh->counters.sentinel;

    if (root != sentinel) {
        for (node = ngx_rbtree_min(root, sentinel);
             node != NULL && out->nelts < NGX_HTTP_OIOSAML_MAX_COUNTERS;
             node = ngx_rbtree_next(&store->sh->counters, node))
        {
            c = (ngx_http_oiosaml_counter_t *) node;

            if (c->sp != oscf->rec->key) {
                continue;
            }

            o = ngx_array_push(out);
            if (o == NULL) {
                break;
            }

            ngx_memcpy(o->idp, c->idp, sizeof(o->idp));
            o->status = c->status;
            o->count = c->count;
        }
    }

    ngx_shmtx_unlock(&store->shpool->mutex);

    return NGX_OK;
}


ngx_int_t
ngx_http_oiosaml_status(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    char                          at[21];
    size_t                        i, k;
    time_t                        now;
    ngx_int_t                     rc;
    ngx_str_t                     format;
    ngx_uint_t                    j, prom, first;
    ngx_array_t                   counts;
    ngx_chain_t                  *out, **ll;
    const char                   *id, *owner;
    oiosaml_cert_info_t           info;
    const oiosaml_idp_t          *idp;
    ngx_http_oiosaml_count_t     *c;
    ngx_http_oiosaml_zone_use_t   zone;

    if (oscf->status->nelts == 0) {
        return NGX_HTTP_NOT_FOUND;
    }

    if (ngx_http_oiosaml_addr_allowed(r, oscf->status) != NGX_OK) {
        /* as if there were none: its existence is nobody else's business */
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "oiosaml: status: client not in oiosaml_status");
        return NGX_HTTP_NOT_FOUND;
    }

    prom = ngx_http_arg(r, (u_char *) "format", 6, &format) == NGX_OK
           && format.len == 10
           && ngx_strncmp(format.data, "prometheus", 10) == 0;

    if (ngx_http_oiosaml_counters(r, oscf, &counts, &zone) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    c = counts.elts;
    now = ngx_time();
    out = NULL;
    ll = &out;

#define emit(...)  ngx_http_oiosaml_json(r, &ll, __VA_ARGS__)
#define esc(s)     ngx_http_oiosaml_json_escape(r->pool, s)

    if (prom) {
        emit("# HELP oiosaml_cert_expiry_seconds Seconds until the "
             "certificate expires (negative: expired).\n"
             "# TYPE oiosaml_cert_expiry_seconds gauge\n");

    } else {
        oiosaml_format_time(now, at);
        emit("{\"sp\":\"%s\",\"time\":\"%s\",\"sessions\":%ui,"
             "\"sessions_evicted\":%ui,\"zone_bytes\":%ui,"
             "\"zone_free_bytes\":%ui,\"session_bytes\":%ui,"
             "\"session_budget_bytes\":%ui,\"replay\":{\"entries\":%ui,"
             "\"capacity\":%ui,\"full\":%ui},\"login_limiter\":"
             "{\"entries\":%ui,\"capacity\":%ui,\"full\":%ui},"
             "\"certificates\":[",
             esc(oiosaml_sp_entity_id(oscf->sp)), at, zone.sessions,
             zone.evicted, zone.size, zone.free, zone.session_bytes,
             zone.session_budget, zone.replay_used, zone.replay_size,
             zone.replay_full, zone.logins_used, zone.logins_size,
             zone.logins_full);
    }

    first = 1;

    /* our keys, then every IdP's certificates */
    for (i = 0; i <= oiosaml_sp_idp_count(oscf->sp); i++) {
        idp = (i == 0) ? NULL : oiosaml_sp_idp_at(oscf->sp, i - 1);
        owner = idp ? oiosaml_idp_id(idp) : "";

        for (k = 0; k < (idp ? oiosaml_idp_cert_count(idp)
                             : oiosaml_sp_key_count(oscf->sp)); k++)
        {
            if (idp) {
                oiosaml_idp_cert_info(idp, k, &info);

            } else {
                oiosaml_sp_key_info(oscf->sp, k, &info);

                if (k == oiosaml_sp_signing_key_at(oscf->sp, now)) {
                    info.use = "sp-signing";
                }
            }

            if (prom) {
                emit("oiosaml_cert_expiry_seconds{idp=\"%s\",use=\"%s\","
                     "sha256=\"%s\"} %T\n", esc(owner), info.use,
                     info.sha256, info.not_after - now);
                continue;
            }

            oiosaml_format_time(info.not_after, at);
            emit("%s{\"idp\":\"%s\",\"use\":\"%s\",\"subject\":\"%s\","
                 "\"sha256\":\"%s\",\"not_after\":\"%s\","
                 "\"days_left\":%T}", first ? "" : ",", esc(owner),
                 info.use, esc(info.subject), info.sha256, at,
                 (info.not_after - now) / 86400);
            first = 0;
        }
    }

    if (prom) {
        emit("# HELP oiosaml_idp_available 1 when users can log in at "
             "the IdP now.\n# TYPE oiosaml_idp_available gauge\n");

    } else {
        emit("],\"idps\":[");
    }

    for (i = 0; i < oiosaml_sp_idp_count(oscf->sp); i++) {
        idp = oiosaml_sp_idp_at(oscf->sp, i);
        id = oiosaml_idp_id(idp);

        if (prom) {
            emit("oiosaml_idp_available{idp=\"%s\"} %d\n", esc(id),
                 oiosaml_idp_available(idp, now));
            continue;
        }

        emit("%s{\"id\":\"%s\",\"entity_id\":\"%s\",\"available\":%s,"
             "\"trusted_certificates\":%uz,\"logins\":", i ? "," : "",
             esc(id), esc(oiosaml_idp_entity_id(idp)),
             oiosaml_idp_available(idp, now) ? "true" : "false",
             oiosaml_idp_trusted_at(idp, now));

        rc = 0;

        for (j = 0; j < counts.nelts; j++) {
            if (c[j].status == OIOSAML_OK
                && ngx_strcmp(c[j].idp, id) == 0)
            {
                rc = c[j].count;
            }
        }

        emit("%i,\"denials\":{", rc);
        first = 1;

        for (j = 0; j < counts.nelts; j++) {
            if (c[j].status != OIOSAML_OK
                && ngx_strcmp(c[j].idp, id) == 0)
            {
                emit("%s\"%s\":%ui", first ? "" : ",",
                     oiosaml_status_name(c[j].status), c[j].count);
                first = 0;
            }
        }

        emit("}}");
    }

    if (prom) {
        emit("# HELP oiosaml_logins_total Successful logins.\n"
             "# TYPE oiosaml_logins_total counter\n");

        for (j = 0; j < counts.nelts; j++) {
            if (c[j].status == OIOSAML_OK) {
                emit("oiosaml_logins_total{idp=\"%s\"} %ui\n",
                     esc((char *) c[j].idp), c[j].count);
            }
        }

        emit("# HELP oiosaml_denials_total Refused logins and requests, "
             "by reason.\n# TYPE oiosaml_denials_total counter\n");

        for (j = 0; j < counts.nelts; j++) {
            if (c[j].status != OIOSAML_OK) {
                emit("oiosaml_denials_total{idp=\"%s\",reason=\"%s\"} %ui\n",
                     esc((char *) c[j].idp),
                     oiosaml_status_name(c[j].status), c[j].count);
            }
        }

        emit("# HELP oiosaml_sessions Sessions in the shared zone.\n"
             "# TYPE oiosaml_sessions gauge\noiosaml_sessions %ui\n"
             "# HELP oiosaml_sessions_evicted_total Sessions ended early "
             "because the zone was full.\n"
             "# TYPE oiosaml_sessions_evicted_total counter\n"
             "oiosaml_sessions_evicted_total %ui\n"
             "# HELP oiosaml_zone_bytes Size of the shared zone.\n"
             "# TYPE oiosaml_zone_bytes gauge\noiosaml_zone_bytes %ui\n"
             "# HELP oiosaml_zone_free_bytes Free pages in the shared "
             "zone.\n# TYPE oiosaml_zone_free_bytes gauge\n"
             "oiosaml_zone_free_bytes %ui\n",
             zone.sessions, zone.evicted, zone.size, zone.free);

        emit("# HELP oiosaml_replay_entries IDs in the replay cache.\n"
             "# TYPE oiosaml_replay_entries gauge\n"
             "oiosaml_replay_entries %ui\n"
             "# HELP oiosaml_replay_capacity Entries the replay cache "
             "holds.\n# TYPE oiosaml_replay_capacity gauge\n"
             "oiosaml_replay_capacity %ui\n"
             "# HELP oiosaml_replay_full_total Logins refused because the "
             "replay cache was full.\n"
             "# TYPE oiosaml_replay_full_total counter\n"
             "oiosaml_replay_full_total %ui\n"
             "# HELP oiosaml_limiter_entries Browsers counted by the login "
             "limiter.\n# TYPE oiosaml_limiter_entries gauge\n"
             "oiosaml_limiter_entries %ui\n"
             "# HELP oiosaml_limiter_capacity Entries the login limiter "
             "holds.\n# TYPE oiosaml_limiter_capacity gauge\n"
             "oiosaml_limiter_capacity %ui\n"
             "# HELP oiosaml_limiter_full_total Logins not counted because "
             "the limiter was full.\n"
             "# TYPE oiosaml_limiter_full_total counter\n"
             "oiosaml_limiter_full_total %ui\n",
             zone.replay_used, zone.replay_size, zone.replay_full,
             zone.logins_used, zone.logins_size, zone.logins_full);

    } else {
        emit("]}\n");
    }

#undef emit
#undef esc

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = -1;

    if (prom) {
        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4");

    } else {
        ngx_str_set(&r->headers_out.content_type, "application/json");
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;

    if (ngx_http_oiosaml_no_store(r) != NGX_OK || out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    for (ll = &out; (*ll)->next; ll = &(*ll)->next) { /* void */ }
    (*ll)->buf->last_buf = 1;

    return ngx_http_output_filter(r, out);
}


/* appends formatted text as a buffer to the chain */
static void
ngx_http_oiosaml_json(ngx_http_request_t *r, ngx_chain_t ***ll,
    const char *fmt, ...)
{
    u_char       *p, buf[4096];
    va_list       args;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + sizeof(buf), fmt, args);
    va_end(args);

    b = ngx_create_temp_buf(r->pool, p - buf);
    cl = ngx_alloc_chain_link(r->pool);

    if (b == NULL || cl == NULL) {
        return;
    }

    b->last = ngx_cpymem(b->pos, buf, p - buf);
    cl->buf = b;
    cl->next = NULL;
    **ll = cl;
    *ll = &cl->next;
}


/* JSON (and Prometheus label) escaping, NUL-terminated */
static u_char *
ngx_http_oiosaml_json_escape(ngx_pool_t *pool, const char *s)
{
    size_t   len;
    u_char  *out, *p;

    len = ngx_strlen(s);

    out = ngx_pnalloc(pool, len * 6 + 1);
    if (out == NULL) {
        return (u_char *) "";
    }

    for (p = out; *s; s++) {
        u_char  c = (u_char) *s;

        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = c;

        } else if (c < 0x20) {
            p = ngx_cpymem(p, "\\u00", 4);
            *p++ = "0123456789abcdef"[c >> 4];
            *p++ = "0123456789abcdef"[c & 0xf];

        } else {
            *p++ = c;
        }
    }

    *p = '\0';

    return out;
}
