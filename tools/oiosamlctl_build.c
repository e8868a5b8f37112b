
/*
 * oiosamlctl: the SPs of a configuration that oiosamlctl_conf.c has read,
 * built with the library as module/ngx_http_oiosaml_conf.c builds them
 * (ngx_http_oiosaml_merge_sp() and ngx_http_oiosaml_build_sp()), with the
 * same errors.
 */


#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "oiosamlctl.h"


static int oiosamlctl_build_sp(oiosamlctl_conf_t *cf,
    const oiosamlctl_level_t *m, time_t now, const char *server);
static int oiosamlctl_build_error(const char *file, unsigned line,
    const char *what, const char *name, oiosaml_err_t *err);
static void oiosamlctl_build_merge(const oiosamlctl_level_t *prev,
    oiosamlctl_level_t *conf);
static int oiosamlctl_build_local(const oiosamlctl_level_t *l);


/*
 * As ngx_http_oiosaml_merge_sp(): a server with none of the SP directives
 * shares the SP of the http level (built once); a server with any of them
 * has its own, inheriting what it does not set from the http level.
 */
int
oiosamlctl_build(oiosamlctl_conf_t *cf, time_t now)
{
    int                  http_built;
    char                 where[PATH_MAX + 32];
    size_t               i, len, http_sp;
    const char          *name, *base;
    oiosamlctl_sp_t     *sp;
    oiosamlctl_level_t   m;

    http_built = 0;
    http_sp = (size_t) -1;

    for (i = 0; i < cf->nservers; i++) {
        name = cf->servers[i]->server_name;

        if (name == NULL) {
            base = strrchr(cf->servers[i]->file, '/');
            snprintf(where, sizeof(where), "server at %s:%u",
                     base ? base + 1 : cf->servers[i]->file,
                     cf->servers[i]->line);
            name = where;
        }

        if (oiosamlctl_build_local(cf->servers[i])) {
            m = *cf->servers[i];
            oiosamlctl_build_merge(&cf->http, &m);

            if (oiosamlctl_build_sp(cf, &m, now, name) != OIOSAMLCTL_OK) {
                return OIOSAMLCTL_CONF;
            }

            continue;
        }

        if (!http_built) {
            http_built = 1;
            m = cf->http;
            oiosamlctl_build_merge(NULL, &m);

            if (oiosamlctl_build_sp(cf, &m, now, NULL) != OIOSAMLCTL_OK) {
                return OIOSAMLCTL_CONF;
            }

            if (m.entity_id != NULL) {
                http_sp = cf->nsps - 1;
            }
        }

        if (http_sp != (size_t) -1) {
            sp = &cf->sps[http_sp];
            len = strlen(sp->servers);
            snprintf(sp->servers + len, sizeof(sp->servers) - len, "%s%s",
                     len ? ", " : "", name);
        }
    }

    return OIOSAMLCTL_OK;
}


