
/*
 * The response check for operators (oiosamlctl response check): the
 * ACS's own verdict on a captured SAMLResponse, reported rule by rule.
 *
 * The verdict is oiosaml_response_verify() itself, called once, unchanged
 * (without a replay store).  It stops at its first failure, as at the
 * ACS; this file only places that failure among the rule groups: each
 * status arises first at a known place in the ACS's order (the table
 * below, kept in step with docs/verification.md), so the groups checked
 * entirely before that place passed, the group of the status failed, and
 * the rest were not checked.  Nothing here decides about trust: the
 * values shown beside each group are read from the message for the
 * operator, not judged.  A copy of an EncryptedAssertion is decrypted for
 * that with the ACS's code (oiosaml_decrypt_assertion()).
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_CHECK_DETAIL    1024


typedef struct {
    oiosaml_verdict_t       verdict;
    char                    detail[OIOSAML_CHECK_DETAIL];
} oiosaml_check_rule_t;

struct oiosaml_check_s {
    time_t                  now;
    oiosaml_check_rule_t    rules[OIOSAML_RULE_MAX];
};

/* the message as the operator should see it: read, never judged */
typedef struct {
    const char             *form;       /* "base64", "XML", "a form body" */
    size_t                  xml_len;
    xmlDocPtr               doc;
    xmlNodePtr              resp;
    xmlNodePtr              ea;         /* EncryptedAssertion, or NULL */
    xmlNodePtr              assertion;  /* plain or decrypted, or NULL */
    unsigned                encrypted:1;
    char                    enc[160];   /* its algorithms */
    char                    decrypt[OIOSAML_ERR_LEN];   /* why not */
} oiosaml_check_msg_t;


static oiosaml_status_t oiosaml_check_input(const oiosaml_check_params_t *p,
    char **b64, size_t *len, const char **form, oiosaml_err_t *err);
static void oiosaml_check_read(const oiosaml_sp_t *sp, const char *b64,
    size_t len, oiosaml_check_msg_t *m);
static void oiosaml_check_verdicts(oiosaml_check_t *c, oiosaml_status_t st,
    int pending, const oiosaml_check_msg_t *m, const oiosaml_err_t *e);
static void oiosaml_check_details(oiosaml_check_t *c,
    const oiosaml_sp_t *sp, const oiosaml_idp_t *idp,
    const oiosaml_check_msg_t *m, const oiosaml_check_params_t *p,
    const oiosaml_identity_t *identity);
static void oiosaml_check_details_late(oiosaml_check_t *c,
    const oiosaml_sp_t *sp, const oiosaml_check_msg_t *m);
static void oiosaml_check_skips(oiosaml_check_t *c,
    const oiosaml_check_params_t *p, const char *irt, int time_skipped,
    const oiosaml_identity_t *identity);
