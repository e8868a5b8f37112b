
/*
 * Shared set-up of the fuzz targets and of the corpus generator.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fuzz_support.h"


static char *fz_cert_b64(const char *file);
static time_t fz_not_before(const char *file);
static char *fz_temp_file(const char *data, size_t len);


static char  fz_paths[4][1024];
static int   fz_next;


void
fz_die(const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);

    abort();
}


const char *
fz_cert(const char *name)
{
    char        *p;
    const char  *dir;

    dir = getenv("OIOSAML_TEST_CERTS");
    p = fz_paths[fz_next++ % 4];

    snprintf(p, sizeof(fz_paths[0]), "%s/%s", dir ? dir : "build/test-certs",
             name);

    return p;
}


void
fz_init(void)
{
    oiosaml_err_t  err;

    oiosaml_err_clear(&err);

    if (oiosaml_global_init(&err) != OIOSAML_OK) {
        fz_die("oiosaml_global_init(): %s", err.text);
    }
}


static time_t
fz_not_before(const char *file)
{
    BIO        *bio;
    X509       *x;
    struct tm   tm;

    bio = BIO_new_file(file, "r");
    x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);

    if (x == NULL) {
        fz_die("cannot read the certificate \"%s\" (run "
               "certs/make-certs.sh build/test-certs)", file);
    }

    if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) != 1) {
        fz_die("bad notBefore in \"%s\"", file);
    }

    X509_free(x);

    return timegm(&tm);
}


time_t
fz_now(void)
{
    size_t  i;
    time_t  t;

    static time_t       now;
    static const char  *certs[] = { "idp.crt", "idp-next.crt", "sp.crt",
                                    "sp-next.crt" };

    if (now != 0) {
        return now;
    }

    for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
        t = fz_not_before(fz_cert(certs[i]));

        if (t > now) {
            now = t;
        }
    }

    now += 3600;

    return now;
}


static char *
fz_cert_b64(const char *file)
{
    int             n;
    BIO            *bio;
    X509           *x;
    char           *out;
    unsigned char  *der;

    bio = BIO_new_file(file, "r");
    x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);

    if (x == NULL) {
        fz_die("cannot read the certificate \"%s\"", file);
    }

    der = NULL;
    n = i2d_X509(x, &der);
    X509_free(x);

    if (n <= 0) {
        fz_die("i2d_X509(\"%s\") failed", file);
    }

    out = malloc((size_t) (n + 2) / 3 * 4 + 1);
    if (out == NULL) {
        fz_die("out of memory");
    }

    EVP_EncodeBlock((unsigned char *) out, der, n);
    OPENSSL_free(der);

    return out;
}


char *
fz_idp_metadata(const char *entity_id, const char *cert_file, size_t *len)
{
    int    n;
    char  *b64, *doc;

    b64 = fz_cert_b64(cert_file);

    n = asprintf(&doc,
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:"
        "metadata\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
        "entityID=\"%s\"><md:IDPSSODescriptor protocolSupportEnumeration="
        "\"urn:oasis:names:tc:SAML:2.0:protocol\">"
        "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data>"
        "<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>"
        "</ds:KeyInfo></md:KeyDescriptor>"
        "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:"
        "bindings:HTTP-Redirect\" Location=\"%sslo\"/>"
        "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:"
        "bindings:HTTP-Redirect\" Location=\"%ssso\"/>"
        "</md:IDPSSODescriptor></md:EntityDescriptor>\n",
        entity_id, b64, entity_id, entity_id);

    free(b64);

    if (n < 0) {
        fz_die("out of memory");
    }

    if (len != NULL) {
        *len = (size_t) n;
    }

    return doc;
}


/* a private scratch file (oiosaml_idp_new() reads metadata from a file) */
static char *
fz_temp_file(const char *data, size_t len)
{
    int          fd;
    char        *path;
    const char  *dir;

    dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

    if (asprintf(&path, "%s/oiosaml-fuzz-XXXXXX", dir) < 0) {
        fz_die("out of memory");
    }

    fd = mkstemp(path);

    if (fd == -1 || write(fd, data, len) != (ssize_t) len) {
        fz_die("cannot write the scratch file \"%s\"", path);
    }

    close(fd);

    return path;
}


