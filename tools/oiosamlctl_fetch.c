
/*
 * oiosamlctl metadata fetch URL --out FILE [...]: an IdP's metadata from
 * its URL, with libcurl; checked by the library exactly as the gateway
 * loads a metadata file (oiosaml_idp_from_metadata(), the code of
 * oiosaml_idp_new()), and only then written, atomically, over FILE.  On
 * any failure FILE stays as it was.  The gateway re-reads FILE on its
 * oiosaml_metadata_refresh timer: no reload.
 *
 * oiosamlctl metadata fetch --config FILE: every line "ID URL FILE
 * [options]" of FILE (the systemd timer's job, conf/systemd/).
 */


#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "oiosamlctl.h"


#define OIOSAMLCTL_FETCH_DEF_SIZE        (1024 * 1024)
#define OIOSAMLCTL_FETCH_DEF_TIMEOUT     30         /* seconds, in all */
#define OIOSAMLCTL_FETCH_DEF_CONNECT     10         /* seconds */
#define OIOSAMLCTL_FETCH_REDIRECTS       5
#define OIOSAMLCTL_FETCH_LINE            4096
#define OIOSAMLCTL_FETCH_MODE            0644


/* one fetch: from the command line or a line of --config */
typedef struct {
    const char          *id;            /* label of the output lines */
    const char          *url;
    const char          *out;
    const char          *signer;
    const char          *entity;
    const char          *ca;
    size_t               max_size;
    time_t               timeout;
    time_t               connect;
    unsigned             allow_http:1;
} oiosamlctl_fetch_t;

/* the body as it arrives */
typedef struct {
    char                *data;
    size_t               len;
    size_t               cap;
    size_t               max;
    unsigned             too_large:1;
    unsigned             nomem:1;
} oiosamlctl_body_t;


static int oiosamlctl_fetch_config(const char *file, const char *only);
static int oiosamlctl_fetch_options(const char *cmd, int argc, char **argv,
    oiosamlctl_fetch_t *f, char **pos, size_t *npos, const char *dir);
static int oiosamlctl_fetch_one(const oiosamlctl_fetch_t *f);
static int oiosamlctl_fetch_get(const oiosamlctl_fetch_t *f,
    oiosamlctl_body_t *body, char *why, size_t size);
static size_t oiosamlctl_fetch_write(char *ptr, size_t size, size_t n,
    void *data);
static int oiosamlctl_fetch_check(const oiosamlctl_fetch_t *f,
    const char *xml, size_t len, time_t now, oiosaml_idp_t **idp, char *why,
    size_t size);
static int oiosamlctl_fetch_same(const char *file, const char *data,
    size_t len);
static int oiosamlctl_fetch_store(const char *file, const char *data,
    size_t len, char *why, size_t size);
static void oiosamlctl_fetch_summary(const oiosamlctl_fetch_t *f,
    const char *what, const oiosaml_idp_t *idp, const char *data,
    size_t len, time_t now);
static int oiosamlctl_fetch_fail(const oiosamlctl_fetch_t *f, int code,
    const char *why);
static const char *oiosamlctl_fetch_class(int code);
static int oiosamlctl_fetch_size(const char *s, size_t *size);
static char *oiosamlctl_fetch_path(const char *dir, const char *name);


/*
 * Exit codes, one per failure class; see the manual in oiosamlctl.c and
 * docs/runbooks/metadata-fetch.md.
 */
static const struct {
    int          code;
    const char  *name;
} oiosamlctl_fetch_classes[] = {
    { OIOSAMLCTL_FETCH_NETWORK, "network" },
    { OIOSAMLCTL_FETCH_HTTP, "http-status" },
    { OIOSAMLCTL_FETCH_TOO_LARGE, "too-large" },
    { OIOSAMLCTL_FETCH_TIMEOUT, "timeout" },
    { OIOSAMLCTL_FETCH_NOT_METADATA, "not-metadata" },
    { OIOSAMLCTL_FETCH_SIGNATURE, "signature" },
    { OIOSAMLCTL_FETCH_EXPIRED, "expired" },
    { OIOSAMLCTL_FETCH_ENTITY, "wrong-entity" },
    { OIOSAMLCTL_FETCH_WRITE, "write" },
    { OIOSAMLCTL_CONF, "local-file" },
    { 0, NULL }
};


