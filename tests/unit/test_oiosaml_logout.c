
/*
 * oiosaml_logout.c: our LogoutRequest and LogoutResponse (signature
 * checked here with OpenSSL and by the test IdP), and the IdP's
 * HTTP-Redirect logout messages, signed by the test IdP or here.
 */


#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_SLS       T_BASE "sls"
#define T_SHA256    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define T_SHA512    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
#define T_SHA1      "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
#define T_PERSIST   "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


static char *signed_query(const char *param, const char *xml,
    const char *relay, const char *sigalg, const char *md, const char *key);
static char *logout_request(const char *issuer, const char *dest,
    int name_id);
static oiosaml_status_t parse(const oiosaml_sp_t *s, const char *query,
    time_t at, oiosaml_slo_t *slo);
static char *inflated(const char *url, const char *param);
static const char *metadata(const char *name, const char *slo);


static oiosaml_sp_t  *sp;
static testidp_t     *idp;
static time_t         now;


static int
setup(void **state)
{
    sp = t_sp(NULL);
    idp = t_testidp(NULL, NULL);
    now = t_now();

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp);
    testidp_free(idp);

    return 0;
}


/*
 * An HTTP-Redirect query as an IdP sends it: param=deflated xml, the
 * RelayState, and (without sigalg: none) SigAlg and the Signature by key
 * with digest md.
 */
static char *
signed_query(const char *param, const char *xml, const char *relay,
    const char *sigalg, const char *md, const char *key)
{
    BIO             *bio;
    char            *b64, *msg, *e, *q, *sig;
    size_t           dlen, slen;
    EVP_PKEY        *pkey;
    EVP_MD_CTX      *ctx;
    testidp_err_t    err;
    unsigned char   *deflated, raw[1024];

    memset(&err, 0, sizeof(err));
    assert_int_equal(testidp_deflate((const unsigned char *) xml,
                                     strlen(xml), &deflated, &dlen, &err),
                     0);
    b64 = testidp_b64_encode(deflated, dlen);
    free(deflated);
    msg = testidp_url_encode(b64, strlen(b64));
    free(b64);

    q = malloc(strlen(msg) + 4096);
    sprintf(q, "%s=%s", param, msg);
    free(msg);

    if (relay != NULL) {
        e = testidp_url_encode(relay, strlen(relay));
        strcat(q, "&RelayState=");
        strcat(q, e);
        free(e);
    }

    if (sigalg == NULL) {
        return q;
    }

    e = testidp_url_encode(sigalg, strlen(sigalg));
    strcat(q, "&SigAlg=");
    strcat(q, e);
    free(e);

    bio = BIO_new_file(t_cert(key), "r");
    assert_non_null(bio);
    pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(pkey);

    ctx = EVP_MD_CTX_new();
    slen = sizeof(raw);
    assert_int_equal(EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, pkey,
                                           NULL), 1);
    assert_int_equal(EVP_DigestSign(ctx, raw, &slen,
                                    (const unsigned char *) q, strlen(q)),
                     1);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);

    sig = testidp_b64_encode(raw, slen);
    e = testidp_url_encode(sig, strlen(sig));
    strcat(q, "&Signature=");
    strcat(q, e);
    free(e);
    free(sig);

    return q;
}


static char *
logout_request(const char *issuer, const char *dest, int name_id)
{
    char  tbuf[21], *xml;

    oiosaml_time_format(now, tbuf);
    xml = malloc(2048);

    snprintf(xml, 2048,
             "<samlp:LogoutRequest xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
             "xmlns:saml=\"" OIOSAML_NS_SAML "\" ID=\"_lr1\" Version=\"2.0\" "
             "IssueInstant=\"%s\"%s%s%s><saml:Issuer>%s</saml:Issuer>%s"
             "<samlp:SessionIndex>_s1</samlp:SessionIndex>"
             "</samlp:LogoutRequest>", tbuf,
             dest ? " Destination=\"" : "", dest ? dest : "",
             dest ? "\"" : "", issuer,
             name_id ? "<saml:NameID Format=\"" T_PERSIST "\">alice"
                       "</saml:NameID>" : "");

    return xml;
}


