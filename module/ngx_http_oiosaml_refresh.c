
/*
 * Trust upkeep without a restart.
 *
 * Worker 0 re-reads the IdPs' metadata files on a timer
 * (oiosaml_metadata_refresh).  A changed file is checked by the library
 * exactly as at configuration time; a good one goes into shared memory
 * with a new trust generation, a bad one is logged once and the last good
 * copy stays.  Every worker compares its generation with the zone's (one
 * integer) before it uses the SP, and applies new copies from memory: no
 * file I/O on a request path, and all workers trust the same generation.
 *
 * Worker 0 also warns, daily, about certificates that expire soon.
 */


#include "ngx_http_oiosaml_module.h"
#include "ngx_http_oiosaml_store.h"


#define NGX_HTTP_OIOSAML_FIRST_CHECK   1000         /* ms after start */
#define NGX_HTTP_OIOSAML_WARN_EVERY    86400


static void ngx_http_oiosaml_refresh_handler(ngx_event_t *ev);
static void ngx_http_oiosaml_refresh_sp(ngx_http_oiosaml_sp_rec_t *rec,
    ngx_shm_zone_t *zone, ngx_log_t *log);
static ngx_int_t ngx_http_oiosaml_md_put(ngx_shm_zone_t *zone,
    uint32_t sp, const char *idp, u_char *data, size_t len);
static void ngx_http_oiosaml_warn_handler(ngx_event_t *ev);
static void ngx_http_oiosaml_warn_cert(ngx_log_t *log, const char *owner,
    oiosaml_cert_info_t *info, time_t now, time_t within);


