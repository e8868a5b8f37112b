
/*
 * The samlp:Response: built with libxml2, the assertions signed before
 * they are encrypted, the Response signed last, then (for the "tamper"
 * knob) changed after signing.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "testidp.h"


#define TESTIDP_CM_BEARER       "urn:oasis:names:tc:SAML:2.0:cm:bearer"
#define TESTIDP_NAMEFORMAT_URI                                                \
    "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
#define TESTIDP_NAMEFORMAT_BASIC                                              \
    "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
#define TESTIDP_CONSENT_UNSPECIFIED                                           \
    "urn:oasis:names:tc:SAML:2.0:consent:unspecified"
#define TESTIDP_TAMPERED        "mallory"


typedef struct {
    const testidp_t          *idp;
    const testidp_request_t  *req;
    const testidp_user_t     *user;
    const testidp_knobs_t    *knobs;
    const testidp_signer_t   *signer;
    const testidp_peer_t     *encrypt_to;
    testidp_enc_t             encrypt;
    time_t                    now;
    int                       adfs;
    const char               *issuer;
    const char               *acs;
    const char               *in_response_to;   /* NULL: omitted */
    int                       first_done;       /* an assertion made */
    xmlDocPtr                 doc;
    testidp_err_t            *err;
} testidp_rctx_t;


static int testidp_response_setup(testidp_rctx_t *rc);
static int testidp_response_tree(testidp_rctx_t *rc, xmlNodePtr *root,
    char *id);
static int testidp_response_status(testidp_rctx_t *rc, xmlNodePtr root,
    xmlNsPtr samlp, int *success);
static int testidp_assertion_add(testidp_rctx_t *rc, xmlNodePtr parent,
    xmlNsPtr saml);
static int testidp_assertion_subject(testidp_rctx_t *rc, xmlNodePtr a,
    xmlNsPtr ns);
static int testidp_assertion_conditions(testidp_rctx_t *rc, xmlNodePtr a,
    xmlNsPtr ns);
static int testidp_assertion_authn(testidp_rctx_t *rc, xmlNodePtr a,
    xmlNsPtr ns);
static int testidp_assertion_attrs(testidp_rctx_t *rc, xmlNodePtr a,
    xmlNsPtr ns);
static int testidp_knob_omit(const char *value);
static xmlNodePtr testidp_attr_node(testidp_rctx_t *rc, xmlNodePtr parent,
    xmlNsPtr ns, const char *name);
static xmlNsPtr testidp_saml_ns(testidp_rctx_t *rc, xmlNodePtr node);
static int testidp_time_prop(testidp_rctx_t *rc, xmlNodePtr node,
    const char *name, long offset);
static int testidp_tamper(char **xml, size_t *len, const char *text,
    testidp_err_t *err);


int
testidp_response_build(const testidp_t *idp, const testidp_request_t *req,
    const testidp_user_t *user, const testidp_knobs_t *knobs, time_t now,
    char **xml, size_t *len, testidp_err_t *err)
{
    int              rv;
    char             id[42];
    xmlNodePtr       root;
    testidp_rctx_t   rc;

    memset(&rc, 0, sizeof(testidp_rctx_t));

    rc.idp = idp;
    rc.req = req;
    rc.user = user;
    rc.knobs = knobs;
    rc.now = now;
    rc.err = err;

    if (testidp_response_setup(&rc) != 0) {
        return -1;
    }

    rc.doc = xmlNewDoc(BAD_CAST "1.0");

    if (rc.doc == NULL) {
        return testidp_err(err, "out of memory");
    }

    root = NULL;

    rv = testidp_response_tree(&rc, &root, id);

    if (rv == 0
        && (knobs->sign == TESTIDP_SIGN_RESPONSE
            || knobs->sign == TESTIDP_SIGN_BOTH))
    {
        rv = testidp_sign_node(root, id, rc.signer, knobs->sha1, err);
    }

    if (rv == 0) {
        rv = testidp_xml_dump(rc.doc, xml, len, err);
    }

    xmlFreeDoc(rc.doc);

    if (rv != 0) {
        return -1;
    }

    if (knobs->tamper
        && testidp_tamper(xml, len, knobs->nameid ? knobs->nameid
                                                  : user->nameid, err) != 0)
    {
        free(*xml);
        *xml = NULL;
        return -1;
    }

    return 0;
}