static oiosaml_status_t
parse(const oiosaml_sp_t *s, const char *query, time_t at,
    oiosaml_slo_t *slo)
{
    oiosaml_err_t     err;
    oiosaml_status_t  rc;

    oiosaml_err_clear(&err);
    rc = oiosaml_slo_parse_redirect(s, query, strlen(query), at, slo, &err);
    assert_int_equal(err.status, rc);

    return rc;
}


/* IdP metadata with idp.crt and this SingleLogoutService element */
static const char *
metadata(const char *name, const char *slo)
{
    char  buf[8192];

    snprintf(buf, sizeof(buf),
             "<md:EntityDescriptor xmlns:md=\"" OIOSAML_NS_MD "\" "
             "xmlns:ds=\"" OIOSAML_NS_DS "\" entityID=\"" T_IDP "\">"
             "<md:IDPSSODescriptor><md:KeyDescriptor><ds:KeyInfo>"
             "<ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate>"
             "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>%s"
             "<md:SingleSignOnService Binding=\"" OIOSAML_BINDING_REDIRECT
             "\" Location=\"" T_IDP "sso\"/></md:IDPSSODescriptor>"
             "</md:EntityDescriptor>", idp->signer->cert_b64, slo);

    return t_file(name, buf);
}


/* the XML of a message in one of our redirect URLs */
static char *
inflated(const char *url, const char *param)
{
    char            *v, *e;
    size_t           n;
    oiosaml_err_t    err;
    unsigned char   *xml;

    v = strstr(url, param);
    assert_non_null(v);
    v += strlen(param) + 1;
    e = strchr(v, '&');
    v = strndup(v, (size_t) (e - v));
    n = oiosaml_url_decode(v, strlen(v));
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate(v, n, &xml, &n, &err),
                     OIOSAML_OK);
    free(v);

    return (char *) xml;
}


static void
test_logout_build(void **state)
{
    char                *xml, *bad, tbuf[21];
    testidp_err_t        terr;
    oiosaml_err_t        err;
    oiosaml_login_t      out;
    testidp_request_t   *req;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_logout_build(sp, oiosaml_sp_idp_at(sp, 0),
                                          "alice", T_PERSIST, "_s1", now,
                                          &out, &err), OIOSAML_OK);

    assert_true(strncmp(out.url, T_IDP "slo?SAMLRequest=", 29) == 0);
    assert_int_equal(strlen(out.relay), OIOSAML_RELAY_LEN);
    assert_non_null(strstr(out.url, "&RelayState="));
    assert_non_null(strstr(out.url, out.relay));

    /* signed with our key, checked with OpenSSL; a changed byte fails */
    assert_true(t_url_verifies(out.url, t_cert("sp.crt")));
    assert_false(t_url_verifies(out.url, t_cert("sp-next.crt")));
    bad = strdup(out.url);
    bad[strlen(T_IDP "slo?SAMLRequest=") + 5] ^= 1;
    assert_false(t_url_verifies(bad, t_cert("sp.crt")));
    free(bad);

    /* and by the test IdP, which parses it too */
    memset(&terr, 0, sizeof(terr));
    assert_int_equal(testidp_redirect_receive(idp, strchr(out.url, '?') + 1,
                                              strlen(strchr(out.url, '?')
                                                     + 1),
                                              TESTIDP_LOGOUT_REQUEST, &req,
                                              &terr), 0);
    assert_string_equal(req->id, out.id);
    assert_string_equal(req->issuer, T_SP);
    assert_string_equal(req->destination, T_IDP "slo");
    assert_string_equal(req->nameid, "alice");
    assert_string_equal(req->session_index, "_s1");
    assert_string_equal(req->relay_state, out.relay);
    testidp_request_free(req);

    xml = inflated(out.url, "SAMLRequest");
    oiosaml_time_format(now, tbuf);
    assert_non_null(strstr(xml, tbuf));
    assert_non_null(strstr(xml, "Format=\"" T_PERSIST "\""));
    free(xml);
    free(out.url);

    /* no SessionIndex, no Format */
    assert_int_equal(oiosaml_logout_build(sp, oiosaml_sp_idp_at(sp, 0),
                                          "bob", NULL, NULL, now, &out,
                                          &err), OIOSAML_OK);
    xml = inflated(out.url, "SAMLRequest");
    assert_null(strstr(xml, "SessionIndex"));
    assert_null(strstr(xml, "Format="));
    assert_non_null(strstr(xml, ">bob<"));
    free(xml);
    free(out.url);
}