int
oiosamlctl_fetch(int argc, char **argv)
{
    int                  rc;
    char                *pos[OIOSAMLCTL_MAX_ARGS];
    size_t               npos;
    oiosamlctl_fetch_t   f;

    /* --config FILE [--only ID] */
    if (argc >= 1 && (strcmp(argv[0], "--config") == 0
                      || strncmp(argv[0], "--config=", 9) == 0))
    {
        oiosamlctl_opt_t  opts[] = {
            { "--config", 1, 0, 0, NULL, { NULL }, 0 },
            { "--only", 1, 0, 0, NULL, { NULL }, 0 },
            { NULL, 0, 0, 0, NULL, { NULL }, 0 }
        };

        if (oiosamlctl_getopt("metadata fetch", argc, argv, opts, pos,
                              &npos) != OIOSAMLCTL_OK || npos != 0)
        {
            return oiosamlctl_usage_of("metadata");
        }

        rc = oiosamlctl_init();
        if (rc != OIOSAMLCTL_OK) {
            return rc;
        }

        return oiosamlctl_fetch_config(opts[0].value, opts[1].value);
    }

    rc = oiosamlctl_fetch_options("metadata fetch", argc, argv, &f, pos,
                                  &npos, NULL);
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    if (npos != 1 || f.out == NULL) {
        fprintf(stderr, "oiosamlctl metadata fetch: needs URL and "
                "--out FILE\n");
        return oiosamlctl_usage_of("metadata");
    }

    f.url = pos[0];
    f.id = f.out;

    rc = oiosamlctl_init();
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    return oiosamlctl_fetch_one(&f);
}


/*
 * The options of one fetch; relative paths are relative to dir (the
 * directory of --config) when it is given.
 */
static int
oiosamlctl_fetch_options(const char *cmd, int argc, char **argv,
    oiosamlctl_fetch_t *f, char **pos, size_t *npos, const char *dir)
{
    size_t  i;

    oiosamlctl_opt_t  opts[] = {
        { "--out", 1, 0, 0, NULL, { NULL }, 0 },
        { "--signer", 1, 0, 0, NULL, { NULL }, 0 },
        { "--entity", 1, 0, 0, NULL, { NULL }, 0 },
        { "--max-size", 1, 0, 0, NULL, { NULL }, 0 },
        { "--timeout", 1, 0, 0, NULL, { NULL }, 0 },
        { "--connect-timeout", 1, 0, 0, NULL, { NULL }, 0 },
        { "--ca", 1, 0, 0, NULL, { NULL }, 0 },
        { "--allow-http", 0, 0, 0, NULL, { NULL }, 0 },
        { NULL, 0, 0, 0, NULL, { NULL }, 0 }
    };

    memset(f, 0, sizeof(oiosamlctl_fetch_t));
    f->max_size = OIOSAMLCTL_FETCH_DEF_SIZE;
    f->timeout = OIOSAMLCTL_FETCH_DEF_TIMEOUT;
    f->connect = OIOSAMLCTL_FETCH_DEF_CONNECT;

    if (oiosamlctl_getopt(cmd, argc, argv, opts, pos, npos)
        != OIOSAMLCTL_OK)
    {
        return OIOSAMLCTL_USAGE;
    }

    f->out = opts[0].value;
    f->signer = opts[1].value;
    f->entity = opts[2].value;
    f->ca = opts[6].value;
    f->allow_http = opts[7].set;

    if (dir != NULL) {
        f->out = f->out ? oiosamlctl_fetch_path(dir, f->out) : NULL;
        f->signer = f->signer ? oiosamlctl_fetch_path(dir, f->signer) : NULL;
        f->ca = f->ca ? oiosamlctl_fetch_path(dir, f->ca) : NULL;
    }

    if (opts[3].set && oiosamlctl_fetch_size(opts[3].value, &f->max_size)
                       != 0)
    {
        fprintf(stderr, "oiosamlctl %s: invalid --max-size \"%s\" (bytes, "
                "or with k or m, at most %dm: the gateway reads no larger "
                "metadata)\n", cmd, opts[3].value,
                OIOSAML_METADATA_MAX / (1024 * 1024));
        return OIOSAMLCTL_USAGE;
    }

    for (i = 4; i <= 5; i++) {
        time_t  *t = (i == 4) ? &f->timeout : &f->connect;

        if (opts[i].set
            && (oiosamlctl_parse_duration(opts[i].value,
                                          strlen(opts[i].value), t) != 0
                || *t < 1 || *t > 3600))
        {
            fprintf(stderr, "oiosamlctl %s: invalid %s \"%s\" (1s to 1h)\n",
                    cmd, opts[i].name, opts[i].value);
            return OIOSAMLCTL_USAGE;
        }
    }

    if (f->connect > f->timeout) {
        f->connect = f->timeout;
    }

    if (f->allow_http && f->signer == NULL) {
        fprintf(stderr, "oiosamlctl %s: --allow-http needs --signer: "
                "without TLS only the metadata's signature protects it\n",
                cmd);
        return OIOSAMLCTL_USAGE;
    }

    return OIOSAMLCTL_OK;
}