/* what the knobs and the configuration decide before any XML is made */
static int
testidp_response_setup(testidp_rctx_t *rc)
{
    const testidp_t        *idp;
    const testidp_knobs_t  *knobs;

    idp = rc->idp;
    knobs = rc->knobs;

    rc->adfs = (idp->profile == TESTIDP_PROFILE_ADFS);
    rc->issuer = knobs->issuer ? knobs->issuer : idp->entity_id;
    rc->acs = rc->req->acs_url;

    if (rc->acs == NULL || rc->acs[0] == '\0') {
        return testidp_err(rc->err, "the AuthnRequest has no "
                           "AssertionConsumerServiceURL");
    }

    if (knobs->in_response_to == NULL) {
        rc->in_response_to = rc->req->id;

    } else if (strcmp(knobs->in_response_to, "omit") != 0) {
        rc->in_response_to = knobs->in_response_to;
    }

    rc->signer = knobs->signer ? knobs->signer : idp->signer;

    if (knobs->wrong_key) {
        if (idp->wrong == NULL) {
            return testidp_err(rc->err, "knob key=wrong needs wrong_key= "
                               "and wrong_cert= in the configuration");
        }

        rc->signer = idp->wrong;
    }

    rc->encrypt = knobs->encrypt;

    if (rc->encrypt == TESTIDP_ENC_DEFAULT) {
        rc->encrypt = idp->encrypt ? TESTIDP_ENC_AES256_GCM
                                   : TESTIDP_ENC_NONE;
    }

    if (rc->encrypt != TESTIDP_ENC_NONE) {
        rc->encrypt_to = knobs->encrypt_to_wrong ? idp->encrypt_wrong
                                                 : idp->encrypt;

        if (rc->encrypt_to == NULL) {
            return testidp_err(rc->err, "encryption needs %s= in the "
                               "configuration", knobs->encrypt_to_wrong
                               ? "wrong_cert" : "encrypt_cert");
        }

        if (knobs->tamper) {
            return testidp_err(rc->err, "knob tamper needs an unencrypted "
                               "Response (encrypt=none)");
        }
    }

    return 0;
}


static int
testidp_response_tree(testidp_rctx_t *rc, xmlNodePtr *rootp, char *id)
{
    int          i, success;
    char         tbuf[40];
    xmlNsPtr     samlp, saml;
    xmlNodePtr   root, issuer;
    const char  *dest;

    root = xmlNewDocNode(rc->doc, NULL, BAD_CAST "Response", NULL);

    if (root == NULL) {
        return testidp_err(rc->err, "out of memory");
    }

    xmlDocSetRootElement(rc->doc, root);

    samlp = xmlNewNs(root, BAD_CAST TESTIDP_NS_SAMLP, BAD_CAST "samlp");
    saml = rc->adfs ? NULL
                    : xmlNewNs(root, BAD_CAST TESTIDP_NS_SAML,
                               BAD_CAST "saml");

    if (samlp == NULL || (!rc->adfs && saml == NULL)
        || testidp_random_id(id, rc->err) != 0)
    {
        return testidp_err(rc->err, "out of memory");
    }

    xmlSetNs(root, samlp);

    dest = rc->knobs->destination ? rc->knobs->destination : rc->acs;

    if (testidp_xml_id(root, id) != 0
        || testidp_xml_prop(root, "Version", "2.0") != 0
        || testidp_time_format(rc->now, rc->adfs, tbuf, sizeof(tbuf)) != 0
        || testidp_xml_prop(root, "IssueInstant", tbuf) != 0
        || (strcmp(dest, "omit") != 0
            && testidp_xml_prop(root, "Destination", dest) != 0)
        || (rc->adfs && testidp_xml_prop(root, "Consent",
                                         TESTIDP_CONSENT_UNSPECIFIED) != 0)
        || (rc->in_response_to != NULL
            && testidp_xml_prop(root, "InResponseTo", rc->in_response_to)
               != 0))
    {
        return testidp_err(rc->err, "out of memory");
    }

    issuer = testidp_xml_child(root, saml, "Issuer", rc->issuer);

    if (issuer == NULL
        || (rc->adfs && testidp_saml_ns(rc, issuer) == NULL))
    {
        return testidp_err(rc->err, "out of memory");
    }

    if (testidp_response_status(rc, root, samlp, &success) != 0) {
        return -1;
    }

    if (success) {
        for (i = 0; i < rc->knobs->assertions; i++) {
            if (testidp_assertion_add(rc, root, saml) != 0) {
                return -1;
            }
        }
    }

    *rootp = root;

    return 0;
}


