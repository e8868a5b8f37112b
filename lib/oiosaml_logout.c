
/*
 * Single logout over HTTP-Redirect: our LogoutRequest and LogoutResponse
 * (built with lasso, signed RSA-SHA256), and the IdP's messages (query
 * signature checked with OpenSSL against the IdP's metadata keys).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <lasso/lasso.h>
#include <lasso/xml/saml-2.0/samlp2_logout_request.h>
#include <lasso/xml/saml-2.0/samlp2_logout_response.h>
#include <lasso/xml/saml-2.0/samlp2_status.h>
#include <lasso/xml/saml-2.0/samlp2_status_code.h>
#include <lasso/xml/saml-2.0/samlp2_status_response.h>
#include <lasso/xml/saml-2.0/saml2_name_id.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_QUERY  (64 * 1024)

/*
 * A logout message travels in one browser redirect: older than this (plus
 * the skew) it is refused, and its ID is remembered for as long
 */
#define OIOSAML_SLO_MAX_AGE  300


static oiosaml_status_t oiosaml_slo_check_signature(const oiosaml_sp_t *sp,
    const oiosaml_idp_t *idp, const char *param, const char *msg,
    size_t msg_len, const char *relay, size_t relay_len, const char *alg,
    size_t alg_len, const char *sig, size_t sig_len, time_t now,
    oiosaml_err_t *err);
static oiosaml_status_t oiosaml_slo_read(const oiosaml_sp_t *sp,
    xmlNodePtr root, time_t now, oiosaml_slo_t *slo, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_slo_times(const oiosaml_sp_t *sp,
    xmlNodePtr root, time_t now, oiosaml_slo_t *slo, oiosaml_err_t *err);
static void oiosaml_copy_text(char *dst, size_t size, xmlNodePtr node);


oiosaml_status_t
oiosaml_logout_build(const oiosaml_sp_t *sp, const oiosaml_idp_t *idp,
    const char *name_id, const char *name_id_format,
    const char *session_index, time_t now, oiosaml_login_t *out,
    oiosaml_err_t *err)
{
    char                         instant[21], *r;
    size_t                       n;
    unsigned char                rnd[16];
    oiosaml_status_t             rc;
    LassoSaml2NameID            *nid;
    LassoSamlp2LogoutRequest    *req;
    LassoSamlp2RequestAbstract  *ra;

    memset(out, 0, sizeof(*out));

    if (idp->slo_url == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "IdP \"%s\" has no SingleLogoutService",
                               idp->id);
    }

    if (oiosaml_random(rnd, sizeof(rnd)) != OIOSAML_OK) {
        return oiosaml_err_openssl(err, OIOSAML_ERR_INTERNAL, "RAND_bytes()");
    }

    r = oiosaml_b64url_encode(rnd, sizeof(rnd), &n);
    if (r == NULL || n != OIOSAML_RELAY_LEN) {
        free(r);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    memcpy(out->relay, r, n + 1);
    free(r);

    oiosaml_new_id(out->id);
    oiosaml_time_format(now, instant);

    req = LASSO_SAMLP2_LOGOUT_REQUEST(lasso_samlp2_logout_request_new());
    ra = LASSO_SAMLP2_REQUEST_ABSTRACT(req);
    ra->ID = g_strdup(out->id);
    ra->Version = g_strdup("2.0");
    ra->IssueInstant = g_strdup(instant);
    ra->Destination = g_strdup(idp->slo_url);
    ra->Issuer = LASSO_SAML2_NAME_ID(
                     lasso_saml2_name_id_new_with_string(sp->entity_id));

    nid = LASSO_SAML2_NAME_ID(lasso_saml2_name_id_new_with_string(
                                  (char *) name_id));
    if (name_id_format != NULL && name_id_format[0] != '\0') {
        nid->Format = g_strdup(name_id_format);
    }

    req->NameID = nid;

    if (session_index != NULL && session_index[0] != '\0') {
        req->SessionIndex = g_strdup(session_index);
    }

    rc = oiosaml_redirect_url(sp, req, "SAMLRequest", idp->slo_url,
                              out->relay, now, &out->url, err);

    g_object_unref(req);

    return rc;
}


oiosaml_status_t
oiosaml_slo_response_build(const oiosaml_sp_t *sp,
    const oiosaml_slo_t *request, time_t now, oiosaml_login_t *out,
    oiosaml_err_t *err)
{
    char                        instant[21];
    const char                 *dest;
    oiosaml_status_t            rc;
    LassoSamlp2StatusCode      *code;
    LassoSamlp2Status          *status;
    LassoSamlp2LogoutResponse  *resp;
    LassoSamlp2StatusResponse  *sr;

    memset(out, 0, sizeof(*out));

    dest = request->idp->slo_response_url;
    if (dest == NULL || dest[0] == '\0') {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "IdP \"%s\" has no SingleLogoutService",
                               request->idp->id);
    }

    oiosaml_new_id(out->id);
    oiosaml_time_format(now, instant);

    resp = LASSO_SAMLP2_LOGOUT_RESPONSE(lasso_samlp2_logout_response_new());
    sr = LASSO_SAMLP2_STATUS_RESPONSE(resp);
    sr->ID = g_strdup(out->id);
    sr->Version = g_strdup("2.0");
    sr->IssueInstant = g_strdup(instant);
    sr->Destination = g_strdup(dest);
    sr->InResponseTo = g_strdup(request->id);
    sr->Issuer = LASSO_SAML2_NAME_ID(
                     lasso_saml2_name_id_new_with_string(sp->entity_id));

    status = LASSO_SAMLP2_STATUS(lasso_samlp2_status_new());
    code = LASSO_SAMLP2_STATUS_CODE(lasso_samlp2_status_code_new());
    code->Value = g_strdup(OIOSAML_STATUS_SUCCESS);
    status->StatusCode = code;
    sr->Status = status;

    rc = oiosaml_redirect_url(sp, resp, "SAMLResponse", dest, request->relay,
                              now, &out->url, err);

    g_object_unref(resp);

    return rc;
}


