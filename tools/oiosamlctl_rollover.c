
/*
 * oiosamlctl rollover check CONF --at TIME [--idp-cert ID=CERT ...]:
 * would logins work at TIME, for every SP and IdP in the configuration?
 */


#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "oiosamlctl.h"


#define OIOSAMLCTL_REASON_LEN  2048


typedef struct {
    char        *id;
    const char  *file;
} oiosamlctl_announced_t;


typedef struct {
    time_t                    at;
    oiosamlctl_announced_t   *certs;
    size_t                    ncerts;
    int                       failed;
    int                       unreadable;
} oiosamlctl_rollover_t;


static int oiosamlctl_rollover_known(oiosamlctl_rollover_t *ro,
    oiosamlctl_conf_t *conf);
static int oiosamlctl_rollover_sp(oiosamlctl_rollover_t *ro,
    const oiosamlctl_sp_t *sp);
static int oiosamlctl_rollover_keys(oiosamlctl_rollover_t *ro,
    const oiosamlctl_sp_t *sp);
static int oiosamlctl_rollover_idp(oiosamlctl_rollover_t *ro,
    const oiosamlctl_sp_t *sp, const oiosaml_idp_t *idp, char *reason);
static size_t oiosamlctl_rollover_grace(const oiosamlctl_sp_t *sp,
    const oiosaml_idp_t *idp, time_t at);