/* an IdP without SingleLogoutService */
static void
test_no_slo_endpoint(void **state)
{
    oiosaml_sp_t        *s;
    oiosaml_err_t        err;
    oiosaml_slo_t        slo;
    oiosaml_login_t      out;
    oiosaml_idp_conf_t   ic;
    const oiosaml_idp_t *i;

    memset(&ic, 0, sizeof(ic));
    ic.metadata_file = metadata("unit-noslo.xml", "");
    s = t_sp(&ic);
    i = oiosaml_sp_idp_at(s, 0);
    assert_null(oiosaml_idp_slo_url(i));

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_logout_build(s, i, "alice", NULL, NULL, now,
                                          &out, &err), OIOSAML_ERR_CONFIG);
    assert_null(out.url);

    memset(&slo, 0, sizeof(slo));
    slo.idp = i;
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_slo_response_build(s, &slo, now, &out, &err),
                     OIOSAML_ERR_CONFIG);
    assert_null(out.url);

    oiosaml_sp_free(s);
}


/* the IdP's LogoutRequest and LogoutResponse, signed by the test IdP */
static void
test_parse_test_idp_messages(void **state)
{
    char               *url;
    oiosaml_slo_t       slo;
    testidp_err_t       terr;
    testidp_request_t   req;

    memset(&terr, 0, sizeof(terr));
    assert_int_equal(testidp_logout_request(idp, "alice-id", "_s9", now,
                                            &url, &terr), 0);
    assert_true(strncmp(url, T_SLS "?SAMLRequest=", 31) == 0);

    assert_int_equal(parse(sp, strchr(url, '?') + 1, now, &slo),
                     OIOSAML_OK);
    assert_int_equal(slo.kind, OIOSAML_SLO_REQUEST);
    assert_ptr_equal(slo.idp, oiosaml_sp_idp_at(sp, 0));
    assert_string_equal(slo.name_id, "alice-id");
    assert_string_equal(slo.session_index, "_s9");
    assert_string_equal(slo.relay, "idp-initiated");
    assert_int_equal(strlen(slo.id), 41);
    free(url);

    memset(&req, 0, sizeof(req));
    req.id = (char *) "_ourrequest";
    req.relay_state = (char *) "r/1 2";
    assert_int_equal(testidp_logout_response(idp, &req, now, &url, &terr),
                     0);
    assert_int_equal(parse(sp, strchr(url, '?') + 1, now, &slo),
                     OIOSAML_OK);
    assert_int_equal(slo.kind, OIOSAML_SLO_RESPONSE);
    assert_string_equal(slo.in_response_to, "_ourrequest");
    assert_true(slo.success);
    assert_string_equal(slo.relay, "r/1 2");
    free(url);
}