static void oiosaml_check_add(oiosaml_check_t *c, oiosaml_rule_t rule,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static const char *oiosaml_check_attr(xmlNodePtr node, const char *name);
static char *oiosaml_check_text(xmlNodePtr parent, const char *ns,
    const char *name);
static xmlNodePtr oiosaml_check_find(xmlNodePtr node, const char *ns,
    const char *name);
static const char *oiosaml_check_alg(xmlNodePtr node, const char *ns,
    const char *name, char *buf, size_t size);
static void oiosaml_check_sig(oiosaml_check_t *c, const char *what,
    xmlNodePtr node);
static void oiosaml_check_enc(oiosaml_check_msg_t *m, xmlNodePtr ea);
static void oiosaml_check_when(oiosaml_check_t *c, const char *what,
    const char *value, time_t now);
static const char *oiosaml_check_scd_irt(const oiosaml_check_msg_t *m);


static const char *const  oiosaml_rule_names[OIOSAML_RULE_MAX] = {
    "input", "idp", "issuer", "destination", "in_response_to", "status",
    "assertion_count", "signature", "algorithms", "decryption", "subject",
    "recipient", "times", "audience", "unsolicited", "authn_statement",
    "loa", "privileges", "replay"
};

static const char *const  oiosaml_verdict_names[] = {
    "not checked", "ok", "FAIL", "skipped", "note"
};


/*
 * Where the ACS first returns each status (the place in its order, see
 * oiosaml_response.c and docs/verification.md), and the group it belongs
 * to.  Places: 10 decoding, 20 the root, 30 the pending login's IdP, 40
 * the Response Issuer, 50 Destination, 60 the Response InResponseTo, 70
 * Status, 80 the assertion count, 90 the Response signature, 100
 * decryption, 105 nested assertions, 110 the Assertion's Version and ID,
 * 120 the Assertion Issuer, 130 require_encryption, 150 the Assertion
 * signature, 160 signed=, 170 IssueInstant, 180 Subject and Recipient,
 * 182 the SubjectConfirmationData times, 184 its InResponseTo, 190
 * Conditions present, 192 their times, 194 conditions and Audience, 200
 * unsolicited, 210 AuthnStatement, 220 the identity (attributes, level).
 */
static const struct {
    oiosaml_status_t        status;
    oiosaml_rule_t          rule;
    int                     at;
} oiosaml_check_places[] = {
    { OIOSAML_BAD_TOO_LARGE, OIOSAML_RULE_INPUT, 10 },
    { OIOSAML_BAD_ENCODING, OIOSAML_RULE_INPUT, 10 },
    { OIOSAML_BAD_XML, OIOSAML_RULE_INPUT, 10 },
    { OIOSAML_BAD_MESSAGE, OIOSAML_RULE_INPUT, 20 },
    { OIOSAML_DENY_UNKNOWN_IDP, OIOSAML_RULE_IDP, 30 },
    { OIOSAML_DENY_IDP_UNAVAILABLE, OIOSAML_RULE_IDP, 30 },
    { OIOSAML_DENY_ISSUER, OIOSAML_RULE_ISSUER, 40 },
    { OIOSAML_DENY_DESTINATION, OIOSAML_RULE_DESTINATION, 50 },
    { OIOSAML_DENY_IN_RESPONSE_TO, OIOSAML_RULE_IN_RESPONSE_TO, 60 },
    { OIOSAML_DENY_STATUS, OIOSAML_RULE_STATUS, 70 },
    { OIOSAML_DENY_ASSERTION_COUNT, OIOSAML_RULE_ASSERTION_COUNT, 80 },
    { OIOSAML_DENY_SIGNATURE, OIOSAML_RULE_SIGNATURE, 90 },
    { OIOSAML_DENY_SIG_REFERENCE, OIOSAML_RULE_SIGNATURE, 90 },
    { OIOSAML_DENY_DUPLICATE_ID, OIOSAML_RULE_SIGNATURE, 90 },
    { OIOSAML_DENY_SIG_ALGORITHM, OIOSAML_RULE_ALGORITHMS, 90 },
    { OIOSAML_DENY_ENC_ALGORITHM, OIOSAML_RULE_ALGORITHMS, 100 },
    { OIOSAML_DENY_DECRYPT, OIOSAML_RULE_DECRYPTION, 100 },
    { OIOSAML_DENY_ENCRYPTION_REQUIRED, OIOSAML_RULE_DECRYPTION, 130 },
    { OIOSAML_DENY_UNSIGNED, OIOSAML_RULE_SIGNATURE, 160 },
    { OIOSAML_DENY_NOT_YET_VALID, OIOSAML_RULE_TIMES, 170 },
    { OIOSAML_DENY_SUBJECT, OIOSAML_RULE_SUBJECT, 180 },
    { OIOSAML_DENY_RECIPIENT, OIOSAML_RULE_RECIPIENT, 180 },
    { OIOSAML_DENY_EXPIRED, OIOSAML_RULE_TIMES, 182 },
    { OIOSAML_DENY_AUDIENCE, OIOSAML_RULE_AUDIENCE, 190 },
    { OIOSAML_DENY_CONDITION, OIOSAML_RULE_AUDIENCE, 194 },
    { OIOSAML_DENY_UNSOLICITED, OIOSAML_RULE_UNSOLICITED, 200 },
    { OIOSAML_DENY_AUTHN_STATEMENT, OIOSAML_RULE_AUTHN_STATEMENT, 210 },
    { OIOSAML_DENY_LOA, OIOSAML_RULE_LOA, 220 },
    { OIOSAML_DENY_PRIVILEGES, OIOSAML_RULE_PRIVILEGES, 220 }
};

/* the last place where each group's rules are applied */
static const int  oiosaml_check_last[OIOSAML_RULE_MAX] = {
    20,         /* input (the later BAD_MESSAGE checks are each group's) */
    30,         /* idp, with a pending login; 120 without */
    120,        /* issuer */
    50,         /* destination */
    184,        /* in_response_to */
    70,         /* status */
    105,        /* assertion_count */
    160,        /* signature */
    150,        /* algorithms */
    130,        /* decryption */
    180,        /* subject */
    180,        /* recipient */
    192,        /* times */
    194,        /* audience */
    200,        /* unsolicited */
    210,        /* authn_statement */
    220,        /* loa */
    220,        /* privileges */
    1000        /* replay: never here */
};


oiosaml_status_t
oiosaml_response_check(const oiosaml_sp_t *sp,
    const oiosaml_check_params_t *p, oiosaml_check_t **report,
    oiosaml_identity_t **identity, oiosaml_err_t *err)
{
    int                       time_skipped;
    char                     *b64, *issuer;
    size_t                    len;
    time_t                    t;
    const char               *irt, *v;
    oiosaml_sp_t              copy;
    oiosaml_err_t             e;
    oiosaml_check_t          *c;
    oiosaml_status_t          rc, st;
    oiosaml_pending_t         pending;
    oiosaml_check_msg_t       m;
    const oiosaml_idp_t      *idp;
    oiosaml_verify_params_t   vp;

    *report = NULL;
    *identity = NULL;

    c = calloc(1, sizeof(oiosaml_check_t));
    if (c == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    memset(&m, 0, sizeof(m));
    c->now = p->now;

    rc = oiosaml_check_input(p, &b64, &len, &m.form, err);

    if (rc != OIOSAML_OK) {
        if (!oiosaml_is_bad_input(rc)) {
            free(c);
            return rc;
        }

        oiosaml_check_verdicts(c, rc, 0, &m, err);
        *report = c;
        return rc;
    }

    oiosaml_check_read(sp, b64, len, &m);

    /* the IdP the login went to: named, or the one the Issuer names */
    idp = NULL;

    if (p->idp != NULL) {
        idp = oiosaml_sp_idp_by_id(sp, p->idp, strlen(p->idp));

        if (idp == NULL) {
            free(b64);
            free(c);
            xmlFreeDoc(m.doc);
            return oiosaml_err_set(err, OIOSAML_ERR_ARG, "no IdP \"%s\" in "
                                   "the configuration", p->idp);
        }

    } else {
        issuer = m.resp ? oiosaml_check_text(m.resp, OIOSAML_NS_SAML,
                                             "Issuer") : NULL;
        if (issuer == NULL && m.assertion != NULL) {
            issuer = oiosaml_check_text(m.assertion, OIOSAML_NS_SAML,
                                        "Issuer");
        }

        if (issuer != NULL) {
            idp = oiosaml_sp_idp_by_entity_id(sp, issuer, strlen(issuer));
            free(issuer);
        }
    }

    /* the pending login: what the browser's cookie would have said */
    irt = m.resp ? oiosaml_check_attr(m.resp, "InResponseTo") : NULL;
    if (irt == NULL) {
        irt = oiosaml_check_scd_irt(&m);
    }

    memset(&pending, 0, sizeof(pending));

    if (idp != NULL) {
        v = p->request_id ? p->request_id : (irt ? irt : "");
        snprintf(pending.request_id, sizeof(pending.request_id), "%s", v);
        snprintf(pending.idp_id, sizeof(pending.idp_id), "%s", idp->id);
        pending.loa = p->loa;
        pending.created = p->now;
    }

    copy = *sp;

    if ((p->flags & OIOSAML_CHECK_IGNORE_IN_RESPONSE_TO) && irt == NULL) {
        copy.allow_unsolicited = 1;
    }

    /* the clock: given, or the moment the assertion was issued */
    time_skipped = 0;
    vp.now = p->now;

    if (p->flags & OIOSAML_CHECK_IGNORE_TIME) {
        v = m.assertion ? oiosaml_check_attr(m.assertion, "IssueInstant")
                        : NULL;

        if (v != NULL && oiosaml_time_parse(v, strlen(v), &t) == OIOSAML_OK)
        {
            vp.now = t;
            time_skipped = 1;
        }
    }

    c->now = vp.now;

    vp.response = b64;
    vp.response_len = len;
    vp.pending = (idp != NULL) ? &pending : NULL;
    vp.replay = NULL;
    vp.replay_data = NULL;

    /* the verdict: the ACS's own code */
    oiosaml_err_clear(&e);
    st = oiosaml_response_verify(&copy, &vp, identity, &e);

    free(b64);

    if (st != OIOSAML_OK && !oiosaml_is_denial(st)
        && !oiosaml_is_bad_input(st))
    {
        xmlFreeDoc(m.doc);
        free(c);
        return oiosaml_err_set(err, st, "%s", e.text);
    }

    oiosaml_check_verdicts(c, st, vp.pending != NULL, &m, &e);
    oiosaml_check_details(c, sp, idp, &m, p, *identity);
    oiosaml_check_skips(c, p, irt, time_skipped, *identity);

    xmlFreeDoc(m.doc);

    if (st != OIOSAML_OK) {
        oiosaml_err_set(err, st, "%s", e.text);
        if (err->status == st) {
            err->loa_required = e.loa_required;
            err->loa_achieved = e.loa_achieved;
        }
    }

    *report = c;

    return st;
}


/*
 * A form body (percent-encoded when it holds a '%'), the XML itself, or
 * base64 as it is: base64 for oiosaml_response_verify().
 */
static oiosaml_status_t
oiosaml_check_input(const oiosaml_check_params_t *p, char **b64,
    size_t *len, const char **form, oiosaml_err_t *err)
{
    char        *buf;
    size_t       n, vlen;
    const char  *s, *v;

    *b64 = NULL;
    s = p->input;
    n = p->input_len;

    if (n > 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
        s += 3;
        n -= 3;
    }

    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'
                     || s[n - 1] == '\r' || s[n - 1] == '\n'))
    {
        n--;
    }

    if (n == 0) {
        return oiosaml_err_set(err, OIOSAML_BAD_ENCODING,
                               "the input is empty");
    }

    if (s[0] == '<') {
        *form = "the XML itself";
        *b64 = oiosaml_b64_encode((const unsigned char *) s, n, len);

        return *b64 ? OIOSAML_OK
                    : oiosaml_err_set(err, OIOSAML_ERR_NOMEM,
                                      "out of memory");
    }

    if (oiosaml_query_get(s, n, "SAMLResponse", &v, &vlen)) {
        buf = oiosaml_strndup(v, vlen);
        if (buf == NULL) {
            return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }

        *form = "a form body";

        /* '+' is a space only where the body is percent-encoded */
        if (memchr(buf, '%', vlen) != NULL) {
            vlen = oiosaml_url_decode(buf, vlen);
            buf[vlen] = '\0';
            *form = "a form body (percent-encoded)";
        }

        *b64 = buf;
        *len = vlen;

        return OIOSAML_OK;
    }

    /* base64 holds no '&' */
    if (memchr(s, '&', n) != NULL
        || (n > 11 && memcmp(s, "RelayState=", 11) == 0))
    {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "a form body without a SAMLResponse");
    }

    *form = "base64";
    *b64 = oiosaml_strndup(s, n);
    *len = n;

    return *b64 ? OIOSAML_OK
                : oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
}