static int
oiosamlctl_fetch_one(const oiosamlctl_fetch_t *f)
{
    int                 rc, i;
    char                why[CURL_ERROR_SIZE + 512];
    time_t              now;
    const char         *local;
    oiosaml_idp_t      *idp;
    oiosamlctl_body_t   body;

    if (strncmp(f->url, "https://", 8) != 0
        && !(f->allow_http && strncmp(f->url, "http://", 7) == 0))
    {
        fprintf(stderr, "%s: refused URL \"%s\": only https:// (http:// "
                "with --allow-http and --signer)\n", f->id, f->url);
        return OIOSAMLCTL_USAGE;
    }

    /* local files first: no download for a typing error */
    for (i = 0; i < 2; i++) {
        local = (i == 0) ? f->signer : f->ca;

        if (local != NULL && access(local, R_OK) != 0) {
            snprintf(why, sizeof(why), "cannot read \"%s\": %s", local,
                     strerror(errno));
            return oiosamlctl_fetch_fail(f, OIOSAMLCTL_CONF, why);
        }
    }

    memset(&body, 0, sizeof(body));
    body.max = f->max_size;

    rc = oiosamlctl_fetch_get(f, &body, why, sizeof(why));
    if (rc != OIOSAMLCTL_OK) {
        free(body.data);
        return oiosamlctl_fetch_fail(f, rc, why);
    }

    now = time(NULL);

    rc = oiosamlctl_fetch_check(f, body.data, body.len, now, &idp, why,
                                sizeof(why));
    if (rc != OIOSAMLCTL_OK) {
        free(body.data);
        return oiosamlctl_fetch_fail(f, rc, why);
    }

    if (oiosamlctl_fetch_same(f->out, body.data, body.len)) {
        oiosamlctl_fetch_summary(f, "unchanged", idp, body.data, body.len,
                                 now);

    } else {
        rc = oiosamlctl_fetch_store(f->out, body.data, body.len, why,
                                    sizeof(why));
        if (rc != OIOSAMLCTL_OK) {
            oiosaml_idp_free(idp);
            free(body.data);
            return oiosamlctl_fetch_fail(f, rc, why);
        }

        oiosamlctl_fetch_summary(f, "written", idp, body.data, body.len,
                                 now);
    }

    oiosaml_idp_free(idp);
    free(body.data);

    return OIOSAMLCTL_OK;
}