static void oiosamlctl_rollover_add(char *reason, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;


int
oiosamlctl_rollover(int argc, char **argv)
{
    int                      rc;
    char                    *pos[OIOSAMLCTL_MAX_ARGS], *eq, t[21];
    size_t                   npos, i;
    time_t                   now;
    oiosamlctl_conf_t       *conf;
    oiosamlctl_rollover_t    ro;
    oiosamlctl_announced_t   certs[OIOSAMLCTL_MAX_ARGS];

    oiosamlctl_opt_t  opts[] = {
        { "--at", 1, 0, 0, NULL, { NULL }, 0 },
        { "--idp-cert", 1, 1, 0, NULL, { NULL }, 0 },
        { "-p", 1, 0, 0, NULL, { NULL }, 0 },
        { NULL, 0, 0, 0, NULL, { NULL }, 0 }
    };

    if (argc < 1 || strcmp(argv[0], "check") != 0) {
        return oiosamlctl_usage_of("rollover");
    }

    if (oiosamlctl_getopt("rollover check", argc - 1, argv + 1, opts, pos,
                          &npos)
        != OIOSAMLCTL_OK || npos != 1)
    {
        return oiosamlctl_usage_of("rollover");
    }

    if (!opts[0].set) {
        fprintf(stderr, "oiosamlctl rollover check: --at TIME is "
                "required\n");
        return oiosamlctl_usage_of("rollover");
    }

    memset(&ro, 0, sizeof(ro));
    now = time(NULL);

    if (oiosamlctl_parse_at(opts[0].value, now, &ro.at) != 0) {
        fprintf(stderr, "oiosamlctl rollover check: invalid TIME \"%s\", "
                "use e.g. 2026-12-01T06:00:00Z, now, +1h or +2d\n",
                opts[0].value);
        return OIOSAMLCTL_USAGE;
    }

    for (i = 0; i < opts[1].nvalues; i++) {
        eq = strchr(opts[1].values[i], '=');

        if (eq == NULL || eq == opts[1].values[i] || eq[1] == '\0') {
            fprintf(stderr, "oiosamlctl rollover check: --idp-cert takes "
                    "ID=CERTFILE, not \"%s\"\n", opts[1].values[i]);
            return OIOSAMLCTL_USAGE;
        }

        certs[i].id = strndup(opts[1].values[i],
                              (size_t) (eq - opts[1].values[i]));
        certs[i].file = eq + 1;

        if (certs[i].id == NULL) {
            return OIOSAMLCTL_FAIL;
        }
    }

    ro.certs = certs;
    ro.ncerts = opts[1].nvalues;

    rc = oiosamlctl_init();

    if (rc == OIOSAMLCTL_OK) {
        rc = oiosamlctl_conf_load(pos[0], opts[2].value, now, &conf);
    }

    if (rc == OIOSAMLCTL_OK) {
        rc = oiosamlctl_rollover_known(&ro, conf);

        if (rc != OIOSAMLCTL_OK) {
            oiosamlctl_conf_free(conf);
        }
    }

    if (rc == OIOSAMLCTL_OK) {
        printf("rollover check at %s\n", oiosamlctl_time(ro.at, t));

        for (i = 0; i < oiosamlctl_conf_sp_count(conf); i++) {
            oiosamlctl_rollover_sp(&ro, oiosamlctl_conf_sp(conf, i));
        }

        oiosamlctl_conf_free(conf);

        printf("\n%s: logins would %s at %s\n", ro.failed ? "FAIL" : "OK",
               ro.failed ? "fail" : "work", t);

        rc = ro.unreadable ? OIOSAMLCTL_CONF
                           : (ro.failed ? OIOSAMLCTL_FAIL : OIOSAMLCTL_OK);
    }

    for (i = 0; i < ro.ncerts; i++) {
        free(certs[i].id);
    }

    return rc;
}


/* every --idp-cert names an IdP of the configuration */
static int
oiosamlctl_rollover_known(oiosamlctl_rollover_t *ro, oiosamlctl_conf_t *conf)
{
    int                     rc;
    size_t                  i, j;
    const oiosamlctl_sp_t  *sp;

    rc = OIOSAMLCTL_OK;

    for (i = 0; i < ro->ncerts; i++) {
        for (j = 0; j < oiosamlctl_conf_sp_count(conf); j++) {
            sp = oiosamlctl_conf_sp(conf, j);

            if (oiosaml_sp_idp_by_id(sp->sp, ro->certs[i].id,
                                     strlen(ro->certs[i].id))
                != NULL)
            {
                break;
            }
        }

        if (j == oiosamlctl_conf_sp_count(conf)) {
            fprintf(stderr, "oiosamlctl rollover check: --idp-cert %s=%s: "
                    "no IdP \"%s\" in the configuration\n",
                    ro->certs[i].id, ro->certs[i].file, ro->certs[i].id);
            rc = OIOSAMLCTL_USAGE;
        }
    }

    return rc;
}


static int
oiosamlctl_rollover_sp(oiosamlctl_rollover_t *ro, const oiosamlctl_sp_t *sp)
{
    int                   ok;
    char                  reason[OIOSAMLCTL_REASON_LEN], id[80];
    size_t                i;
    const char           *cols[3];
    oiosamlctl_table_t    t;
    const oiosaml_idp_t  *idp;

    static const char  *head[3] = { "  IDP", "RESULT", "REASON" };

    printf("\nSP %s", oiosaml_sp_entity_id(sp->sp));

    if (sp->servers[0]) {
        printf(" (%s)", sp->servers);
    }

    printf("\n");

    oiosamlctl_rollover_keys(ro, sp);

    oiosamlctl_table_init(&t, 3);

    if (oiosamlctl_table_row(&t, head) != 0) {
        return OIOSAMLCTL_FAIL;
    }

    for (i = 0; i < oiosaml_sp_idp_count(sp->sp); i++) {
        idp = oiosaml_sp_idp_at(sp->sp, i);
        reason[0] = '\0';
        ok = oiosamlctl_rollover_idp(ro, sp, idp, reason);

        /* the id with the table's indentation */
        snprintf(id, sizeof(id), "  %s", oiosaml_idp_id(idp));
        cols[0] = id;
        cols[1] = ok ? "OK" : "FAIL";
        cols[2] = reason;

        if (oiosamlctl_table_row(&t, cols) != 0) {
            break;
        }
    }

    printf("\n");
    oiosamlctl_table_print(&t, stdout);
    oiosamlctl_table_free(&t);

    return OIOSAMLCTL_OK;
}


/* our keys: the one that signs at "at" must be valid then */
static int
oiosamlctl_rollover_keys(oiosamlctl_rollover_t *ro, const oiosamlctl_sp_t *sp)
{
    int                   ok;
    char                  t1[21], t2[21], use[64], fp[17];
    size_t                i, signing;
    const char           *cols[6];
    oiosamlctl_table_t    t;
    oiosaml_cert_info_t   info;
    char                  subject[sizeof(info.subject) + 2];

    static const char  *head[6] = {
        "  OUR KEY", "SHA256", "VALID FROM", "NOT AFTER", "AT THAT TIME",
        "RESULT"
    };

    signing = oiosaml_sp_signing_key_at(sp->sp, ro->at);

    oiosamlctl_table_init(&t, 6);

    if (oiosamlctl_table_row(&t, head) != 0) {
        return OIOSAMLCTL_FAIL;
    }

    for (i = 0; i < oiosaml_sp_key_count(sp->sp); i++) {
        oiosaml_sp_key_info(sp->sp, i, &info);
        ok = 1;

        if (i == signing) {
            ok = info.not_before <= ro->at && info.not_after >= ro->at;
            snprintf(use, sizeof(use), "signs, published");

            if (!ok) {
                ro->failed = 1;
            }

        } else if (info.not_after < ro->at) {
            snprintf(use, sizeof(use), "expired, not published");

        } else if (info.from > ro->at) {
            snprintf(use, sizeof(use), "published, signs from %s",
                     oiosamlctl_time(info.from, t1));

        } else {
            snprintf(use, sizeof(use), "published");
        }

        snprintf(subject, sizeof(subject), "  %s", info.subject);
        snprintf(fp, sizeof(fp), "%s",
                 oiosamlctl_fingerprint(info.sha256, 0));

        cols[0] = subject;
        cols[1] = fp;
        cols[2] = oiosamlctl_time(info.not_before, t1);
        cols[3] = oiosamlctl_time(info.not_after, t2);
        cols[4] = use;
        cols[5] = (i != signing) ? "" : (ok ? "OK" : "FAIL: not valid then");

        if (oiosamlctl_table_row(&t, cols) != 0) {
            break;
        }
    }

    printf("\n");
    oiosamlctl_table_print(&t, stdout);
    oiosamlctl_table_free(&t);

    return OIOSAMLCTL_OK;
}


/* one IdP: 1 when logins there would work at "at"; why in reason */
static int
oiosamlctl_rollover_idp(oiosamlctl_rollover_t *ro, const oiosamlctl_sp_t *sp,
    const oiosaml_idp_t *idp, char *reason)
{
    int                       ok;
    char                      t[21];
    size_t                    i, trusted, total, grace;
    time_t                    until;
    oiosaml_err_t             err;
    oiosaml_status_t          rc;
    const oiosamlctl_idp_t   *ic;

    ok = 1;
    total = oiosaml_idp_cert_count(idp);
    trusted = oiosaml_idp_trusted_at(idp, ro->at);

    if (trusted == 0) {
        ok = 0;
        oiosamlctl_rollover_add(reason, "none of its %zu certificates is "
                                "trusted then", total);

    } else {
        oiosamlctl_rollover_add(reason, "%zu of %zu certificates trusted",
                                trusted, total);

        grace = oiosamlctl_rollover_grace(sp, idp, ro->at);

        if (grace) {
            oiosamlctl_rollover_add(reason, "%zu of them expired, trusted "
                                    "only by cert_grace", grace);
        }
    }

    until = oiosaml_idp_valid_until(idp);

    if (until != 0 && until <= ro->at) {
        ok = 0;
        oiosamlctl_rollover_add(reason, "metadata validUntil %s has passed",
                                oiosamlctl_time(until, t));

    } else if (until != 0) {
        oiosamlctl_rollover_add(reason, "metadata valid until %s",
                                oiosamlctl_time(until, t));
    }

    ic = oiosamlctl_sp_idp_conf(sp, idp);

    if (ic != NULL && ic->ic.down) {
        oiosamlctl_rollover_add(reason, "marked down in the configuration");
    }

    for (i = 0; i < ro->ncerts; i++) {
        if (strcmp(ro->certs[i].id, oiosaml_idp_id(idp)) != 0) {
            continue;
        }

        oiosaml_err_clear(&err);

        rc = oiosaml_idp_trusts(idp, ro->certs[i].file, ro->at, &err);

        if (rc == OIOSAML_OK) {
            oiosamlctl_rollover_add(reason, "%s would be accepted",
                                    ro->certs[i].file);
            continue;
        }

        ok = 0;

        if (rc == OIOSAML_DENY_SIGNATURE) {
            oiosamlctl_rollover_add(reason, "%s would NOT be accepted: %s",
                                    ro->certs[i].file, err.text);

        } else {
            ro->unreadable = 1;
            oiosamlctl_rollover_add(reason, "%s: %s", ro->certs[i].file,
                                    err.text[0] ? err.text
                                                : oiosaml_strerror(rc));
        }
    }

    if (!ok) {
        ro->failed = 1;
    }

    return ok;
}


/* the certificates trusted at "at" only because of cert_grace */
static size_t
oiosamlctl_rollover_grace(const oiosamlctl_sp_t *sp,
    const oiosaml_idp_t *idp, time_t at)
{
    size_t                   i, n;
    oiosaml_cert_info_t      info;
    const oiosamlctl_idp_t  *ic;

    ic = oiosamlctl_sp_idp_conf(sp, idp);

    if (ic == NULL || ic->ic.cert_grace == 0) {
        return 0;
    }

    n = 0;

    for (i = 0; i < oiosaml_idp_cert_count(idp); i++) {
        oiosaml_idp_cert_info(idp, i, &info);

        if (info.from <= at && info.not_before <= at && info.not_after < at
            && info.not_after + ic->ic.cert_grace >= at)
        {
            n++;
        }
    }

    return n;
}


static void
oiosamlctl_rollover_add(char *reason, const char *fmt, ...)
{
    size_t   len;
    va_list  args;

    len = strlen(reason);

    if (len && len + 2 < OIOSAMLCTL_REASON_LEN) {
        strcpy(reason + len, "; ");
        len += 2;
    }

    va_start(args, fmt);
    vsnprintf(reason + len, OIOSAMLCTL_REASON_LEN - len, fmt, args);
    va_end(args);
}
