
/*
 * oiosamlctl: a minimal nginx configuration reader, enough for the
 * module's SP directives, and the build of each SP with the library as
 * module/ngx_http_oiosaml_conf.c builds it.
 *
 * Tokens are read as ngx_conf_read_token() reads them: words, "double"
 * and 'single' quoted strings with backslash escapes, # comments, ";"
 * and "{" "}" blocks.  include takes glob(3) patterns.  Errors name the
 * file and the line, as nginx does (the line where the directive ends).
 */


#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oiosamlctl.h"


#define OIOSAMLCTL_MAX_TOKENS    256
#define OIOSAMLCTL_MAX_DEPTH     32
#define OIOSAMLCTL_MAX_CONF      (16 * 1024 * 1024)

#define OIOSAMLCTL_EOF           0
#define OIOSAMLCTL_ERROR         -1


typedef enum {
    OIOSAMLCTL_CTX_MAIN = 0,
    OIOSAMLCTL_CTX_HTTP,
    OIOSAMLCTL_CTX_SERVER,
    OIOSAMLCTL_CTX_OTHER
} oiosamlctl_ctx_t;


typedef struct {
    const char           *name;
    char                 *buf;
    size_t                len;
    size_t                pos;
    unsigned              line;
} oiosamlctl_file_t;


static int oiosamlctl_conf_file(oiosamlctl_conf_t *cf, const char *path,
    oiosamlctl_ctx_t ctx, oiosamlctl_level_t *level,
    const oiosamlctl_file_t *from);
static int oiosamlctl_conf_block(oiosamlctl_conf_t *cf,
    oiosamlctl_file_t *f, oiosamlctl_ctx_t ctx, oiosamlctl_level_t *level,
    int in_block);
static int oiosamlctl_conf_token(oiosamlctl_conf_t *cf,
    oiosamlctl_file_t *f, char **args, size_t *nargs);
static int oiosamlctl_conf_open(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_ctx_t ctx, char **args, size_t n);
static int oiosamlctl_conf_include(oiosamlctl_conf_t *cf,
    oiosamlctl_file_t *f, oiosamlctl_ctx_t ctx, oiosamlctl_level_t *level,
    char **args, size_t n);
static int oiosamlctl_conf_directive(oiosamlctl_conf_t *cf,
    oiosamlctl_file_t *f, oiosamlctl_level_t *level, oiosamlctl_ctx_t ctx,
    char **args, size_t n);
static int oiosamlctl_conf_dir_sp(oiosamlctl_conf_t *cf,
    oiosamlctl_file_t *f, oiosamlctl_level_t *level, char **args, size_t n);
static int oiosamlctl_conf_key(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_level_t *level, char **args, size_t n);
static int oiosamlctl_conf_idp(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_level_t *level, char **args, size_t n);
static int oiosamlctl_conf_idp_param(oiosamlctl_conf_t *cf,
    oiosamlctl_file_t *f, oiosaml_idp_conf_t *ic, char *v);
static void oiosamlctl_conf_level_init(oiosamlctl_level_t *l,
    const char *file, unsigned line);
static char *oiosamlctl_conf_alloc(oiosamlctl_conf_t *cf, size_t size);
static char *oiosamlctl_conf_strndup(oiosamlctl_conf_t *cf, const char *s,
    size_t len);
static char *oiosamlctl_conf_unescape(oiosamlctl_conf_t *cf, const char *s,
    size_t len);
static char *oiosamlctl_conf_full_name(oiosamlctl_conf_t *cf,
    const char *name);
static int oiosamlctl_conf_opt(const char *v, const char *name);
static int oiosamlctl_conf_word_end(const char *p, size_t left, int brace);