/* the download: TLS verified, bounded in size and time */
static int
oiosamlctl_fetch_get(const oiosamlctl_fetch_t *f, oiosamlctl_body_t *body,
    char *why, size_t size)
{
    long         status;
    CURL        *curl;
    CURLcode     cc;
    const char  *protocols;
    char         errbuf[CURL_ERROR_SIZE];

    static int   inited;

    if (!inited) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            snprintf(why, size, "curl_global_init() failed");
            return OIOSAMLCTL_FETCH_NETWORK;
        }

        inited = 1;
    }

    curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(why, size, "curl_easy_init() failed");
        return OIOSAMLCTL_FETCH_NETWORK;
    }

    protocols = f->allow_http ? "https,http" : "https";
    errbuf[0] = '\0';

    if (curl_easy_setopt(curl, CURLOPT_URL, f->url) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols)
           != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols)
           != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_MAXREDIRS,
                            (long) OIOSAMLCTL_FETCH_REDIRECTS) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_SSLVERSION,
                            (long) CURL_SSLVERSION_TLSv1_2) != CURLE_OK
        || (f->ca != NULL
            && curl_easy_setopt(curl, CURLOPT_CAINFO, f->ca) != CURLE_OK)
        || curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                            (long) f->connect * 1000) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                            (long) f->timeout * 1000) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                            (curl_off_t) f->max_size) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_USERAGENT,
                            "oiosamlctl (metadata fetch)") != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION,
                            oiosamlctl_fetch_write) != CURLE_OK
        || curl_easy_setopt(curl, CURLOPT_WRITEDATA, body) != CURLE_OK)
    {
        curl_easy_cleanup(curl);
        snprintf(why, size, "libcurl refused an option (libcurl %s)",
                 curl_version_info(CURLVERSION_NOW)->version);
        return OIOSAMLCTL_FETCH_NETWORK;
    }

    cc = curl_easy_perform(curl);

    status = 0;
    (void) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);

    if (body->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(why, size, "the document is larger than --max-size %zu "
                 "bytes; the transfer was stopped", f->max_size);
        return OIOSAMLCTL_FETCH_TOO_LARGE;
    }

    if (body->nomem) {
        snprintf(why, size, "out of memory");
        return OIOSAMLCTL_FETCH_NETWORK;
    }

    switch (cc) {

    case CURLE_OK:
        break;

    case CURLE_OPERATION_TIMEDOUT:
        snprintf(why, size, "%s (--connect-timeout %lds, --timeout %lds)",
                 errbuf[0] ? errbuf : curl_easy_strerror(cc),
                 (long) f->connect, (long) f->timeout);
        return OIOSAMLCTL_FETCH_TIMEOUT;

    case CURLE_HTTP_RETURNED_ERROR:
        snprintf(why, size, "HTTP status %ld", status);
        return OIOSAMLCTL_FETCH_HTTP;

    default:
        snprintf(why, size, "%s", errbuf[0] ? errbuf
                                            : curl_easy_strerror(cc));
        return OIOSAMLCTL_FETCH_NETWORK;
    }

    if (status != 200) {
        snprintf(why, size, "HTTP status %ld, expected 200", status);
        return OIOSAMLCTL_FETCH_HTTP;
    }

    return OIOSAMLCTL_OK;
}


/* counts the decoded bytes: a compressed body is bounded too */
static size_t
oiosamlctl_fetch_write(char *ptr, size_t size, size_t n, void *data)
{
    char               *p;
    size_t              len, cap;
    oiosamlctl_body_t  *body = data;

    len = size * n;

    if (len > body->max - body->len) {
        body->too_large = 1;
        return 0;
    }

    if (body->len + len + 1 > body->cap) {
        cap = body->cap ? body->cap : 65536;

        while (cap < body->len + len + 1) {
            cap *= 2;
        }

        p = realloc(body->data, cap);
        if (p == NULL) {
            body->nomem = 1;
            return 0;
        }

        body->data = p;
        body->cap = cap;
    }

    memcpy(body->data + body->len, ptr, len);
    body->len += len;
    body->data[body->len] = '\0';

    return len;
}


/*
 * The library's verdict: the code that loads oiosaml_idp metadata=, with
 * metadata_signer=--signer and entity=--entity, at the current time.
 * Metadata none of whose signing certificates is valid now is refused
 * too: the gateway would load it and stop logins at that IdP.
 */