/* the message for the report; failures here are the verdict's to name */
static void
oiosaml_check_read(const oiosaml_sp_t *sp, const char *b64, size_t len,
    oiosaml_check_msg_t *m)
{
    size_t            n;
    unsigned char    *xml;
    oiosaml_err_t     e;
    oiosaml_status_t  rc;

    if (len > OIOSAML_MAX_RESPONSE
        || oiosaml_b64_decode(b64, len, &xml, &n) != OIOSAML_OK)
    {
        return;
    }

    m->xml_len = n;
    oiosaml_err_clear(&e);

    rc = oiosaml_xml_parse((const char *) xml, n, &m->doc, &e);
    free(xml);

    if (rc != OIOSAML_OK) {
        return;
    }

    m->resp = xmlDocGetRootElement(m->doc);

    if (!oiosaml_xml_is(m->resp, OIOSAML_NS_SAMLP, "Response")) {
        m->resp = NULL;
        return;
    }

    m->assertion = oiosaml_xml_child(m->resp, OIOSAML_NS_SAML, "Assertion");
    m->ea = oiosaml_xml_child(m->resp, OIOSAML_NS_SAML, "EncryptedAssertion");

    if (m->assertion != NULL || m->ea == NULL) {
        return;
    }

    m->encrypted = 1;
    oiosaml_check_enc(m, m->ea);

    /* a copy to show: decrypted by the ACS's code, as the ACS does */
    oiosaml_err_clear(&e);

    if (oiosaml_decrypt_assertion(sp, m->ea, &m->assertion, &e)
        != OIOSAML_OK)
    {
        m->assertion = NULL;
        snprintf(m->decrypt, sizeof(m->decrypt), "%s", e.text);
    }

    m->ea = NULL;
}