oiosaml_status_t
oiosaml_slo_parse_redirect(const oiosaml_sp_t *sp, const char *query,
    size_t len, time_t now, oiosaml_slo_t *slo, oiosaml_err_t *err)
{
    char              *msg_dec, issuer[1024];
    size_t             msg_len, relay_len, alg_len, sig_len, xml_len;
    xmlDocPtr          doc;
    xmlNodePtr         root, is;
    const char        *param, *msg, *relay, *alg, *sig;
    unsigned char     *xml;
    oiosaml_status_t   rc;

    memset(slo, 0, sizeof(*slo));

    if (len > OIOSAML_MAX_QUERY) {
        return oiosaml_err_set(err, OIOSAML_BAD_TOO_LARGE, "query too long");
    }

    param = "SAMLRequest";
    slo->kind = OIOSAML_SLO_REQUEST;

    if (!oiosaml_query_get(query, len, param, &msg, &msg_len)) {
        param = "SAMLResponse";
        slo->kind = OIOSAML_SLO_RESPONSE;

        if (!oiosaml_query_get(query, len, param, &msg, &msg_len)) {
            return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                                   "no SAMLRequest or SAMLResponse");
        }
    }

    if (!oiosaml_query_get(query, len, "RelayState", &relay, &relay_len)) {
        relay = NULL;
        relay_len = 0;
    }

    if (!oiosaml_query_get(query, len, "SigAlg", &alg, &alg_len)
        || !oiosaml_query_get(query, len, "Signature", &sig, &sig_len))
    {
        return oiosaml_err_set(err, OIOSAML_DENY_UNSIGNED,
                               "the %s is not signed", param);
    }

    msg_dec = oiosaml_strndup(msg, msg_len);
    if (msg_dec == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    rc = oiosaml_redirect_inflate(msg_dec,
                                  oiosaml_url_decode(msg_dec, msg_len), &xml,
                                  &xml_len, err);
    free(msg_dec);

    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_xml_parse((const char *) xml, xml_len, &doc, err);
    free(xml);

    if (rc != OIOSAML_OK) {
        return rc;
    }

    root = xmlDocGetRootElement(doc);

    if (!oiosaml_xml_is(root, OIOSAML_NS_SAMLP,
                        slo->kind == OIOSAML_SLO_REQUEST
                        ? "LogoutRequest" : "LogoutResponse"))
    {
        xmlFreeDoc(doc);
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "the %s is not a logout message", param);
    }

    is = oiosaml_xml_child(root, OIOSAML_NS_SAML, "Issuer");
    oiosaml_copy_text(issuer, sizeof(issuer), is);

    slo->idp = oiosaml_sp_idp_by_entity_id(sp, issuer, strlen(issuer));

    if (slo->idp == NULL) {
        xmlFreeDoc(doc);
        return oiosaml_err_set(err, OIOSAML_DENY_UNKNOWN_IDP,
                               "logout Issuer \"%.200s\" is not a "
                               "configured IdP", issuer);
    }

    rc = oiosaml_slo_check_signature(sp, slo->idp, param, msg, msg_len,
                                     relay, relay_len, alg, alg_len, sig,
                                     sig_len, now, err);
    if (rc == OIOSAML_OK) {
        rc = oiosaml_slo_read(sp, root, now, slo, err);
    }

    if (rc == OIOSAML_OK && relay != NULL) {
        if (relay_len >= sizeof(slo->relay)) {
            rc = oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                                 "RelayState too long");

        } else {
            memcpy(slo->relay, relay, relay_len);
            slo->relay[oiosaml_url_decode(slo->relay, relay_len)] = '\0';
        }
    }

    xmlFreeDoc(doc);

    return rc;
}