/* unsigned, wrongly signed, changed after signing */
static void
test_parse_signature(void **state)
{
    char             *url, *q, *p;
    size_t            n;
    time_t            nb;
    testidp_t        *wrong;
    oiosaml_err_t     err;
    oiosaml_slo_t     slo;
    testidp_err_t     terr;
    oiosaml_cert_t    cert;

    memset(&terr, 0, sizeof(terr));
    assert_int_equal(testidp_logout_request(idp, "alice", NULL, now, &url,
                                            &terr), 0);
    q = strchr(url, '?') + 1;
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_OK);

    /* the certificate is trusted from notBefore - skew */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load(t_cert("idp.crt"), &cert, &err),
                     OIOSAML_OK);
    nb = cert.not_before;
    oiosaml_cert_clear(&cert);
    assert_int_equal(testidp_logout_request(idp, "alice", NULL,
                                            nb - OIOSAML_DEFAULT_SKEW, &p,
                                            &terr), 0);
    assert_int_equal(parse(sp, strchr(p, '?') + 1, nb - OIOSAML_DEFAULT_SKEW,
                           &slo), OIOSAML_OK);
    assert_int_equal(parse(sp, strchr(p, '?') + 1,
                           nb - OIOSAML_DEFAULT_SKEW - 1, &slo),
                     OIOSAML_DENY_SIGNATURE);
    free(p);

    /* a changed RelayState */
    p = strstr(q, "RelayState=idp-initiated");
    assert_non_null(p);
    p[11] = 'I';
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_SIGNATURE);
    p[11] = 'i';

    /* a changed signature: a letter early on, never inside a %XX escape */
    p = strstr(q, "&Signature=") + sizeof("&Signature=") - 1;
    for (n = 0; n < 8 || !isalpha((unsigned char) *p); n++) {
        p += (*p == '%') ? 3 : 1;
    }
    *p = (*p == 'A') ? 'B' : 'A';
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_SIGNATURE);

    /* no Signature, then no SigAlg either */
    p = strstr(q, "&Signature=");
    *p = '\0';
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_UNSIGNED);
    p = strstr(q, "&SigAlg=");
    *p = '\0';
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_UNSIGNED);
    free(url);

    /* signed by a key the metadata does not list */
    wrong = t_testidp("idp-wrong", NULL);
    assert_int_equal(testidp_logout_request(wrong, "alice", NULL, now, &url,
                                            &terr), 0);
    assert_int_equal(parse(sp, strchr(url, '?') + 1, now, &slo),
                     OIOSAML_DENY_SIGNATURE);
    free(url);
    testidp_free(wrong);
}