/*
 * The knob "status" is a full status URN.  A top-level code (Success,
 * Requester, Responder, VersionMismatch) is used alone; any other code is
 * nested in a Responder code.  "TOP SECOND" (two URNs) sets both.
 */
static int
testidp_response_status(testidp_rctx_t *rc, xmlNodePtr root,
    xmlNsPtr samlp, int *success)
{
    char          *top, *second, *sp;
    size_t         i, plen;
    xmlNodePtr     status, code;
    const char    *s;

    static const char  *tops[] = { "Success", "Requester", "Responder",
                                   "VersionMismatch" };

    *success = 0;

    s = rc->knobs->status ? rc->knobs->status : TESTIDP_STATUS_SUCCESS;

    top = testidp_strdup(s);

    if (top == NULL) {
        return testidp_err(rc->err, "out of memory");
    }

    second = NULL;
    sp = strchr(top, ' ');

    if (sp != NULL) {
        *sp = '\0';
        second = sp + 1;

    } else {
        plen = sizeof(TESTIDP_STATUS_PREFIX) - 1;

        for (i = 0; i < sizeof(tops) / sizeof(char *); i++) {
            if (strncmp(top, TESTIDP_STATUS_PREFIX, plen) == 0
                && strcmp(top + plen, tops[i]) == 0)
            {
                break;
            }
        }

        if (i == sizeof(tops) / sizeof(char *)) {
            second = top;
            top = NULL;
        }
    }

    status = testidp_xml_child(root, samlp, "Status", NULL);
    code = testidp_xml_child(status, samlp, "StatusCode", NULL);

    if (testidp_xml_prop(code, "Value",
                         top ? top : TESTIDP_STATUS_PREFIX "Responder") != 0
        || (second != NULL
            && testidp_xml_prop(testidp_xml_child(code, samlp, "StatusCode",
                                                  NULL),
                                "Value", second) != 0))
    {
        free(top ? top : second);
        return testidp_err(rc->err, "out of memory");
    }

    *success = (top != NULL && second == NULL
                && strcmp(top, TESTIDP_STATUS_SUCCESS) == 0);

    free(top ? top : second);

    return 0;
}