static int
oiosamlctl_fetch_check(const oiosamlctl_fetch_t *f, const char *xml,
    size_t len, time_t now, oiosaml_idp_t **idp, char *why, size_t size)
{
    int                  code;
    oiosaml_err_t        err;
    oiosaml_status_t     rc;
    oiosaml_idp_conf_t   ic;

    memset(&ic, 0, sizeof(ic));
    ic.id = "fetch";
    ic.metadata_file = f->out;
    ic.metadata_signer = f->signer;
    ic.entity = f->entity;

    oiosaml_err_clear(&err);

    rc = oiosaml_idp_from_metadata(&ic, xml ? xml : "", len, now, idp,
                                   &err);

    if (rc == OIOSAML_OK) {
        if (oiosaml_idp_available(*idp, now)) {
            return OIOSAMLCTL_OK;
        }

        oiosaml_idp_free(*idp);
        *idp = NULL;
        snprintf(why, size, "none of its signing certificates is valid now: "
                 "the gateway would stop logins at this IdP");
        return OIOSAMLCTL_FETCH_EXPIRED;
    }

    switch (rc) {

    case OIOSAML_BAD_TOO_LARGE:
        code = OIOSAMLCTL_FETCH_TOO_LARGE;
        break;

    case OIOSAML_BAD_XML:
    case OIOSAML_BAD_MESSAGE:
        code = OIOSAMLCTL_FETCH_NOT_METADATA;
        break;

    case OIOSAML_DENY_EXPIRED:
        code = OIOSAMLCTL_FETCH_EXPIRED;
        break;

    case OIOSAML_DENY_UNKNOWN_IDP:
        code = OIOSAMLCTL_FETCH_ENTITY;
        break;

    default:
        if (oiosaml_is_denial(rc)) {
            code = OIOSAMLCTL_FETCH_SIGNATURE;

        } else if (rc == OIOSAML_ERR_IO || rc == OIOSAML_ERR_CONFIG) {
            code = OIOSAMLCTL_CONF;         /* --signer */

        } else {
            code = OIOSAMLCTL_FETCH_NOT_METADATA;
        }
    }

    snprintf(why, size, "%s", err.text[0] ? err.text : oiosaml_strerror(rc));

    return code;
}


/* the file holds exactly these bytes already */
static int
oiosamlctl_fetch_same(const char *file, const char *data, size_t len)
{
    int           same;
    FILE         *fp;
    char          buf[65536];
    size_t        n, off;
    struct stat   st;

    if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)
        || (size_t) st.st_size != len)
    {
        return 0;
    }

    fp = fopen(file, "rb");
    if (fp == NULL) {
        return 0;
    }

    same = 1;
    off = 0;

    while (same && (n = fread(buf, 1, sizeof(buf), fp)) > 0) {
        if (off + n > len || memcmp(buf, data + off, n) != 0) {
            same = 0;
        }

        off += n;
    }

    fclose(fp);

    return same && off == len;
}


/*
 * A new file beside the old one (a name of its own, never reused), made
 * whole and durable (fsync), then renamed over it, and the directory
 * synced: the gateway reads either the old file or the new one.
 */
static int
oiosamlctl_fetch_store(const char *file, const char *data, size_t len,
    char *why, size_t size)
{
    int          fd, dfd;
    char        *copy, *dir, *base, *tmp;
    size_t       off;
    ssize_t      n;

    copy = strdup(file);
    base = strdup(file);
    tmp = malloc(strlen(file) + 16);

    if (copy == NULL || base == NULL || tmp == NULL) {
        free(copy);
        free(base);
        free(tmp);
        snprintf(why, size, "out of memory");
        return OIOSAMLCTL_FETCH_WRITE;
    }

    dir = dirname(copy);
    sprintf(tmp, "%s/.%s.XXXXXX", dir, basename(base));

    fd = mkstemp(tmp);
    if (fd == -1) {
        snprintf(why, size, "cannot create a file in \"%s\": %s", dir,
                 strerror(errno));
        goto failed;
    }

    for (off = 0; off < len; off += (size_t) n) {
        n = write(fd, data + off, len - off);

        if (n <= 0) {
            if (n == -1 && errno == EINTR) {
                n = 0;
                continue;
            }

            snprintf(why, size, "write(\"%s\") failed: %s", tmp,
                     n == 0 ? "nothing written" : strerror(errno));
            goto unlink;
        }
    }

    if (fchmod(fd, OIOSAMLCTL_FETCH_MODE) != 0) {
        snprintf(why, size, "fchmod(\"%s\") failed: %s", tmp,
                 strerror(errno));
        goto unlink;
    }

    if (fsync(fd) != 0) {
        snprintf(why, size, "fsync(\"%s\") failed: %s", tmp,
                 strerror(errno));
        goto unlink;
    }

    if (close(fd) != 0) {
        fd = -1;
        snprintf(why, size, "close(\"%s\") failed: %s", tmp,
                 strerror(errno));
        goto unlink;
    }

    fd = -1;

    if (rename(tmp, file) != 0) {
        snprintf(why, size, "rename(\"%s\", \"%s\") failed: %s", tmp, file,
                 strerror(errno));
        goto unlink;
    }

    /* the rename itself, durable */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd != -1) {
        (void) fsync(dfd);
        close(dfd);
    }

    free(copy);
    free(base);
    free(tmp);

    return OIOSAMLCTL_OK;