static void
oiosaml_check_verdicts(oiosaml_check_t *c, oiosaml_status_t st,
    int pending, const oiosaml_check_msg_t *m, const oiosaml_err_t *e)
{
    int             at, last;
    size_t          i;
    oiosaml_rule_t  failed, r;

    for (r = 0; r < OIOSAML_RULE_MAX; r++) {
        c->rules[r].verdict = (st == OIOSAML_OK) ? OIOSAML_VERDICT_OK
                                                 : OIOSAML_VERDICT_NOT_CHECKED;
    }

    c->rules[OIOSAML_RULE_REPLAY].verdict = OIOSAML_VERDICT_NOT_CHECKED;

    if (st == OIOSAML_OK) {
        return;
    }

    failed = OIOSAML_RULE_INPUT;
    at = 0;

    for (i = 0; i < sizeof(oiosaml_check_places)
                    / sizeof(oiosaml_check_places[0]); i++)
    {
        if (oiosaml_check_places[i].status == st) {
            failed = oiosaml_check_places[i].rule;
            at = oiosaml_check_places[i].at;
            break;
        }
    }

    /* without a pending login the Issuer names the IdP, later */
    if (!pending && failed == OIOSAML_RULE_IDP) {
        at = 40;
    }

    /*
     * A status that can arise on the Response or on the Assertion arose
     * on the Assertion when the Response lacks the element it checks.
     */
    if (m->resp != NULL) {
        switch (st) {

        case OIOSAML_DENY_SIGNATURE:
        case OIOSAML_DENY_SIG_REFERENCE:
        case OIOSAML_DENY_DUPLICATE_ID:
        case OIOSAML_DENY_SIG_ALGORITHM:
            if (oiosaml_xml_child(m->resp, OIOSAML_NS_DS, "Signature")
                == NULL)
            {
                at = 150;
            }

            break;

        case OIOSAML_DENY_ISSUER:
            if (oiosaml_xml_child(m->resp, OIOSAML_NS_SAML, "Issuer") == NULL)
            {
                at = 120;
            }

            break;

        case OIOSAML_DENY_IN_RESPONSE_TO:
            if (oiosaml_check_attr(m->resp, "InResponseTo") == NULL) {
                at = 184;
            }

            break;

        case OIOSAML_DENY_AUDIENCE:
            if (m->assertion != NULL
                && oiosaml_xml_child(m->assertion, OIOSAML_NS_SAML,
                                     "Conditions") != NULL)
            {
                at = 194;
            }

            break;

        default:
            break;
        }
    }

    for (r = 0; r < OIOSAML_RULE_MAX; r++) {
        last = oiosaml_check_last[r];

        if (r == OIOSAML_RULE_IDP && !pending) {
            last = 120;
        }

        if (last < at) {
            c->rules[r].verdict = OIOSAML_VERDICT_OK;
        }
    }

    c->rules[failed].verdict = OIOSAML_VERDICT_FAIL;
    oiosaml_check_add(c, failed, "%s: %s", oiosaml_status_name(st),
                      e->text[0] ? e->text : oiosaml_strerror(st));
}