/* as ngx_http_oiosaml_build_sp(), with the same errors */
static int
oiosamlctl_build_sp(oiosamlctl_conf_t *cf, const oiosamlctl_level_t *m,
    time_t now, const char *server)
{
    size_t              i;
    oiosaml_sp_t       *sp;
    oiosaml_err_t       err;
    oiosaml_idp_t      *idp;
    oiosamlctl_sp_t    *sps;
    oiosaml_status_t    rc;
    const char         *file;
    unsigned            line;

    if (m->entity_id == NULL) {
        if (m->nkeys || m->nidps) {
            file = m->nkeys ? m->keys[0].file : m->idps[0].file;
            line = m->nkeys ? m->keys[0].line : m->idps[0].line;
            oiosamlctl_conf_error(file, line, "oiosaml_sp_key or "
                                  "oiosaml_idp without oiosaml_sp");
            return OIOSAMLCTL_CONF;
        }

        return OIOSAMLCTL_OK;
    }

    oiosaml_err_clear(&err);

    if (oiosaml_global_init(&err) != OIOSAML_OK) {
        return oiosamlctl_build_error(m->sp_file, m->sp_line,
                                         "oiosaml_sp", m->entity_id, &err);
    }

    if (oiosaml_sp_new(m->entity_id, m->url, &sp, &err) != OIOSAML_OK) {
        return oiosamlctl_build_error(m->sp_file, m->sp_line,
                                         "oiosaml_sp", m->entity_id, &err);
    }

    sps = realloc(cf->sps, (cf->nsps + 1) * sizeof(oiosamlctl_sp_t));
    if (sps == NULL) {
        oiosaml_sp_free(sp);
        fprintf(stderr, "oiosamlctl: out of memory\n");
        return OIOSAMLCTL_CONF;
    }

    /* owned by the conf from here on, also on failure */
    cf->sps = sps;
    memset(&sps[cf->nsps], 0, sizeof(oiosamlctl_sp_t));
    sps[cf->nsps].sp = sp;
    sps[cf->nsps].conf = *m;
    snprintf(sps[cf->nsps].servers, sizeof(sps[cf->nsps].servers), "%s",
             server ? server : "");
    cf->nsps++;

    if (m->nkeys == 0) {
        oiosamlctl_conf_error(m->sp_file, m->sp_line, "oiosaml_sp \"%s\" has "
                              "no oiosaml_sp_key", m->entity_id);
        return OIOSAMLCTL_CONF;
    }

    for (i = 0; i < m->nkeys; i++) {
        rc = oiosaml_sp_add_key(sp, m->keys[i].key, m->keys[i].cert,
                                m->keys[i].from, &err);
        if (rc != OIOSAML_OK) {
            return oiosamlctl_build_error(m->keys[i].file, m->keys[i].line,
                                             "oiosaml_sp_key", m->keys[i].key,
                                             &err);
        }
    }

    if (m->nidps == 0) {
        oiosamlctl_conf_error(m->sp_file, m->sp_line, "oiosaml_sp \"%s\" has "
                              "no oiosaml_idp", m->entity_id);
        return OIOSAMLCTL_CONF;
    }

    for (i = 0; i < m->nidps; i++) {
        rc = oiosaml_idp_new(&m->idps[i].ic, now, &idp, &err);
        if (rc == OIOSAML_OK) {
            rc = oiosaml_sp_add_idp(sp, idp, &err);
        }

        if (rc != OIOSAML_OK) {
            return oiosamlctl_build_error(m->idps[i].file, m->idps[i].line,
                                             "oiosaml_idp", m->idps[i].ic.id,
                                             &err);
        }
    }

    if (m->cookie_secret != NULL) {
        rc = oiosaml_sp_set_cookie_secret(sp, m->cookie_secret, &err);
        if (rc != OIOSAML_OK) {
            return oiosamlctl_build_error(m->sp_file, m->sp_line,
                                             "oiosaml_cookie_secret",
                                             m->cookie_secret, &err);
        }
    }

    for (i = 0; i < m->nmd; i++) {
        rc = oiosaml_sp_metadata_option(sp, m->md[i].words[0],
                                        m->md[i].words + 1, m->md[i].n - 1,
                                        &err);
        if (rc != OIOSAML_OK) {
            oiosamlctl_conf_error(m->md[i].file, m->md[i].line, "%s: %s",
                                  m->md[i].words[0], err.text);
            return OIOSAMLCTL_CONF;
        }
    }

    oiosaml_sp_set_skew(sp, m->skew);
    oiosaml_sp_set_allow_unsolicited(sp, m->allow_unsolicited);

    rc = oiosaml_sp_finish(sp, now, &err);
    if (rc != OIOSAML_OK) {
        return oiosamlctl_build_error(m->sp_file, m->sp_line,
                                         "oiosaml_sp", m->entity_id, &err);
    }

    return OIOSAMLCTL_OK;
}


static int
oiosamlctl_build_error(const char *file, unsigned line, const char *what,
    const char *name, oiosaml_err_t *err)
{
    oiosamlctl_conf_error(file, line, "%s \"%s\": %s", what, name,
                          err->text[0] ? err->text
                                       : oiosaml_strerror(err->status));

    return OIOSAMLCTL_CONF;
}


static void
oiosamlctl_build_merge(const oiosamlctl_level_t *prev,
    oiosamlctl_level_t *conf)
{
    if (prev != NULL) {
        if (conf->entity_id == NULL) {
            conf->entity_id = prev->entity_id;
            conf->url = prev->url;
            conf->sp_file = prev->sp_file;
            conf->sp_line = prev->sp_line;
        }

        if (!conf->keys_set) {
            conf->keys = prev->keys;
            conf->nkeys = prev->nkeys;
            conf->keys_set = prev->keys_set;
        }

        if (!conf->idps_set) {
            conf->idps = prev->idps;
            conf->nidps = prev->nidps;
            conf->idps_set = prev->idps_set;
        }

        if (conf->cookie_secret == NULL) {
            conf->cookie_secret = prev->cookie_secret;
        }

        if (conf->skew == -1) {
            conf->skew = prev->skew;
        }

        if (conf->nmd == 0) {
            memcpy(conf->md, prev->md, sizeof(conf->md));
            conf->nmd = prev->nmd;
        }

        if (conf->allow_unsolicited == -1) {
            conf->allow_unsolicited = prev->allow_unsolicited;
        }
    }

    if (conf->skew == -1) {
        conf->skew = 180;
    }

    if (conf->allow_unsolicited == -1) {
        conf->allow_unsolicited = 0;
    }
}


static int
oiosamlctl_build_local(const oiosamlctl_level_t *l)
{
    return l->entity_id != NULL || l->keys_set || l->idps_set
           || l->cookie_secret != NULL || l->skew != -1 || l->other
           || l->nmd != 0;
}


size_t
oiosamlctl_conf_sp_count(const oiosamlctl_conf_t *cf)
{
    return cf->nsps;
}


oiosamlctl_sp_t *
oiosamlctl_conf_sp(const oiosamlctl_conf_t *cf, size_t i)
{
    return &cf->sps[i];
}


const oiosamlctl_idp_t *
oiosamlctl_sp_idp_conf(const oiosamlctl_sp_t *sp, const oiosaml_idp_t *idp)
{
    size_t  i;

    for (i = 0; i < sp->conf.nidps; i++) {
        if (strcmp(sp->conf.idps[i].ic.id, oiosaml_idp_id(idp)) == 0) {
            return &sp->conf.idps[i];
        }
    }

    return NULL;
}