int
oiosamlctl_conf_load(const char *file, const char *prefix, time_t now,
    oiosamlctl_conf_t **out)
{
    int                 rc;
    char                cwd[PATH_MAX], *p;
    const char         *dir;
    size_t              len;
    oiosamlctl_conf_t  *cf;

    *out = NULL;

    cf = calloc(1, sizeof(oiosamlctl_conf_t));
    if (cf == NULL) {
        fprintf(stderr, "oiosamlctl: out of memory\n");
        return OIOSAMLCTL_CONF;
    }

    oiosamlctl_conf_level_init(&cf->http, file, 0);

    /* the prefix of relative paths: -p, or the directory of the file */
    if (prefix != NULL) {
        dir = prefix;
        len = strlen(prefix);

    } else {
        dir = file;
        p = strrchr(file, '/');
        len = (p != NULL) ? (size_t) (p - file) : 0;
    }

    cwd[0] = '\0';

    if (dir[0] != '/') {
        if (getcwd(cwd, sizeof(cwd) - 1) == NULL) {
            fprintf(stderr, "oiosamlctl: getcwd() failed: %s\n",
                    strerror(errno));
            oiosamlctl_conf_free(cf);
            return OIOSAMLCTL_CONF;
        }

        strcat(cwd, "/");
    }

    cf->prefix = oiosamlctl_conf_alloc(cf, strlen(cwd) + len + 2);
    if (cf->prefix == NULL) {
        oiosamlctl_conf_free(cf);
        return OIOSAMLCTL_CONF;
    }

    p = cf->prefix;
    p = stpcpy(p, cwd);
    memcpy(p, dir, len);
    p += len;

    if (p == cf->prefix || p[-1] != '/') {
        *p++ = '/';
    }

    *p = '\0';

    rc = oiosamlctl_conf_file(cf, file, OIOSAMLCTL_CTX_MAIN, NULL, NULL);

    if (rc == OIOSAMLCTL_OK) {
        rc = oiosamlctl_build(cf, now);
    }

    if (rc == OIOSAMLCTL_OK && cf->nsps == 0) {
        fprintf(stderr, "oiosamlctl: no SP (oiosaml_sp used by a server "
                "block) in \"%s\" or the files it includes\n", file);
        rc = OIOSAMLCTL_CONF;
    }

    if (rc != OIOSAMLCTL_OK) {
        oiosamlctl_conf_free(cf);
        return OIOSAMLCTL_CONF;
    }

    *out = cf;

    return OIOSAMLCTL_OK;
}


void
oiosamlctl_conf_free(oiosamlctl_conf_t *cf)
{
    size_t             i;
    oiosamlctl_mem_t  *m, *next;

    if (cf == NULL) {
        return;
    }

    for (i = 0; i < cf->nsps; i++) {
        oiosaml_sp_free(cf->sps[i].sp);
    }

    free(cf->sps);

    for (i = 0; i < cf->nservers; i++) {
        free(cf->servers[i]->keys);
        free(cf->servers[i]->idps);
        free(cf->servers[i]);
    }

    free(cf->servers);
    free(cf->http.keys);
    free(cf->http.idps);

    for (m = cf->mem; m != NULL; m = next) {
        next = m->next;
        free(m);
    }

    free(cf);
}


/* ---- reading ------------------------------------------------------------ */

static int
oiosamlctl_conf_file(oiosamlctl_conf_t *cf, const char *path,
    oiosamlctl_ctx_t ctx, oiosamlctl_level_t *level,
    const oiosamlctl_file_t *from)
{
    int                 rc;
    FILE               *fp;
    size_t              n;
    oiosamlctl_file_t   f;

    if (cf->depth == OIOSAMLCTL_MAX_DEPTH) {
        oiosamlctl_conf_error(from->name, from->line,
                              "includes nested deeper than %d",
                              OIOSAMLCTL_MAX_DEPTH);
        return OIOSAMLCTL_CONF;
    }

    memset(&f, 0, sizeof(f));
    f.line = 1;
    f.name = oiosamlctl_conf_strndup(cf, path, strlen(path));
    if (f.name == NULL) {
        return OIOSAMLCTL_CONF;
    }

    fp = fopen(path, "r");
    if (fp == NULL) {
        if (from == NULL) {
            fprintf(stderr, "oiosamlctl: open() \"%s\" failed: %s\n", path,
                    strerror(errno));

        } else {
            oiosamlctl_conf_error(from->name, from->line,
                                  "open() \"%s\" failed: %s", path,
                                  strerror(errno));
        }

        return OIOSAMLCTL_CONF;
    }

    f.buf = malloc(OIOSAMLCTL_MAX_CONF + 1);
    if (f.buf == NULL) {
        fclose(fp);
        fprintf(stderr, "oiosamlctl: out of memory\n");
        return OIOSAMLCTL_CONF;
    }

    n = fread(f.buf, 1, OIOSAMLCTL_MAX_CONF + 1, fp);

    if (ferror(fp) || n > OIOSAMLCTL_MAX_CONF) {
        fprintf(stderr, "oiosamlctl: cannot read \"%s\"%s\n", path,
                n > OIOSAMLCTL_MAX_CONF ? ": larger than 16 MB" : "");
        fclose(fp);
        free(f.buf);
        return OIOSAMLCTL_CONF;
    }

    fclose(fp);
    f.len = n;

    cf->depth++;
    rc = oiosamlctl_conf_block(cf, &f, ctx, level, 0);
    cf->depth--;

    free(f.buf);

    return rc == OIOSAMLCTL_ERROR ? OIOSAMLCTL_CONF : OIOSAMLCTL_OK;
}


