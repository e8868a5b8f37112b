
/*
 * The store, whatever the backend (ngx_http_oiosaml_store.h): the keys
 * (SHA-256 of session IDs and of message IDs, never the IDs), the
 * sessions built from identities, and waiting: an operation that ends
 * later holds the request (r->main->count) and, when it ends, either runs
 * the phases again (the access phase looked a session up) or calls the
 * caller's next step and finalizes the request with what it returns.
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_store.h"

#include <openssl/evp.h>


/* the operations, for the answers a request keeps */
#define NGX_HTTP_OIOSAML_OP_FIND     0
#define NGX_HTTP_OIOSAML_OP_COMMIT   1
#define NGX_HTTP_OIOSAML_OP_REMOVE   2
#define NGX_HTTP_OIOSAML_OP_ONCE     3
#define NGX_HTTP_OIOSAML_OP_COUNT    4


static ngx_int_t ngx_http_oiosaml_store_kept(ngx_http_request_t *r,
    ngx_uint_t op, ngx_int_t *rc);
static ngx_int_t ngx_http_oiosaml_store_wait(ngx_http_request_t *r,
    ngx_uint_t op, ngx_int_t rc, ngx_http_oiosaml_next_pt next);
static ngx_http_oiosaml_store_ops_t *ngx_http_oiosaml_ops(
    ngx_http_request_t *r);


ngx_http_oiosaml_ctx_t *
ngx_http_oiosaml_ctx(ngx_http_request_t *r)
{
    ngx_http_oiosaml_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_oiosaml_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_oiosaml_module);
    }

    return ctx;
}


void
ngx_http_oiosaml_store_key(const u_char *id, u_char *key)
{
    unsigned int          len;
    static EVP_MD        *sha256;
    static EVP_MD_CTX    *md;

    /*
     * Every protected request hashes its cookie: the digest is fetched
     * once per process (EVP_sha256() alone is looked up in the provider
     * on each use) and its context reused (a worker has one thread)
     */
    if (sha256 == NULL) {
        sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
        md = EVP_MD_CTX_new();
    }

    if (sha256 == NULL || md == NULL
        || EVP_DigestInit_ex2(md, sha256, NULL) != 1
        || EVP_DigestUpdate(md, id, NGX_HTTP_OIOSAML_SESSION_ID_LEN) != 1
        || EVP_DigestFinal_ex(md, key, &len) != 1)
    {
        (void) EVP_Digest(id, NGX_HTTP_OIOSAML_SESSION_ID_LEN, key, &len,
                          EVP_sha256(), NULL);
    }
}


/*
 * The session of key into ctx->session (NULL: none).  next: how to go on
 * if the store answers later (ngx_http_oiosaml_store_phases in the
 * access phase); NULL: only what is at hand, never NGX_AGAIN.
 */
ngx_int_t
ngx_http_oiosaml_store_find(ngx_http_request_t *r, const u_char *key,
    ngx_http_oiosaml_next_pt next)
{
    ngx_int_t                rc;
    ngx_http_oiosaml_ctx_t  *ctx;

    if (ngx_http_oiosaml_store_kept(r, NGX_HTTP_OIOSAML_OP_FIND, &rc)) {
        return rc;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);
    ctx->session = NULL;

    rc = ngx_http_oiosaml_ops(r)->find(r, key, next != NULL);

    return ngx_http_oiosaml_store_wait(r, NGX_HTTP_OIOSAML_OP_FIND, rc, next);
}


ngx_int_t
ngx_http_oiosaml_store_commit(ngx_http_request_t *r,
    ngx_http_oiosaml_commit_t *c, ngx_http_oiosaml_next_pt next)
{
    ngx_int_t  rc;

    if (ngx_http_oiosaml_store_kept(r, NGX_HTTP_OIOSAML_OP_COMMIT, &rc)) {
        return rc;
    }

    rc = ngx_http_oiosaml_ops(r)->commit(r, c);

    return ngx_http_oiosaml_store_wait(r, NGX_HTTP_OIOSAML_OP_COMMIT, rc,
                                       next);
}


ngx_int_t
ngx_http_oiosaml_store_remove(ngx_http_request_t *r, const u_char *key,
    ngx_http_oiosaml_next_pt next)
{
    ngx_int_t  rc;

    if (ngx_http_oiosaml_store_kept(r, NGX_HTTP_OIOSAML_OP_REMOVE, &rc)) {
        return rc;
    }

    rc = ngx_http_oiosaml_ops(r)->remove(r, key);

    return ngx_http_oiosaml_store_wait(r, NGX_HTTP_OIOSAML_OP_REMOVE, rc,
                                       next);
}


