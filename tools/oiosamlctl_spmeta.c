
/*
 * oiosamlctl sp-metadata CONF [--server ENTITYID] [--at TIME] [--check]:
 * our SP metadata as published at TIME, signed by the key that signs
 * then; with --check, whether it is what the federations ask for
 * (oiosamlctl_ready.c).
 */


#include <stdlib.h>
#include <string.h>

#include "oiosamlctl.h"


static int oiosamlctl_spmeta_named(const char *servers, const char *name);


int
oiosamlctl_sp_metadata(int argc, char **argv)
{
    int                     rc;
    char                   *pos[OIOSAMLCTL_MAX_ARGS], *xml;
    size_t                  npos, len, i;
    time_t                  now, at;
    oiosaml_err_t           err;
    oiosamlctl_conf_t      *conf;
    const oiosamlctl_sp_t  *sp;

    oiosamlctl_opt_t  opts[] = {
        { "--server", 1, 0, 0, NULL, { NULL }, 0 },
        { "--at", 1, 0, 0, NULL, { NULL }, 0 },
        { "-p", 1, 0, 0, NULL, { NULL }, 0 },
        { "--check", 0, 0, 0, NULL, { NULL }, 0 },
        { NULL, 0, 0, 0, NULL, { NULL }, 0 }
    };

    if (oiosamlctl_getopt("sp-metadata", argc, argv, opts, pos, &npos)
        != OIOSAMLCTL_OK || npos != 1)
    {
        return oiosamlctl_usage_of("sp-metadata");
    }

    now = time(NULL);
    at = now;

    if (opts[1].set && oiosamlctl_parse_at(opts[1].value, now, &at) != 0) {
        fprintf(stderr, "oiosamlctl sp-metadata: invalid TIME \"%s\", use "
                "e.g. 2026-12-01T06:00:00Z, now, +1h or +2d\n",
                opts[1].value);
        return OIOSAMLCTL_USAGE;
    }

    rc = oiosamlctl_init();
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    rc = oiosamlctl_conf_load(pos[0], opts[2].value, now, &conf);
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    sp = NULL;

    if (opts[0].set) {
        sp = oiosamlctl_find_sp(conf, opts[0].value);

    } else if (oiosamlctl_conf_sp_count(conf) == 1) {
        sp = oiosamlctl_conf_sp(conf, 0);
    }

    if (sp == NULL) {
        if (opts[0].set) {
            fprintf(stderr, "oiosamlctl sp-metadata: no SP \"%s\" in %s; "
                    "the SPs are:\n", opts[0].value, pos[0]);

        } else {
            fprintf(stderr, "oiosamlctl sp-metadata: %s has %zu SPs, name "
                    "one with --server ENTITYID:\n", pos[0],
                    oiosamlctl_conf_sp_count(conf));
        }

        for (i = 0; i < oiosamlctl_conf_sp_count(conf); i++) {
            fprintf(stderr, "    %s  (%s)\n",
                    oiosaml_sp_entity_id(oiosamlctl_conf_sp(conf, i)->sp),
                    oiosamlctl_conf_sp(conf, i)->servers);
        }

        oiosamlctl_conf_free(conf);

        return OIOSAMLCTL_USAGE;
    }

    oiosaml_err_clear(&err);

    if (oiosaml_sp_metadata_at(sp->sp, at, &xml, &len, &err) != OIOSAML_OK) {
        fprintf(stderr, "oiosamlctl sp-metadata: %s\n", err.text);
        oiosamlctl_conf_free(conf);
        return OIOSAMLCTL_FAIL;
    }

    if (opts[3].set) {
        rc = oiosamlctl_ready_check(xml, len, stdout);

    } else {
        rc = (fwrite(xml, 1, len, stdout) == len && fflush(stdout) == 0)
             ? OIOSAMLCTL_OK : OIOSAMLCTL_FAIL;
    }

    oiosaml_free(xml);
    oiosamlctl_conf_free(conf);

    return rc;
}


/* by entityID, else by a server name of the servers that use it */
const oiosamlctl_sp_t *
oiosamlctl_find_sp(const oiosamlctl_conf_t *conf, const char *name)
{
    size_t                  i;
    const oiosamlctl_sp_t  *sp;

    for (i = 0; i < oiosamlctl_conf_sp_count(conf); i++) {
        sp = oiosamlctl_conf_sp(conf, i);

        if (strcmp(oiosaml_sp_entity_id(sp->sp), name) == 0) {
            return sp;
        }
    }

    for (i = 0; i < oiosamlctl_conf_sp_count(conf); i++) {
        sp = oiosamlctl_conf_sp(conf, i);

        if (oiosamlctl_spmeta_named(sp->servers, name)) {
            return sp;
        }
    }

    return NULL;
}


/* is name one of "a, b, c"? */
static int
oiosamlctl_spmeta_named(const char *servers, const char *name)
{
    size_t       len;
    const char  *p;

    len = strlen(name);

    for (p = servers; (p = strstr(p, name)) != NULL; p += len) {
        if ((p == servers || p[-1] == ' ')
            && (p[len] == '\0' || p[len] == ','))
        {
            return 1;
        }
    }

    return 0;
}