ngx_int_t
ngx_http_oiosaml_register_sp(ngx_conf_t *cf,
    ngx_http_oiosaml_srv_conf_t *conf)
{
    size_t                         i, n;
    u_char                         buf[2048], *p;
    ngx_file_info_t                fi;
    ngx_http_oiosaml_mdfile_t     *f;
    ngx_http_oiosaml_sp_rec_t     *rec, **slot;
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_oiosaml_module);

    if (omcf->sps.elts == NULL
        && ngx_array_init(&omcf->sps, cf->pool, 4,
                          sizeof(ngx_http_oiosaml_sp_rec_t *))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    rec = ngx_pcalloc(cf->pool, sizeof(ngx_http_oiosaml_sp_rec_t));
    slot = ngx_array_push(&omcf->sps);

    if (rec == NULL || slot == NULL) {
        return NGX_ERROR;
    }

    *slot = rec;
    rec->sp = conf->sp;
    rec->refresh = conf->metadata_refresh;
    rec->cert_warn = conf->cert_warn;

    p = ngx_snprintf(buf, sizeof(buf), "%V %V", &conf->entity_id,
                     &conf->url);
    rec->key = ngx_crc32_long(buf, p - buf);

    n = oiosaml_sp_idp_count(conf->sp);

    if (ngx_array_init(&rec->files, cf->pool, n ? n : 1,
                       sizeof(ngx_http_oiosaml_mdfile_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* what was loaded: a later change of the file is a refresh */
    for (i = 0; i < n; i++) {
        f = ngx_array_push(&rec->files);
        if (f == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(f, sizeof(ngx_http_oiosaml_mdfile_t));
        f->idp = oiosaml_sp_idp_at(conf->sp, i);

        if (ngx_file_info(oiosaml_idp_metadata_file(f->idp), &fi)
            != NGX_FILE_ERROR)
        {
            f->mtime = ngx_file_mtime(&fi);
            f->size = ngx_file_size(&fi);
        }
    }

    conf->rec = rec;

    return NGX_OK;
}


ngx_int_t
ngx_http_oiosaml_init_process(ngx_cycle_t *cycle)
{
    ngx_http_oiosaml_main_conf_t  *omcf;

    omcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_oiosaml_module);

    if (omcf == NULL || omcf->shm_zone == NULL || omcf->sps.nelts == 0) {
        return NGX_OK;
    }

    /* one worker does the upkeep; the others follow the generation */
    if (ngx_process == NGX_PROCESS_WORKER && ngx_worker != 0) {
        return NGX_OK;
    }

    omcf->refresh_ev.handler = ngx_http_oiosaml_refresh_handler;
    omcf->refresh_ev.data = omcf;
    omcf->refresh_ev.log = cycle->log;
    omcf->refresh_ev.cancelable = 1;

    omcf->warn_ev.handler = ngx_http_oiosaml_warn_handler;
    omcf->warn_ev.data = omcf;
    omcf->warn_ev.log = cycle->log;
    omcf->warn_ev.cancelable = 1;

    ngx_add_timer(&omcf->refresh_ev, NGX_HTTP_OIOSAML_FIRST_CHECK);
    ngx_add_timer(&omcf->warn_ev, NGX_HTTP_OIOSAML_FIRST_CHECK);

    return NGX_OK;
}


static void
ngx_http_oiosaml_refresh_handler(ngx_event_t *ev)
{
    time_t                          next;
    ngx_uint_t                      i;
    ngx_http_oiosaml_sp_rec_t     **recs;
    ngx_http_oiosaml_main_conf_t   *omcf = ev->data;

    if (ngx_exiting) {
        return;
    }

    recs = omcf->sps.elts;
    next = 0;

    for (i = 0; i < omcf->sps.nelts; i++) {
        if (recs[i]->refresh == 0) {
            continue;
        }

        ngx_http_oiosaml_refresh_sp(recs[i], omcf->shm_zone, ev->log);

        if (next == 0 || recs[i]->refresh < next) {
            next = recs[i]->refresh;
        }
    }

    if (next != 0) {
        ngx_add_timer(ev, (ngx_msec_t) next * 1000);
    }
}


static void
ngx_http_oiosaml_refresh_sp(ngx_http_oiosaml_sp_rec_t *rec,
    ngx_shm_zone_t *zone, ngx_log_t *log)
{
    u_char                     *buf;
    ssize_t                     n;
    ngx_fd_t                    fd;
    ngx_uint_t                  i;
    ngx_file_t                  file;
    const char                 *name;
    oiosaml_err_t               err;
    ngx_file_info_t             fi;
    ngx_http_oiosaml_mdfile_t  *f;
    u_char                      esc[OIOSAML_ERR_LEN * 3 + 1];

    f = rec->files.elts;

    for (i = 0; i < rec->files.nelts; i++) {
        name = oiosaml_idp_metadata_file(f[i].idp);

        if (ngx_file_info(name, &fi) == NGX_FILE_ERROR) {
            if (f[i].bad_mtime != -1) {
                ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                              "oiosaml: metadata of IdP \"%s\": stat \"%s\" "
                              "failed, keeping the last good copy",
                              oiosaml_idp_id(f[i].idp), name);
                f[i].bad_mtime = -1;
            }

            continue;
        }

        if ((ngx_file_mtime(&fi) == f[i].mtime
             && ngx_file_size(&fi) == f[i].size)
            || (ngx_file_mtime(&fi) == f[i].bad_mtime
                && ngx_file_size(&fi) == f[i].bad_size))
        {
            continue;
        }

        /* changed: read it and check it as at configuration time */
        f[i].bad_mtime = ngx_file_mtime(&fi);
        f[i].bad_size = ngx_file_size(&fi);

        if (ngx_file_size(&fi) > 4 * 1024 * 1024) {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "oiosaml: metadata of IdP \"%s\" in \"%s\" "
                          "rejected, keeping the last good copy: larger "
                          "than 4 MB", oiosaml_idp_id(f[i].idp), name);
            continue;
        }

        fd = ngx_open_file(name, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
        if (fd == NGX_INVALID_FILE) {
            ngx_log_error(NGX_LOG_ERR, log, ngx_errno,
                          "oiosaml: metadata of IdP \"%s\": open \"%s\" "
                          "failed, keeping the last good copy",
                          oiosaml_idp_id(f[i].idp), name);
            continue;
        }

        buf = ngx_alloc(ngx_file_size(&fi) + 1, log);
        if (buf == NULL) {
            ngx_close_file(fd);
            continue;
        }

        ngx_memzero(&file, sizeof(ngx_file_t));
        file.fd = fd;
        file.log = log;

        n = ngx_read_file(&file, buf, ngx_file_size(&fi), 0);
        ngx_close_file(fd);

        oiosaml_err_clear(&err);

        if (n != ngx_file_size(&fi)) {
            oiosaml_err_set(&err, OIOSAML_ERR_IO, "short read");

        } else if (oiosaml_idp_check_metadata(f[i].idp, (char *) buf,
                                              (size_t) n, ngx_time(), &err)
                   == OIOSAML_OK)
        {
            if (ngx_http_oiosaml_md_put(zone, rec->key,
                                        oiosaml_idp_id(f[i].idp), buf,
                                        (size_t) n)
                == NGX_OK)
            {
                f[i].mtime = f[i].bad_mtime;
                f[i].size = f[i].bad_size;
                f[i].bad_mtime = 0;
                f[i].bad_size = 0;

                ngx_log_error(NGX_LOG_NOTICE, log, 0,
                              "oiosaml: metadata of IdP \"%s\" refreshed "
                              "from \"%s\"", oiosaml_idp_id(f[i].idp),
                              name);

            } else {
                oiosaml_err_set(&err, OIOSAML_ERR_STORE,
                                "the zone has no room for it");
                f[i].bad_mtime = 0;     /* try again next time */
            }
        }

        if (err.status != OIOSAML_OK) {
            /* the text may quote the file: one line, always */
            esc[oiosaml_header_escape((char *) esc, err.text,
                                      ngx_strlen(err.text))] = '\0';
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "oiosaml: metadata of IdP \"%s\" in \"%s\" "
                          "rejected, keeping the last good copy: %s",
                          oiosaml_idp_id(f[i].idp), name, esc);
        }

        ngx_free(buf);
    }
}


/* stores a new copy, replacing the IdP's previous one */
static ngx_int_t
ngx_http_oiosaml_md_put(ngx_shm_zone_t *zone, uint32_t sp, const char *idp,
    u_char *data, size_t len)
{
    size_t                     n;
    ngx_queue_t               *q;
    ngx_http_oiosaml_md_t     *md, *old;
    ngx_http_oiosaml_store_t  *store;

    store = zone->data;
    n = ngx_strlen(idp);

    if (n >= sizeof(md->idp)) {
        return NGX_ERROR;
    }

    ngx_shmtx_lock(&store->shpool->mutex);

    /* from the zone's reserve: a copy never evicts a session */
    md = ngx_slab_alloc_locked(store->shpool,
                               offsetof(ngx_http_oiosaml_md_t, data) + len);
    if (md == NULL) {
        ngx_shmtx_unlock(&store->shpool->mutex);
        return NGX_ERROR;
    }

    old = NULL;

    for (q = ngx_queue_head(&store->sh->metadata);
         q != ngx_queue_sentinel(&store->sh->metadata);
         q = ngx_queue_next(q))
    {
        old = ngx_queue_data(q, ngx_http_oiosaml_md_t, queue);

        if (old->sp == sp && ngx_strcmp(old->idp, idp) == 0) {
            break;
        }

        old = NULL;
    }

    if (old != NULL) {
        ngx_queue_remove(&old->queue);
        ngx_slab_free_locked(store->shpool, old);
    }

    md->sp = sp;
    ngx_memcpy(md->idp, idp, n + 1);
    md->len = len;
    md->checked = ngx_time();
    ngx_memcpy(md->data, data, len);
    md->gen = ++store->sh->trust_gen;
    ngx_queue_insert_tail(&store->sh->metadata, &md->queue);

    ngx_shmtx_unlock(&store->shpool->mutex);

    return NGX_OK;
}


/*
 * Before a request uses the SP: apply what is newer than this process's
 * generation.  One integer compare when nothing changed.
 */
void
ngx_http_oiosaml_trust_sync(ngx_http_oiosaml_srv_conf_t *oscf,
    ngx_log_t *log)
{
    size_t                          n;
    u_char                         *copy;
    ngx_uint_t                      gen, i;
    ngx_queue_t                    *q;
    oiosaml_err_t                   err;
    ngx_http_oiosaml_md_t          *md;
    ngx_http_oiosaml_store_t       *store;
    ngx_http_oiosaml_sp_rec_t      *rec;
    ngx_http_oiosaml_main_conf_t   *omcf;

    struct {
        u_char   idp[64];
        u_char  *data;
        size_t   len;
        time_t   checked;
    } todo[16];

    rec = oscf->rec;
    omcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_oiosaml_module);

    if (rec == NULL || omcf == NULL || omcf->shm_zone == NULL) {
        return;
    }

    store = omcf->shm_zone->data;

    if ((ngx_uint_t) store->sh->trust_gen == rec->gen) {
        return;
    }

    /* copy out under the lock (at most 16 per round), apply outside it */
    n = 0;

    ngx_shmtx_lock(&store->shpool->mutex);

    gen = store->sh->trust_gen;

    for (q = ngx_queue_head(&store->sh->metadata);
         q != ngx_queue_sentinel(&store->sh->metadata) && n < 16;
         q = ngx_queue_next(q))
    {
        md = ngx_queue_data(q, ngx_http_oiosaml_md_t, queue);

        if (md->sp != rec->key || md->gen <= rec->gen) {
            continue;
        }

        copy = ngx_alloc(md->len, log);
        if (copy == NULL) {
            break;
        }

        ngx_memcpy(copy, md->data, md->len);
        ngx_memcpy(todo[n].idp, md->idp, sizeof(md->idp));
        todo[n].data = copy;
        todo[n].len = md->len;
        todo[n].checked = md->checked;
        n++;
    }

    if (q == ngx_queue_sentinel(&store->sh->metadata)) {
        rec->gen = gen;
    }

    ngx_shmtx_unlock(&store->shpool->mutex);

    for (i = 0; i < n; i++) {
        oiosaml_err_clear(&err);

        /*
         * judged as when it was checked: a worker that takes the copy
         * after its validUntil still takes it (the IdP is then
         * unavailable, as in every other worker), never keeps the older
         */
        if (oiosaml_sp_idp_update(rec->sp, (char *) todo[i].idp,
                                  ngx_strlen(todo[i].idp),
                                  (char *) todo[i].data, todo[i].len,
                                  todo[i].checked, &err)
            != OIOSAML_OK)
        {
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "oiosaml: refreshed metadata of IdP \"%s\" not "
                          "applied: %s", todo[i].idp, err.text);
        }

        ngx_free(todo[i].data);
    }
}


