
/*
 * oiosamlctl keygen --out KEY --cert CERT: a new RSA key and a self-signed
 * certificate for oiosaml_sp_key, with the OpenSSL 3 APIs.
 */


#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>


#include "oiosamlctl.h"


#define OIOSAMLCTL_DEFAULT_SUBJECT  "/C=DK/CN=oiosaml SP"


static X509_NAME *oiosamlctl_keygen_name(const char *subject);
static X509 *oiosamlctl_keygen_cert(EVP_PKEY *pkey, X509_NAME *name,
    long days);
static int oiosamlctl_keygen_ext(X509 *x, int nid, const char *value);
static int oiosamlctl_keygen_write(const char *file, mode_t mode, int force,
    EVP_PKEY *pkey, X509 *x);
static long oiosamlctl_keygen_number(const char *opt, const char *s,
    long min, long max);
static void oiosamlctl_keygen_print(const char *key, const char *cert,
    EVP_PKEY *pkey, X509 *x);
static void oiosamlctl_keygen_openssl(const char *what);


int
oiosamlctl_keygen(int argc, char **argv)
{
    int          rc;
    long         days, bits;
    char        *pos[OIOSAMLCTL_MAX_ARGS];
    X509        *x;
    size_t       npos, i;
    EVP_PKEY    *pkey;
    X509_NAME   *name;
    struct stat  st;

    oiosamlctl_opt_t  opts[] = {
        { "--out", 1, 0, 0, NULL, { NULL }, 0 },
        { "--cert", 1, 0, 0, NULL, { NULL }, 0 },
        { "--subject", 1, 0, 0, NULL, { NULL }, 0 },
        { "--days", 1, 0, 0, NULL, { NULL }, 0 },
        { "--bits", 1, 0, 0, NULL, { NULL }, 0 },
        { "--force", 0, 0, 0, NULL, { NULL }, 0 },
        { NULL, 0, 0, 0, NULL, { NULL }, 0 }
    };

    if (oiosamlctl_getopt("keygen", argc, argv, opts, pos, &npos)
        != OIOSAMLCTL_OK || npos != 0 || !opts[0].set || !opts[1].set)
    {
        return oiosamlctl_usage_of("keygen");
    }

    if (strcmp(opts[0].value, opts[1].value) == 0) {
        fprintf(stderr, "oiosamlctl keygen: --out and --cert must be two "
                "files\n");
        return OIOSAMLCTL_USAGE;
    }

    days = opts[3].set ? oiosamlctl_keygen_number("--days", opts[3].value,
                                                  1, 36500)
                       : 1095;
    bits = opts[4].set ? oiosamlctl_keygen_number("--bits", opts[4].value,
                                                  2048, 16384)
                       : 3072;

    if (days < 0 || bits < 0) {
        return OIOSAMLCTL_USAGE;
    }

    name = oiosamlctl_keygen_name(opts[2].set ? opts[2].value
                                              : OIOSAMLCTL_DEFAULT_SUBJECT);
    if (name == NULL) {
        fprintf(stderr, "oiosamlctl keygen: invalid --subject \"%s\", "
                "expected e.g. \"/C=DK/O=Org/CN=name\"\n", opts[2].value);
        return OIOSAMLCTL_USAGE;
    }

    if (!opts[5].set) {
        for (i = 0; i < 2; i++) {
            if (lstat(opts[i].value, &st) == 0) {
                fprintf(stderr, "oiosamlctl keygen: \"%s\" exists, not "
                        "replaced (use --force to replace it)\n",
                        opts[i].value);
                X509_NAME_free(name);
                return OIOSAMLCTL_FAIL;
            }
        }
    }

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) bits);
    if (pkey == NULL) {
        oiosamlctl_keygen_openssl("EVP_PKEY_Q_keygen()");
        X509_NAME_free(name);
        return OIOSAMLCTL_FAIL;
    }

    x = oiosamlctl_keygen_cert(pkey, name, days);
    X509_NAME_free(name);

    if (x == NULL) {
        EVP_PKEY_free(pkey);
        return OIOSAMLCTL_FAIL;
    }

    rc = oiosamlctl_keygen_write(opts[0].value, 0600, opts[5].set, pkey,
                                 NULL);

    if (rc == OIOSAMLCTL_OK) {
        rc = oiosamlctl_keygen_write(opts[1].value, 0644, opts[5].set, NULL,
                                     x);

        if (rc != OIOSAMLCTL_OK) {
            unlink(opts[0].value);
        }
    }

    if (rc == OIOSAMLCTL_OK) {
        oiosamlctl_keygen_print(opts[0].value, opts[1].value, pkey, x);
    }

    X509_free(x);
    EVP_PKEY_free(pkey);

    return rc;
}