static int
testidp_assertion_add(testidp_rctx_t *rc, xmlNodePtr parent, xmlNsPtr saml)
{
    char        id[42], tbuf[40];
    xmlNsPtr    ns;
    xmlNodePtr  a, ea;

    a = xmlNewDocNode(rc->doc, NULL, BAD_CAST "Assertion", NULL);

    if (a == NULL) {
        return testidp_err(rc->err, "out of memory");
    }

    if (rc->encrypt != TESTIDP_ENC_NONE) {
        ea = testidp_xml_child(parent, saml, "EncryptedAssertion", NULL);

        if (ea == NULL || (rc->adfs && testidp_saml_ns(rc, ea) == NULL)) {
            xmlFreeNode(a);
            return testidp_err(rc->err, "out of memory");
        }

        xmlAddChild(ea, a);

    } else {
        xmlAddChild(parent, a);
    }

    /*
     * The Assertion declares its own namespace: after encryption, the SP
     * parses it without the Response around it.
     */
    ns = testidp_saml_ns(rc, a);

    if (ns == NULL || testidp_random_id(id, rc->err) != 0) {
        return testidp_err(rc->err, "out of memory");
    }

    /* the first assertion's ID: given (a replay), and told */
    if (rc->knobs->assertion_id != NULL && rc->knobs->assertion_id[0]
        && !rc->first_done)
    {
        snprintf(id, sizeof(id), "%s", rc->knobs->assertion_id);
    }

    if (rc->knobs->assertion_id_out != NULL && !rc->first_done) {
        memcpy(rc->knobs->assertion_id_out, id, sizeof(id));
    }

    rc->first_done = 1;

    if (testidp_xml_id(a, id) != 0
        || testidp_xml_prop(a, "Version", "2.0") != 0
        || testidp_time_format(rc->now + rc->knobs->issue_instant, rc->adfs,
                               tbuf, sizeof(tbuf)) != 0
        || testidp_xml_prop(a, "IssueInstant", tbuf) != 0
        || testidp_xml_child(a, ns, "Issuer", rc->issuer) == NULL)
    {
        return testidp_err(rc->err, "out of memory");
    }

    if (testidp_assertion_subject(rc, a, ns) != 0
        || testidp_assertion_conditions(rc, a, ns) != 0
        || testidp_assertion_authn(rc, a, ns) != 0
        || testidp_assertion_attrs(rc, a, ns) != 0)
    {
        return -1;
    }

    if ((rc->knobs->sign == TESTIDP_SIGN_ASSERTION
         || rc->knobs->sign == TESTIDP_SIGN_BOTH)
        && testidp_sign_node(a, id, rc->signer, rc->knobs->sha1, rc->err)
           != 0)
    {
        return -1;
    }

    if (rc->encrypt != TESTIDP_ENC_NONE
        && testidp_encrypt_node(a, rc->encrypt_to, rc->encrypt,
                                rc->knobs->transport, rc->err) != 0)
    {
        return -1;
    }

    return 0;
}


static int
testidp_assertion_subject(testidp_rctx_t *rc, xmlNodePtr a, xmlNsPtr ns)
{
    xmlNodePtr   subject, nameid, sc, scd;
    const char  *recipient;

    recipient = rc->knobs->recipient ? rc->knobs->recipient : rc->acs;

    subject = testidp_xml_child(a, ns, "Subject", NULL);
    nameid = testidp_xml_child(subject, ns, "NameID",
                               rc->knobs->nameid ? rc->knobs->nameid
                                                 : rc->user->nameid);
    sc = testidp_xml_child(subject, ns, "SubjectConfirmation", NULL);
    scd = testidp_xml_child(sc, ns, "SubjectConfirmationData", NULL);

    if (testidp_xml_prop(nameid, "Format", rc->user->nameid_format) != 0
        || testidp_xml_prop(sc, "Method", TESTIDP_CM_BEARER) != 0
        || (rc->in_response_to != NULL
            && testidp_xml_prop(scd, "InResponseTo", rc->in_response_to)
               != 0)
        || testidp_time_prop(rc, scd, "NotOnOrAfter",
                             rc->knobs->scd_not_on_or_after) != 0
        || testidp_xml_prop(scd, "Recipient", recipient) != 0)
    {
        return testidp_err(rc->err, "out of memory");
    }

    return 0;
}


static int
testidp_assertion_conditions(testidp_rctx_t *rc, xmlNodePtr a, xmlNsPtr ns)
{
    xmlNodePtr   cond, ar;
    const char  *audience;

    audience = rc->knobs->audience ? rc->knobs->audience : rc->req->issuer;

    cond = testidp_xml_child(a, ns, "Conditions", NULL);

    if (testidp_time_prop(rc, cond, "NotBefore", rc->knobs->not_before) != 0
        || testidp_time_prop(rc, cond, "NotOnOrAfter",
                             rc->knobs->not_on_or_after) != 0)
    {
        return testidp_err(rc->err, "out of memory");
    }

    if (strcmp(audience, "omit") == 0) {
        return 0;
    }

    ar = testidp_xml_child(cond, ns, "AudienceRestriction", NULL);

    if (testidp_xml_child(ar, ns, "Audience", audience) == NULL) {
        return testidp_err(rc->err, "out of memory");
    }

    return 0;
}