/* the values behind each group, from the message and the configuration */
static void
oiosaml_check_details(oiosaml_check_t *c, const oiosaml_sp_t *sp,
    const oiosaml_idp_t *idp, const oiosaml_check_msg_t *m,
    const oiosaml_check_params_t *p, const oiosaml_identity_t *identity)
{
    char         *text;
    size_t        n;
    const char   *v;
    xmlNodePtr    a;

    if (m->resp == NULL) {
        if (m->doc != NULL) {
            oiosaml_check_add(c, OIOSAML_RULE_INPUT, "%s, %zu bytes of XML, "
                              "not a samlp:Response", m->form, m->xml_len);
        }

        return;
    }

    v = oiosaml_check_attr(m->resp, "ID");
    oiosaml_check_add(c, OIOSAML_RULE_INPUT, "%s, %zu bytes of XML, "
                      "samlp:Response %s", m->form, m->xml_len,
                      v ? v : "(no ID)");

    if (idp != NULL) {
        oiosaml_check_add(c, OIOSAML_RULE_IDP, "\"%s\" %s, profile %s, "
                          "signed=%s%s%s", idp->id, idp->entity_id,
                          oiosaml_profile_name(idp->profile),
                          oiosaml_signed_name(idp->signed_part),
                          p->idp ? " (--idp)" : " (by its Issuer)",
                          idp->down ? ", marked down" : "");

    } else {
        oiosaml_check_add(c, OIOSAML_RULE_IDP, "no configured IdP has the "
                          "Issuer's entityID");
    }

    text = oiosaml_check_text(m->resp, OIOSAML_NS_SAML, "Issuer");
    oiosaml_check_add(c, OIOSAML_RULE_ISSUER, "Response %s",
                      text ? text : "(none)");
    free(text);

    v = oiosaml_check_attr(m->resp, "Destination");
    oiosaml_check_add(c, OIOSAML_RULE_DESTINATION, "%s (our ACS URL %s)",
                      v ? v : "(none)", sp->acs_url);

    v = oiosaml_check_attr(m->resp, "InResponseTo");
    oiosaml_check_add(c, OIOSAML_RULE_IN_RESPONSE_TO, "Response %s",
                      v ? v : "(none)");

    if (p->request_id != NULL) {
        oiosaml_check_add(c, OIOSAML_RULE_IN_RESPONSE_TO, "must answer %s",
                          p->request_id);
    }

    a = oiosaml_check_find(m->resp, OIOSAML_NS_SAMLP, "StatusCode");
    v = a ? oiosaml_check_attr(a, "Value") : NULL;
    oiosaml_check_add(c, OIOSAML_RULE_STATUS, "%s", v ? v : "(none)");

    a = a ? oiosaml_xml_child(a, OIOSAML_NS_SAMLP, "StatusCode") : NULL;
    v = a ? oiosaml_check_attr(a, "Value") : NULL;
    if (v != NULL) {
        oiosaml_check_add(c, OIOSAML_RULE_STATUS, "/ %s", v);
    }

    n = oiosaml_xml_count(m->resp, OIOSAML_NS_SAML, "Assertion")
        + oiosaml_xml_count(m->resp, OIOSAML_NS_SAML, "EncryptedAssertion");
    oiosaml_check_add(c, OIOSAML_RULE_ASSERTION_COUNT, "%zu at the top, %s",
                      n, m->encrypted ? "encrypted" : "not encrypted");

    oiosaml_check_sig(c, "Response", m->resp);

    oiosaml_check_details_late(c, sp, m);

    if (identity != NULL) {
        oiosaml_check_add(c, OIOSAML_RULE_LOA, "%s (profile %s)",
                          oiosaml_loa_name(identity->loa),
                          oiosaml_profile_name(identity->idp->profile));

        if (identity->nsis != OIOSAML_LOA_NONE) {
            oiosaml_check_add(c, OIOSAML_RULE_LOA, "nsis/loa %s",
                              oiosaml_loa_name(identity->nsis));
        }

        if (identity->nist != OIOSAML_LOA_NONE) {
            oiosaml_check_add(c, OIOSAML_RULE_LOA, "AssuranceLevel %s",
                              oiosaml_loa_name(identity->nist));
        }

        if (identity->mfa) {
            oiosaml_check_add(c, OIOSAML_RULE_LOA, "multipleauthn");
        }

        v = identity->fields[OIOSAML_F_PRIVILEGES];

        if (v == NULL || v[0] == '\0') {
            oiosaml_check_add(c, OIOSAML_RULE_PRIVILEGES, "none");

        } else if (v[0] == '!') {
            oiosaml_check_add(c, OIOSAML_RULE_PRIVILEGES, "malformed: %s; "
                              "the user gets no role", v + 1);

        } else {
            oiosaml_check_add(c, OIOSAML_RULE_PRIVILEGES, "read, %zu bytes "
                              "compiled", strlen(v));
        }
    }

    if (p->loa != OIOSAML_LOA_NONE) {
        oiosaml_check_add(c, OIOSAML_RULE_LOA, "the login asked for %s",
                          oiosaml_loa_name(p->loa));
    }

    a = m->assertion;
    v = a ? oiosaml_check_attr(a, "ID") : NULL;
    oiosaml_check_add(c, OIOSAML_RULE_REPLAY, "no replay cache here; the "
                      "gateway takes assertion %s once", v ? v : "(unknown)");
}


