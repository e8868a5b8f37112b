
/*
 * URLs: the return-address check that prevents open redirects, query
 * parameters, percent-decoding and header-safe escaping.
 */


#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_DECODE_ROUNDS  3


static int oiosaml_hexval(int c);
static int oiosaml_return_shape_ok(const char *s, size_t len, int raw);


oiosaml_status_t
oiosaml_return_url_check(const char *url, size_t len)
{
    char    buf[OIOSAML_RETURN_MAX + 1];
    size_t  n, round;

    if (len == 0 || len > OIOSAML_RETURN_MAX) {
        return OIOSAML_DENY_RETURN_URL;
    }

    if (!oiosaml_return_shape_ok(url, len, 1)) {
        return OIOSAML_DENY_RETURN_URL;
    }

    /* the encoded variants: "/%2F%2Fevil", "/%5Cevil", "%2509" ... */
    memcpy(buf, url, len);
    n = len;

    for (round = 0; round < OIOSAML_DECODE_ROUNDS; round++) {
        size_t  m;

        if (memchr(buf, '%', n) == NULL) {
            break;
        }

        m = oiosaml_url_decode(buf, n);

        if (m == 0 || !oiosaml_return_shape_ok(buf, m, 0)) {
            return OIOSAML_DENY_RETURN_URL;
        }

        if (m == n) {
            break;
        }

        n = m;
    }

    return OIOSAML_OK;
}


/* raw: the URL as sent, where only ASCII may appear */
static int
oiosaml_return_shape_ok(const char *s, size_t len, int raw)
{
    size_t  i;

    if (s[0] != '/') {
        return 0;
    }

    if (len > 1 && (s[1] == '/' || s[1] == '\\')) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        unsigned char  c = (unsigned char) s[i];

        if (c < 0x20 || c == 0x7f || (raw && c >= 0x80) || c == '\\') {
            return 0;
        }
    }

    return 1;
}


int
oiosaml_query_get(const char *query, size_t len, const char *name,
    const char **value, size_t *vlen)
{
    size_t       nlen;
    const char  *p, *end, *amp, *eq;

    nlen = strlen(name);
    p = query;
    end = query + len;

    while (p < end) {
        amp = memchr(p, '&', (size_t) (end - p));
        if (amp == NULL) {
            amp = end;
        }

        eq = memchr(p, '=', (size_t) (amp - p));

        if (eq != NULL && (size_t) (eq - p) == nlen
            && memcmp(p, name, nlen) == 0)
        {
            *value = eq + 1;
            *vlen = (size_t) (amp - eq - 1);
            return 1;
        }

        p = amp + 1;
    }

    return 0;
}


size_t
oiosaml_url_decode(char *s, size_t len)
{
    int     hi, lo;
    size_t  i, j;

    for (i = 0, j = 0; i < len; i++) {
        if (s[i] == '+') {
            s[j++] = ' ';

        } else if (s[i] == '%' && i + 2 < len
                   && (hi = oiosaml_hexval(s[i + 1])) >= 0
                   && (lo = oiosaml_hexval(s[i + 2])) >= 0)
        {
            s[j++] = (char) (hi << 4 | lo);
            i += 2;

        } else {
            s[j++] = s[i];
        }
    }

    return j;
}


size_t
oiosaml_header_escape(char *dst, const char *src, size_t len)
{
    size_t       i, n;
    char        *p;
    static const char  hex[] = "0123456789ABCDEF";

    if (dst == NULL) {
        /* the length only */
        for (i = 0, n = len; i < len; i++) {
            unsigned char  c = (unsigned char) src[i];

            if (c < 0x20 || c >= 0x7f || c == '%') {
                n += 2;
            }
        }

        return n;
    }

    p = dst;

    for (i = 0; i < len; i++) {
        unsigned char  c = (unsigned char) src[i];

        if (c < 0x20 || c >= 0x7f || c == '%') {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0xf];

        } else {
            *p++ = (char) c;
        }
    }

    return (size_t) (p - dst);
}


static int
oiosaml_hexval(int c)
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