/*
 * SHA-256 of the strings joined by newlines: the key of a single-use
 * record.  An assertion ID is "<entityID>\n<ID>"; other messages are
 * "\n<kind>\n<ID>" (no entityID is empty), so the two never meet.
 */
ngx_int_t
ngx_http_oiosaml_digest(u_char *digest, const char *a, const char *b,
    const char *c)
{
    ngx_int_t      rc;
    ngx_uint_t     i;
    unsigned int   dlen;
    EVP_MD_CTX    *md;
    const char    *part[3];

    part[0] = a;
    part[1] = b;
    part[2] = c;

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        return NGX_ERROR;
    }

    rc = (EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) ? NGX_OK
                                                          : NGX_ERROR;

    for (i = 0; rc == NGX_OK && i < 3 && part[i] != NULL; i++) {
        if ((i > 0 && EVP_DigestUpdate(md, "\n", 1) != 1)
            || EVP_DigestUpdate(md, part[i], ngx_strlen(part[i])) != 1)
        {
            rc = NGX_ERROR;
        }
    }

    if (rc == NGX_OK && EVP_DigestFinal_ex(md, digest, &dlen) != 1) {
        rc = NGX_ERROR;
    }

    EVP_MD_CTX_free(md);

    return rc;
}


/*
 * A message of this kind and ID may act once: recorded until "until".
 * NGX_OK the first time, NGX_BUSY after, NGX_ERROR when the store cannot
 * record it.
 */
ngx_int_t
ngx_http_oiosaml_store_once(ngx_http_request_t *r, const char *kind,
    const char *id, time_t until, ngx_http_oiosaml_next_pt next)
{
    u_char     digest[32];
    ngx_int_t  rc;

    if (ngx_http_oiosaml_store_kept(r, NGX_HTTP_OIOSAML_OP_ONCE, &rc)) {
        return rc;
    }

    if (ngx_http_oiosaml_digest(digest, "", kind, id) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_oiosaml_ops(r)->once(r, digest, until);

    return ngx_http_oiosaml_store_wait(r, NGX_HTTP_OIOSAML_OP_ONCE, rc,
                                       next);
}


/* a login started by the browser that key (not hashed yet) names */
ngx_int_t
ngx_http_oiosaml_store_count(ngx_http_request_t *r, const u_char *key,
    size_t len, ngx_uint_t limit, time_t window,
    ngx_http_oiosaml_next_pt next)
{
    u_char                   digest[32];
    ngx_int_t                rc;
    unsigned int             dlen;
    ngx_http_oiosaml_ctx_t  *ctx;

    if (ngx_http_oiosaml_store_kept(r, NGX_HTTP_OIOSAML_OP_COUNT, &rc)) {
        return rc;
    }

    if (EVP_Digest(key, len, digest, &dlen, EVP_sha256(), NULL) != 1) {
        return NGX_ERROR;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);
    ctx->first = 0;

    rc = ngx_http_oiosaml_ops(r)->count(r, digest, limit, window);

    return ngx_http_oiosaml_store_wait(r, NGX_HTTP_OIOSAML_OP_COUNT, rc,
                                       next);
}


/*
 * Each operation runs once per request: a caller that runs again after
 * waiting (the phases, an endpoint) gets the answer it had.  1: *rc is
 * that answer (NGX_ERROR when the context cannot be made).
 */
static ngx_int_t
ngx_http_oiosaml_store_kept(ngx_http_request_t *r, ngx_uint_t op,
    ngx_int_t *rc)
{
    ngx_http_oiosaml_ctx_t  *ctx;

    ctx = ngx_http_oiosaml_ctx(r);

    if (ctx == NULL) {
        *rc = NGX_ERROR;
        return 1;
    }

    if (ctx->done & (1 << op)) {
        *rc = ctx->answer[op];
        return 1;
    }

    return 0;
}


/*
 * The answer, kept; or NGX_AGAIN from the backend: the request waits (it
 * is held, and goes on with next when the backend calls
 * ngx_http_oiosaml_store_done()).
 */
static ngx_int_t
ngx_http_oiosaml_store_wait(ngx_http_request_t *r, ngx_uint_t op,
    ngx_int_t rc, ngx_http_oiosaml_next_pt next)
{
    ngx_http_oiosaml_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);

    if (rc != NGX_AGAIN) {
        ctx->done |= 1 << op;
        ctx->answer[op] = rc;
        return rc;
    }

    ctx->op = op;
    ctx->next = next;
    r->main->count++;

    return NGX_AGAIN;
}


