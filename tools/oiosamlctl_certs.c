
/*
 * oiosamlctl certs CONF: every certificate of every SP in an nginx
 * configuration, as a table or as JSON, and whether any in use expired.
 */


#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oiosamlctl.h"


#define OIOSAMLCTL_SUBJECT_COLS  44


typedef enum {
    OIOSAMLCTL_CERT_OK = 0,
    OIOSAMLCTL_CERT_EXPIRING,
    OIOSAMLCTL_CERT_EXPIRED
} oiosamlctl_cert_state_t;


typedef struct {
    const oiosamlctl_sp_t     *sp;
    const char                *idp;         /* NULL: our own key */
    oiosaml_cert_info_t        info;
    int                        in_use;
    oiosamlctl_cert_state_t    state;
} oiosamlctl_cert_row_t;


static oiosamlctl_cert_row_t *oiosamlctl_certs_collect(
    oiosamlctl_conf_t *conf, time_t now, time_t warn, size_t *n);
static void oiosamlctl_certs_table(oiosamlctl_cert_row_t *rows, size_t n,
    time_t now, int full);
static void oiosamlctl_certs_json(oiosamlctl_cert_row_t *rows, size_t n,
    time_t now, long warn_days);
static int oiosamlctl_certs_report(oiosamlctl_cert_row_t *rows, size_t n,
    time_t now);
static const char *oiosamlctl_certs_note(const oiosamlctl_cert_row_t *row,
    time_t now, char *buf, size_t size);
static const char *oiosamlctl_certs_short(const char *s, char *buf,
    size_t cols);


int
oiosamlctl_certs(int argc, char **argv)
{
    int                     rc;
    long                    warn_days;
    char                   *pos[OIOSAMLCTL_MAX_ARGS], *end;
    size_t                  npos, n;
    time_t                  now;
    oiosamlctl_conf_t      *conf;
    oiosamlctl_cert_row_t  *rows;

    oiosamlctl_opt_t  opts[] = {
        { "--warn", 1, 0, 0, NULL, { NULL }, 0 },
        { "--json", 0, 0, 0, NULL, { NULL }, 0 },
        { "--long", 0, 0, 0, NULL, { NULL }, 0 },
        { "-p", 1, 0, 0, NULL, { NULL }, 0 },
        { NULL, 0, 0, 0, NULL, { NULL }, 0 }
    };

    if (oiosamlctl_getopt("certs", argc, argv, opts, pos, &npos)
        != OIOSAMLCTL_OK || npos != 1)
    {
        return oiosamlctl_usage_of("certs");
    }

    warn_days = 30;

    if (opts[0].set) {
        errno = 0;
        warn_days = strtol(opts[0].value, &end, 10);

        if (*end != '\0' || end == opts[0].value || errno != 0
            || warn_days < 0 || warn_days > 36500)
        {
            fprintf(stderr, "oiosamlctl certs: --warn takes a number of "
                    "days, not \"%s\"\n", opts[0].value);
            return OIOSAMLCTL_USAGE;
        }
    }

    rc = oiosamlctl_init();
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    now = time(NULL);

    rc = oiosamlctl_conf_load(pos[0], opts[3].value, now, &conf);
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    rows = oiosamlctl_certs_collect(conf, now, warn_days * 86400, &n);
    if (rows == NULL) {
        oiosamlctl_conf_free(conf);
        fprintf(stderr, "oiosamlctl: out of memory\n");
        return OIOSAMLCTL_FAIL;
    }

    if (opts[1].set) {
        oiosamlctl_certs_json(rows, n, now, warn_days);

    } else {
        oiosamlctl_certs_table(rows, n, now, opts[2].set);
    }

    fflush(stdout);
    rc = oiosamlctl_certs_report(rows, n, now);

    free(rows);
    oiosamlctl_conf_free(conf);

    return rc;
}


