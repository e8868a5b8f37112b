
/*
 * Return addresses, RelayState and query strings: oiosaml_return_url_check()
 * (the open-redirect guard), oiosaml_relay_handle(), oiosaml_url_decode(),
 * oiosaml_query_get() (then decoded and checked, as the module does with
 * return=) and oiosaml_header_escape(), with the properties each promises.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"
#include "fuzz_support.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_return(const char *url, size_t len);
static void fz_shape(const char *s, size_t len, int raw);
static void fz_relay(const char *s, size_t len);
static void fz_query(const char *q, size_t len);
static void fz_escape(const char *s, size_t len);
static int fz_hex(int c);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char  *s = (const char *) data;

    fz_return(s, size);
    fz_relay(s, size);
    fz_query(s, size);
    fz_escape(s, size);

    return 0;
}


/* what an accepted address looks like: a local path, no control bytes */
static void
fz_shape(const char *s, size_t len, int raw)
{
    size_t  i;

    fz_assert(len > 0 && s[0] == '/');
    fz_assert(len == 1 || (s[1] != '/' && s[1] != '\\'));

    for (i = 0; i < len; i++) {
        unsigned char  c = (unsigned char) s[i];

        fz_assert(c >= 0x20 && c != 0x7f && c != '\\');
        fz_assert(!raw || c < 0x80);
    }
}


static void
fz_return(const char *url, size_t len)
{
    char    *buf;
    size_t   n;

    if (oiosaml_return_url_check(url, len) != OIOSAML_OK) {
        return;
    }

    fz_assert(len <= OIOSAML_RETURN_MAX);
    fz_shape(url, len, 1);

    /* and once decoded, as the browser and the application see it */
    buf = malloc(len);
    fz_assert(buf != NULL);
    memcpy(buf, url, len);
    n = oiosaml_url_decode(buf, len);
    fz_shape(buf, n, 0);
    free(buf);
}


static void
fz_relay(const char *s, size_t len)
{
    size_t  n, i;

    n = oiosaml_relay_handle(s, len);

    if (n == 0) {
        return;
    }

    fz_assert(n == OIOSAML_RELAY_LEN && n <= len);
    fz_assert(n == len || s[n] == '.');

    for (i = 0; i < n; i++) {
        fz_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789-_", s[i]) != NULL && s[i] != '\0');
    }
}


static void
fz_query(const char *q, size_t len)
{
    char        *buf;
    size_t       i, vlen, n, nlen;
    const char  *v, *start;

    static const char  *names[] = { "return", "RelayState", "SAMLRequest",
                                    "" };

    /* percent-decoding never grows */
    buf = malloc(len + 1);
    fz_assert(buf != NULL);
    memcpy(buf, q, len);
    fz_assert(oiosaml_url_decode(buf, len) <= len);
    free(buf);

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!oiosaml_query_get(q, len, names[i], &v, &vlen)) {
            continue;
        }

        /* "name=" starts the query or follows a '&' */
        nlen = strlen(names[i]);
        fz_assert(v >= q + nlen + 1 && v + vlen <= q + len);
        start = v - nlen - 1;
        fz_assert(start == q || start[-1] == '&');
        fz_assert(memcmp(start, names[i], nlen) == 0 && v[-1] == '=');
        fz_assert(memchr(v, '&', vlen) == NULL);

        /* the module's return= handling: decode, then check */
        buf = malloc(vlen + 1);
        fz_assert(buf != NULL);
        memcpy(buf, v, vlen);
        n = oiosaml_url_decode(buf, vlen);
        fz_assert(n <= vlen);
        fz_return(buf, n);
        free(buf);
    }
}


static int
fz_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }

    return -1;
}


/* escaped: printable ASCII only; the module's unescaping gives it back */
static void
fz_escape(const char *s, size_t len)
{
    char    *e, *d;
    size_t   n, i, j;

    e = malloc(len * 3 + 1);
    d = malloc(len + 1);
    fz_assert(e != NULL && d != NULL);

    n = oiosaml_header_escape(e, s, len);
    fz_assert(n >= len && n <= len * 3);

    for (i = 0; i < n; i++) {
        fz_assert(e[i] >= 0x20 && e[i] < 0x7f);
    }

    for (i = 0, j = 0; i < n; i++, j++) {
        if (e[i] == '%') {
            fz_assert(i + 2 < n && fz_hex(e[i + 1]) >= 0
                      && fz_hex(e[i + 2]) >= 0);
            d[j] = (char) (fz_hex(e[i + 1]) << 4 | fz_hex(e[i + 2]));
            i += 2;

        } else {
            d[j] = e[i];
        }
    }

    fz_assert(j == len && memcmp(d, s, len) == 0);

    free(e);
    free(d);
}