/*
 * The endpoint's own next step: it runs again from the start, and each
 * operation it did gets the answer it had.  Only for endpoints that send
 * nothing before their last store operation.
 */
ngx_int_t
ngx_http_oiosaml_store_rerun(ngx_http_request_t *r, ngx_int_t rc)
{
    return ngx_http_oiosaml_endpoint_handler(r);
}


/* may a login start?  Not when it could not be recorded at the ACS */
ngx_uint_t
ngx_http_oiosaml_store_available(ngx_http_request_t *r)
{
    return ngx_http_oiosaml_ops(r)->available();
}


/* the marker for "run the phases again": the access phase waited */
ngx_int_t
ngx_http_oiosaml_store_phases(ngx_http_request_t *r, ngx_int_t rc)
{
    return NGX_DONE;
}


/* a backend's operation that returned NGX_AGAIN has ended with rc */
void
ngx_http_oiosaml_store_done(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_connection_t          *c;
    ngx_http_oiosaml_ctx_t    *ctx;
    ngx_http_oiosaml_next_pt   next;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);

    next = ctx->next;
    ctx->next = NULL;
    ctx->rc = rc;
    ctx->done |= 1 << ctx->op;
    ctx->answer[ctx->op] = rc;

    if (next == ngx_http_oiosaml_store_phases) {
        r->main->count--;
        r->write_event_handler = ngx_http_core_run_phases;
        ngx_http_core_run_phases(r);

    } else {
        ngx_http_finalize_request(r, next(r, rc));
    }

    ngx_http_run_posted_requests(c);
}


/*
 * The page for a store that cannot answer (Redis down or slow): 503,
 * "login is temporarily unavailable".  The backend logs the outage once;
 * each request only at debug level.
 */
ngx_int_t
ngx_http_oiosaml_store_down(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    oiosaml_err_t  err;

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "oiosaml: the store cannot answer");

    ngx_memzero(&err, sizeof(oiosaml_err_t));
    err.status = OIOSAML_ERR_STORE;

    return ngx_http_oiosaml_fail_quiet(r, oscf, &err);
}


/*
 * The session for an identity, its values ready for the headers (escaped
 * once, here), in the request's pool.  The bootstrap token is kept only
 * where it may be fetched (oiosaml_bootstrap_fetch).
 */
ngx_http_oiosaml_session_t *
ngx_http_oiosaml_session_new(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_identity_t *identity,
    time_t expires, const u_char *key)
{
    u_char                      *p;
    size_t                       size, len;
    ngx_uint_t                   i;
    const char                  *v;
    ngx_http_oiosaml_session_t  *s;

    size = sizeof(ngx_http_oiosaml_session_t);

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        v = oiosaml_identity_get(identity, i, &len);
        size += ngx_http_oiosaml_raw_field(i)
                ? len : oiosaml_header_escape(NULL, v, len);
    }

    s = ngx_pnalloc(r->pool, size);
    if (s == NULL) {
        return NULL;
    }

    ngx_memcpy(s->key, key, NGX_HTTP_OIOSAML_KEY_LEN);
    s->created = ngx_time();
    s->expires = expires;
    s->loa = oiosaml_identity_loa(identity);

    p = (u_char *) s + sizeof(ngx_http_oiosaml_session_t);

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        v = oiosaml_identity_get(identity, i, &len);

        if (i == OIOSAML_F_BOOTSTRAP && oscf->bootstrap->nelts == 0) {
            len = 0;    /* kept only where it may be fetched */
        }

        s->fields[i].data = p;

        if (ngx_http_oiosaml_raw_field(i)) {
            /* encoded already, or for the role check only */
            s->fields[i].len = len;
            p = ngx_cpymem(p, v, len);

        } else {
            s->fields[i].len = oiosaml_header_escape((char *) p, v, len);
            p += s->fields[i].len;
        }
    }

    return s;
}


/*
 * Fields kept as they are: the attributes (form-encoded), roles and
 * constraints (ASCII JSON), the compact privileges and the bootstrap token
 * (never headers); all others are escaped for headers once, at login.
 */
ngx_uint_t
ngx_http_oiosaml_raw_field(ngx_uint_t i)
{
    return i == OIOSAML_F_ATTRIBUTES || i == OIOSAML_F_PRIVILEGES
           || i == OIOSAML_F_ROLES || i == OIOSAML_F_CONSTRAINTS
           || i == OIOSAML_F_BOOTSTRAP;
}


static ngx_http_oiosaml_store_ops_t *
ngx_http_oiosaml_ops(ngx_http_request_t *r)
{
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_http_oiosaml_module);

    return omcf->ops;
}
