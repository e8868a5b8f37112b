
/*
 * The HTTP-Redirect binding at our SLO endpoint: the input is the raw
 * query string of oiosaml_slo_parse_redirect() (parameters, percent- and
 * base64-decoding, inflating, XML, the Issuer, the query signature, the
 * logout message), and also the base64 value of oiosaml_redirect_inflate().
 * An accepted LogoutRequest is answered with oiosaml_slo_response_build().
 *
 * When the first byte is '<', the input is a logout message's XML instead:
 * the target deflates, encodes and signs it with the test IdP's key into
 * a query string, so that what lies behind the query signature (reading
 * the logout message) sees fuzzed values.  "@NOW@" in the XML becomes the
 * fuzz clock's time, so that a seed passes the IssueInstant check on any
 * machine.
 */


#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <openssl/evp.h>

#include "oiosaml_internal.h"
#include "fuzz_support.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_slo(const char *query, size_t len);
static void fz_inflate(const char *b64, size_t len);
static void fz_terminated(const char *s, size_t size);
static void fz_signed(const uint8_t *xml, size_t len);
static char *fz_with_now(const uint8_t *xml, size_t len, size_t *out_len);
static char *fz_b64(const unsigned char *data, size_t len);


static oiosaml_sp_t  *fz_sp_a;
static EVP_PKEY      *fz_idp_key;      /* the test IdP's, for '<' */

#define FZ_SIGALG \
    "http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    oiosaml_err_t  err;

    (void) argc;
    (void) argv;

    fz_sp_a = fz_sp(NULL, 0);

    oiosaml_err_clear(&err);

    if (oiosaml_pkey_load(fz_cert("idp.key"), &fz_idp_key, &err)
        != OIOSAML_OK)
    {
        fz_die("the test IdP's key: %s", err.text);
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] == '<') {
        fz_signed(data, size);
        return 0;
    }

    fz_slo((const char *) data, size);
    fz_inflate((const char *) data, size);

    return 0;
}


static void
fz_terminated(const char *s, size_t size)
{
    fz_assert(memchr(s, '\0', size) != NULL);
}


static void
fz_slo(const char *query, size_t len)
{
    oiosaml_err_t     err;
    oiosaml_slo_t     slo;
    oiosaml_login_t   out;
    oiosaml_status_t  rc;

    oiosaml_err_clear(&err);

    rc = oiosaml_slo_parse_redirect(fz_sp_a, query, len, fz_now(), &slo,
                                    &err);
    fz_report("slo", rc, &err);

    if (rc != OIOSAML_OK) {
        fz_assert(err.status == rc);
        return;
    }

    fz_assert(slo.idp != NULL);
    fz_assert(slo.kind == OIOSAML_SLO_REQUEST
              || slo.kind == OIOSAML_SLO_RESPONSE);
    fz_terminated(slo.id, sizeof(slo.id));
    fz_terminated(slo.in_response_to, sizeof(slo.in_response_to));
    fz_terminated(slo.name_id, sizeof(slo.name_id));
    fz_terminated(slo.session_index, sizeof(slo.session_index));
    fz_terminated(slo.relay, sizeof(slo.relay));

    if (slo.kind != OIOSAML_SLO_REQUEST) {
        return;
    }

    /* the answer carries the IdP's ID and RelayState back */
    oiosaml_err_clear(&err);

    rc = oiosaml_slo_response_build(fz_sp_a, &slo, fz_now(), &out, &err);

    if (rc == OIOSAML_OK) {
        fz_assert(out.url != NULL);
        oiosaml_free(out.url);
    }
}


static void
fz_inflate(const char *b64, size_t len)
{
    size_t            xml_len;
    oiosaml_err_t     err;
    unsigned char    *xml;
    oiosaml_status_t  rc;

    oiosaml_err_clear(&err);

    rc = oiosaml_redirect_inflate(b64, len, &xml, &xml_len, &err);
    fz_report("inflate", rc, &err);

    if (rc != OIOSAML_OK) {
        fz_assert(err.status == rc);
        return;
    }

    fz_assert(xml_len <= OIOSAML_MAX_INFLATED);
    fz_assert(xml[xml_len] == '\0');
    free(xml);
}


static char *
fz_b64(const unsigned char *data, size_t len)
{
    char  *b64;

    b64 = malloc((len + 2) / 3 * 4 + 1);

    if (b64 != NULL) {
        EVP_EncodeBlock((unsigned char *) b64, data, (int) len);
    }

    return b64;
}


/* the XML with each "@NOW@" replaced by the fuzz clock's time */
static char *
fz_with_now(const uint8_t *xml, size_t len, size_t *out_len)
{
    char        now[21], *out, *p;
    size_t      i;

    oiosaml_time_format(fz_now(), now);

    /* "@NOW@" is 5 bytes, the time 20: at most 4 times as long */
    out = malloc(len * 4 + 1);
    if (out == NULL) {
        return NULL;
    }

    p = out;

    for (i = 0; i < len; /* void */) {
        if (len - i >= 5 && memcmp(xml + i, "@NOW@", 5) == 0) {
            memcpy(p, now, 20);
            p += 20;
            i += 5;

        } else {
            *p++ = (char) xml[i++];
        }
    }

    *out_len = (size_t) (p - out);

    return out;
}


/* the XML as the IdP would send it: deflated, encoded, signed */
static void
fz_signed(const uint8_t *in, size_t in_len)
{
    char            *b64, *sig64, *xml;
    size_t           siglen, len;
    z_stream         zs;
    EVP_MD_CTX      *ctx;
    oiosaml_buf_t    q;
    unsigned char   *deflated, sig[1024];

    xml = fz_with_now(in, in_len, &len);
    if (xml == NULL) {
        return;
    }

    deflated = malloc(deflateBound(NULL, (uLong) len));
    if (deflated == NULL) {
        free(xml);
        return;
    }

    memset(&zs, 0, sizeof(zs));

    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
    {
        free(deflated);
        free(xml);
        return;
    }

    zs.next_in = (unsigned char *) xml;
    zs.avail_in = (uInt) len;
    zs.next_out = deflated;
    zs.avail_out = (uInt) deflateBound(NULL, (uLong) len);

    fz_assert(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    deflateEnd(&zs);

    b64 = fz_b64(deflated, zs.total_out);
    free(deflated);
    fz_assert(b64 != NULL);

    memset(&q, 0, sizeof(q));
    oiosaml_buf_str(&q, memmem(xml, len, "LogoutRequest", 13)
                        ? "SAMLRequest=" : "SAMLResponse=");
    free(xml);
    oiosaml_buf_url(&q, b64, strlen(b64));
    oiosaml_buf_str(&q, "&RelayState=" FZ_RELAY "&SigAlg=" FZ_SIGALG);
    free(b64);
    fz_assert(!q.failed);

    ctx = EVP_MD_CTX_new();
    siglen = sizeof(sig);

    fz_assert(ctx != NULL
              && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
                                    fz_idp_key) == 1
              && EVP_DigestSign(ctx, sig, &siglen,
                                (unsigned char *) q.data, q.len) == 1);
    EVP_MD_CTX_free(ctx);

    sig64 = fz_b64(sig, siglen);
    fz_assert(sig64 != NULL);
    oiosaml_buf_str(&q, "&Signature=");
    oiosaml_buf_url(&q, sig64, strlen(sig64));
    free(sig64);
    fz_assert(!q.failed);

    fz_slo(q.data, q.len);
    free(q.data);
}