/* the values inside the assertion (decrypted for the report) */
static void
oiosaml_check_details_late(oiosaml_check_t *c, const oiosaml_sp_t *sp,
    const oiosaml_check_msg_t *m)
{
    char         *text, tbuf[21];
    size_t        n;
    xmlNodePtr    a, s, sc, scd, cond, ar, au, as, n1;
    const char   *v;

    a = m->assertion;

    if (m->encrypted) {
        oiosaml_check_add(c, OIOSAML_RULE_ALGORITHMS, "%s", m->enc);
        oiosaml_check_add(c, OIOSAML_RULE_DECRYPTION, "%s",
                          m->decrypt[0] ? m->decrypt
                                        : "an EncryptedAssertion, "
                                          "decrypted with our key");

    } else {
        oiosaml_check_add(c, OIOSAML_RULE_DECRYPTION, "not encrypted");
    }

    if (a == NULL) {
        return;
    }

    oiosaml_check_sig(c, "Assertion", a);

    text = oiosaml_check_text(a, OIOSAML_NS_SAML, "Issuer");
    oiosaml_check_add(c, OIOSAML_RULE_ISSUER, "Assertion %s",
                      text ? text : "(none)");
    free(text);

    oiosaml_check_when(c, "IssueInstant", oiosaml_check_attr(a,
                                                             "IssueInstant"),
                       c->now);

    s = oiosaml_xml_child(a, OIOSAML_NS_SAML, "Subject");
    n1 = s ? oiosaml_xml_child(s, OIOSAML_NS_SAML, "NameID") : NULL;
    text = n1 ? oiosaml_xml_text(n1) : NULL;
    v = n1 ? oiosaml_check_attr(n1, "Format") : NULL;
    oiosaml_check_add(c, OIOSAML_RULE_SUBJECT, "NameID %.200s%s%s%s",
                      text ? text : "(none)", v ? " (" : "", v ? v : "",
                      v ? ")" : "");
    free(text);

    n = 0;

    for (sc = s ? oiosaml_xml_first(s) : NULL; sc; sc = oiosaml_xml_next(sc))
    {
        if (!oiosaml_xml_is(sc, OIOSAML_NS_SAML, "SubjectConfirmation")) {
            continue;
        }

        scd = oiosaml_xml_child(sc, OIOSAML_NS_SAML,
                                "SubjectConfirmationData");
        v = oiosaml_check_attr(sc, "Method");
        n++;

        if (v == NULL || strcmp(v, OIOSAML_CM_BEARER) != 0 || scd == NULL) {
            continue;
        }

        v = oiosaml_check_attr(scd, "Recipient");
        oiosaml_check_add(c, OIOSAML_RULE_RECIPIENT, "%s", v ? v : "(none)");
        v = oiosaml_check_attr(scd, "InResponseTo");
        oiosaml_check_add(c, OIOSAML_RULE_IN_RESPONSE_TO,
                          "SubjectConfirmationData %s", v ? v : "(none)");
        oiosaml_check_when(c, "SubjectConfirmationData NotBefore",
                           oiosaml_check_attr(scd, "NotBefore"), c->now);
        oiosaml_check_when(c, "SubjectConfirmationData NotOnOrAfter",
                           oiosaml_check_attr(scd, "NotOnOrAfter"), c->now);
    }

    oiosaml_check_add(c, OIOSAML_RULE_SUBJECT, "%zu SubjectConfirmation%s",
                      n, n == 1 ? "" : "s");
    oiosaml_check_add(c, OIOSAML_RULE_RECIPIENT, "our ACS URL %s",
                      sp->acs_url);

    cond = oiosaml_xml_child(a, OIOSAML_NS_SAML, "Conditions");

    if (cond != NULL) {
        oiosaml_check_when(c, "Conditions NotBefore",
                           oiosaml_check_attr(cond, "NotBefore"), c->now);
        oiosaml_check_when(c, "Conditions NotOnOrAfter",
                           oiosaml_check_attr(cond, "NotOnOrAfter"), c->now);

        for (ar = oiosaml_xml_first(cond); ar; ar = oiosaml_xml_next(ar)) {
            if (!oiosaml_xml_is(ar, OIOSAML_NS_SAML, "AudienceRestriction")) {
                oiosaml_check_add(c, OIOSAML_RULE_AUDIENCE, "<%.60s>",
                                  (const char *) ar->name);
                continue;
            }

            for (au = oiosaml_xml_first(ar); au; au = oiosaml_xml_next(au)) {
                text = oiosaml_xml_text(au);
                oiosaml_check_add(c, OIOSAML_RULE_AUDIENCE, "%.200s",
                                  text ? text : "");
                free(text);
            }
        }

    } else {
        oiosaml_check_add(c, OIOSAML_RULE_AUDIENCE, "no Conditions");
    }

    oiosaml_check_add(c, OIOSAML_RULE_AUDIENCE, "(our entityID %s)",
                      sp->entity_id);
    oiosaml_time_format(c->now, tbuf);
    oiosaml_check_add(c, OIOSAML_RULE_TIMES, "checked at %s, skew %lds",
                      tbuf, (long) sp->skew);

    n = oiosaml_xml_count(a, OIOSAML_NS_SAML, "AuthnStatement");
    as = oiosaml_xml_child(a, OIOSAML_NS_SAML, "AuthnStatement");
    n1 = as ? oiosaml_check_find(as, OIOSAML_NS_SAML, "AuthnContextClassRef")
            : NULL;
    text = n1 ? oiosaml_xml_text(n1) : NULL;
    oiosaml_check_add(c, OIOSAML_RULE_AUTHN_STATEMENT, "%zu%s%s", n,
                      text ? ", AuthnContextClassRef " : "",
                      text ? text : "");
    free(text);
}


