
/*
 * Small helpers: strings, files, randomness, secret comparison.
 */


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "oiosaml_internal.h"


char *
oiosaml_strndup(const char *s, size_t len)
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
oiosaml_strdup(const char *s)
{
    return oiosaml_strndup(s, strlen(s));
}


void
oiosaml_free(void *p)
{
    free(p);
}


void
oiosaml_wipe_free(void *p, size_t len)
{
    if (p != NULL) {
        OPENSSL_cleanse(p, len);
        free(p);
    }
}


oiosaml_status_t
oiosaml_read_file(const char *file, size_t max, unsigned char **data,
    size_t *len, oiosaml_err_t *err)
{
    int             fd;
    ssize_t         n;
    size_t          size;
    struct stat     st;
    unsigned char  *buf;

    fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        return oiosaml_err_set(err, OIOSAML_ERR_IO, "open(\"%s\") failed: %s",
                               file, strerror(errno));
    }

    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        close(fd);
        return oiosaml_err_set(err, OIOSAML_ERR_IO,
                               "\"%s\" is not a regular file", file);
    }

    if ((size_t) st.st_size > max) {
        close(fd);
        return oiosaml_err_set(err, OIOSAML_ERR_IO,
                               "\"%s\" is larger than %zu bytes", file, max);
    }

    size = (size_t) st.st_size;

    buf = malloc(size + 1);
    if (buf == NULL) {
        close(fd);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    n = read(fd, buf, size);
    close(fd);

    if (n < 0 || (size_t) n != size) {
        free(buf);
        return oiosaml_err_set(err, OIOSAML_ERR_IO, "read(\"%s\") failed",
                               file);
    }

    buf[size] = '\0';
    *data = buf;
    *len = size;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_random(unsigned char *buf, size_t len)
{
    if (RAND_bytes(buf, (int) len) != 1) {
        return OIOSAML_ERR_INTERNAL;
    }

    return OIOSAML_OK;
}


int
oiosaml_memeq(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}


void
oiosaml_buf_add(oiosaml_buf_t *b, const char *s, size_t len)
{
    char    *p;
    size_t   cap;

    if (b->failed) {
        return;
    }

    if (b->len + len + 1 > b->cap) {
        cap = b->cap ? b->cap * 2 : 4096;

        while (cap < b->len + len + 1) {
            cap *= 2;
        }

        p = realloc(b->data, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }

        b->data = p;
        b->cap = cap;
    }

    memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}


void
oiosaml_buf_str(oiosaml_buf_t *b, const char *s)
{
    oiosaml_buf_add(b, s, strlen(s));
}


void
oiosaml_buf_html(oiosaml_buf_t *b, const char *s, size_t len)
{
    size_t       i, start;
    const char  *rep;

    for (i = 0, start = 0; i < len; i++) {
        switch (s[i]) {
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
            continue;
        }

        oiosaml_buf_add(b, s + start, i - start);
        oiosaml_buf_str(b, rep);
        start = i + 1;
    }

    oiosaml_buf_add(b, s + start, len - start);
}


void
oiosaml_buf_url(oiosaml_buf_t *b, const char *s, size_t len)
{
    char               esc[3];
    size_t             i;
    static const char  hex[] = "0123456789ABCDEF";

    for (i = 0; i < len; i++) {
        unsigned char  c = (unsigned char) s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
            || c == '~' || c == '/')
        {
            oiosaml_buf_add(b, (const char *) &s[i], 1);
            continue;
        }

        esc[0] = '%';
        esc[1] = hex[c >> 4];
        esc[2] = hex[c & 0xf];
        oiosaml_buf_add(b, esc, 3);
    }
}