static oiosamlctl_cert_row_t *
oiosamlctl_certs_collect(oiosamlctl_conf_t *conf, time_t now, time_t warn,
    size_t *n)
{
    size_t                  i, j, k, total, signing;
    oiosamlctl_sp_t        *sp;
    const oiosaml_idp_t    *idp;
    oiosamlctl_cert_row_t  *rows, *r;

    total = 0;

    for (i = 0; i < oiosamlctl_conf_sp_count(conf); i++) {
        sp = oiosamlctl_conf_sp(conf, i);
        total += oiosaml_sp_key_count(sp->sp);

        for (j = 0; j < oiosaml_sp_idp_count(sp->sp); j++) {
            total += oiosaml_idp_cert_count(oiosaml_sp_idp_at(sp->sp, j));
        }
    }

    rows = calloc(total + 1, sizeof(oiosamlctl_cert_row_t));
    if (rows == NULL) {
        return NULL;
    }

    r = rows;

    for (i = 0; i < oiosamlctl_conf_sp_count(conf); i++) {
        sp = oiosamlctl_conf_sp(conf, i);
        signing = oiosaml_sp_signing_key_at(sp->sp, now);

        for (k = 0; k < oiosaml_sp_key_count(sp->sp); k++, r++) {
            r->sp = sp;
            oiosaml_sp_key_info(sp->sp, k, &r->info);
            r->in_use = (k == signing);

            if (r->in_use) {
                r->info.use = "sp-signing";
            }
        }

        for (j = 0; j < oiosaml_sp_idp_count(sp->sp); j++) {
            idp = oiosaml_sp_idp_at(sp->sp, j);

            for (k = 0; k < oiosaml_idp_cert_count(idp); k++, r++) {
                r->sp = sp;
                r->idp = oiosaml_idp_id(idp);
                oiosaml_idp_cert_info(idp, k, &r->info);

                /* next_cert is in use from its from= time on */
                r->in_use = strcmp(r->info.use, "next") != 0
                            || r->info.from <= now;
            }
        }
    }

    *n = (size_t) (r - rows);

    for (r = rows; r < rows + *n; r++) {
        if (r->info.not_after < now) {
            r->state = OIOSAMLCTL_CERT_EXPIRED;

        } else if (r->info.not_after - now < warn) {
            r->state = OIOSAMLCTL_CERT_EXPIRING;
        }
    }

    return rows;
}


static void
oiosamlctl_certs_table(oiosamlctl_cert_row_t *rows, size_t n, time_t now,
    int full)
{
    char                 after[21], days[32], note[64], fp[65];
    char                 subject[sizeof(rows->info.subject)];
    size_t               i;
    const char          *cols[8];
    oiosamlctl_table_t   t;

    static const char  *head[8] = {
        "SP", "IDP", "USE", "SUBJECT", "SHA256", "NOT AFTER", "DAYS", "NOTE"
    };

    oiosamlctl_table_init(&t, 8);

    if (oiosamlctl_table_row(&t, head) != 0) {
        return;
    }

    for (i = 0; i < n; i++) {
        snprintf(fp, sizeof(fp), "%s",
                 oiosamlctl_fingerprint(rows[i].info.sha256, full));
        snprintf(days, sizeof(days), "%ld",
                 oiosamlctl_days(rows[i].info.not_after, now));

        cols[0] = oiosaml_sp_entity_id(rows[i].sp->sp);
        cols[1] = rows[i].idp ? rows[i].idp : "-";
        cols[2] = rows[i].info.use;
        cols[3] = full ? rows[i].info.subject
                       : oiosamlctl_certs_short(rows[i].info.subject,
                                                subject,
                                                OIOSAMLCTL_SUBJECT_COLS);
        cols[4] = fp;
        cols[5] = oiosamlctl_time(rows[i].info.not_after, after);
        cols[6] = days;
        cols[7] = oiosamlctl_certs_note(&rows[i], now, note, sizeof(note));

        if (oiosamlctl_table_row(&t, cols) != 0) {
            break;
        }
    }

    oiosamlctl_table_print(&t, stdout);
    oiosamlctl_table_free(&t);
}


static const char *
oiosamlctl_certs_note(const oiosamlctl_cert_row_t *row, time_t now,
    char *buf, size_t size)
{
    char  at[21];

    if (row->state == OIOSAMLCTL_CERT_EXPIRED) {
        return row->in_use ? "EXPIRED" : "expired, not in use";
    }

    if (!row->in_use && row->info.from > now) {
        snprintf(buf, size, "from %s", oiosamlctl_time(row->info.from, at));
        return buf;
    }

    if (row->info.not_before > now) {
        snprintf(buf, size, "valid from %s",
                 oiosamlctl_time(row->info.not_before, at));
        return buf;
    }

    if (row->state == OIOSAMLCTL_CERT_EXPIRING) {
        return "expires soon";
    }

    return "";
}