static int
testidp_assertion_authn(testidp_rctx_t *rc, xmlNodePtr a, xmlNsPtr ns)
{
    int          i;
    char         sid[42];
    xmlNodePtr   st, ac;
    const char  *classref;

    classref = TESTIDP_CLASSREF_PPT;

    if (rc->knobs->classref != NULL) {
        classref = rc->knobs->classref;

    } else if (rc->adfs && rc->req->nclassrefs > 0) {
        /* AD FS answers with the method that was asked for */
        classref = rc->req->classrefs[0];
    }

    for (i = 0; i < rc->knobs->authn_statements; i++) {
        st = testidp_xml_child(a, ns, "AuthnStatement", NULL);
        ac = testidp_xml_child(st, ns, "AuthnContext", NULL);

        if (testidp_time_prop(rc, st, "AuthnInstant", 0) != 0
            || testidp_random_id(sid, rc->err) != 0
            || testidp_xml_prop(st, "SessionIndex", sid) != 0
            || testidp_xml_child(ac, ns, "AuthnContextClassRef", classref)
               == NULL
            || (rc->knobs->authority != NULL
                && testidp_xml_child(ac, ns, "AuthenticatingAuthority",
                                     rc->knobs->authority) == NULL))
        {
            return testidp_err(rc->err, "out of memory");
        }
    }

    return 0;
}


static int
testidp_assertion_attrs(testidp_rctx_t *rc, xmlNodePtr a, xmlNsPtr ns)
{
    int                    loa_done, nist_done;
    size_t                 i, j;
    xmlNodePtr             st, attr;
    const char            *override;
    const testidp_attr_t  *ua;

    if (rc->user->nattrs == 0 && rc->knobs->loa == NULL
        && rc->knobs->nist == NULL)
    {
        return 0;
    }

    st = testidp_xml_child(a, ns, "AttributeStatement", NULL);

    if (st == NULL) {
        return testidp_err(rc->err, "out of memory");
    }

    /* loa=omit, nist=omit: the user's level attribute is left out */
    loa_done = testidp_knob_omit(rc->knobs->loa);
    nist_done = testidp_knob_omit(rc->knobs->nist);

    for (i = 0; i < rc->user->nattrs; i++) {
        ua = &rc->user->attrs[i];
        override = NULL;

        if (strcmp(ua->name, TESTIDP_ATTR_NSIS_LOA) == 0) {
            if (testidp_knob_omit(rc->knobs->loa)) {
                continue;
            }

            override = rc->knobs->loa;
            loa_done = 1;

        } else if (strcmp(ua->name, TESTIDP_ATTR_NIST_LOA) == 0) {
            if (testidp_knob_omit(rc->knobs->nist)) {
                continue;
            }

            override = rc->knobs->nist;
            nist_done = 1;
        }

        attr = testidp_attr_node(rc, st, ns, ua->name);

        if (attr == NULL) {
            return testidp_err(rc->err, "out of memory");
        }

        if (override != NULL) {
            if (testidp_xml_child(attr, ns, "AttributeValue", override)
                == NULL)
            {
                return testidp_err(rc->err, "out of memory");
            }

            continue;
        }

        for (j = 0; j < ua->nvalues; j++) {
            if (testidp_xml_child(attr, ns, "AttributeValue", ua->values[j])
                == NULL)
            {
                return testidp_err(rc->err, "out of memory");
            }
        }
    }

    if (!loa_done && rc->knobs->loa != NULL) {
        attr = testidp_attr_node(rc, st, ns, TESTIDP_ATTR_NSIS_LOA);

        if (testidp_xml_child(attr, ns, "AttributeValue", rc->knobs->loa)
            == NULL)
        {
            return testidp_err(rc->err, "out of memory");
        }
    }

    if (!nist_done && rc->knobs->nist != NULL) {
        attr = testidp_attr_node(rc, st, ns, TESTIDP_ATTR_NIST_LOA);

        if (testidp_xml_child(attr, ns, "AttributeValue", rc->knobs->nist)
            == NULL)
        {
            return testidp_err(rc->err, "out of memory");
        }
    }

    /* an AttributeStatement holds at least one Attribute */
    if (st->children == NULL) {
        xmlUnlinkNode(st);
        xmlFreeNode(st);
    }

    return 0;
}


