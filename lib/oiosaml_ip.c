
/*
 * Client address ranges (ip= on an IdP): "10.0.0.0/8,2001:db8::/32,
 * 192.0.2.7", parsed with inet_pton and matched bit by bit.
 */


#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_RANGES  64


static oiosaml_status_t oiosaml_range_parse(const char *s, size_t len,
    oiosaml_range_t *r);


oiosaml_status_t
oiosaml_ranges_parse(const char *list, oiosaml_range_t **out, size_t *n,
    oiosaml_err_t *err)
{
    size_t            count, len;
    const char       *p, *comma;
    oiosaml_range_t  *r;

    *out = NULL;
    *n = 0;

    r = calloc(OIOSAML_MAX_RANGES, sizeof(oiosaml_range_t));
    if (r == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    count = 0;

    for (p = list; *p != '\0'; p = comma + 1) {
        comma = strchr(p, ',');
        len = comma ? (size_t) (comma - p) : strlen(p);

        if (count == OIOSAML_MAX_RANGES) {
            free(r);
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "more than %d address ranges",
                                   OIOSAML_MAX_RANGES);
        }

        if (oiosaml_range_parse(p, len, &r[count]) != OIOSAML_OK) {
            free(r);
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "invalid address range \"%.*s\"",
                                   (int) (len > 64 ? 64 : len), p);
        }

        count++;

        if (comma == NULL) {
            break;
        }
    }

    if (count == 0) {
        free(r);
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "empty address range list");
    }

    *out = r;
    *n = count;

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_range_parse(const char *s, size_t len, oiosaml_range_t *r)
{
    char        buf[64], *slash, *end;
    long        bits;
    unsigned    max;

    if (len == 0 || len >= sizeof(buf)) {
        return OIOSAML_ERR_CONFIG;
    }

    memcpy(buf, s, len);
    buf[len] = '\0';

    slash = strchr(buf, '/');
    if (slash != NULL) {
        *slash++ = '\0';
    }

    if (inet_pton(AF_INET, buf, r->addr) == 1) {
        r->family = AF_INET;
        max = 32;

    } else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
        r->family = AF_INET6;
        max = 128;

    } else {
        return OIOSAML_ERR_CONFIG;
    }

    r->bits = max;

    if (slash != NULL) {
        bits = strtol(slash, &end, 10);

        if (*slash == '\0' || *end != '\0' || bits < 0 || bits > (long) max)
        {
            return OIOSAML_ERR_CONFIG;
        }

        r->bits = (unsigned) bits;
    }

    return OIOSAML_OK;
}


int
oiosaml_range_match(const oiosaml_range_t *r, int family,
    const unsigned char *addr)
{
    unsigned  full, rest;

    if (r->family != family) {
        return 0;
    }

    full = r->bits / 8;
    rest = r->bits % 8;

    if (memcmp(r->addr, addr, full) != 0) {
        return 0;
    }

    if (rest == 0) {
        return 1;
    }

    return ((r->addr[full] ^ addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}
