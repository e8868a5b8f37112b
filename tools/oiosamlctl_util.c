
/*
 * oiosamlctl: command line options, times, text tables and JSON strings.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosamlctl.h"


static oiosamlctl_opt_t *oiosamlctl_find_opt(oiosamlctl_opt_t *opts,
    const char *arg, const char **value);
static size_t oiosamlctl_width(const char *s);


int
oiosamlctl_getopt(const char *cmd, int argc, char **argv,
    oiosamlctl_opt_t *opts, char **pos, size_t *npos)
{
    int                i, options;
    const char        *value;
    oiosamlctl_opt_t  *o;

    *npos = 0;
    options = 1;

    for (i = 0; i < argc; i++) {

        if (options && strcmp(argv[i], "--") == 0) {
            options = 0;
            continue;
        }

        if (!options || argv[i][0] != '-' || argv[i][1] == '\0') {
            if (*npos == OIOSAMLCTL_MAX_ARGS) {
                fprintf(stderr, "oiosamlctl %s: too many arguments\n", cmd);
                return OIOSAMLCTL_USAGE;
            }

            pos[(*npos)++] = argv[i];
            continue;
        }

        o = oiosamlctl_find_opt(opts, argv[i], &value);

        if (o == NULL) {
            fprintf(stderr, "oiosamlctl %s: unknown option \"%s\"\n", cmd,
                    argv[i]);
            return OIOSAMLCTL_USAGE;
        }

        if (o->has_value && value == NULL) {
            if (i + 1 == argc) {
                fprintf(stderr, "oiosamlctl %s: %s needs a value\n", cmd,
                        o->name);
                return OIOSAMLCTL_USAGE;
            }

            value = argv[++i];
        }

        if (!o->has_value && value != NULL) {
            fprintf(stderr, "oiosamlctl %s: %s takes no value\n", cmd,
                    o->name);
            return OIOSAMLCTL_USAGE;
        }

        if (o->set && !o->repeat) {
            fprintf(stderr, "oiosamlctl %s: %s given twice\n", cmd,
                    o->name);
            return OIOSAMLCTL_USAGE;
        }

        if (o->repeat) {
            if (o->nvalues == OIOSAMLCTL_MAX_ARGS) {
                fprintf(stderr, "oiosamlctl %s: too many %s\n", cmd,
                        o->name);
                return OIOSAMLCTL_USAGE;
            }

            o->values[o->nvalues++] = value;
        }

        o->set = 1;
        o->value = value;
    }

    return OIOSAMLCTL_OK;
}


static oiosamlctl_opt_t *
oiosamlctl_find_opt(oiosamlctl_opt_t *opts, const char *arg,
    const char **value)
{
    size_t  len;

    *value = NULL;

    for ( /* void */ ; opts->name != NULL; opts++) {
        len = strlen(opts->name);

        if (strncmp(arg, opts->name, len) != 0) {
            continue;
        }

        if (arg[len] == '\0') {
            return opts;
        }

        if (arg[len] == '=' && opts->name[1] == '-') {
            *value = arg + len + 1;
            return opts;
        }
    }

    return NULL;
}


int
oiosamlctl_parse_at(const char *s, time_t now, time_t *t)
{
    time_t  d;

    if (strcmp(s, "now") == 0) {
        *t = now;
        return 0;
    }

    if (s[0] == '+' || s[0] == '-') {
        if (oiosamlctl_parse_duration(s + 1, strlen(s + 1), &d) != 0) {
            return -1;
        }

        *t = (s[0] == '+') ? now + d : now - d;
        return 0;
    }

    if (oiosaml_parse_time(s, strlen(s), t) != OIOSAML_OK) {
        return -1;
    }

    return 0;
}