/* the flags' groups: skipped, or passed with a note */
static void
oiosaml_check_skips(oiosaml_check_t *c, const oiosaml_check_params_t *p,
    const char *irt, int time_skipped, const oiosaml_identity_t *identity)
{
    const char            *v;
    oiosaml_check_rule_t  *r;

    r = &c->rules[OIOSAML_RULE_TIMES];

    if (time_skipped && r->verdict == OIOSAML_VERDICT_OK) {
        r->verdict = OIOSAML_VERDICT_SKIPPED;
    }

    r = &c->rules[OIOSAML_RULE_IN_RESPONSE_TO];

    if (r->verdict == OIOSAML_VERDICT_OK && p->request_id == NULL) {
        if (p->flags & OIOSAML_CHECK_IGNORE_IN_RESPONSE_TO) {
            r->verdict = OIOSAML_VERDICT_SKIPPED;

        } else if (irt != NULL) {
            r->verdict = OIOSAML_VERDICT_NOTE;
            oiosaml_check_add(c, OIOSAML_RULE_IN_RESPONSE_TO, "not enforced: "
                              "no pending login (the response's own "
                              "InResponseTo stands in for it)");
        }
    }

    r = &c->rules[OIOSAML_RULE_UNSOLICITED];

    if (r->verdict == OIOSAML_VERDICT_OK) {
        if (irt != NULL) {
            oiosaml_check_add(c, OIOSAML_RULE_UNSOLICITED, "answers an "
                              "AuthnRequest");

        } else if (p->flags & OIOSAML_CHECK_IGNORE_IN_RESPONSE_TO) {
            r->verdict = OIOSAML_VERDICT_SKIPPED;
            oiosaml_check_add(c, OIOSAML_RULE_UNSOLICITED, "no "
                              "InResponseTo: IdP-initiated");

        } else {
            oiosaml_check_add(c, OIOSAML_RULE_UNSOLICITED, "no "
                              "InResponseTo: IdP-initiated, allowed "
                              "(oiosaml_allow_unsolicited on)");
        }
    }

    r = &c->rules[OIOSAML_RULE_PRIVILEGES];
    v = identity ? identity->fields[OIOSAML_F_PRIVILEGES] : NULL;

    if (r->verdict == OIOSAML_VERDICT_OK && v != NULL && v[0] == '!') {
        r->verdict = OIOSAML_VERDICT_NOTE;
    }
}


void
oiosaml_check_free(oiosaml_check_t *c)
{
    free(c);
}


oiosaml_verdict_t
oiosaml_check_verdict(const oiosaml_check_t *c, oiosaml_rule_t rule,
    const char **detail)
{
    if ((unsigned) rule >= OIOSAML_RULE_MAX) {
        *detail = "";
        return OIOSAML_VERDICT_NOT_CHECKED;
    }

    *detail = c->rules[rule].detail;

    return c->rules[rule].verdict;
}


time_t
oiosaml_check_time(const oiosaml_check_t *c)
{
    return c->now;
}


const char *
oiosaml_rule_name(oiosaml_rule_t rule)
{
    return ((unsigned) rule < OIOSAML_RULE_MAX) ? oiosaml_rule_names[rule]
                                                 : "?";
}


const char *
oiosaml_verdict_name(oiosaml_verdict_t v)
{
    return ((unsigned) v < sizeof(oiosaml_verdict_names) / sizeof(char *))
           ? oiosaml_verdict_names[v] : "?";
}


/* appends "; text" to a group's detail (cut at its size) */
static void
oiosaml_check_add(oiosaml_check_t *c, oiosaml_rule_t rule, const char *fmt,
    ...)
{
    char     *d;
    size_t    n;
    va_list   args;

    d = c->rules[rule].detail;
    n = strlen(d);

    if (n != 0 && n < OIOSAML_CHECK_DETAIL - 2) {
        d[n++] = ';';
        d[n++] = ' ';
        d[n] = '\0';
    }

    if (n >= OIOSAML_CHECK_DETAIL - 1) {
        return;
    }

    va_start(args, fmt);
    vsnprintf(d + n, OIOSAML_CHECK_DETAIL - n, fmt, args);
    va_end(args);
}


static const char *
oiosaml_check_attr(xmlNodePtr node, const char *name)
{
    return oiosaml_xml_attr(node, name);
}


static char *
oiosaml_check_text(xmlNodePtr parent, const char *ns, const char *name)
{
    xmlNodePtr  n;

    n = oiosaml_xml_child(parent, ns, name);

    return n ? oiosaml_xml_text(n) : NULL;
}


/* the first element of this name below node (depth first) */
static xmlNodePtr
oiosaml_check_find(xmlNodePtr node, const char *ns, const char *name)
{
    xmlNodePtr  c, found;

    for (c = oiosaml_xml_first(node); c != NULL; c = oiosaml_xml_next(c)) {
        if (oiosaml_xml_is(c, ns, name)) {
            return c;
        }

        found = oiosaml_check_find(c, ns, name);
        if (found != NULL) {
            return found;
        }
    }

    return NULL;
}