unlink:

    if (fd != -1) {
        close(fd);
    }

    unlink(tmp);

failed:

    free(copy);
    free(base);
    free(tmp);

    return OIOSAMLCTL_FETCH_WRITE;
}


/* one line on stdout: what was done, and what the metadata says */
static void
oiosamlctl_fetch_summary(const oiosamlctl_fetch_t *f, const char *what,
    const oiosaml_idp_t *idp, const char *data, size_t len, time_t now)
{
    char           t[21], hex[2 * EVP_MAX_MD_SIZE + 1];
    time_t         until;
    unsigned       i, n;
    unsigned char  md[EVP_MAX_MD_SIZE];

    n = 0;

    if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1) {
        n = 0;
    }

    for (i = 0; i < n; i++) {
        sprintf(hex + 2 * i, "%02x", md[i]);
    }

    hex[2 * n] = '\0';
    until = oiosaml_idp_valid_until(idp);

    printf("%s: %s %s: entityID %s, validUntil %s, %zu signing "
           "certificate%s, %s, %zu bytes, sha256 %.16s\n", f->id, what,
           f->out, oiosaml_idp_entity_id(idp),
           until ? oiosamlctl_time(until, t) : "none",
           oiosaml_idp_trusted_at(idp, now),
           oiosaml_idp_trusted_at(idp, now) == 1 ? "" : "s",
           f->signer ? "signature verified" : "unsigned (no --signer)",
           len, hex);
    fflush(stdout);
}


static int
oiosamlctl_fetch_fail(const oiosamlctl_fetch_t *f, int code,
    const char *why)
{
    struct stat  st;

    fprintf(stderr, "%s: FAILED (%s): %s: %s; %s\n", f->id,
            oiosamlctl_fetch_class(code), f->url, why,
            stat(f->out, &st) == 0 ? "the file was kept as it was"
                                   : "nothing was written");

    return code;
}


static const char *
oiosamlctl_fetch_class(int code)
{
    size_t  i;

    for (i = 0; oiosamlctl_fetch_classes[i].name != NULL; i++) {
        if (oiosamlctl_fetch_classes[i].code == code) {
            return oiosamlctl_fetch_classes[i].name;
        }
    }

    return "error";
}


/* "1048576", "512k", "2m": at most OIOSAML_METADATA_MAX */
static int
oiosamlctl_fetch_size(const char *s, size_t *size)
{
    char                *end;
    unsigned long long   n;

    if (s[0] < '0' || s[0] > '9') {
        return -1;
    }

    errno = 0;
    n = strtoull(s, &end, 10);

    if (errno != 0) {
        return -1;
    }

    if (*end == 'k' || *end == 'K') {
        n *= 1024;
        end++;

    } else if (*end == 'm' || *end == 'M') {
        n *= 1024 * 1024;
        end++;
    }

    if (*end != '\0' || n == 0 || n > OIOSAML_METADATA_MAX) {
        return -1;
    }

    *size = (size_t) n;

    return 0;
}


/* name relative to dir unless absolute; freed at exit (a short run) */
static char *
oiosamlctl_fetch_path(const char *dir, const char *name)
{
    char  *p;

    if (name[0] == '/') {
        return (char *) name;
    }

    p = malloc(strlen(dir) + strlen(name) + 2);
    if (p == NULL) {
        return (char *) name;
    }

    sprintf(p, "%s/%s", dir, name);

    return p;
}