/* as ngx_parse_time() for seconds: units y M w d h m s, largest first */
int
oiosamlctl_parse_duration(const char *s, size_t len, time_t *t)
{
    int         step, last;
    size_t      i;
    time_t      total, value, scale;
    static const char    units[] = "yMwdhms";
    static const time_t  scales[] = {
        365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1
    };

    total = 0;
    value = 0;
    last = -1;
    step = 0;

    if (len == 0) {
        return -1;
    }

    for (i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (value > 100L * 365 * 86400) {
                return -1;
            }

            value = value * 10 + (s[i] - '0');
            step = 1;
            continue;
        }

        if (!step || strchr(units, s[i]) == NULL || s[i] == '\0') {
            return -1;
        }

        /* each unit once, the larger first */
        if ((int) (strchr(units, s[i]) - units) <= last) {
            return -1;
        }

        last = (int) (strchr(units, s[i]) - units);
        scale = scales[last];

        if (value > 100L * 365 * 86400 / scale) {
            return -1;
        }

        total += value * scale;
        value = 0;
        step = 0;
    }

    *t = total + value;

    return 0;
}


const char *
oiosamlctl_time(time_t t, char *buf)
{
    if (t == 0) {
        strcpy(buf, "-");
        return buf;
    }

    oiosaml_format_time(t, buf);

    return buf;
}


long
oiosamlctl_days(time_t t, time_t now)
{
    /* as the module's status endpoint: whole days, towards zero */
    return (long) ((t - now) / 86400);
}


/* ---- text tables -------------------------------------------------------- */

void
oiosamlctl_table_init(oiosamlctl_table_t *t, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
}


int
oiosamlctl_table_row(oiosamlctl_table_t *t, const char **cols)
{
    size_t   i, w;
    char   **cells;

    if (t->nrows == t->nalloc) {
        t->nalloc = t->nalloc ? t->nalloc * 2 : 16;
        cells = realloc(t->cells, t->nalloc * t->ncols * sizeof(char *));
        if (cells == NULL) {
            return -1;
        }

        t->cells = cells;
    }

    for (i = 0; i < t->ncols; i++) {
        t->cells[t->nrows * t->ncols + i] = strdup(cols[i] ? cols[i] : "");
        if (t->cells[t->nrows * t->ncols + i] == NULL) {
            return -1;
        }

        w = oiosamlctl_width(cols[i] ? cols[i] : "");
        if (w > t->width[i]) {
            t->width[i] = w;
        }
    }

    t->nrows++;

    return 0;
}


void
oiosamlctl_table_print(oiosamlctl_table_t *t, FILE *out)
{
    size_t       r, i, w, last;
    const char  *s;

    for (r = 0; r < t->nrows; r++) {

        /* no padding after the last cell that is not empty */
        for (last = t->ncols; last > 1; last--) {
            if (t->cells[r * t->ncols + last - 1][0] != '\0') {
                break;
            }
        }

        for (i = 0; i < last; i++) {
            s = t->cells[r * t->ncols + i];
            fputs(s, out);

            if (i + 1 == last) {
                break;
            }

            for (w = oiosamlctl_width(s); w < t->width[i] + 2; w++) {
                fputc(' ', out);
            }
        }

        fputc('\n', out);
    }
}


void
oiosamlctl_table_free(oiosamlctl_table_t *t)
{
    size_t  i;

    for (i = 0; i < t->nrows * t->ncols; i++) {
        free(t->cells[i]);
    }

    free(t->cells);
    t->cells = NULL;
    t->nrows = 0;
    t->nalloc = 0;
}


/* characters, not bytes: UTF-8 continuation bytes do not count */
static size_t
oiosamlctl_width(const char *s)
{
    size_t  n;

    for (n = 0; *s; s++) {
        if (((unsigned char) *s & 0xc0) != 0x80) {
            n++;
        }
    }

    return n;
}


void
oiosamlctl_json_string(FILE *out, const char *s)
{
    unsigned char  c;

    fputc('"', out);

    if (s == NULL) {
        s = "";
    }

    for ( /* void */ ; *s; s++) {
        c = (unsigned char) *s;

        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);

        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);

        } else {
            fputc(c, out);
        }
    }

    fputc('"', out);
}


const char *
oiosamlctl_fingerprint(const char *sha256, int full)
{
    static char  buf[17];

    if (full) {
        return sha256;
    }

    memcpy(buf, sha256, 16);
    buf[16] = '\0';

    return buf;
}