static oiosaml_status_t
oiosaml_slo_read(const oiosaml_sp_t *sp, xmlNodePtr root, time_t now,
    oiosaml_slo_t *slo, oiosaml_err_t *err)
{
    xmlNodePtr        n;
    const char       *v;
    oiosaml_status_t  rc;

    v = oiosaml_xml_attr(root, "Destination");
    if (v != NULL && strcmp(v, sp->sls_url) != 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_DESTINATION,
                               "logout Destination \"%.200s\" is not our "
                               "SLO URL", v);
    }

    v = oiosaml_xml_attr(root, "ID");
    if (v == NULL || strlen(v) >= sizeof(slo->id)) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "logout message has no valid ID");
    }

    strcpy(slo->id, v);

    rc = oiosaml_slo_times(sp, root, now, slo, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    if (slo->kind == OIOSAML_SLO_RESPONSE) {
        v = oiosaml_xml_attr(root, "InResponseTo");

        if (v != NULL && strlen(v) < sizeof(slo->in_response_to)) {
            strcpy(slo->in_response_to, v);
        }

        n = oiosaml_xml_child(root, OIOSAML_NS_SAMLP, "Status");
        n = n ? oiosaml_xml_child(n, OIOSAML_NS_SAMLP, "StatusCode") : NULL;
        v = n ? oiosaml_xml_attr(n, "Value") : NULL;

        slo->success = (v != NULL
                        && strcmp(v, OIOSAML_STATUS_SUCCESS) == 0);

        return OIOSAML_OK;
    }

    n = oiosaml_xml_child(root, OIOSAML_NS_SAML, "NameID");
    if (n == NULL) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "LogoutRequest has no NameID");
    }

    oiosaml_copy_text(slo->name_id, sizeof(slo->name_id), n);

    n = oiosaml_xml_child(root, OIOSAML_NS_SAMLP, "SessionIndex");
    if (n != NULL) {
        oiosaml_copy_text(slo->session_index, sizeof(slo->session_index), n);
    }

    return OIOSAML_OK;
}


/*
 * IssueInstant (required) within the skew of now and at most
 * OIOSAML_SLO_MAX_AGE old; a LogoutRequest's NotOnOrAfter, if any, not
 * passed.  slo->expires: until when the message's ID is remembered.
 */