static int
oiosamlctl_conf_block(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_ctx_t ctx, oiosamlctl_level_t *level, int in_block)
{
    int      rc;
    char    *args[OIOSAMLCTL_MAX_TOKENS];
    size_t   n;

    for ( ;; ) {
        rc = oiosamlctl_conf_token(cf, f, args, &n);

        if (rc == OIOSAMLCTL_ERROR) {
            return OIOSAMLCTL_ERROR;
        }

        if (rc == OIOSAMLCTL_EOF) {
            if (n != 0) {
                oiosamlctl_conf_error(f->name, f->line, "unexpected end of "
                                      "file, expecting \";\" or \"}\"");
                return OIOSAMLCTL_ERROR;
            }

            if (in_block) {
                oiosamlctl_conf_error(f->name, f->line, "unexpected end of "
                                      "file, expecting \"}\"");
                return OIOSAMLCTL_ERROR;
            }

            return OIOSAMLCTL_OK;
        }

        if (rc == '}') {
            if (n != 0 || !in_block) {
                oiosamlctl_conf_error(f->name, f->line,
                                      "unexpected \"}\"");
                return OIOSAMLCTL_ERROR;
            }

            return OIOSAMLCTL_OK;
        }

        if (n == 0) {
            oiosamlctl_conf_error(f->name, f->line, "unexpected \"%c\"", rc);
            return OIOSAMLCTL_ERROR;
        }

        if (rc == '{') {
            rc = oiosamlctl_conf_open(cf, f, ctx, args, n);

        } else if (strcmp(args[0], "include") == 0) {
            rc = oiosamlctl_conf_include(cf, f, ctx, level, args, n);

        } else if (ctx == OIOSAMLCTL_CTX_HTTP
                   || ctx == OIOSAMLCTL_CTX_SERVER)
        {
            rc = oiosamlctl_conf_directive(cf, f, level, ctx, args, n);

        } else {
            rc = OIOSAMLCTL_OK;
        }

        if (rc != OIOSAMLCTL_OK) {
            return OIOSAMLCTL_ERROR;
        }
    }
}


/*
 * The next directive: its words in args, and what ended it (";", "{",
 * "}", OIOSAMLCTL_EOF) or OIOSAMLCTL_ERROR.
 */
static int
oiosamlctl_conf_token(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    char **args, size_t *nargs)
{
    char    c, quote;
    size_t  start;

    *nargs = 0;

    for ( ;; ) {
        if (f->pos == f->len) {
            return OIOSAMLCTL_EOF;
        }

        c = f->buf[f->pos++];

        if (c == '\n') {
            f->line++;
            continue;
        }

        if (c == ' ' || c == '\t' || c == '\r') {
            continue;
        }

        if (c == '#') {
            while (f->pos < f->len && f->buf[f->pos] != '\n') {
                f->pos++;
            }

            continue;
        }

        if (c == ';' || c == '{' || c == '}') {
            return c;
        }

        if (*nargs == OIOSAMLCTL_MAX_TOKENS) {
            oiosamlctl_conf_error(f->name, f->line, "too many parameters");
            return OIOSAMLCTL_ERROR;
        }

        if (c == '"' || c == '\'') {
            quote = c;
            start = f->pos;

            for ( ;; ) {
                if (f->pos == f->len) {
                    oiosamlctl_conf_error(f->name, f->line, "unexpected end "
                                          "of file, expecting \";\" or "
                                          "\"}\"");
                    return OIOSAMLCTL_ERROR;
                }

                c = f->buf[f->pos++];

                if (c == '\n') {
                    f->line++;

                } else if (c == '\\' && f->pos < f->len) {
                    if (f->buf[f->pos] == '\n') {
                        f->line++;
                    }

                    f->pos++;

                } else if (c == quote) {
                    break;
                }
            }

            args[*nargs] = oiosamlctl_conf_unescape(cf, f->buf + start,
                                                    f->pos - 1 - start);

            /* as nginx: a quoted string ends at a space, ";", "{", "}" */
            if (f->pos < f->len
                && !oiosamlctl_conf_word_end(f->buf + f->pos,
                                             f->len - f->pos, 0)
                && f->buf[f->pos] != ')')
            {
                oiosamlctl_conf_error(f->name, f->line, "unexpected \"%c\"",
                                      f->buf[f->pos]);
                return OIOSAMLCTL_ERROR;
            }

        } else {
            start = f->pos - 1;

            while (f->pos < f->len) {
                c = f->buf[f->pos];

                if (c == '\\' && f->pos + 1 < f->len) {
                    if (f->buf[f->pos + 1] == '\n') {
                        f->line++;
                    }

                    f->pos += 2;
                    continue;
                }

                /* "${name}" is one word */
                if (oiosamlctl_conf_word_end(f->buf + f->pos,
                                             f->len - f->pos,
                                             f->buf[f->pos - 1] == '$'))
                {
                    break;
                }

                f->pos++;
            }

            args[*nargs] = oiosamlctl_conf_unescape(cf, f->buf + start,
                                                    f->pos - start);
        }

        if (args[*nargs] == NULL) {
            return OIOSAMLCTL_ERROR;
        }

        (*nargs)++;
    }
}