/*
 * Every line "ID URL FILE [options]" ('#' starts a comment; no quoting:
 * paths without spaces).  Each is fetched; the exit code is the first
 * failure's, 0 when all succeeded.
 */
static int
oiosamlctl_fetch_config(const char *file, const char *only)
{
    int                  rc, first, nargs;
    FILE                *fp;
    char                 line[OIOSAMLCTL_FETCH_LINE], *args[64], *p, *dir;
    char                *copy, *pos[OIOSAMLCTL_MAX_ARGS], *ids[256];
    size_t               npos, nids, i, n, done, failed;
    unsigned             lineno;
    oiosamlctl_fetch_t   f;

    fp = fopen(file, "r");
    if (fp == NULL) {
        fprintf(stderr, "oiosamlctl: cannot read \"%s\": %s\n", file,
                strerror(errno));
        return OIOSAMLCTL_CONF;
    }

    copy = strdup(file);
    dir = copy ? dirname(copy) : ".";

    first = OIOSAMLCTL_OK;
    lineno = 0;
    nids = 0;
    done = 0;
    failed = 0;

    while (fgets(line, sizeof(line), fp) != NULL) {
        lineno++;

        n = strlen(line);
        if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
            fprintf(stderr, "oiosamlctl: line too long in %s:%u\n", file,
                    lineno);
            rc = OIOSAMLCTL_CONF;
            goto next;
        }

        /* a comment: '#' at the start of a word (a URL may hold one) */
        for (p = line; *p != '\0'; p++) {
            if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
                *p = '\0';
                break;
            }
        }

        nargs = 0;

        for (p = strtok(line, " \t\r\n"); p != NULL;
             p = strtok(NULL, " \t\r\n"))
        {
            if (nargs == 64) {
                break;
            }

            args[nargs++] = p;
        }

        if (nargs == 0) {
            continue;
        }

        if (p != NULL) {
            fprintf(stderr, "oiosamlctl: too many words in %s:%u\n", file,
                    lineno);
            rc = OIOSAMLCTL_CONF;
            goto next;
        }

        if (only != NULL && strcmp(args[0], only) != 0) {
            continue;
        }

        for (i = 0; i < nids; i++) {
            if (strcmp(ids[i], args[0]) == 0) {
                break;
            }
        }

        if (i < nids || nids == 256) {
            fprintf(stderr, "oiosamlctl: %s \"%s\" in %s:%u\n",
                    i < nids ? "duplicate ID" : "too many lines at",
                    args[0], file, lineno);
            rc = OIOSAMLCTL_CONF;
            goto next;
        }

        ids[nids++] = strdup(args[0]);

        rc = oiosamlctl_fetch_options("metadata fetch", nargs - 1, args + 1,
                                      &f, pos, &npos, dir);

        if (rc == OIOSAMLCTL_OK && (npos != 2 || f.out != NULL)) {
            fprintf(stderr, "oiosamlctl: expected \"ID URL FILE "
                    "[options]\" in %s:%u\n", file, lineno);
            rc = OIOSAMLCTL_CONF;
        }

        if (rc != OIOSAMLCTL_OK) {
            fprintf(stderr, "oiosamlctl: in %s:%u\n", file, lineno);
            rc = OIOSAMLCTL_CONF;
            goto next;
        }

        f.id = args[0];
        f.url = pos[0];
        f.out = oiosamlctl_fetch_path(dir, pos[1]);

        rc = oiosamlctl_fetch_one(&f);

    next:

        done++;

        if (rc != OIOSAMLCTL_OK) {
            failed++;

            if (first == OIOSAMLCTL_OK) {
                first = rc;
            }
        }
    }

    fclose(fp);

    for (i = 0; i < nids; i++) {
        free(ids[i]);
    }

    free(copy);

    if (only != NULL && done == 0) {
        fprintf(stderr, "oiosamlctl: no line for \"%s\" in %s\n", only,
                file);
        return OIOSAMLCTL_USAGE;
    }

    printf("%s: %zu ok, %zu failed\n", file, done - failed, failed);

    return first;
}