static int
testidp_knob_omit(const char *value)
{
    return value != NULL && strcmp(value, "omit") == 0;
}


/*
 * uri NameFormat for names starting with "http" or "urn:", else basic;
 * a persona names one for all (OIOSAML 3: uri, OIOSAML 2: basic)
 */
static xmlNodePtr
testidp_attr_node(testidp_rctx_t *rc, xmlNodePtr parent, xmlNsPtr ns,
    const char *name)
{
    xmlNodePtr   attr;
    const char  *format;

    format = (strncmp(name, "http", 4) == 0 || strncmp(name, "urn:", 4) == 0)
             ? TESTIDP_NAMEFORMAT_URI : TESTIDP_NAMEFORMAT_BASIC;

    if (rc->idp->persona != NULL) {
        format = rc->idp->persona->oiosaml2 ? TESTIDP_NAMEFORMAT_BASIC
                                            : TESTIDP_NAMEFORMAT_URI;
    }

    attr = testidp_xml_child(parent, ns, "Attribute", NULL);

    if (testidp_xml_prop(attr, "Name", name) != 0
        || testidp_xml_prop(attr, "NameFormat", format) != 0)
    {
        return NULL;
    }

    return attr;
}


/* declares the assertion namespace on node ("saml:", or default for AD FS) */
static xmlNsPtr
testidp_saml_ns(testidp_rctx_t *rc, xmlNodePtr node)
{
    xmlNsPtr  ns;

    ns = xmlNewNs(node, BAD_CAST TESTIDP_NS_SAML,
                  rc->adfs ? NULL : BAD_CAST "saml");

    if (ns != NULL) {
        xmlSetNs(node, ns);
    }

    return ns;
}


static int
testidp_time_prop(testidp_rctx_t *rc, xmlNodePtr node, const char *name,
    long offset)
{
    char  tbuf[40];

    if (testidp_time_format(rc->now + offset, rc->adfs, tbuf, sizeof(tbuf))
        != 0)
    {
        return -1;
    }

    return testidp_xml_prop(node, name, tbuf);
}


/* replaces the first occurrence of text in the XML by "mallory" */
static int
testidp_tamper(char **xml, size_t *len, const char *text,
    testidp_err_t *err)
{
    char           *p, *out;
    size_t          tlen, off;
    xmlChar        *esc;
    testidp_str_t   s;

    esc = xmlEncodeSpecialChars(NULL, BAD_CAST text);

    if (esc == NULL) {
        return testidp_err(err, "out of memory");
    }

    p = strstr(*xml, (const char *) esc);
    tlen = strlen((const char *) esc);
    xmlFree(esc);

    if (p == NULL || tlen == 0) {
        return testidp_err(err, "knob tamper: the NameID is not in the "
                           "Response");
    }

    off = (size_t) (p - *xml);

    memset(&s, 0, sizeof(testidp_str_t));
    testidp_str_add(&s, *xml, off);
    testidp_str_cat(&s, TESTIDP_TAMPERED);
    testidp_str_add(&s, p + tlen, *len - off - tlen);

    out = testidp_str_done(&s, len);

    if (out == NULL) {
        return testidp_err(err, "out of memory");
    }

    free(*xml);
    *xml = out;

    return 0;
}