static int
oiosamlctl_conf_word_end(const char *p, size_t left, int brace)
{
    if (left == 0) {
        return 1;
    }

    switch (*p) {

    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case ';':
    case '}':
        return 1;

    case '{':
        return !brace;

    default:
        return 0;
    }
}


/* a block: http and server blocks matter, the rest is only parsed */
static int
oiosamlctl_conf_open(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_ctx_t ctx, char **args, size_t n)
{
    oiosamlctl_ctx_t      child;
    oiosamlctl_level_t   *level, **servers;

    child = OIOSAMLCTL_CTX_OTHER;
    level = NULL;

    if (ctx == OIOSAMLCTL_CTX_MAIN && strcmp(args[0], "http") == 0) {
        if (cf->http_seen) {
            oiosamlctl_conf_error(f->name, f->line,
                                  "\"http\" directive is duplicate");
            return OIOSAMLCTL_ERROR;
        }

        cf->http_seen = 1;
        cf->http.file = f->name;
        cf->http.line = f->line;
        level = &cf->http;
        child = OIOSAMLCTL_CTX_HTTP;

    } else if (ctx == OIOSAMLCTL_CTX_HTTP && strcmp(args[0], "server") == 0)
    {
        servers = realloc(cf->servers,
                          (cf->nservers + 1) * sizeof(oiosamlctl_level_t *));
        if (servers == NULL) {
            fprintf(stderr, "oiosamlctl: out of memory\n");
            return OIOSAMLCTL_ERROR;
        }

        cf->servers = servers;

        level = malloc(sizeof(oiosamlctl_level_t));
        if (level == NULL) {
            fprintf(stderr, "oiosamlctl: out of memory\n");
            return OIOSAMLCTL_ERROR;
        }

        oiosamlctl_conf_level_init(level, f->name, f->line);
        cf->servers[cf->nservers++] = level;
        child = OIOSAMLCTL_CTX_SERVER;
    }

    return oiosamlctl_conf_block(cf, f, child, level, 1);
}


static int
oiosamlctl_conf_include(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_ctx_t ctx, oiosamlctl_level_t *level, char **args, size_t n)
{
    int      rc;
    char    *path;
    size_t   i;
    glob_t   gl;

    if (n != 2) {
        oiosamlctl_conf_error(f->name, f->line, "invalid number of "
                              "arguments in \"include\" directive");
        return OIOSAMLCTL_ERROR;
    }

    path = oiosamlctl_conf_full_name(cf, args[1]);
    if (path == NULL) {
        return OIOSAMLCTL_ERROR;
    }

    /* without wildcards the file must exist; a pattern may match none */
    if (strpbrk(path, "*?[") == NULL) {
        return oiosamlctl_conf_file(cf, path, ctx, level, f);
    }

    rc = glob(path, 0, NULL, &gl);

    if (rc == GLOB_NOMATCH) {
        return OIOSAMLCTL_OK;
    }

    if (rc != 0) {
        oiosamlctl_conf_error(f->name, f->line, "glob() \"%s\" failed",
                              path);
        return OIOSAMLCTL_ERROR;
    }

    rc = OIOSAMLCTL_OK;

    for (i = 0; i < gl.gl_pathc && rc == OIOSAMLCTL_OK; i++) {
        rc = oiosamlctl_conf_file(cf, gl.gl_pathv[i], ctx, level, f);
    }

    globfree(&gl);

    return rc;
}


