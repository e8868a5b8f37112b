
/*
 * Base64 and base64url on top of OpenSSL's EVP encoder.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "oiosaml_internal.h"


static int oiosaml_b64_char(char c);
static int oiosaml_b64url_value(char c);

oiosaml_status_t
oiosaml_b64_decode(const char *in, size_t len, unsigned char **out,
    size_t *out_len)
{
    int               n, total;
    size_t            i;
    unsigned char    *buf;
    EVP_ENCODE_CTX   *ctx;

    if (len > (size_t) 0x7fffffff) {
        return OIOSAML_BAD_TOO_LARGE;
    }

    /*
     * EVP_DecodeUpdate() takes "-" for the end of the data and ignores
     * whatever follows it: so that a value has one meaning, nothing but
     * the alphabet, "=" and white space is accepted anywhere.
     */
    for (i = 0; i < len; i++) {
        if (!oiosaml_b64_char(in[i])) {
            return OIOSAML_BAD_ENCODING;
        }
    }

    buf = malloc(len / 4 * 3 + 4);
    if (buf == NULL) {
        return OIOSAML_ERR_NOMEM;
    }

    ctx = EVP_ENCODE_CTX_new();
    if (ctx == NULL) {
        free(buf);
        return OIOSAML_ERR_NOMEM;
    }

    /* EVP_Decode skips whitespace and rejects other foreign characters */
    EVP_DecodeInit(ctx);

    if (EVP_DecodeUpdate(ctx, buf, &n, (const unsigned char *) in,
                         (int) len) < 0)
    {
        goto failed;
    }

    total = n;

    if (EVP_DecodeFinal(ctx, buf + total, &n) != 1) {
        goto failed;
    }

    total += n;
    EVP_ENCODE_CTX_free(ctx);

    if (total == 0) {
        free(buf);
        return OIOSAML_BAD_ENCODING;
    }

    buf[total] = '\0';
    *out = buf;
    *out_len = (size_t) total;

    return OIOSAML_OK;

failed:

    EVP_ENCODE_CTX_free(ctx);
    free(buf);

    return OIOSAML_BAD_ENCODING;
}


char *
oiosaml_b64_encode(const unsigned char *in, size_t len, size_t *olen)
{
    int    n;
    char  *out;

    out = malloc((len + 2) / 3 * 4 + 1);
    if (out == NULL) {
        return NULL;
    }

    n = EVP_EncodeBlock((unsigned char *) out, in, (int) len);

    if (olen != NULL) {
        *olen = (size_t) n;
    }

    return out;
}


char *
oiosaml_b64url_encode(const unsigned char *in, size_t len, size_t *olen)
{
    char    *out;
    size_t   i, n;

    out = oiosaml_b64_encode(in, len, &n);
    if (out == NULL) {
        return NULL;
    }

    while (n > 0 && out[n - 1] == '=') {
        n--;
    }

    out[n] = '\0';

    for (i = 0; i < n; i++) {
        if (out[i] == '+') {
            out[i] = '-';

        } else if (out[i] == '/') {
            out[i] = '_';
        }
    }

    if (olen != NULL) {
        *olen = n;
    }

    return out;
}


static int
oiosaml_b64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='
           || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}


static int
oiosaml_b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    return (c == '-') ? 62 : 63;
}


oiosaml_status_t
oiosaml_b64url_decode(const char *in, size_t len, unsigned char **out,
    size_t *out_len)
{
    int             n;
    char           *std;
    size_t          i, padded;
    unsigned char  *buf;

    if (len == 0 || len > 65536 || len % 4 == 1) {
        return OIOSAML_BAD_ENCODING;
    }

    padded = (len + 3) / 4 * 4;

    std = malloc(padded + 1);
    if (std == NULL) {
        return OIOSAML_ERR_NOMEM;
    }

    for (i = 0; i < len; i++) {
        char  c = in[i];

        if (c == '-') {
            c = '+';

        } else if (c == '_') {
            c = '/';

        } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                     || (c >= '0' && c <= '9')))
        {
            free(std);
            return OIOSAML_BAD_ENCODING;
        }

        std[i] = c;
    }

    for ( /* void */ ; i < padded; i++) {
        std[i] = '=';
    }

    buf = malloc(padded / 4 * 3 + 1);
    if (buf == NULL) {
        free(std);
        return OIOSAML_ERR_NOMEM;
    }

    n = EVP_DecodeBlock(buf, (unsigned char *) std, (int) padded);
    free(std);

    if (n < 0) {
        free(buf);
        return OIOSAML_BAD_ENCODING;
    }

    /* EVP_DecodeBlock counts the padding as zero bytes */
    n -= (int) (padded - len);

    /* one encoding per value: unused low bits of the last character are 0 */
    if ((len % 4 == 2 && (oiosaml_b64url_value(in[len - 1]) & 0x0f))
        || (len % 4 == 3 && (oiosaml_b64url_value(in[len - 1]) & 0x03)))
    {
        free(buf);
        return OIOSAML_BAD_ENCODING;
    }

    *out = buf;
    *out_len = (size_t) n;

    return OIOSAML_OK;
}


void
oiosaml_hex(char *dst, const unsigned char *src, size_t len)
{
    static const char  digits[] = "0123456789abcdef";

    while (len--) {
        *dst++ = digits[*src >> 4];
        *dst++ = digits[*src++ & 0xf];
    }

    *dst = '\0';
}