/*
 * "rsa-sha256" from ".../xmldsig-more#rsa-sha256", "xml-exc-c14n" from
 * ".../xml-exc-c14n#"
 */
static const char *
oiosaml_check_alg(xmlNodePtr node, const char *ns, const char *name,
    char *buf, size_t size)
{
    size_t       n;
    xmlNodePtr   e;
    const char  *v, *h, *slash;

    e = node ? oiosaml_check_find(node, ns, name) : NULL;
    v = e ? oiosaml_check_attr(e, "Algorithm") : NULL;

    if (v == NULL) {
        return "?";
    }

    n = strlen(v);
    h = strrchr(v, '#');

    if (h != NULL && h[1] != '\0') {
        return h + 1;
    }

    if (h != NULL) {
        n = (size_t) (h - v);
    }

    for (slash = v + n; slash > v && slash[-1] != '/'; slash--) {
        /* void */
    }

    snprintf(buf, size, "%.*s", (int) (v + n - slash), slash);

    return buf;
}


static void
oiosaml_check_sig(oiosaml_check_t *c, const char *what, xmlNodePtr node)
{
    char         b1[64], b2[64], b3[64];
    xmlNodePtr   sig, ref;
    const char  *uri;

    sig = oiosaml_xml_child(node, OIOSAML_NS_DS, "Signature");

    if (sig == NULL) {
        oiosaml_check_add(c, OIOSAML_RULE_SIGNATURE, "%s not signed", what);
        return;
    }

    ref = oiosaml_check_find(sig, OIOSAML_NS_DS, "Reference");
    uri = ref ? oiosaml_check_attr(ref, "URI") : NULL;

    oiosaml_check_add(c, OIOSAML_RULE_SIGNATURE, "%s signed, reference "
                      "%.100s", what, uri ? uri : "(none)");
    oiosaml_check_add(c, OIOSAML_RULE_ALGORITHMS, "%s signature %s, digest "
                      "%s, canonicalization %s", what,
                      oiosaml_check_alg(sig, OIOSAML_NS_DS, "SignatureMethod",
                                        b1, sizeof(b1)),
                      oiosaml_check_alg(sig, OIOSAML_NS_DS, "DigestMethod",
                                        b2, sizeof(b2)),
                      oiosaml_check_alg(sig, OIOSAML_NS_DS,
                                        "CanonicalizationMethod", b3,
                                        sizeof(b3)));
}


/* "encryption aes256-gcm, key transport rsa-oaep-mgf1p", before decryption */
static void
oiosaml_check_enc(oiosaml_check_msg_t *m, xmlNodePtr ea)
{
    char         b1[64], b2[64];
    xmlNodePtr   ed, em, ek;

    ed = oiosaml_xml_child(ea, OIOSAML_NS_XENC, "EncryptedData");
    em = ed ? oiosaml_xml_child(ed, OIOSAML_NS_XENC, "EncryptionMethod")
            : NULL;
    ek = oiosaml_check_find(ea, OIOSAML_NS_XENC, "EncryptedKey");

    snprintf(m->enc, sizeof(m->enc), "encryption %s, key transport %s",
             em ? oiosaml_check_alg(ed, OIOSAML_NS_XENC, "EncryptionMethod",
                                    b1, sizeof(b1)) : "?",
             ek ? oiosaml_check_alg(ek, OIOSAML_NS_XENC, "EncryptionMethod",
                                    b2, sizeof(b2)) : "?");
}


/* "NotOnOrAfter 2026-12-07T10:05:00Z (in 300 s)", "(... 300 s ago)" */
static void
oiosaml_check_when(oiosaml_check_t *c, const char *what, const char *value,
    time_t now)
{
    time_t  t;

    if (value == NULL) {
        return;
    }

    if (oiosaml_time_parse(value, strlen(value), &t) != OIOSAML_OK) {
        oiosaml_check_add(c, OIOSAML_RULE_TIMES, "%s %.40s (not a time)",
                          what, value);
        return;
    }

    if (t >= now) {
        oiosaml_check_add(c, OIOSAML_RULE_TIMES, "%s %.40s (in %lld s)",
                          what, value, (long long) (t - now));

    } else {
        oiosaml_check_add(c, OIOSAML_RULE_TIMES, "%s %.40s (%lld s ago)",
                          what, value, (long long) (now - t));
    }
}


/* the InResponseTo of the first bearer SubjectConfirmationData */
static const char *
oiosaml_check_scd_irt(const oiosaml_check_msg_t *m)
{
    xmlNodePtr   s, sc, scd;
    const char  *v;

    s = m->assertion ? oiosaml_xml_child(m->assertion, OIOSAML_NS_SAML,
                                         "Subject") : NULL;

    for (sc = s ? oiosaml_xml_first(s) : NULL; sc; sc = oiosaml_xml_next(sc))
    {
        if (!oiosaml_xml_is(sc, OIOSAML_NS_SAML, "SubjectConfirmation")) {
            continue;
        }

        scd = oiosaml_xml_child(sc, OIOSAML_NS_SAML,
                                "SubjectConfirmationData");
        v = scd ? oiosaml_check_attr(scd, "InResponseTo") : NULL;

        if (v != NULL) {
            return v;
        }
    }

    return NULL;
}