/* ---- our directives ----------------------------------------------------- */

static int
oiosamlctl_conf_directive(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_level_t *level, oiosamlctl_ctx_t ctx, char **args, size_t n)
{
    size_t       i;
    time_t       t;
    const char  *name;

    static const char  *other[] = {
        "oiosaml_request_lifetime", "oiosaml_allow_unsolicited",
        "oiosaml_session_cookie", "oiosaml_header_prefix",
        "oiosaml_choose_template", NULL
    };

    name = args[0];

    if (ctx == OIOSAMLCTL_CTX_SERVER && strcmp(name, "server_name") == 0) {
        if (n > 1 && level->server_name == NULL) {
            level->server_name = args[1];
        }

        return OIOSAMLCTL_OK;
    }

    if (strcmp(name, "oiosaml_sp") == 0) {
        return oiosamlctl_conf_dir_sp(cf, f, level, args, n);
    }

    if (strcmp(name, "oiosaml_sp_key") == 0) {
        return oiosamlctl_conf_key(cf, f, level, args, n);
    }

    if (strcmp(name, "oiosaml_idp") == 0) {
        return oiosamlctl_conf_idp(cf, f, level, args, n);
    }

    if (strcmp(name, "oiosaml_cookie_secret") == 0
        || strcmp(name, "oiosaml_clock_skew") == 0)
    {
        if (n != 2) {
            oiosamlctl_conf_error(f->name, f->line, "invalid number of "
                                  "arguments in \"%s\" directive", name);
            return OIOSAMLCTL_ERROR;
        }

        if (name[8] == 'c' && name[9] == 'o') {
            if (level->cookie_secret != NULL) {
                oiosamlctl_conf_error(f->name, f->line, "\"%s\" directive "
                                      "is duplicate", name);
                return OIOSAMLCTL_ERROR;
            }

            level->cookie_secret = oiosamlctl_conf_full_name(cf, args[1]);

            return level->cookie_secret ? OIOSAMLCTL_OK : OIOSAMLCTL_ERROR;
        }

        if (level->skew != -1) {
            oiosamlctl_conf_error(f->name, f->line, "\"%s\" directive is "
                                  "duplicate", name);
            return OIOSAMLCTL_ERROR;
        }

        if (oiosamlctl_parse_duration(args[1], strlen(args[1]), &t) != 0) {
            oiosamlctl_conf_error(f->name, f->line, "\"%s\" directive "
                                  "invalid value", name);
            return OIOSAMLCTL_ERROR;
        }

        if (t > 900) {
            oiosamlctl_conf_error(f->name, f->line, "value must be between "
                                  "0 and 900 seconds");
            return OIOSAMLCTL_ERROR;
        }

        level->skew = t;

        return OIOSAMLCTL_OK;
    }

    if (strcmp(name, "oiosaml_sp_attribute") == 0
        || strcmp(name, "oiosaml_sp_service_name") == 0
        || strcmp(name, "oiosaml_sp_organization") == 0
        || strcmp(name, "oiosaml_sp_contact") == 0)
    {
        /* words of our metadata: the library reads them at build time */
        if (level->nmd == OIOSAMLCTL_MAX_SPMETA) {
            oiosamlctl_conf_error(f->name, f->line, "more than %d \"%s\" "
                                  "directives", OIOSAMLCTL_MAX_SPMETA, name);
            return OIOSAMLCTL_ERROR;
        }

        level->md[level->nmd].words = (const char **)
            oiosamlctl_conf_alloc(cf, n * sizeof(char *));

        if (level->md[level->nmd].words == NULL) {
            return OIOSAMLCTL_ERROR;
        }

        memcpy(level->md[level->nmd].words, args, n * sizeof(char *));
        level->md[level->nmd].n = n;
        level->md[level->nmd].file = f->name;
        level->md[level->nmd].line = f->line;
        level->nmd++;

        return OIOSAMLCTL_OK;
    }

    if (strcmp(name, "oiosaml_allow_unsolicited") == 0) {
        if (n != 2 || (strcmp(args[1], "on") != 0
                       && strcmp(args[1], "off") != 0))
        {
            oiosamlctl_conf_error(f->name, f->line, "invalid value in "
                                  "\"%s\" directive, it must be \"on\" "
                                  "or \"off\"", name);
            return OIOSAMLCTL_ERROR;
        }

        level->allow_unsolicited = (strcmp(args[1], "on") == 0);
    }

    for (i = 0; other[i] != NULL; i++) {
        if (strcmp(name, other[i]) == 0) {
            level->other = 1;
            break;
        }
    }

    return OIOSAMLCTL_OK;
}


