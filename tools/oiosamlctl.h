
/*
 * oiosamlctl: the operator's command line tool on liboiosaml.
 *
 * oiosamlctl.c         main, dispatch, --help
 * oiosamlctl_util.c    options, times, tables, JSON strings
 * oiosamlctl_conf.c    the nginx configuration reader
 * oiosamlctl_build.c   the SPs of a configuration, built with the library
 * oiosamlctl_certs.c   certs
 * oiosamlctl_metadata.c  metadata verify, metadata diff
 * oiosamlctl_fetch.c   metadata fetch (libcurl)
 * oiosamlctl_response.c  response check
 * oiosamlctl_rollover.c  rollover check
 * oiosamlctl_spmeta.c  sp-metadata
 * oiosamlctl_keygen.c  keygen
 */


#ifndef _OIOSAMLCTL_H_INCLUDED_
#define _OIOSAMLCTL_H_INCLUDED_


#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <oiosaml.h>


/* exit codes */
#define OIOSAMLCTL_OK       0       /* success */
#define OIOSAMLCTL_FAIL     1       /* the check failed */
#define OIOSAMLCTL_USAGE    2       /* usage error */
#define OIOSAMLCTL_CONF     3       /* the configuration could not be read */
#define OIOSAMLCTL_BAD_INPUT 4      /* response check: not a SAMLResponse */
#define OIOSAMLCTL_CHECK_ERROR 5    /* response check: the check failed */

/* metadata fetch: one code per failure class */
#define OIOSAMLCTL_FETCH_NETWORK        10  /* DNS, connect, TLS, redirect */
#define OIOSAMLCTL_FETCH_HTTP           11  /* an HTTP status but 200 */
#define OIOSAMLCTL_FETCH_TOO_LARGE      12  /* beyond --max-size */
#define OIOSAMLCTL_FETCH_TIMEOUT        13  /* --connect-timeout, --timeout */
#define OIOSAMLCTL_FETCH_NOT_METADATA   14  /* not XML, not IdP metadata */
#define OIOSAMLCTL_FETCH_SIGNATURE      15  /* not signed by --signer */
#define OIOSAMLCTL_FETCH_EXPIRED        16  /* validUntil, no valid cert */
#define OIOSAMLCTL_FETCH_ENTITY         17  /* --entity not (only) there */
#define OIOSAMLCTL_FETCH_WRITE          18  /* temp file, fsync, rename */


/* ---- command line options ------------------------------------------- */

#define OIOSAMLCTL_MAX_ARGS  64

/*
 * One option a command accepts: "--json" (flag) or "--at" (takes a
 * value).  Repeatable options collect every value.
 */
typedef struct {
    const char      *name;
    unsigned         has_value:1;
    unsigned         repeat:1;
    /* results */
    int              set;
    const char      *value;
    const char      *values[OIOSAMLCTL_MAX_ARGS];
    size_t           nvalues;
} oiosamlctl_opt_t;

/*
 * Splits argv into the options in opts (NULL-name terminated) and the
 * positional arguments.  "--name=value" and "--name value" both work.
 * Prints the problem and returns OIOSAMLCTL_USAGE on an unknown option.
 */
int oiosamlctl_getopt(const char *cmd, int argc, char **argv,
    oiosamlctl_opt_t *opts, char **pos, size_t *npos);


/* ---- times ------------------------------------------------------------ */

/* "now", "+1h", "-2d", or an xs:dateTime ("2026-12-01T06:00:00Z") */
int oiosamlctl_parse_at(const char *s, time_t now, time_t *t);

/* nginx time values: "90s", "30m", "12h", "7d", "1w", "1d12h", "300" */
int oiosamlctl_parse_duration(const char *s, size_t len, time_t *t);

/* "2026-12-01T06:00:00Z" into a 21-byte buffer */
const char *oiosamlctl_time(time_t t, char *buf);

/* whole days from now to t, towards zero (negative when past) */
long oiosamlctl_days(time_t t, time_t now);


/* ---- output ----------------------------------------------------------- */

/* a text table: add cells row by row, print once (columns aligned) */
#define OIOSAMLCTL_MAX_COLS  10

typedef struct {
    size_t      ncols;
    size_t      nrows;
    size_t      nalloc;
    char      **cells;          /* nrows * ncols, malloc'd */
    size_t      width[OIOSAMLCTL_MAX_COLS];
} oiosamlctl_table_t;

void oiosamlctl_table_init(oiosamlctl_table_t *t, size_t ncols);
/* adds a row of ncols strings (copied) */
int oiosamlctl_table_row(oiosamlctl_table_t *t, const char **cols);
void oiosamlctl_table_print(oiosamlctl_table_t *t, FILE *out);
void oiosamlctl_table_free(oiosamlctl_table_t *t);

/* a JSON string, with its quotes */
void oiosamlctl_json_string(FILE *out, const char *s);

/* "ab12cd..." (16 characters) or the whole hex fingerprint */
const char *oiosamlctl_fingerprint(const char *sha256, int full);


