
/*
 * The SAML HTTP-Redirect binding: query parameters, the rsa-sha256 query
 * signature (OpenSSL) and raw DEFLATE (zlib).
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "testidp.h"


static int testidp_query_count(const char *query, size_t len,
    const char *name);
static int testidp_query_verify(EVP_PKEY *pkey, const char *data,
    size_t len, const char *sig_raw, size_t sig_len, testidp_err_t *err);
static int testidp_query_sign(EVP_PKEY *pkey, const char *data, size_t len,
    char **sig, testidp_err_t *err);


const char *
testidp_query_param(const char *query, size_t len, const char *name,
    size_t *value_len)
{
    size_t       nlen;
    const char  *p, *end, *amp;

    nlen = strlen(name);
    end = query + len;

    for (p = query; p < end; p = amp + 1) {
        amp = memchr(p, '&', (size_t) (end - p));

        if (amp == NULL) {
            amp = end;
        }

        if ((size_t) (amp - p) > nlen && p[nlen] == '='
            && memcmp(p, name, nlen) == 0)
        {
            *value_len = (size_t) (amp - p) - nlen - 1;
            return p + nlen + 1;
        }

        if ((size_t) (amp - p) == nlen && memcmp(p, name, nlen) == 0) {
            *value_len = 0;
            return amp;
        }
    }

    return NULL;
}


char *
testidp_query_get(const char *query, size_t len, const char *name)
{
    size_t       vlen;
    const char  *v;

    v = testidp_query_param(query, len, name, &vlen);

    if (v == NULL) {
        return NULL;
    }

    return testidp_url_decode(v, vlen, NULL);
}


static int
testidp_query_count(const char *query, size_t len, const char *name)
{
    int          n;
    size_t       vlen;
    const char  *p, *v;

    n = 0;
    p = query;

    for ( ;; ) {
        v = testidp_query_param(p, len - (size_t) (p - query), name, &vlen);

        if (v == NULL) {
            return n;
        }

        n++;
        p = v + vlen;
    }
}


int
testidp_redirect_receive(const testidp_t *idp, const char *query,
    size_t len, const char *root, testidp_request_t **req,
    testidp_err_t *err)
{
    int                 rc;
    char               *sigalg, *b64, *relay;
    size_t              req_len, relay_len, alg_len, sig_len, b64_len;
    const char         *req_raw, *relay_raw, *alg_raw, *sig_raw;
    testidp_str_t       signed_part;
    testidp_request_t  *r;

    static const char  *params[] = { "SAMLRequest", "RelayState", "SigAlg",
                                     "Signature" };

    for (rc = 0; rc < 4; rc++) {
        if (testidp_query_count(query, len, params[rc]) > 1) {
            return testidp_err(err, "more than one %s parameter",
                               params[rc]);
        }
    }

    req_raw = testidp_query_param(query, len, "SAMLRequest", &req_len);

    if (req_raw == NULL || req_len == 0) {
        return testidp_err(err, "no SAMLRequest parameter");
    }

    relay_raw = testidp_query_param(query, len, "RelayState", &relay_len);
    alg_raw = testidp_query_param(query, len, "SigAlg", &alg_len);
    sig_raw = testidp_query_param(query, len, "Signature", &sig_len);

    if (alg_raw == NULL || sig_raw == NULL || sig_len == 0) {
        return testidp_err(err, "unsigned %s (no SigAlg or Signature)",
                           root);
    }

    sigalg = testidp_url_decode(alg_raw, alg_len, NULL);

    if (sigalg == NULL) {
        return testidp_err(err, "out of memory");
    }

    if (strcmp(sigalg, TESTIDP_SIGALG_RSA_SHA256) != 0) {
        testidp_err(err, "SigAlg \"%.100s\" is not accepted (only "
                    "rsa-sha256)", sigalg);
        free(sigalg);
        return -1;
    }

    free(sigalg);

    memset(&signed_part, 0, sizeof(testidp_str_t));
    testidp_str_cat(&signed_part, "SAMLRequest=");
    testidp_str_add(&signed_part, req_raw, req_len);

    if (relay_raw != NULL) {
        testidp_str_cat(&signed_part, "&RelayState=");
        testidp_str_add(&signed_part, relay_raw, relay_len);
    }

    testidp_str_cat(&signed_part, "&SigAlg=");
    testidp_str_add(&signed_part, alg_raw, alg_len);

    if (testidp_str_done(&signed_part, NULL) == NULL) {
        return testidp_err(err, "out of memory");
    }

    rc = testidp_query_verify(idp->sp->pkey, signed_part.data,
                              signed_part.len, sig_raw, sig_len, err);

    free(signed_part.data);

    if (rc != 0) {
        return -1;
    }

    b64 = testidp_url_decode(req_raw, req_len, &b64_len);

    if (b64 == NULL) {
        return testidp_err(err, "out of memory");
    }

    rc = testidp_request_decode(b64, b64_len, root, &r, err);

    free(b64);

    if (rc != 0) {
        return -1;
    }

    if (relay_raw != NULL) {
        relay = testidp_url_decode(relay_raw, relay_len, NULL);

        if (relay == NULL) {
            testidp_request_free(r);
            return testidp_err(err, "out of memory");
        }

        r->relay_state = relay;
    }

    *req = r;

    return 0;
}


static int
testidp_query_verify(EVP_PKEY *pkey, const char *data, size_t len,
    const char *sig_raw, size_t sig_len, testidp_err_t *err)
{
    int             rc;
    char           *b64;
    size_t          b64_len, slen;
    EVP_MD_CTX     *md;
    unsigned char  *sig;

    b64 = testidp_url_decode(sig_raw, sig_len, &b64_len);

    if (b64 == NULL) {
        return testidp_err(err, "out of memory");
    }

    sig = testidp_b64_decode(b64, b64_len, &slen);
    free(b64);

    if (sig == NULL || slen == 0) {
        free(sig);
        return testidp_err(err, "Signature is not base64");
    }

    md = EVP_MD_CTX_new();

    if (md == NULL) {
        free(sig);
        return testidp_err(err, "out of memory");
    }

    rc = -1;

    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1
        && EVP_DigestVerify(md, sig, slen, (const unsigned char *) data, len)
           == 1)
    {
        rc = 0;

    } else {
        testidp_err(err, "the query signature does not verify with the "
                    "SP certificate");
    }

    ERR_clear_error();
    EVP_MD_CTX_free(md);
    free(sig);

    return rc;
}


static int
testidp_query_sign(EVP_PKEY *pkey, const char *data, size_t len,
    char **sig, testidp_err_t *err)
{
    size_t          slen;
    EVP_MD_CTX     *md;
    unsigned char  *buf;

    md = EVP_MD_CTX_new();
    buf = NULL;

    if (md == NULL) {
        return testidp_err(err, "out of memory");
    }

    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1
        || EVP_DigestSign(md, NULL, &slen, (const unsigned char *) data,
                          len) != 1
        || (buf = malloc(slen)) == NULL
        || EVP_DigestSign(md, buf, &slen, (const unsigned char *) data,
                          len) != 1)
    {
        ERR_clear_error();
        EVP_MD_CTX_free(md);
        free(buf);
        return testidp_err(err, "cannot sign the query");
    }

    EVP_MD_CTX_free(md);

    *sig = testidp_b64_encode(buf, slen);
    free(buf);

    if (*sig == NULL) {
        return testidp_err(err, "out of memory");
    }

    return 0;
}


int
testidp_redirect_url(const testidp_t *idp, const char *dest,
    const char *param, const char *xml, size_t xml_len, const char *relay,
    char **url, testidp_err_t *err)
{
    int             rc;
    char           *b64, *msg, *enc, *sig, *sig_enc, *alg;
    size_t          dlen, start;
    testidp_str_t   s;
    unsigned char  *deflated;

    if (testidp_deflate((const unsigned char *) xml, xml_len, &deflated,
                        &dlen, err) != 0)
    {
        return -1;
    }

    b64 = testidp_b64_encode(deflated, dlen);
    free(deflated);

    if (b64 == NULL) {
        return testidp_err(err, "out of memory");
    }

    msg = testidp_url_encode(b64, strlen(b64));
    free(b64);

    alg = testidp_url_encode(TESTIDP_SIGALG_RSA_SHA256,
                             sizeof(TESTIDP_SIGALG_RSA_SHA256) - 1);

    enc = NULL;

    if (relay != NULL) {
        enc = testidp_url_encode(relay, strlen(relay));
    }

    memset(&s, 0, sizeof(testidp_str_t));

    testidp_str_cat(&s, dest);
    testidp_str_cat(&s, strchr(dest, '?') != NULL ? "&" : "?");
    start = s.len;

    testidp_str_printf(&s, "%s=%s", param, msg ? msg : "");

    if (relay != NULL) {
        testidp_str_printf(&s, "&RelayState=%s", enc ? enc : "");
    }

    testidp_str_printf(&s, "&SigAlg=%s", alg ? alg : "");

    rc = -1;

    if (msg == NULL || alg == NULL || (relay != NULL && enc == NULL)
        || testidp_str_done(&s, NULL) == NULL)
    {
        testidp_err(err, "out of memory");
        goto done;
    }

    if (testidp_query_sign(idp->signer->pkey, s.data + start, s.len - start,
                           &sig, err) != 0)
    {
        goto done;
    }

    sig_enc = testidp_url_encode(sig, strlen(sig));
    free(sig);

    if (sig_enc == NULL) {
        testidp_err(err, "out of memory");
        goto done;
    }

    testidp_str_printf(&s, "&Signature=%s", sig_enc);
    free(sig_enc);

    *url = testidp_str_done(&s, NULL);

    if (*url == NULL) {
        testidp_err(err, "out of memory");
        goto done;
    }

    s.data = NULL;
    rc = 0;

done:

    free(s.data);
    free(msg);
    free(alg);
    free(enc);

    return rc;
}


int
testidp_inflate(const unsigned char *in, size_t len, size_t max,
    unsigned char **out, size_t *out_len, testidp_err_t *err)
{
    int             rc;
    size_t          cap;
    z_stream        zs;
    unsigned char  *buf, *p;

    if (len > 0x7fffffff) {
        return testidp_err(err, "message too large");
    }

    memset(&zs, 0, sizeof(z_stream));

    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
        return testidp_err(err, "inflateInit2() failed");
    }

    cap = 4096;
    buf = malloc(cap + 1);

    if (buf == NULL) {
        inflateEnd(&zs);
        return testidp_err(err, "out of memory");
    }

    zs.next_in = (Bytef *) in;
    zs.avail_in = (uInt) len;
    zs.next_out = buf;
    zs.avail_out = (uInt) cap;

    for ( ;; ) {
        rc = inflate(&zs, Z_NO_FLUSH);

        if (rc == Z_STREAM_END) {
            break;
        }

        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            testidp_err(err, "bad DEFLATE data: %s",
                        zs.msg ? zs.msg : "inflate() failed");
            goto failed;
        }

        if (zs.avail_out != 0) {
            /* all input used up without the end of the stream */
            testidp_err(err, "truncated DEFLATE data");
            goto failed;
        }

        if (zs.total_out >= max) {
            testidp_err(err, "inflated message is larger than %zu bytes",
                        max);
            goto failed;
        }

        cap = cap * 2 > max ? max : cap * 2;
        p = realloc(buf, cap + 1);

        if (p == NULL) {
            testidp_err(err, "out of memory");
            goto failed;
        }

        buf = p;
        zs.next_out = buf + zs.total_out;
        zs.avail_out = (uInt) (cap - zs.total_out);
    }

    *out_len = zs.total_out;
    buf[zs.total_out] = '\0';
    *out = buf;

    inflateEnd(&zs);

    return 0;

failed:

    inflateEnd(&zs);
    free(buf);

    return -1;
}


int
testidp_deflate(const unsigned char *in, size_t len, unsigned char **out,
    size_t *out_len, testidp_err_t *err)
{
    uLong           bound;
    z_stream        zs;
    unsigned char  *buf;

    if (len > 0x7fffffff) {
        return testidp_err(err, "message too large");
    }

    memset(&zs, 0, sizeof(z_stream));

    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
    {
        return testidp_err(err, "deflateInit2() failed");
    }

    bound = deflateBound(&zs, (uLong) len);
    buf = malloc(bound);

    if (buf == NULL) {
        deflateEnd(&zs);
        return testidp_err(err, "out of memory");
    }

    zs.next_in = (Bytef *) in;
    zs.avail_in = (uInt) len;
    zs.next_out = buf;
    zs.avail_out = (uInt) bound;

    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&zs);
        free(buf);
        return testidp_err(err, "deflate() failed");
    }

    *out_len = zs.total_out;
    *out = buf;

    deflateEnd(&zs);

    return 0;
}