static int
oiosamlctl_conf_dir_sp(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_level_t *level, char **args, size_t n)
{
    if (n != 3) {
        oiosamlctl_conf_error(f->name, f->line, "invalid number of "
                              "arguments in \"oiosaml_sp\" directive");
        return OIOSAMLCTL_ERROR;
    }

    if (level->entity_id != NULL) {
        oiosamlctl_conf_error(f->name, f->line,
                              "\"oiosaml_sp\" directive is duplicate");
        return OIOSAMLCTL_ERROR;
    }

    if (!oiosamlctl_conf_opt(args[2], "url=")) {
        oiosamlctl_conf_error(f->name, f->line, "expected "
                              "\"url=https://HOST/PREFIX/\" after the "
                              "entityID, got \"%s\"", args[2]);
        return OIOSAMLCTL_ERROR;
    }

    level->entity_id = args[1];
    level->url = args[2] + 4;
    level->sp_file = f->name;
    level->sp_line = f->line;

    return OIOSAMLCTL_OK;
}


static int
oiosamlctl_conf_key(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_level_t *level, char **args, size_t n)
{
    oiosamlctl_key_t  *k;

    if (n != 3 && n != 4) {
        oiosamlctl_conf_error(f->name, f->line, "invalid number of "
                              "arguments in \"oiosaml_sp_key\" directive");
        return OIOSAMLCTL_ERROR;
    }

    k = realloc(level->keys, (level->nkeys + 1) * sizeof(oiosamlctl_key_t));
    if (k == NULL) {
        fprintf(stderr, "oiosamlctl: out of memory\n");
        return OIOSAMLCTL_ERROR;
    }

    level->keys = k;
    level->keys_set = 1;
    k = &level->keys[level->nkeys];
    memset(k, 0, sizeof(oiosamlctl_key_t));

    k->file = f->name;
    k->line = f->line;

    if (n == 4) {
        if (!oiosamlctl_conf_opt(args[3], "from=")
            || oiosaml_parse_time(args[3] + 5, strlen(args[3] + 5), &k->from)
               != OIOSAML_OK)
        {
            oiosamlctl_conf_error(f->name, f->line, "invalid \"%s\", "
                                  "expected from=YYYY-MM-DDTHH:MM:SSZ",
                                  args[3]);
            return OIOSAMLCTL_ERROR;
        }
    }

    k->key = oiosamlctl_conf_full_name(cf, args[1]);
    k->cert = oiosamlctl_conf_full_name(cf, args[2]);

    if (k->key == NULL || k->cert == NULL) {
        return OIOSAMLCTL_ERROR;
    }

    level->nkeys++;

    return OIOSAMLCTL_OK;
}


static int
oiosamlctl_conf_idp(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosamlctl_level_t *level, char **args, size_t n)
{
    size_t               i;
    oiosamlctl_idp_t    *idp;
    oiosaml_idp_conf_t  *ic;

    if (n < 3) {
        oiosamlctl_conf_error(f->name, f->line, "invalid number of "
                              "arguments in \"oiosaml_idp\" directive");
        return OIOSAMLCTL_ERROR;
    }

    idp = realloc(level->idps, (level->nidps + 1) * sizeof(oiosamlctl_idp_t));
    if (idp == NULL) {
        fprintf(stderr, "oiosamlctl: out of memory\n");
        return OIOSAMLCTL_ERROR;
    }

    level->idps = idp;
    level->idps_set = 1;
    idp = &level->idps[level->nidps];
    memset(idp, 0, sizeof(oiosamlctl_idp_t));

    idp->file = f->name;
    idp->line = f->line;

    ic = &idp->ic;
    ic->id = args[1];
    ic->profile = OIOSAML_PROFILE_OIOSAML3;
    ic->signed_part = OIOSAML_SIGNED_ASSERTION;

    for (i = 2; i < n; i++) {
        if (oiosamlctl_conf_idp_param(cf, f, ic, args[i]) != OIOSAMLCTL_OK) {
            return OIOSAMLCTL_ERROR;
        }
    }

    if (ic->metadata_file == NULL) {
        oiosamlctl_conf_error(f->name, f->line, "oiosaml_idp \"%s\" needs "
                              "metadata=FILE", ic->id);
        return OIOSAMLCTL_ERROR;
    }

    if (ic->next_from != 0 && ic->next_cert == NULL) {
        oiosamlctl_conf_error(f->name, f->line, "oiosaml_idp \"%s\": from= "
                              "belongs to next_cert=", ic->id);
        return OIOSAMLCTL_ERROR;
    }

    level->nidps++;

    return OIOSAMLCTL_OK;
}