static void
ngx_http_oiosaml_warn_handler(ngx_event_t *ev)
{
    size_t                          j, k;
    time_t                          now;
    ngx_uint_t                      i;
    oiosaml_cert_info_t             info;
    const oiosaml_idp_t            *idp;
    ngx_http_oiosaml_sp_rec_t     **recs, *rec;
    ngx_http_oiosaml_main_conf_t   *omcf = ev->data;

    if (ngx_exiting) {
        return;
    }

    recs = omcf->sps.elts;
    now = ngx_time();

    for (i = 0; i < omcf->sps.nelts; i++) {
        rec = recs[i];

        if (rec->cert_warn == 0) {
            continue;
        }

        for (k = 0; k < oiosaml_sp_key_count(rec->sp); k++) {
            oiosaml_sp_key_info(rec->sp, k, &info);
            ngx_http_oiosaml_warn_cert(ev->log, "our SP key", &info, now,
                                       rec->cert_warn);
        }

        for (j = 0; j < oiosaml_sp_idp_count(rec->sp); j++) {
            idp = oiosaml_sp_idp_at(rec->sp, j);

            for (k = 0; k < oiosaml_idp_cert_count(idp); k++) {
                oiosaml_idp_cert_info(idp, k, &info);
                ngx_http_oiosaml_warn_cert(ev->log, oiosaml_idp_id(idp),
                                           &info, now, rec->cert_warn);
            }
        }
    }

    ngx_add_timer(ev, (ngx_msec_t) NGX_HTTP_OIOSAML_WARN_EVERY * 1000);
}


static void
ngx_http_oiosaml_warn_cert(ngx_log_t *log, const char *owner,
    oiosaml_cert_info_t *info, time_t now, time_t within)
{
    if (info->not_after - now > within) {
        return;
    }

    if (info->not_after < now) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "oiosaml: %s certificate \"%s\" (sha256 %*s) of %s "
                      "expired %T days ago", info->use, info->subject,
                      (size_t) 16, info->sha256, owner,
                      (now - info->not_after) / 86400);
        return;
    }

    ngx_log_error(NGX_LOG_WARN, log, 0,
                  "oiosaml: %s certificate \"%s\" (sha256 %*s) of %s "
                  "expires in %T days", info->use, info->subject,
                  (size_t) 16, info->sha256, owner,
                  (info->not_after - now) / 86400);
}
