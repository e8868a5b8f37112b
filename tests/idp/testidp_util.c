
/*
 * Small helpers: errors, strings, IDs, times, base64 (OpenSSL) and URL
 * encoding.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "testidp.h"


static int testidp_str_grow(testidp_str_t *s, size_t more);
static int testidp_hex(int c);


int
testidp_err(testidp_err_t *err, const char *fmt, ...)
{
    va_list  ap;

    if (err != NULL) {
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }

    return -1;
}


char *
testidp_strndup(const char *s, size_t len)
{
    char  *p;

    p = malloc(len + 1);

    if (p == NULL) {
        return NULL;
    }

    memcpy(p, s, len);
    p[len] = '\0';

    return p;
}


char *
testidp_strdup(const char *s)
{
    return testidp_strndup(s, strlen(s));
}


static int
testidp_str_grow(testidp_str_t *s, size_t more)
{
    size_t   cap;
    char    *p;

    if (s->failed) {
        return -1;
    }

    if (s->len + more + 1 <= s->cap) {
        return 0;
    }

    cap = s->cap ? s->cap : 256;

    while (cap < s->len + more + 1) {
        cap *= 2;
    }

    p = realloc(s->data, cap);

    if (p == NULL) {
        s->failed = 1;
        return -1;
    }

    s->data = p;
    s->cap = cap;

    return 0;
}


void
testidp_str_add(testidp_str_t *s, const char *p, size_t len)
{
    if (testidp_str_grow(s, len) != 0) {
        return;
    }

    memcpy(s->data + s->len, p, len);
    s->len += len;
    s->data[s->len] = '\0';
}


void
testidp_str_cat(testidp_str_t *s, const char *p)
{
    testidp_str_add(s, p, strlen(p));
}


void
testidp_str_printf(testidp_str_t *s, const char *fmt, ...)
{
    int      n;
    va_list  ap;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);

    if (n < 0) {
        s->failed = 1;
        return;
    }

    if (testidp_str_grow(s, (size_t) n) != 0) {
        return;
    }

    va_start(ap, fmt);
    vsnprintf(s->data + s->len, (size_t) n + 1, fmt, ap);
    va_end(ap);

    s->len += (size_t) n;
}


void
testidp_str_html(testidp_str_t *s, const char *text)
{
    const char  *p, *rep;

    for (p = text; *p; p++) {

        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            testidp_str_add(s, p, 1);
            continue;
        }

        testidp_str_cat(s, rep);
    }
}


char *
testidp_str_done(testidp_str_t *s, size_t *len)
{
    if (s->failed || testidp_str_grow(s, 0) != 0) {
        free(s->data);
        s->data = NULL;
        return NULL;
    }

    if (len != NULL) {
        *len = s->len;
    }

    return s->data;
}


int
testidp_random_id(char *id, testidp_err_t *err)
{
    int            i;
    unsigned char  rnd[20];

    static const char  hex[] = "0123456789abcdef";

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        return testidp_err(err, "RAND_bytes() failed");
    }

    id[0] = '_';

    for (i = 0; i < 20; i++) {
        id[1 + 2 * i] = hex[rnd[i] >> 4];
        id[2 + 2 * i] = hex[rnd[i] & 0x0f];
    }

    id[41] = '\0';

    return 0;
}


int
testidp_time_format(time_t t, int ms, char *buf, size_t size)
{
    struct tm  tm;

    if (gmtime_r(&t, &tm) == NULL) {
        return -1;
    }

    if (strftime(buf, size, ms ? "%Y-%m-%dT%H:%M:%S.000Z"
                               : "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    {
        return -1;
    }

    return 0;
}


char *
testidp_b64_encode(const unsigned char *data, size_t len)
{
    char  *out;

    if (len > 0x3fffffff) {
        return NULL;
    }

    out = malloc(4 * ((len + 2) / 3) + 1);

    if (out == NULL) {
        return NULL;
    }

    EVP_EncodeBlock((unsigned char *) out, data, (int) len);

    return out;
}


unsigned char *
testidp_b64_decode(const char *text, size_t len, size_t *out_len)
{
    int               n, total;
    unsigned char    *out;
    EVP_ENCODE_CTX   *ctx;

    if (len > 0x3fffffff) {
        return NULL;
    }

    out = malloc(len / 4 * 3 + 4);
    ctx = EVP_ENCODE_CTX_new();

    if (out == NULL || ctx == NULL) {
        goto failed;
    }

    EVP_DecodeInit(ctx);

    n = 0;

    if (EVP_DecodeUpdate(ctx, out, &n, (const unsigned char *) text,
                         (int) len) < 0)
    {
        goto failed;
    }

    total = n;

    if (EVP_DecodeFinal(ctx, out + total, &n) != 1) {
        goto failed;
    }

    total += n;

    EVP_ENCODE_CTX_free(ctx);

    *out_len = (size_t) total;

    return out;

failed:

    EVP_ENCODE_CTX_free(ctx);
    free(out);

    return NULL;
}


static int
testidp_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }

    return -1;
}


char *
testidp_url_decode(const char *s, size_t len, size_t *out_len)
{
    int      hi, lo;
    char    *out, *d;
    size_t   i;

    out = malloc(len + 1);

    if (out == NULL) {
        return NULL;
    }

    d = out;

    for (i = 0; i < len; i++) {

        if (s[i] == '+') {
            *d++ = ' ';

        } else if (s[i] == '%' && i + 2 < len
                   && (hi = testidp_hex((unsigned char) s[i + 1])) >= 0
                   && (lo = testidp_hex((unsigned char) s[i + 2])) >= 0)
        {
            *d++ = (char) (hi * 16 + lo);
            i += 2;

        } else {
            *d++ = s[i];
        }
    }

    *d = '\0';

    if (out_len != NULL) {
        *out_len = (size_t) (d - out);
    }

    return out;
}


char *
testidp_url_encode(const char *s, size_t len)
{
    char                 *out, *d;
    size_t                i;
    unsigned char         c;

    static const char  hex[] = "0123456789ABCDEF";

    out = malloc(3 * len + 1);

    if (out == NULL) {
        return NULL;
    }

    d = out;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~')
        {
            *d++ = (char) c;

        } else {
            *d++ = '%';
            *d++ = hex[c >> 4];
            *d++ = hex[c & 0x0f];
        }
    }

    *d = '\0';

    return out;
}