/* one parameter of oiosaml_idp, as ngx_http_oiosaml_idp() reads it */
static int
oiosamlctl_conf_idp_param(oiosamlctl_conf_t *cf, oiosamlctl_file_t *f,
    oiosaml_idp_conf_t *ic, char *v)
{
    long          nist;
    char         *end;
    const char  **path;

    path = NULL;

    if (oiosamlctl_conf_opt(v, "metadata=")) {
        path = &ic->metadata_file;
        v += 9;

    } else if (oiosamlctl_conf_opt(v, "next_cert=")) {
        path = &ic->next_cert;
        v += 10;

    } else if (oiosamlctl_conf_opt(v, "metadata_signer=")) {
        path = &ic->metadata_signer;
        v += 16;
    }

    if (path != NULL) {
        *path = oiosamlctl_conf_full_name(cf, v);
        return *path ? OIOSAMLCTL_OK : OIOSAMLCTL_ERROR;
    }

    if (oiosamlctl_conf_opt(v, "profile=")) {
        if (oiosaml_profile_parse(v + 8, strlen(v + 8), &ic->profile)
            != OIOSAML_OK)
        {
            oiosamlctl_conf_error(f->name, f->line, "unknown profile "
                                  "\"%s\", use one of oiosaml2, "
                                  "oiosaml2-adfs-multipleauthn, "
                                  "oiosaml2-no-loa, oiosaml3, "
                                  "oiosaml3-adfs-multipleauthn, "
                                  "oiosaml3-adfs-relaystate", v + 8);
            return OIOSAMLCTL_ERROR;
        }

        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "label=")) {
        ic->label = v + 6;
        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "entity=")) {
        if (ic->entity != NULL) {
            oiosamlctl_conf_error(f->name, f->line, "oiosaml_idp parameter "
                                  "\"entity=\" is duplicate");
            return OIOSAMLCTL_ERROR;
        }

        ic->entity = v + 7;
        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "signed=")) {
        if (oiosaml_signed_parse(v + 7, strlen(v + 7), &ic->signed_part)
            != OIOSAML_OK)
        {
            oiosamlctl_conf_error(f->name, f->line, "invalid \"%s\", use "
                                  "signed=assertion, response, either or "
                                  "both", v);
            return OIOSAMLCTL_ERROR;
        }

        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "max_loa=")) {
        if (oiosaml_loa_parse(v + 8, strlen(v + 8), &ic->max_loa)
            != OIOSAML_OK)
        {
            oiosamlctl_conf_error(f->name, f->line, "invalid \"%s\", use "
                                  "low, substantial, high or nist1 to nist4",
                                  v);
            return OIOSAMLCTL_ERROR;
        }

        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "high_nist=")) {
        errno = 0;
        nist = strtol(v + 10, &end, 10);

        if (*end != '\0' || errno != 0 || (nist != 3 && nist != 4)) {
            oiosamlctl_conf_error(f->name, f->line, "invalid \"%s\", use "
                                  "high_nist=3 or 4", v);
            return OIOSAMLCTL_ERROR;
        }

        ic->high_nist = (int) nist;
        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "backup=")) {
        ic->backup = v + 7;
        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "replaces=")) {
        ic->replaces = v + 9;
        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "ip=")) {
        ic->ip = v + 3;
        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "from=") || oiosamlctl_conf_opt(v, "next_from="))
    {
        end = strchr(v, '=') + 1;

        if (oiosaml_parse_time(end, strlen(end), &ic->next_from)
            != OIOSAML_OK)
        {
            oiosamlctl_conf_error(f->name, f->line, "invalid \"%s\", "
                                  "expected from=YYYY-MM-DDTHH:MM:SSZ", v);
            return OIOSAMLCTL_ERROR;
        }

        return OIOSAMLCTL_OK;
    }

    if (oiosamlctl_conf_opt(v, "cert_grace=")) {
        if (oiosamlctl_parse_duration(v + 11, strlen(v + 11),
                                      &ic->cert_grace) != 0
            || ic->cert_grace > 90 * 86400)
        {
            oiosamlctl_conf_error(f->name, f->line, "invalid \"%s\" (at "
                                  "most 90d)", v);
            return OIOSAMLCTL_ERROR;
        }

        return OIOSAMLCTL_OK;
    }

    if (strcmp(v, "down") == 0) {
        ic->down = 1;

    } else if (strcmp(v, "allow_sha1") == 0) {
        ic->allow_sha1 = 1;

    } else if (strcmp(v, "require_encryption") == 0) {
        ic->require_encryption = 1;

    } else if (strcmp(v, "hidden") == 0) {
        ic->hidden = 1;

    } else {
        oiosamlctl_conf_error(f->name, f->line, "unknown oiosaml_idp "
                              "parameter \"%s\"", v);
        return OIOSAMLCTL_ERROR;
    }

    return OIOSAMLCTL_OK;
}