/* "/C=DK/O=Org/CN=name" as "openssl req -subj" takes it; "\/" is a '/' */
static X509_NAME *
oiosamlctl_keygen_name(const char *subject)
{
    char        *buf, *d, *field, *value;
    X509_NAME   *name;
    const char  *s;

    if (subject[0] != '/' || subject[1] == '\0') {
        return NULL;
    }

    buf = malloc(strlen(subject) + 1);
    name = X509_NAME_new();

    if (buf == NULL || name == NULL) {
        free(buf);
        X509_NAME_free(name);
        return NULL;
    }

    s = subject + 1;

    while (*s) {
        /* one "type=value", unescaped, into buf */
        for (d = buf; *s && *s != '/'; s++) {
            if (*s == '\\' && s[1] != '\0') {
                s++;
            }

            *d++ = *s;
        }

        *d = '\0';

        if (*s == '/') {
            s++;
        }

        field = buf;
        value = strchr(buf, '=');

        if (value == NULL || value == field || value[1] == '\0') {
            goto failed;
        }

        *value++ = '\0';

        if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                       (unsigned char *) value, -1, -1, 0)
            != 1)
        {
            goto failed;
        }
    }

    free(buf);

    return name;

failed:

    ERR_clear_error();
    free(buf);
    X509_NAME_free(name);

    return NULL;
}


static X509 *
oiosamlctl_keygen_cert(EVP_PKEY *pkey, X509_NAME *name, long days)
{
    X509           *x;
    BIGNUM         *bn;
    unsigned char   serial[16];

    x = X509_new();
    if (x == NULL) {
        oiosamlctl_keygen_openssl("X509_new()");
        return NULL;
    }

    /* a random positive 128-bit serial number */
    if (RAND_bytes(serial, sizeof(serial)) != 1) {
        oiosamlctl_keygen_openssl("RAND_bytes()");
        X509_free(x);
        return NULL;
    }

    serial[0] &= 0x7f;
    serial[0] |= 0x40;

    bn = BN_bin2bn(serial, sizeof(serial), NULL);

    if (bn == NULL
        || X509_set_version(x, X509_VERSION_3) != 1
        || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_time_adj_ex(X509_getm_notAfter(x), (int) days, 0, NULL)
           == NULL
        || X509_set_subject_name(x, name) != 1
        || X509_set_issuer_name(x, name) != 1
        || X509_set_pubkey(x, pkey) != 1
        || oiosamlctl_keygen_ext(x, NID_basic_constraints,
                                 "critical,CA:FALSE") != 0
        || oiosamlctl_keygen_ext(x, NID_key_usage,
                                 "critical,digitalSignature,"
                                 "keyEncipherment") != 0
        || oiosamlctl_keygen_ext(x, NID_subject_key_identifier, "hash") != 0
        || X509_sign(x, pkey, EVP_sha256()) == 0)
    {
        oiosamlctl_keygen_openssl("building the certificate");
        BN_free(bn);
        X509_free(x);
        return NULL;
    }

    BN_free(bn);

    return x;
}