/* at most cols characters of s (UTF-8 aware), ending in "..." if cut */
static const char *
oiosamlctl_certs_short(const char *s, char *buf, size_t cols)
{
    size_t  i, chars;

    chars = 0;

    for (i = 0; s[i] != '\0'; i++) {
        chars += (((unsigned char) s[i] & 0xc0) != 0x80);
    }

    if (chars <= cols) {
        return s;
    }

    chars = 0;

    for (i = 0; s[i] != '\0'; i++) {
        if (((unsigned char) s[i] & 0xc0) != 0x80 && chars++ == cols - 3) {
            break;
        }
    }

    memcpy(buf, s, i);
    strcpy(buf + i, "...");

    return buf;
}


static void
oiosamlctl_certs_json(oiosamlctl_cert_row_t *rows, size_t n, time_t now,
    long warn_days)
{
    char         t[21];
    size_t       i;
    const char  *state;

    printf("{\"time\":\"%s\",\"warn_days\":%ld,\"certificates\":[",
           oiosamlctl_time(now, t), warn_days);

    for (i = 0; i < n; i++) {
        printf("%s\n{\"sp\":", i ? "," : "");
        oiosamlctl_json_string(stdout, oiosaml_sp_entity_id(rows[i].sp->sp));
        printf(",\"servers\":");
        oiosamlctl_json_string(stdout, rows[i].sp->servers);
        printf(",\"idp\":");

        if (rows[i].idp) {
            oiosamlctl_json_string(stdout, rows[i].idp);

        } else {
            printf("null");
        }

        printf(",\"use\":\"%s\",\"subject\":", rows[i].info.use);
        oiosamlctl_json_string(stdout, rows[i].info.subject);
        printf(",\"sha256\":\"%s\"", rows[i].info.sha256);
        printf(",\"not_before\":\"%s\"",
               oiosamlctl_time(rows[i].info.not_before, t));
        printf(",\"not_after\":\"%s\"",
               oiosamlctl_time(rows[i].info.not_after, t));
        printf(",\"days_left\":%ld",
               oiosamlctl_days(rows[i].info.not_after, now));

        if (rows[i].info.from) {
            printf(",\"from\":\"%s\"", oiosamlctl_time(rows[i].info.from, t));

        } else {
            printf(",\"from\":null");
        }

        switch (rows[i].state) {
        case OIOSAMLCTL_CERT_EXPIRED:
            state = "expired";
            break;
        case OIOSAMLCTL_CERT_EXPIRING:
            state = "expiring";
            break;
        default:
            state = "ok";
        }

        printf(",\"in_use\":%s,\"state\":\"%s\"}",
               rows[i].in_use ? "true" : "false", state);
    }

    printf("\n]}\n");
}


/* warnings on stderr; OIOSAMLCTL_FAIL when a certificate in use expired */
static int
oiosamlctl_certs_report(oiosamlctl_cert_row_t *rows, size_t n, time_t now)
{
    int                     rc;
    char                    owner[1100];
    size_t                  i;
    oiosamlctl_cert_row_t  *r;

    rc = OIOSAMLCTL_OK;

    for (i = 0; i < n; i++) {
        r = &rows[i];

        if (r->state == OIOSAMLCTL_CERT_OK) {
            continue;
        }

        if (r->idp) {
            snprintf(owner, sizeof(owner), "IdP \"%s\" of %s", r->idp,
                     oiosaml_sp_entity_id(r->sp->sp));

        } else {
            snprintf(owner, sizeof(owner), "SP %s",
                     oiosaml_sp_entity_id(r->sp->sp));
        }

        if (r->state == OIOSAMLCTL_CERT_EXPIRED) {
            fprintf(stderr, "oiosamlctl: %s: %s certificate \"%s\" "
                    "(sha256 %.16s) of %s expired %ld days ago%s\n",
                    r->in_use ? "error" : "warning", r->info.use,
                    r->info.subject, r->info.sha256, owner,
                    (long) ((now - r->info.not_after) / 86400),
                    r->in_use ? "" : " (not in use)");

            if (r->in_use) {
                rc = OIOSAMLCTL_FAIL;
            }

            continue;
        }

        fprintf(stderr, "oiosamlctl: warning: %s certificate \"%s\" "
                "(sha256 %.16s) of %s expires in %ld days\n", r->info.use,
                r->info.subject, r->info.sha256, owner,
                oiosamlctl_days(r->info.not_after, now));
    }

    return rc;
}