/* oiosamlctl_ready.c: the federation-readiness table of SP metadata */
int oiosamlctl_ready_check(const char *xml, size_t len, FILE *out);


/* ---- the configuration ------------------------------------------------ */

typedef struct {
    const char          *key;           /* full paths */
    const char          *cert;
    time_t               from;
    const char          *file;          /* where the directive is */
    unsigned             line;
} oiosamlctl_key_t;

typedef struct {
    oiosaml_idp_conf_t   ic;            /* as passed to oiosaml_idp_new */
    const char          *file;
    unsigned             line;
} oiosamlctl_idp_t;

/* a directive of our metadata (oiosaml_sp_contact, ...): name first */
#define OIOSAMLCTL_MAX_SPMETA   64

typedef struct {
    const char         **words;
    size_t               n;
    const char          *file;
    unsigned             line;
} oiosamlctl_words_t;

/* the SP directives of one level: the http block or one server block */
typedef struct {
    const char          *entity_id;
    const char          *url;
    const char          *sp_file;
    unsigned             sp_line;

    oiosamlctl_key_t    *keys;
    size_t               nkeys;
    int                  keys_set;

    oiosamlctl_idp_t    *idps;
    size_t               nidps;
    int                  idps_set;

    const char          *cookie_secret;
    time_t               skew;          /* -1: not set */
    int                  allow_unsolicited;     /* -1: not set */

    oiosamlctl_words_t   md[OIOSAMLCTL_MAX_SPMETA];
    size_t               nmd;

    /* another directive of the SP group is set at this level */
    int                  other;

    const char          *server_name;   /* the first name, or NULL */
    const char          *file;          /* where the block starts */
    unsigned             line;
} oiosamlctl_level_t;

/* one SP, built with the library as the module builds it */
typedef struct {
    oiosaml_sp_t        *sp;
    oiosamlctl_level_t   conf;          /* merged with the http level */
    char                 servers[256];  /* server names that use it */
} oiosamlctl_sp_t;

typedef struct oiosamlctl_mem_s  oiosamlctl_mem_t;

/* every string of the configuration lives in this list, freed at once */
struct oiosamlctl_mem_s {
    oiosamlctl_mem_t    *next;
};

/* what oiosamlctl_conf.c read, and the SPs oiosamlctl_build.c built */
typedef struct {
    char                 *prefix;       /* ends with '/' */
    oiosamlctl_level_t    http;
    int                   http_seen;
    oiosamlctl_level_t  **servers;
    size_t                nservers;
    oiosamlctl_sp_t      *sps;
    size_t                nsps;
    oiosamlctl_mem_t     *mem;
    int                   depth;        /* of includes */
} oiosamlctl_conf_t;

/*
 * Reads an nginx configuration (with its includes) and builds every SP in
 * it as at time now.  Relative paths are relative to prefix, or to the
 * directory of file when prefix is NULL.  On failure prints the problem
 * with the file and line and returns OIOSAMLCTL_CONF.
 */
int oiosamlctl_conf_load(const char *file, const char *prefix, time_t now,
    oiosamlctl_conf_t **conf);
void oiosamlctl_conf_free(oiosamlctl_conf_t *conf);

/* as nginx logs: "... in FILE:LINE" */
void oiosamlctl_conf_error(const char *file, unsigned line, const char *fmt,
    ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* builds the SPs (oiosamlctl_build.c); OIOSAMLCTL_CONF on failure */
int oiosamlctl_build(oiosamlctl_conf_t *conf, time_t now);

size_t oiosamlctl_conf_sp_count(const oiosamlctl_conf_t *conf);
oiosamlctl_sp_t *oiosamlctl_conf_sp(const oiosamlctl_conf_t *conf,
    size_t i);

/* an SP by entityID, else by a server name of the servers that use it */
const oiosamlctl_sp_t *oiosamlctl_find_sp(const oiosamlctl_conf_t *conf,
    const char *name);

/* the configuration of an SP's IdP, by the library's IdP object */
const oiosamlctl_idp_t *oiosamlctl_sp_idp_conf(const oiosamlctl_sp_t *sp,
    const oiosaml_idp_t *idp);


/* ---- commands: argc and argv start after the command's name ----------- */

int oiosamlctl_certs(int argc, char **argv);
int oiosamlctl_metadata(int argc, char **argv);
/* metadata fetch; argc and argv start after "fetch" */
int oiosamlctl_fetch(int argc, char **argv);
int oiosamlctl_rollover(int argc, char **argv);
int oiosamlctl_sp_metadata(int argc, char **argv);
int oiosamlctl_keygen(int argc, char **argv);
int oiosamlctl_response(int argc, char **argv);

/* the library's set-up; prints why it failed */
int oiosamlctl_init(void);

/* prints the command's synopsis to stderr; returns OIOSAMLCTL_USAGE */
int oiosamlctl_usage_of(const char *cmd);


#endif /* _OIOSAMLCTL_H_INCLUDED_ */