/* SigAlg: SHA-256 and SHA-512; SHA-1 only with allow_sha1 */
static void
test_parse_sig_algorithms(void **state)
{
    char                *xml, *q;
    oiosaml_sp_t        *s1;
    oiosaml_slo_t        slo;
    oiosaml_idp_conf_t   ic;

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.allow_sha1 = 1;
    s1 = t_sp(&ic);

    xml = logout_request(T_IDP, T_SLS, 1);

    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_OK);
    assert_string_equal(slo.id, "_lr1");
    assert_string_equal(slo.name_id, "alice");
    assert_string_equal(slo.session_index, "_s1");
    free(q);

    q = signed_query("SAMLRequest", xml, NULL, T_SHA512, "SHA512",
                     "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_OK);
    assert_string_equal(slo.relay, "");
    free(q);

    q = signed_query("SAMLRequest", xml, "r", T_SHA1, "SHA1", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_SIG_ALGORITHM);
    assert_int_equal(parse(s1, q, now, &slo), OIOSAML_OK);
    free(q);

    /* a SigAlg that does not match the signature */
    q = signed_query("SAMLRequest", xml, "r", T_SHA512, "SHA256",
                     "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_SIGNATURE);
    free(q);

    q = signed_query("SAMLRequest", xml, "r",
                     "http://www.w3.org/2000/09/xmldsig#dsa-sha1", "SHA256",
                     "idp.key");
    assert_int_equal(parse(s1, q, now, &slo), OIOSAML_DENY_SIG_ALGORITHM);
    free(q);

    /* signed by the IdP's next key: listed in other metadata only */
    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256",
                     "idp-next.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_SIGNATURE);
    oiosaml_sp_free(s1);
    ic.allow_sha1 = 0;
    ic.metadata_file = t_idp_metadata("unit-idp2.xml", T_IDP, "idp.crt",
                                      "idp-next.crt", NULL);
    s1 = t_sp(&ic);
    assert_int_equal(parse(s1, q, now, &slo), OIOSAML_OK);
    free(q);

    oiosaml_sp_free(s1);
    free(xml);
}


/* what the message says: Issuer, Destination, kind, NameID */
static void
test_parse_message(void **state)
{
    char           *xml, *q, big[70000], tbuf[21];
    oiosaml_slo_t   slo;

    xml = logout_request("https://evil.test/", T_SLS, 1);
    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_UNKNOWN_IDP);
    free(q);
    free(xml);

    xml = logout_request(T_IDP, "https://other.test/sls", 1);
    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_DENY_DESTINATION);
    free(q);
    free(xml);

    /* Destination is optional on redirect */
    xml = logout_request(T_IDP, NULL, 1);
    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_OK);
    free(q);
    free(xml);

    xml = logout_request(T_IDP, T_SLS, 0);
    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_BAD_MESSAGE);
    free(q);

    /* a LogoutRequest sent as SAMLResponse */
    q = signed_query("SAMLResponse", xml, "r", T_SHA256, "SHA256",
                     "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_BAD_MESSAGE);
    free(q);
    free(xml);

    /* an unsuccessful LogoutResponse */
    oiosaml_time_format(now, tbuf);
    xml = malloc(1024);
    snprintf(xml, 1024,
             "<samlp:LogoutResponse xmlns:samlp=\"" OIOSAML_NS_SAMLP
             "\" xmlns:saml=\"" OIOSAML_NS_SAML "\" ID=\"_r\" "
             "InResponseTo=\"_q\" Version=\"2.0\" IssueInstant=\"%s\">"
             "<saml:Issuer>" T_IDP "</saml:Issuer><samlp:Status>"
             "<samlp:StatusCode Value=\""
             "urn:oasis:names:tc:SAML:2.0:status:Responder\"/>"
             "</samlp:Status></samlp:LogoutResponse>", tbuf);
    q = signed_query("SAMLResponse", xml, NULL, T_SHA256, "SHA256",
                     "idp.key");
    assert_int_equal(parse(sp, q, now + 300 + OIOSAML_DEFAULT_SKEW + 1,
                           &slo), OIOSAML_DENY_EXPIRED);
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_OK);
    assert_int_equal(slo.kind, OIOSAML_SLO_RESPONSE);
    assert_false(slo.success);
    assert_string_equal(slo.in_response_to, "_q");
    free(q);
    free(xml);

    assert_int_equal(parse(sp, "RelayState=x", now, &slo),
                     OIOSAML_BAD_MESSAGE);

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(parse(sp, big, now, &slo), OIOSAML_BAD_TOO_LARGE);
}


/* IssueInstant within the skew and at most 300 s old; NotOnOrAfter */
static void
test_parse_times(void **state)
{
    char           *xml, *q, *p, tbuf[21];
    oiosaml_slo_t   slo;

    xml = logout_request(T_IDP, T_SLS, 1);
    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_OK);
    assert_int_equal(slo.expires, now + 300 + OIOSAML_DEFAULT_SKEW);
    assert_int_equal(parse(sp, q, now - OIOSAML_DEFAULT_SKEW, &slo),
                     OIOSAML_OK);
    assert_int_equal(parse(sp, q, now - OIOSAML_DEFAULT_SKEW - 1, &slo),
                     OIOSAML_DENY_NOT_YET_VALID);
    assert_int_equal(parse(sp, q, now + 300 + OIOSAML_DEFAULT_SKEW, &slo),
                     OIOSAML_OK);
    assert_int_equal(parse(sp, q, now + 300 + OIOSAML_DEFAULT_SKEW + 1,
                           &slo), OIOSAML_DENY_EXPIRED);
    free(q);

    /* a NotOnOrAfter, passed (with the skew) or not */
    p = strstr(xml, " Version=");
    oiosaml_time_format(now + 60, tbuf);
    memmove(p + 37, p, strlen(p) + 1);
    memcpy(p, " NotOnOrAfter=\"", 15);
    memcpy(p + 15, tbuf, 20);
    memcpy(p + 35, "\" ", 2);
    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now + 60 + OIOSAML_DEFAULT_SKEW - 1,
                           &slo), OIOSAML_OK);
    assert_int_equal(parse(sp, q, now + 60 + OIOSAML_DEFAULT_SKEW, &slo),
                     OIOSAML_DENY_EXPIRED);
    free(q);

    /* no IssueInstant */
    p = strstr(xml, "IssueInstant=");
    memcpy(p, "IssuedAtTime", 12);
    q = signed_query("SAMLRequest", xml, "r", T_SHA256, "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_BAD_MESSAGE);
    free(q);
    free(xml);
}