static int
oiosamlctl_keygen_ext(X509 *x, int nid, const char *value)
{
    int              rc;
    X509V3_CTX       ctx;
    X509_EXTENSION  *ext;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);

    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) {
        return -1;
    }

    rc = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);

    return rc == 1 ? 0 : -1;
}


/* writes the key (pkey) or the certificate (x) into a new file */
static int
oiosamlctl_keygen_write(const char *file, mode_t mode, int force,
    EVP_PKEY *pkey, X509 *x)
{
    int    fd, ok;
    FILE  *fp;

    fd = open(file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC
                    | (force ? O_TRUNC : O_EXCL), mode);
    if (fd == -1) {
        fprintf(stderr, "oiosamlctl keygen: cannot create \"%s\": %s\n",
                file, strerror(errno));
        return errno == EEXIST ? OIOSAMLCTL_FAIL : OIOSAMLCTL_CONF;
    }

    /* an older file replaced with --force keeps its mode otherwise */
    if (fchmod(fd, mode) != 0) {
        fprintf(stderr, "oiosamlctl keygen: fchmod(\"%s\") failed: %s\n",
                file, strerror(errno));
        close(fd);
        return OIOSAMLCTL_FAIL;
    }

    fp = fdopen(fd, "w");
    if (fp == NULL) {
        close(fd);
        return OIOSAMLCTL_FAIL;
    }

    ok = pkey ? PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL)
              : PEM_write_X509(fp, x);

    if (fclose(fp) != 0 || ok != 1) {
        oiosamlctl_keygen_openssl(file);
        unlink(file);
        return OIOSAMLCTL_FAIL;
    }

    return OIOSAMLCTL_OK;
}


static void
oiosamlctl_keygen_print(const char *key, const char *cert, EVP_PKEY *pkey,
    X509 *x)
{
    BIO            *bio;
    char            t[21];
    time_t          not_after;
    unsigned int    i, n;
    unsigned char   md[EVP_MAX_MD_SIZE];
    struct tm       tm;

    printf("key          %s (RSA %d bits, mode 0600)\n", key,
           EVP_PKEY_get_bits(pkey));
    printf("certificate  %s\nsubject      ", cert);
    fflush(stdout);

    bio = BIO_new_fp(stdout, BIO_NOCLOSE);
    if (bio != NULL) {
        X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
                           XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
        BIO_free(bio);
    }

    printf("\nsha256       ");

    n = 0;
    if (X509_digest(x, EVP_sha256(), md, &n) == 1) {
        for (i = 0; i < n; i++) {
            printf("%02x", md[i]);
        }
    }

    not_after = 0;
    memset(&tm, 0, sizeof(tm));

    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1) {
        not_after = timegm(&tm);
    }

    printf("\nnot after    %s\n", oiosamlctl_time(not_after, t));
    printf("\nnginx:       oiosaml_sp_key %s %s from=YYYY-MM-DDTHH:MM:SSZ;\n",
           key, cert);
}


static long
oiosamlctl_keygen_number(const char *opt, const char *s, long min, long max)
{
    long   v;
    char  *end;

    errno = 0;
    v = strtol(s, &end, 10);

    if (end == s || *end != '\0' || errno != 0 || v < min || v > max) {
        fprintf(stderr, "oiosamlctl keygen: %s takes a number from %ld to "
                "%ld, not \"%s\"\n", opt, min, max, s);
        return -1;
    }

    return v;
}


static void
oiosamlctl_keygen_openssl(const char *what)
{
    char           buf[256];
    unsigned long  e;

    e = ERR_get_error();
    ERR_clear_error();

    if (e == 0) {
        fprintf(stderr, "oiosamlctl keygen: %s failed\n", what);
        return;
    }

    ERR_error_string_n(e, buf, sizeof(buf));
    fprintf(stderr, "oiosamlctl keygen: %s failed: %s\n", what, buf);
}
