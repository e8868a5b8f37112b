
/*
 * The SAMLResponse check: one call, one answer.
 *
 * Order matters: the Response signature is checked before decryption
 * (decryption changes the tree it covers); every value used afterwards
 * is read from the element whose signature was checked; the replay
 * store is written last, so a rejected response never consumes an ID.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_REPLAY_KEY  2200


typedef struct {
    const oiosaml_sp_t             *sp;
    const oiosaml_verify_params_t  *p;
    const oiosaml_idp_t            *idp;
    time_t                          expires;
    unsigned                        answered:1;  /* carries InResponseTo */
    unsigned                        expired_cert:1;
} oiosaml_verify_t;


static oiosaml_status_t oiosaml_verify_doc(oiosaml_verify_t *v,
    xmlDocPtr doc, oiosaml_identity_t **identity, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_verify_status(xmlNodePtr response,
    oiosaml_err_t *err);
static oiosaml_status_t oiosaml_verify_in_response_to(oiosaml_verify_t *v,
    const char *irt, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_verify_issuer(oiosaml_verify_t *v,
    xmlNodePtr parent, int required, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_verify_idp_state(oiosaml_verify_t *v,
    oiosaml_err_t *err);
static oiosaml_status_t oiosaml_verify_signature(oiosaml_verify_t *v,
    xmlNodePtr node, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_verify_subject(oiosaml_verify_t *v,
    xmlNodePtr assertion, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_verify_conditions(oiosaml_verify_t *v,
    xmlNodePtr assertion, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_verify_time(const char *v, time_t *t,
    const char *what, oiosaml_err_t *err);
static size_t oiosaml_count_assertions(xmlNodePtr node, int encrypted);


oiosaml_status_t
oiosaml_response_verify(const oiosaml_sp_t *sp,
    const oiosaml_verify_params_t *params, oiosaml_identity_t **identity,
    oiosaml_err_t *err)
{
    size_t             len;
    xmlDocPtr          doc;
    unsigned char     *xml;
    oiosaml_status_t   rc;
    oiosaml_verify_t   v;

    *identity = NULL;

    if (params->response_len > OIOSAML_MAX_RESPONSE) {
        return oiosaml_err_set(err, OIOSAML_BAD_TOO_LARGE,
                               "SAMLResponse is larger than %d bytes",
                               OIOSAML_MAX_RESPONSE);
    }

    rc = oiosaml_b64_decode(params->response, params->response_len, &xml,
                            &len);
    if (rc != OIOSAML_OK) {
        return oiosaml_err_set(err, rc, "SAMLResponse is not valid base64");
    }

    rc = oiosaml_xml_parse((const char *) xml, len, &doc, err);
    free(xml);

    if (rc != OIOSAML_OK) {
        return rc;
    }

    memset(&v, 0, sizeof(v));
    v.sp = sp;
    v.p = params;

    rc = oiosaml_verify_doc(&v, doc, identity, err);

    xmlFreeDoc(doc);

    /* failed RSA operations leave errors that nginx's SSL code would see */
    ERR_clear_error();

    return rc;
}


static oiosaml_status_t
oiosaml_verify_doc(oiosaml_verify_t *v, xmlDocPtr doc,
    oiosaml_identity_t **identity, oiosaml_err_t *err)
{
    int                  resp_signed, asrt_signed, need;
    char                *key;
    size_t               n;
    time_t               t;
    xmlNodePtr           resp, assertion, ea;
    const char          *val, *aid;
    oiosaml_status_t     rc;
    const oiosaml_sp_t  *sp = v->sp;

    resp = xmlDocGetRootElement(doc);

    if (!oiosaml_xml_is(resp, OIOSAML_NS_SAMLP, "Response")) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "the message is not a samlp:Response");
    }

    val = oiosaml_xml_attr(resp, "Version");
    if (val == NULL || strcmp(val, "2.0") != 0) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "the Response is not SAML 2.0");
    }

    /* the IdP this browser was sent to, if any */
    if (v->p->pending != NULL) {
        n = strlen(v->p->pending->idp_id);
        v->idp = oiosaml_sp_idp_by_id(sp, v->p->pending->idp_id, n);

        if (v->idp == NULL) {
            return oiosaml_err_set(err, OIOSAML_DENY_UNKNOWN_IDP,
                                   "the login was started at IdP \"%s\", "
                                   "which is no longer configured",
                                   v->p->pending->idp_id);
        }

        rc = oiosaml_verify_idp_state(v, err);
        if (rc != OIOSAML_OK) {
            return rc;
        }
    }

    rc = oiosaml_verify_issuer(v, resp, 0, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    val = oiosaml_xml_attr(resp, "Destination");
    if (val == NULL || strcmp(val, sp->acs_url) != 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_DESTINATION,
                               "Destination \"%.200s\" is not our ACS URL "
                               "\"%s\"", val ? val : "(none)", sp->acs_url);
    }

    rc = oiosaml_verify_in_response_to(v, oiosaml_xml_attr(resp,
                                                          "InResponseTo"),
                                       err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_verify_status(resp, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    /* exactly one assertion, plain or encrypted, and none elsewhere */
    n = oiosaml_xml_count(resp, OIOSAML_NS_SAML, "Assertion")
        + oiosaml_xml_count(resp, OIOSAML_NS_SAML, "EncryptedAssertion");

    if (n != 1 || oiosaml_count_assertions(resp, 1) != 1) {
        return oiosaml_err_set(err, OIOSAML_DENY_ASSERTION_COUNT,
                               "the Response holds %zu assertions "
                               "(%zu at the top), expected exactly one",
                               oiosaml_count_assertions(resp, 1), n);
    }

    /* the Response signature covers the encrypted form: check it first */
    rc = oiosaml_verify_signature(v, resp, err);
    if (rc != OIOSAML_OK && rc != OIOSAML_DENY_UNSIGNED) {
        return rc;
    }

    resp_signed = (rc == OIOSAML_OK);

    ea = oiosaml_xml_child(resp, OIOSAML_NS_SAML, "EncryptedAssertion");

    if (ea != NULL) {
        rc = oiosaml_decrypt_assertion(sp, ea, &assertion, err);
        if (rc != OIOSAML_OK) {
            return rc;
        }

        if (oiosaml_count_assertions(resp, 0) != 1) {
            return oiosaml_err_set(err, OIOSAML_DENY_ASSERTION_COUNT,
                                   "the decrypted content holds nested "
                                   "assertions");
        }

    } else {
        assertion = oiosaml_xml_child(resp, OIOSAML_NS_SAML, "Assertion");
    }

    val = oiosaml_xml_attr(assertion, "Version");
    aid = oiosaml_xml_attr(assertion, "ID");

    if (val == NULL || strcmp(val, "2.0") != 0 || aid == NULL
        || aid[0] == '\0' || strlen(aid) > 256)
    {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "the Assertion lacks Version 2.0 or an ID");
    }

    rc = oiosaml_verify_issuer(v, assertion, 1, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    if (ea == NULL && v->idp->require_encryption) {
        return oiosaml_err_set(err, OIOSAML_DENY_ENCRYPTION_REQUIRED,
                               "IdP \"%s\" must encrypt its assertions "
                               "(require_encryption)", v->idp->id);
    }

    if (!resp_signed && oiosaml_xml_child(resp, OIOSAML_NS_DS, "Signature")) {
        /* a Response signature we could not attribute to an IdP earlier */
        rc = oiosaml_verify_signature(v, resp, err);
        if (rc != OIOSAML_OK) {
            return rc;
        }

        resp_signed = 1;
    }

    rc = oiosaml_verify_signature(v, assertion, err);
    if (rc != OIOSAML_OK && rc != OIOSAML_DENY_UNSIGNED) {
        return rc;
    }

    asrt_signed = (rc == OIOSAML_OK);

    switch (v->idp->signed_part) {
    case OIOSAML_SIGNED_RESPONSE:
        need = resp_signed;
        break;
    case OIOSAML_SIGNED_EITHER:
        need = resp_signed || asrt_signed;
        break;
    case OIOSAML_SIGNED_BOTH:
        need = resp_signed && asrt_signed;
        break;
    case OIOSAML_SIGNED_ASSERTION:
    default:
        need = asrt_signed;
        break;
    }

    if (!need) {
        return oiosaml_err_set(err, OIOSAML_DENY_UNSIGNED,
                               "IdP \"%s\" must sign the %s (signed=%s); "
                               "response signed: %s, assertion signed: %s",
                               v->idp->id,
                               v->idp->signed_part == OIOSAML_SIGNED_BOTH
                               ? "response and the assertion"
                               : v->idp->signed_part
                                 == OIOSAML_SIGNED_RESPONSE
                                 ? "response" : "assertion",
                               oiosaml_signed_name(v->idp->signed_part),
                               resp_signed ? "yes" : "no",
                               asrt_signed ? "yes" : "no");
    }

    /* from here on, everything is read from the signed assertion */

    val = oiosaml_xml_attr(assertion, "IssueInstant");

    rc = oiosaml_verify_time(val, &t, "Assertion IssueInstant", err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    if (t > v->p->now + sp->skew) {
        return oiosaml_err_set(err, OIOSAML_DENY_NOT_YET_VALID,
                               "the assertion was issued %lld seconds in "
                               "the future", (long long) (t - v->p->now));
    }

    rc = oiosaml_verify_subject(v, assertion, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_verify_conditions(v, assertion, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    if (!v->answered && !sp->allow_unsolicited) {
        return oiosaml_err_set(err, OIOSAML_DENY_UNSOLICITED,
                               "the response carries no InResponseTo "
                               "(IdP-initiated login is off)");
    }

    n = oiosaml_xml_count(assertion, OIOSAML_NS_SAML, "AuthnStatement");

    if (n != 1) {
        return oiosaml_err_set(err, OIOSAML_DENY_AUTHN_STATEMENT,
                               "the assertion holds %zu AuthnStatements", n);
    }

    rc = oiosaml_identity_from_assertion(v->idp, assertion,
                                         v->p->pending ? v->p->pending->loa
                                                       : OIOSAML_LOA_NONE,
                                         identity, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    (*identity)->assertion_id = oiosaml_strdup(aid);
    (*identity)->replay_until = v->expires + sp->skew;
    (*identity)->expired_cert = v->expired_cert;

    if ((*identity)->assertion_id == NULL) {
        oiosaml_identity_free(*identity);
        *identity = NULL;
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    /* last: record the assertion ID, unique per IdP */
    if (v->p->replay != NULL) {
        n = strlen(v->idp->entity_id);
        key = malloc(n + 1 + strlen(aid) + 1);

        if (key == NULL) {
            oiosaml_identity_free(*identity);
            *identity = NULL;
            return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }

        memcpy(key, v->idp->entity_id, n);
        key[n] = '\n';
        strcpy(key + n + 1, aid);

        switch (v->p->replay(v->p->replay_data, (unsigned char *) key,
                             strlen(key), v->expires + sp->skew))
        {
        case 0:
            rc = OIOSAML_OK;
            break;

        case 1:
            rc = oiosaml_err_set(err, OIOSAML_DENY_REPLAY,
                                 "assertion \"%.80s\" from \"%s\" was "
                                 "already used", aid, v->idp->id);
            break;

        default:
            rc = oiosaml_err_set(err, OIOSAML_ERR_STORE,
                                 "the replay cache cannot record the "
                                 "assertion ID");
            break;
        }

        free(key);

        if (rc != OIOSAML_OK) {
            oiosaml_identity_free(*identity);
            *identity = NULL;
            return rc;
        }
    }

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_verify_status(xmlNodePtr resp, oiosaml_err_t *err)
{
    char         *msg;
    xmlNodePtr    st, sc, sc2, sm;
    const char   *code, *code2;

    st = oiosaml_xml_child(resp, OIOSAML_NS_SAMLP, "Status");
    sc = st ? oiosaml_xml_child(st, OIOSAML_NS_SAMLP, "StatusCode") : NULL;
    code = sc ? oiosaml_xml_attr(sc, "Value") : NULL;

    if (code == NULL) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "the Response has no Status");
    }

    if (strcmp(code, OIOSAML_STATUS_SUCCESS) == 0) {
        return OIOSAML_OK;
    }

    sc2 = oiosaml_xml_child(sc, OIOSAML_NS_SAMLP, "StatusCode");
    code2 = sc2 ? oiosaml_xml_attr(sc2, "Value") : NULL;
    sm = oiosaml_xml_child(st, OIOSAML_NS_SAMLP, "StatusMessage");
    msg = sm ? oiosaml_xml_text(sm) : NULL;

    oiosaml_err_set(err, OIOSAML_DENY_STATUS,
                    "the IdP answered %.120s%s%.120s%s%.120s%s", code,
                    code2 ? " / " : "", code2 ? code2 : "",
                    msg ? " (\"" : "", msg ? msg : "", msg ? "\")" : "");
    free(msg);

    return OIOSAML_DENY_STATUS;
}


static oiosaml_status_t
oiosaml_verify_in_response_to(oiosaml_verify_t *v, const char *irt,
    oiosaml_err_t *err)
{
    if (irt == NULL) {
        return OIOSAML_OK;
    }

    if (v->p->pending == NULL) {
        return oiosaml_err_set(err, OIOSAML_DENY_IN_RESPONSE_TO,
                               "InResponseTo \"%.80s\" answers no login "
                               "started by this browser", irt);
    }

    if (strcmp(irt, v->p->pending->request_id) != 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_IN_RESPONSE_TO,
                               "InResponseTo \"%.80s\" is not the pending "
                               "request \"%s\"", irt,
                               v->p->pending->request_id);
    }

    v->answered = 1;

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_verify_issuer(oiosaml_verify_t *v, xmlNodePtr parent, int required,
    oiosaml_err_t *err)
{
    char                 *issuer;
    xmlNodePtr            is;
    const char           *fmt;
    const oiosaml_idp_t  *idp;

    if (oiosaml_xml_count(parent, OIOSAML_NS_SAML, "Issuer") > 1) {
        return oiosaml_err_set(err, OIOSAML_DENY_ISSUER,
                               "%s has more than one Issuer", parent->name);
    }

    is = oiosaml_xml_child(parent, OIOSAML_NS_SAML, "Issuer");

    if (is == NULL) {
        if (required) {
            return oiosaml_err_set(err, OIOSAML_DENY_ISSUER,
                                   "%s has no Issuer", parent->name);
        }

        return OIOSAML_OK;
    }

    fmt = oiosaml_xml_attr(is, "Format");
    if (fmt != NULL && strcmp(fmt, OIOSAML_NAMEID_ENTITY) != 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_ISSUER,
                               "Issuer Format \"%.100s\" is not entity", fmt);
    }

    issuer = oiosaml_xml_text(is);
    if (issuer == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    if (v->idp != NULL) {
        if (strcmp(issuer, v->idp->entity_id) != 0) {
            oiosaml_err_set(err, OIOSAML_DENY_ISSUER,
                            "%s Issuer \"%.200s\" is not IdP \"%s\" "
                            "(\"%s\")", parent->name, issuer, v->idp->id,
                            v->idp->entity_id);
            free(issuer);
            return OIOSAML_DENY_ISSUER;
        }

        free(issuer);
        return OIOSAML_OK;
    }

    idp = oiosaml_sp_idp_by_entity_id(v->sp, issuer, strlen(issuer));

    if (idp == NULL) {
        oiosaml_err_set(err, OIOSAML_DENY_UNKNOWN_IDP,
                        "Issuer \"%.200s\" is not a configured IdP", issuer);
        free(issuer);
        return OIOSAML_DENY_UNKNOWN_IDP;
    }

    free(issuer);
    v->idp = idp;

    return oiosaml_verify_idp_state(v, err);
}


/*
 * As soon as the IdP is known, before any signature or decryption: no
 * answer is taken from an IdP that the operator marked down or whose
 * metadata is past its validUntil (oiosaml_idp_available()).
 */
static oiosaml_status_t
oiosaml_verify_idp_state(oiosaml_verify_t *v, oiosaml_err_t *err)
{
    char                  until[21];
    const oiosaml_idp_t  *idp = v->idp;

    if (idp->down) {
        return oiosaml_err_set(err, OIOSAML_DENY_IDP_UNAVAILABLE,
                               "IdP \"%s\" is marked down (down): its "
                               "answers are refused", idp->id);
    }

    if (idp->valid_until != 0 && idp->valid_until <= v->p->now) {
        oiosaml_time_format(idp->valid_until, until);

        return oiosaml_err_set(err, OIOSAML_DENY_IDP_UNAVAILABLE,
                               "the metadata of IdP \"%s\" expired at %s "
                               "(validUntil): its answers are refused until "
                               "newer metadata is loaded", idp->id, until);
    }

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_verify_signature(oiosaml_verify_t *v, xmlNodePtr node,
    oiosaml_err_t *err)
{
    size_t            matched;
    oiosaml_cert_t    active[OIOSAML_MAX_IDP_CERTS + 1];
    oiosaml_trust_t   trust;
    oiosaml_status_t  rc;

    if (oiosaml_xml_child(node, OIOSAML_NS_DS, "Signature") == NULL) {
        return OIOSAML_DENY_UNSIGNED;
    }

    if (v->idp == NULL) {
        /* decided again once the assertion names its issuer */
        return OIOSAML_DENY_UNSIGNED;
    }

    /* certificates within their validity (+ grace), next_cert once due */
    memset(&trust, 0, sizeof(trust));
    trust.ncerts = oiosaml_idp_trust_set(v->idp, v->p->now, v->sp->skew,
                                         active);
    trust.matched = &matched;

    if (trust.ncerts == 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_SIGNATURE,
                               "no signing certificate of IdP \"%s\" is "
                               "valid now", v->idp->id);
    }

    trust.certs = active;
    trust.allow_sha1 = v->idp->allow_sha1;

    rc = oiosaml_dsig_verify(node, &trust, err);

    if (rc == OIOSAML_OK && active[matched].not_after < v->p->now) {
        v->expired_cert = 1;
    }

    return rc;
}


static oiosaml_status_t
oiosaml_verify_subject(oiosaml_verify_t *v, xmlNodePtr assertion,
    oiosaml_err_t *err)
{
    time_t             t;
    xmlNodePtr         subject, sc, scd;
    const char        *method, *val;
    oiosaml_err_t      first;
    oiosaml_status_t   rc;

    subject = oiosaml_xml_child(assertion, OIOSAML_NS_SAML, "Subject");

    if (subject == NULL
        || oiosaml_xml_child(subject, OIOSAML_NS_SAML, "NameID") == NULL)
    {
        return oiosaml_err_set(err, OIOSAML_DENY_SUBJECT,
                               "the assertion has no Subject/NameID");
    }

    oiosaml_err_clear(&first);

    for (sc = oiosaml_xml_first(subject); sc; sc = oiosaml_xml_next(sc)) {
        oiosaml_err_t  e;

        if (!oiosaml_xml_is(sc, OIOSAML_NS_SAML, "SubjectConfirmation")) {
            continue;
        }

        method = oiosaml_xml_attr(sc, "Method");
        if (method == NULL || strcmp(method, OIOSAML_CM_BEARER) != 0) {
            continue;
        }

        oiosaml_err_clear(&e);

        scd = oiosaml_xml_child(sc, OIOSAML_NS_SAML,
                                "SubjectConfirmationData");
        if (scd == NULL) {
            rc = oiosaml_err_set(&e, OIOSAML_DENY_SUBJECT,
                                 "SubjectConfirmation has no "
                                 "SubjectConfirmationData");
            goto next;
        }

        val = oiosaml_xml_attr(scd, "Recipient");
        if (val == NULL || strcmp(val, v->sp->acs_url) != 0) {
            rc = oiosaml_err_set(&e, OIOSAML_DENY_RECIPIENT,
                                 "Recipient \"%.200s\" is not our ACS URL",
                                 val ? val : "(none)");
            goto next;
        }

        val = oiosaml_xml_attr(scd, "NotOnOrAfter");
        if (val == NULL) {
            rc = oiosaml_err_set(&e, OIOSAML_DENY_SUBJECT,
                                 "SubjectConfirmationData has no "
                                 "NotOnOrAfter");
            goto next;
        }

        rc = oiosaml_verify_time(val, &t, "SubjectConfirmationData "
                                 "NotOnOrAfter", &e);
        if (rc != OIOSAML_OK) {
            goto next;
        }

        if (v->p->now >= t + v->sp->skew) {
            rc = oiosaml_err_set(&e, OIOSAML_DENY_EXPIRED,
                                 "SubjectConfirmationData expired %lld "
                                 "seconds ago",
                                 (long long) (v->p->now - t));
            goto next;
        }

        if (t > v->expires) {
            v->expires = t;
        }

        val = oiosaml_xml_attr(scd, "NotBefore");
        if (val != NULL) {
            rc = oiosaml_verify_time(val, &t, "SubjectConfirmationData "
                                     "NotBefore", &e);
            if (rc != OIOSAML_OK) {
                goto next;
            }

            if (t > v->p->now + v->sp->skew) {
                rc = oiosaml_err_set(&e, OIOSAML_DENY_NOT_YET_VALID,
                                     "SubjectConfirmationData is not valid "
                                     "before %lld seconds from now",
                                     (long long) (t - v->p->now));
                goto next;
            }
        }

        rc = oiosaml_verify_in_response_to(v, oiosaml_xml_attr(scd,
                                                          "InResponseTo"),
                                           &e);
        if (rc == OIOSAML_OK) {
            return OIOSAML_OK;
        }

    next:

        if (first.status == OIOSAML_OK) {
            first = e;
        }
    }

    if (first.status == OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_DENY_SUBJECT,
                               "the assertion has no bearer "
                               "SubjectConfirmation");
    }

    (void) rc;

    return oiosaml_err_set(err, first.status, "%s", first.text);
}


static oiosaml_status_t
oiosaml_verify_conditions(oiosaml_verify_t *v, xmlNodePtr assertion,
    oiosaml_err_t *err)
{
    int                ok;
    char              *aud;
    time_t             t;
    xmlNodePtr         cond, ar, a;
    const char        *val;
    size_t             nar;
    oiosaml_status_t   rc;

    cond = oiosaml_xml_child(assertion, OIOSAML_NS_SAML, "Conditions");

    if (cond == NULL) {
        return oiosaml_err_set(err, OIOSAML_DENY_AUDIENCE,
                               "the assertion has no Conditions");
    }

    val = oiosaml_xml_attr(cond, "NotBefore");
    if (val != NULL) {
        rc = oiosaml_verify_time(val, &t, "Conditions NotBefore", err);
        if (rc != OIOSAML_OK) {
            return rc;
        }

        if (t > v->p->now + v->sp->skew) {
            return oiosaml_err_set(err, OIOSAML_DENY_NOT_YET_VALID,
                                   "the assertion is not valid before %lld "
                                   "seconds from now",
                                   (long long) (t - v->p->now));
        }
    }

    val = oiosaml_xml_attr(cond, "NotOnOrAfter");
    if (val != NULL) {
        rc = oiosaml_verify_time(val, &t, "Conditions NotOnOrAfter", err);
        if (rc != OIOSAML_OK) {
            return rc;
        }

        if (v->p->now >= t + v->sp->skew) {
            return oiosaml_err_set(err, OIOSAML_DENY_EXPIRED,
                                   "the assertion expired %lld seconds ago",
                                   (long long) (v->p->now - t));
        }

        if (t > v->expires) {
            v->expires = t;
        }
    }

    /*
     * every AudienceRestriction must name us; OneTimeUse holds (every
     * assertion is used once here) and ProxyRestriction does (we pass no
     * assertion on); any other condition is unknown, hence not valid
     * (SAML core 2.5.1.5)
     */
    nar = 0;

    for (ar = oiosaml_xml_first(cond); ar; ar = oiosaml_xml_next(ar)) {
        if (oiosaml_xml_is(ar, OIOSAML_NS_SAML, "OneTimeUse")
            || oiosaml_xml_is(ar, OIOSAML_NS_SAML, "ProxyRestriction"))
        {
            continue;
        }

        if (!oiosaml_xml_is(ar, OIOSAML_NS_SAML, "AudienceRestriction")) {
            return oiosaml_err_set(err, OIOSAML_DENY_CONDITION,
                                   "an unknown condition <%.60s>",
                                   (const char *) ar->name);
        }

        nar++;
        ok = 0;

        for (a = oiosaml_xml_first(ar); a && !ok; a = oiosaml_xml_next(a)) {
            if (!oiosaml_xml_is(a, OIOSAML_NS_SAML, "Audience")) {
                continue;
            }

            aud = oiosaml_xml_text(a);
            ok = (aud != NULL && strcmp(aud, v->sp->entity_id) == 0);
            free(aud);
        }

        if (!ok) {
            return oiosaml_err_set(err, OIOSAML_DENY_AUDIENCE,
                                   "an AudienceRestriction does not name "
                                   "our entityID \"%s\"", v->sp->entity_id);
        }
    }

    if (nar == 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_AUDIENCE,
                               "the assertion has no AudienceRestriction");
    }

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_verify_time(const char *v, time_t *t, const char *what,
    oiosaml_err_t *err)
{
    if (v == NULL || oiosaml_time_parse(v, strlen(v), t) != OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "%s \"%.40s\" is not a valid time", what,
                               v ? v : "(none)");
    }

    return OIOSAML_OK;
}


/* counts Assertion (and EncryptedAssertion) elements at any depth */
static size_t
oiosaml_count_assertions(xmlNodePtr node, int encrypted)
{
    size_t      n;
    xmlNodePtr  c;

    n = 0;

    for (c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (oiosaml_xml_is(c, OIOSAML_NS_SAML, "Assertion")
            || (encrypted
                && oiosaml_xml_is(c, OIOSAML_NS_SAML, "EncryptedAssertion")))
        {
            n++;
        }

        n += oiosaml_count_assertions(c, encrypted);
    }

    return n;
}