oiosaml_sp_t *
fz_sp(const oiosaml_idp_conf_t *conf, int unsolicited)
{
    char                *md, *file;
    size_t               len;
    oiosaml_sp_t        *sp;
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;
    oiosaml_status_t     rc;

    fz_init();
    oiosaml_err_clear(&err);

    if (conf != NULL) {
        ic = *conf;

    } else {
        memset(&ic, 0, sizeof(ic));
        ic.profile = OIOSAML_PROFILE_OIOSAML3;
    }

    md = fz_idp_metadata(FZ_IDP, fz_cert("idp.crt"), &len);
    file = fz_temp_file(md, len);
    free(md);

    ic.id = "test";
    ic.metadata_file = file;

    rc = oiosaml_sp_new(FZ_SP, FZ_BASE, &sp, &err);

    if (rc == OIOSAML_OK) {
        rc = oiosaml_sp_add_key(sp, fz_cert("sp.key"), fz_cert("sp.crt"), 0,
                                &err);
    }

    if (rc == OIOSAML_OK) {
        rc = oiosaml_idp_new(&ic, fz_now(), &idp, &err);
    }

    if (rc == OIOSAML_OK) {
        rc = oiosaml_sp_add_idp(sp, idp, &err);
    }

    if (rc == OIOSAML_OK) {
        rc = oiosaml_sp_set_cookie_secret(sp, fz_cert("cookie.key"), &err);
    }

    if (rc == OIOSAML_OK) {
        oiosaml_sp_set_allow_unsolicited(sp, unsolicited);
        rc = oiosaml_sp_finish(sp, fz_now(), &err);
    }

    unlink(file);
    free(file);

    if (rc != OIOSAML_OK) {
        fz_die("cannot build the SP: %s", err.text);
    }

    return sp;
}


void
fz_pending(oiosaml_pending_t *pending)
{
    memset(pending, 0, sizeof(oiosaml_pending_t));
    strcpy(pending->request_id, FZ_REQ_ID);
    strcpy(pending->idp_id, "test");
    strcpy(pending->return_url, "/");
    pending->created = fz_now();
}


int
fz_replay(void *data, const unsigned char *id, size_t len, time_t expires)
{
    size_t        i;
    fz_replay_t  *r = data;

    (void) expires;

    for (i = 0; i < r->n; i++) {
        if (strlen(r->keys[i]) == len && memcmp(r->keys[i], id, len) == 0) {
            return 1;
        }
    }

    if (r->n == FZ_REPLAY_MAX) {
        return -1;
    }

    r->keys[r->n] = strndup((const char *) id, len);

    if (r->keys[r->n] == NULL) {
        return -1;
    }

    r->n++;

    return 0;
}


void
fz_replay_reset(fz_replay_t *r)
{
    size_t  i;

    for (i = 0; i < r->n; i++) {
        free(r->keys[i]);
    }

    memset(r, 0, sizeof(fz_replay_t));
}


void
fz_report(const char *what, oiosaml_status_t rc, const oiosaml_err_t *err)
{
    static int  verbose = -1;

    if (verbose == -1) {
        verbose = getenv("FUZZ_VERBOSE") != NULL;
    }

    if (verbose) {
        fprintf(stderr, "  %s: %s%s%s\n", what, oiosaml_status_name(rc),
                rc != OIOSAML_OK && err != NULL ? ": " : "",
                rc != OIOSAML_OK && err != NULL ? err->text : "");
    }
}


unsigned char *
fz_read_file(const char *path, size_t *len)
{
    long            n;
    FILE           *f;
    unsigned char  *buf;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        fclose(f);
        return NULL;
    }

    buf = malloc((size_t) n + 1);

    if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
        free(buf);
        fclose(f);
        return NULL;
    }

    fclose(f);
    buf[n] = '\0';
    *len = (size_t) n;

    return buf;
}