/* our answer to an IdP-initiated logout */
static void
test_slo_response_build(void **state)
{
    char                *xml, *q;
    oiosaml_sp_t        *s;
    oiosaml_err_t        err;
    oiosaml_slo_t        slo;
    oiosaml_login_t      out;
    oiosaml_idp_conf_t   ic;

    xml = logout_request(T_IDP, T_SLS, 1);
    q = signed_query("SAMLRequest", xml, "a b&c/\xc3\xa6", T_SHA256,
                     "SHA256", "idp.key");
    assert_int_equal(parse(sp, q, now, &slo), OIOSAML_OK);
    assert_string_equal(slo.relay, "a b&c/\xc3\xa6");
    free(q);
    free(xml);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_slo_response_build(sp, &slo, now, &out, &err),
                     OIOSAML_OK);
    assert_true(strncmp(out.url, T_IDP "slo?SAMLResponse=", 30) == 0);
    assert_non_null(strstr(out.url, "&RelayState=a%20b%26c%2F%C3%A6&"));
    assert_true(t_url_verifies(out.url, t_cert("sp.crt")));
    assert_false(t_url_verifies(out.url, t_cert("idp.crt")));

    xml = inflated(out.url, "SAMLResponse");
    assert_non_null(strstr(xml, "InResponseTo=\"_lr1\""));
    assert_non_null(strstr(xml, "Destination=\"" T_IDP "slo\""));
    assert_non_null(strstr(xml, "ID=\""));
    assert_non_null(strstr(xml, out.id));
    assert_non_null(strstr(xml, ">" T_SP "<"));
    assert_non_null(strstr(xml, "status:Success"));
    free(xml);
    free(out.url);

    /* an IdP that wants responses at its ResponseLocation */
    memset(&ic, 0, sizeof(ic));
    ic.metadata_file = metadata("unit-resploc.xml",
                                "<md:SingleLogoutService Binding=\""
                                OIOSAML_BINDING_REDIRECT "\" Location=\""
                                T_IDP "slo\" ResponseLocation=\"" T_IDP
                                "slo-response?x=1\"/>");
    s = t_sp(&ic);
    slo.idp = oiosaml_sp_idp_at(s, 0);
    slo.relay[0] = '\0';
    assert_int_equal(oiosaml_slo_response_build(s, &slo, now, &out, &err),
                     OIOSAML_OK);
    assert_true(strncmp(out.url, T_IDP "slo-response?x=1&SAMLResponse=",
                        43) == 0);
    assert_null(strstr(out.url, "RelayState"));
    assert_true(t_url_verifies(out.url, t_cert("sp.crt")));
    free(out.url);
    oiosaml_sp_free(s);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_logout_build),
        cmocka_unit_test(test_no_slo_endpoint),
        cmocka_unit_test(test_parse_test_idp_messages),
        cmocka_unit_test(test_parse_signature),
        cmocka_unit_test(test_parse_sig_algorithms),
        cmocka_unit_test(test_parse_message),
        cmocka_unit_test(test_parse_times),
        cmocka_unit_test(test_slo_response_build),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