static oiosaml_status_t
oiosaml_slo_times(const oiosaml_sp_t *sp, xmlNodePtr root, time_t now,
    oiosaml_slo_t *slo, oiosaml_err_t *err)
{
    time_t       t;
    const char  *v;

    v = oiosaml_xml_attr(root, "IssueInstant");

    if (v == NULL || oiosaml_time_parse(v, strlen(v), &t) != OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "logout IssueInstant \"%.40s\" is not a "
                               "valid time", v ? v : "(none)");
    }

    if (t > now + sp->skew) {
        return oiosaml_err_set(err, OIOSAML_DENY_NOT_YET_VALID,
                               "the logout message was issued %lld seconds "
                               "in the future", (long long) (t - now));
    }

    if (t + OIOSAML_SLO_MAX_AGE + sp->skew < now) {
        return oiosaml_err_set(err, OIOSAML_DENY_EXPIRED,
                               "the logout message was issued %lld seconds "
                               "ago (at most %d)", (long long) (now - t),
                               OIOSAML_SLO_MAX_AGE);
    }

    slo->expires = t + OIOSAML_SLO_MAX_AGE + sp->skew;

    if (slo->kind != OIOSAML_SLO_REQUEST) {
        return OIOSAML_OK;
    }

    v = oiosaml_xml_attr(root, "NotOnOrAfter");
    if (v == NULL) {
        return OIOSAML_OK;
    }

    if (oiosaml_time_parse(v, strlen(v), &t) != OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "LogoutRequest NotOnOrAfter \"%.40s\" is not "
                               "a valid time", v);
    }

    if (t + sp->skew <= now) {
        return oiosaml_err_set(err, OIOSAML_DENY_EXPIRED,
                               "the LogoutRequest expired %lld seconds ago",
                               (long long) (now - t));
    }

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_slo_check_signature(const oiosaml_sp_t *sp, const oiosaml_idp_t *idp,
    const char *param, const char *msg, size_t msg_len, const char *relay,
    size_t relay_len, const char *alg, size_t alg_len, const char *sig,
    size_t sig_len, time_t now, oiosaml_err_t *err)
{
    int               ok;
    char             *signed_data, *alg_dec, *sig_dec;
    size_t            i, n, raw_len;
    const char       *md;
    EVP_MD_CTX       *ctx;
    unsigned char    *raw;
    oiosaml_status_t  rc;

    alg_dec = oiosaml_strndup(alg, alg_len);
    sig_dec = oiosaml_strndup(sig, sig_len);

    if (alg_dec == NULL || sig_dec == NULL) {
        free(alg_dec);
        free(sig_dec);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    alg_dec[oiosaml_url_decode(alg_dec, alg_len)] = '\0';

    if (strcmp(alg_dec, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        == 0)
    {
        md = "SHA256";

    } else if (strcmp(alg_dec,
                      "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512")
               == 0)
    {
        md = "SHA512";

    } else if (strcmp(alg_dec, "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
               == 0 && idp->allow_sha1)
    {
        md = "SHA1";

    } else {
        oiosaml_err_set(err, OIOSAML_DENY_SIG_ALGORITHM,
                        "SigAlg \"%.100s\" is not allowed", alg_dec);
        free(alg_dec);
        free(sig_dec);
        return OIOSAML_DENY_SIG_ALGORITHM;
    }

    free(alg_dec);

    n = oiosaml_url_decode(sig_dec, sig_len);
    rc = oiosaml_b64_decode(sig_dec, n, &raw, &raw_len);
    free(sig_dec);

    if (rc != OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_BAD_ENCODING,
                               "Signature is not base64");
    }

    /* the signed octets, exactly as they came over the wire */
    signed_data = malloc(msg_len + relay_len + alg_len + 64);
    if (signed_data == NULL) {
        free(raw);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    n = (size_t) sprintf(signed_data, "%s=%.*s", param, (int) msg_len, msg);

    if (relay != NULL) {
        n += (size_t) sprintf(signed_data + n, "&RelayState=%.*s",
                              (int) relay_len, relay);
    }

    n += (size_t) sprintf(signed_data + n, "&SigAlg=%.*s", (int) alg_len,
                          alg);

    ok = 0;

    for (i = 0; i < idp->ncerts && !ok; i++) {
        const oiosaml_cert_t  *c = &idp->certs[i];

        if (c->not_before > now + sp->skew || c->not_after + sp->skew < now)
        {
            continue;
        }

        ctx = EVP_MD_CTX_new();

        ok = ctx != NULL
             && EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, c->pkey,
                                        NULL) == 1
             && EVP_DigestVerify(ctx, raw, raw_len,
                                 (unsigned char *) signed_data, n) == 1;

        EVP_MD_CTX_free(ctx);
    }

    ERR_clear_error();
    free(raw);
    free(signed_data);

    if (!ok) {
        return oiosaml_err_set(err, OIOSAML_DENY_SIGNATURE,
                               "the %s signature does not verify with IdP "
                               "\"%s\"'s keys", param, idp->id);
    }

    return OIOSAML_OK;
}


static void
oiosaml_copy_text(char *dst, size_t size, xmlNodePtr node)
{
    char    *t;
    size_t   n;

    dst[0] = '\0';

    if (node == NULL) {
        return;
    }

    t = oiosaml_xml_text(node);
    if (t == NULL) {
        return;
    }

    n = strlen(t);
    if (n >= size) {
        n = size - 1;
    }

    memcpy(dst, t, n);
    dst[n] = '\0';
    free(t);
}