static void
oiosamlctl_conf_level_init(oiosamlctl_level_t *l, const char *file,
    unsigned line)
{
    memset(l, 0, sizeof(oiosamlctl_level_t));
    l->skew = -1;
    l->allow_unsolicited = -1;
    l->file = file;
    l->line = line;
}


/* ---- small helpers ------------------------------------------------------ */

void
oiosamlctl_conf_error(const char *file, unsigned line, const char *fmt, ...)
{
    va_list  args;

    fprintf(stderr, "oiosamlctl: [emerg] ");
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, " in %s:%u\n", file, line);
}


static char *
oiosamlctl_conf_alloc(oiosamlctl_conf_t *cf, size_t size)
{
    oiosamlctl_mem_t  *m;

    m = malloc(sizeof(oiosamlctl_mem_t) + size);
    if (m == NULL) {
        fprintf(stderr, "oiosamlctl: out of memory\n");
        return NULL;
    }

    m->next = cf->mem;
    cf->mem = m;

    return (char *) (m + 1);
}


static char *
oiosamlctl_conf_strndup(oiosamlctl_conf_t *cf, const char *s, size_t len)
{
    char  *p;

    p = oiosamlctl_conf_alloc(cf, len + 1);
    if (p == NULL) {
        return NULL;
    }

    memcpy(p, s, len);
    p[len] = '\0';

    return p;
}


/* as ngx_conf_read_token(): \" \' \\ \t \r \n; other backslashes stay */
static char *
oiosamlctl_conf_unescape(oiosamlctl_conf_t *cf, const char *s, size_t len)
{
    char        *p, *d;
    const char  *end;

    p = oiosamlctl_conf_alloc(cf, len + 1);
    if (p == NULL) {
        return NULL;
    }

    end = s + len;

    for (d = p; s < end; /* void */ ) {
        if (*s == '\\' && s + 1 < end) {
            switch (s[1]) {

            case '"':
            case '\'':
            case '\\':
                s++;
                break;

            case 't':
                *d++ = '\t';
                s += 2;
                continue;

            case 'r':
                *d++ = '\r';
                s += 2;
                continue;

            case 'n':
                *d++ = '\n';
                s += 2;
                continue;
            }
        }

        *d++ = *s++;
    }

    *d = '\0';

    return p;
}


/* as ngx_conf_full_name(cycle, name, 1): relative to the prefix */
static char *
oiosamlctl_conf_full_name(oiosamlctl_conf_t *cf, const char *name)
{
    char    *p;
    size_t   plen, nlen;

    if (name[0] == '/') {
        return oiosamlctl_conf_strndup(cf, name, strlen(name));
    }

    plen = strlen(cf->prefix);
    nlen = strlen(name);

    p = oiosamlctl_conf_alloc(cf, plen + nlen + 1);
    if (p == NULL) {
        return NULL;
    }

    memcpy(p, cf->prefix, plen);
    memcpy(p + plen, name, nlen + 1);

    return p;
}


/* "name=value" with a value, as ngx_http_oiosaml_opt() */
static int
oiosamlctl_conf_opt(const char *v, const char *name)
{
    size_t  len;

    len = strlen(name);

    return strlen(v) > len && strncmp(v, name, len) == 0;
}
