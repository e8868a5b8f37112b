
/*
 * oiosaml_response.c: every rule of docs/verification.md, each as a pair:
 * the valid response accepted, the changed one refused with the exact
 * status.  Responses come from the test IdP (tests/idp); where it has no
 * knob, an unsigned response is changed with libxml2 and then signed with
 * the IdP's key, so that only the rule under test is broken.  Signatures,
 * signature wrapping and encryption: test_oiosaml_dsig.c and
 * test_oiosaml_decrypt.c.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_SKEW  OIOSAML_DEFAULT_SKEW


static void expect(const char *b64, time_t at, oiosaml_status_t want,
    const char *text);
static void expect_knobs(const testidp_knobs_t *k, time_t at,
    oiosaml_status_t want, const char *text);
static xmlDocPtr unsigned_doc(const testidp_knobs_t *k);
static char *sign_assertion(xmlDocPtr doc);
static xmlNodePtr node_of(xmlDocPtr doc, const char *ns, const char *name);
static oiosaml_sp_t *sp_unsolicited(void);


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


static void
expect(const char *b64, time_t at, oiosaml_status_t want, const char *text)
{
    oiosaml_pending_t  pending;

    t_pending(&pending);
    t_expect(sp, b64, &pending, at, want, text);
}


/* a response built at "now" with these knobs, verified at "at" */
static void
expect_knobs(const testidp_knobs_t *k, time_t at, oiosaml_status_t want,
    const char *text)
{
    char  *b64;

    b64 = t_response(idp, NULL, k, now);
    expect(b64, at, want, text);
    free(b64);
}


static xmlDocPtr
unsigned_doc(const testidp_knobs_t *k)
{
    testidp_knobs_t  knobs;

    if (k == NULL) {
        t_knobs(&knobs);

    } else {
        knobs = *k;
    }

    knobs.sign = TESTIDP_SIGN_NONE;

    return t_response_doc(idp, NULL, &knobs, now);
}


/* signs the (changed) assertion with the IdP key; frees doc */
static char *
sign_assertion(xmlDocPtr doc)
{
    char  *b64;

    t_sign(idp, node_of(doc, OIOSAML_NS_SAML, "Assertion"), 0);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);

    return b64;
}


static xmlNodePtr
node_of(xmlDocPtr doc, const char *ns, const char *name)
{
    xmlNodePtr  n;

    n = t_find(xmlDocGetRootElement(doc), ns, name);
    assert_non_null(n);

    return n;
}


static oiosaml_sp_t *
sp_unsolicited(void)
{
    oiosaml_sp_t  *s;

    s = t_sp(NULL);
    oiosaml_sp_set_allow_unsolicited(s, 1);

    return s;
}


/* the baseline of every pair below */
static void
test_valid_response(void **state)
{
    char                *b64;
    t_replay_t           replay;
    oiosaml_err_t        err;
    oiosaml_pending_t    pending;
    oiosaml_identity_t  *id;

    b64 = t_response(idp, NULL, NULL, now);
    t_pending(&pending);
    memset(&replay, 0, sizeof(replay));

    assert_int_equal(t_verify(sp, b64, &pending, now, &replay, &id, &err),
                     OIOSAML_OK);
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_USER, NULL),
                        "https://data.gov.dk/model/core/eid/professional/"
                        "uuid/persistent/alice");
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_IDP, NULL),
                        "test");
    assert_ptr_equal(oiosaml_identity_idp(id), oiosaml_sp_idp_at(sp, 0));
    assert_int_equal(oiosaml_identity_loa(id), OIOSAML_LOA_SUBSTANTIAL);
    assert_int_equal(strlen(oiosaml_identity_assertion_id(id)), 41);

    /* the store keeps "entityID\nID" until the latest NotOnOrAfter+skew */
    assert_int_equal(replay.n, 1);
    assert_true(strncmp(replay.keys[0], T_IDP "\n", sizeof(T_IDP)) == 0);
    assert_string_equal(replay.keys[0] + sizeof(T_IDP),
                        oiosaml_identity_assertion_id(id));
    assert_int_equal(replay.expires[0], now + 300 + T_SKEW);

    oiosaml_identity_free(id);
    t_replay_clear(&replay);
    free(b64);

    /* the changed-and-re-signed path used below accepts an unchanged one */
    b64 = sign_assertion(unsigned_doc(NULL));
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);
}


/* rule 1: at most 512 KiB of base64, and valid base64 */
static void
test_size_and_base64(void **state)
{
    char    *xml, *b64, *big;
    size_t   len, n;

    xml = t_response_xml(idp, NULL, NULL, now, &len);

    /* trailing white space is allowed after the root element */
    n = OIOSAML_MAX_RESPONSE / 4 * 3;
    assert_true(len < n);
    big = malloc(n + 2);
    memcpy(big, xml, len);
    memset(big + len, ' ', n - len);

    b64 = t_b64(big, n);
    assert_int_equal(strlen(b64), OIOSAML_MAX_RESPONSE);
    expect(b64, now, OIOSAML_OK, NULL);

    /* one byte more (a newline, which base64 skips) is too large */
    b64 = realloc(b64, OIOSAML_MAX_RESPONSE + 2);
    strcpy(b64 + OIOSAML_MAX_RESPONSE, "\n");
    expect(b64, now, OIOSAML_BAD_TOO_LARGE, "larger than 524288");
    free(b64);

    /* below the limit, the newline is skipped */
    b64 = t_b64(xml, len);
    big = realloc(big, strlen(b64) + 2);
    strcpy(big, b64);
    strcat(big, "\n");
    expect(big, now, OIOSAML_OK, NULL);

    /* a character outside the alphabet */
    big[10] = '*';
    expect(big, now, OIOSAML_BAD_ENCODING, NULL);
    expect("", now, OIOSAML_BAD_ENCODING, NULL);

    free(big);
    free(b64);
    free(xml);
}


/* rule 2: well-formed XML without a DTD */
static void
test_xml_well_formed_no_dtd(void **state)
{
    char    *xml, *b64, *doctype, *p;
    size_t   len;

    xml = t_response_xml(idp, NULL, NULL, now, &len);
    b64 = t_b64(xml, len);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    /* cut short */
    b64 = t_b64(xml, len / 2);
    expect(b64, now, OIOSAML_BAD_XML, NULL);
    free(b64);

    /* the same document behind a DOCTYPE (the signature still holds) */
    p = strstr(xml, "?>");
    assert_non_null(p);
    p += 2;

    doctype = malloc(len + 100);
    memcpy(doctype, xml, (size_t) (p - xml));
    strcpy(doctype + (p - xml), "<!DOCTYPE r [<!ENTITY e \"x\">]>");
    strcat(doctype, p);

    b64 = t_b64(doctype, strlen(doctype));
    expect(b64, now, OIOSAML_BAD_XML, "DOCTYPE");
    free(b64);

    /* an undeclared prefix */
    b64 = t_b64("<x:Response/>", 13);
    expect(b64, now, OIOSAML_BAD_XML, NULL);
    free(b64);

    free(doctype);
    free(xml);
}


/* rule 3: a samlp:Response, Version 2.0 */
static void
test_root_and_version(void **state)
{
    char        *b64;
    xmlDocPtr    doc;
    const char  *other;

    /* round-tripped through libxml2 unchanged: accepted */
    doc = t_response_doc(idp, NULL, NULL, now);
    b64 = t_doc_b64(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    xmlSetProp(xmlDocGetRootElement(doc), BAD_CAST "Version",
               BAD_CAST "2.1");
    b64 = t_doc_b64(doc);
    expect(b64, now, OIOSAML_BAD_MESSAGE, "SAML 2.0");
    free(b64);

    xmlUnsetProp(xmlDocGetRootElement(doc), BAD_CAST "Version");
    b64 = t_doc_b64(doc);
    expect(b64, now, OIOSAML_BAD_MESSAGE, "SAML 2.0");
    free(b64);
    xmlFreeDoc(doc);

    other = "<samlp:LogoutResponse xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
            "Version=\"2.0\"/>";
    b64 = t_b64(other, strlen(other));
    expect(b64, now, OIOSAML_BAD_MESSAGE, "not a samlp:Response");
    free(b64);

    /* the right name in another namespace */
    other = "<Response xmlns=\"urn:x\" Version=\"2.0\"/>";
    b64 = t_b64(other, strlen(other));
    expect(b64, now, OIOSAML_BAD_MESSAGE, "not a samlp:Response");
    free(b64);
}


/* rule 4: the IdP of the pending login, or the Issuer's when none */
static void
test_idp_of_the_login(void **state)
{
    char               *b64;
    oiosaml_sp_t       *s;
    testidp_knobs_t     k;
    oiosaml_pending_t   pending;

    s = t_sp_two_idps();
    b64 = t_response(idp, NULL, NULL, now);
    t_pending(&pending);

    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);

    /* the login went to "other": T_IDP may not answer it */
    strcpy(pending.idp_id, "other");
    t_expect(s, b64, &pending, now, OIOSAML_DENY_ISSUER,
             "is not IdP \"other\"");

    /* the login went to an IdP that is gone */
    strcpy(pending.idp_id, "gone");
    t_expect(s, b64, &pending, now, OIOSAML_DENY_UNKNOWN_IDP, "gone");
    free(b64);
    oiosaml_sp_free(s);

    /* without a pending login the Issuer names the IdP */
    s = sp_unsolicited();
    t_knobs(&k);
    k.in_response_to = "omit";
    b64 = t_response(idp, NULL, &k, now);
    t_expect(s, b64, NULL, now, OIOSAML_OK, NULL);
    free(b64);

    k.issuer = "https://unknown.test/";
    b64 = t_response(idp, NULL, &k, now);
    t_expect(s, b64, NULL, now, OIOSAML_DENY_UNKNOWN_IDP, "unknown.test");
    free(b64);
    oiosaml_sp_free(s);
}


/* rule 5: the Response Issuer, if any, is the IdP's, Format entity */
static void
test_response_issuer(void **state)
{
    char             *b64;
    xmlDocPtr         doc;
    xmlNodePtr        root, is;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.issuer = "https://evil.test/";
    expect_knobs(&k, now, OIOSAML_DENY_ISSUER, "evil.test");

    /* the assertion is signed, so the Response around it can change */
    doc = t_response_doc(idp, NULL, NULL, now);
    root = xmlDocGetRootElement(doc);
    is = oiosaml_xml_child(root, OIOSAML_NS_SAML, "Issuer");
    assert_non_null(is);

    xmlSetProp(is, BAD_CAST "Format", BAD_CAST OIOSAML_NAMEID_ENTITY);
    b64 = t_doc_b64(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    xmlSetProp(is, BAD_CAST "Format",
               BAD_CAST "urn:oasis:names:tc:SAML:1.1:nameid-format:"
               "unspecified");
    b64 = t_doc_b64(doc);
    expect(b64, now, OIOSAML_DENY_ISSUER, "Format");
    free(b64);

    /* two Issuers */
    xmlUnsetProp(is, BAD_CAST "Format");
    xmlAddNextSibling(is, xmlCopyNode(is, 1));
    b64 = t_doc_b64(doc);
    expect(b64, now, OIOSAML_DENY_ISSUER, "more than one Issuer");
    free(b64);

    /* none at all: optional on the Response */
    is = oiosaml_xml_child(root, OIOSAML_NS_SAML, "Issuer");
    xmlUnlinkNode(is);
    xmlFreeNode(is);
    is = oiosaml_xml_child(root, OIOSAML_NS_SAML, "Issuer");
    xmlUnlinkNode(is);
    xmlFreeNode(is);
    assert_null(oiosaml_xml_child(root, OIOSAML_NS_SAML, "Issuer"));
    b64 = t_doc_b64(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    xmlFreeDoc(doc);
}


/* rule 6: Destination is our ACS URL */
static void
test_destination(void **state)
{
    testidp_knobs_t  k;

    t_knobs(&k);
    k.destination = T_ACS;
    expect_knobs(&k, now, OIOSAML_OK, NULL);

    k.destination = "https://evil.test/saml/acs";
    expect_knobs(&k, now, OIOSAML_DENY_DESTINATION, "evil.test");

    k.destination = T_ACS "/";
    expect_knobs(&k, now, OIOSAML_DENY_DESTINATION, NULL);

    k.destination = "omit";
    expect_knobs(&k, now, OIOSAML_DENY_DESTINATION, "(none)");
}


/* rule 7: InResponseTo (Response and SubjectConfirmationData) */
static void
test_in_response_to(void **state)
{
    char               *b64;
    xmlDocPtr           doc;
    oiosaml_sp_t       *s;
    testidp_knobs_t     k;
    oiosaml_pending_t   pending;

    b64 = t_response(idp, NULL, NULL, now);
    t_pending(&pending);
    t_expect(sp, b64, &pending, now, OIOSAML_OK, NULL);

    /* another login of this browser */
    pending.request_id[5] ^= 1;
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_IN_RESPONSE_TO,
          "is not the pending request");

    /* no login in this browser at all, even with unsolicited allowed */
    t_expect(sp, b64, NULL, now, OIOSAML_DENY_IN_RESPONSE_TO,
          "answers no login");
    s = sp_unsolicited();
    t_expect(s, b64, NULL, now, OIOSAML_DENY_IN_RESPONSE_TO,
          "answers no login");
    oiosaml_sp_free(s);
    free(b64);

    t_knobs(&k);
    k.in_response_to = "_ffeeddccbbaa99887766554433221100ffeeddcc";
    expect_knobs(&k, now, OIOSAML_DENY_IN_RESPONSE_TO, NULL);

    /* only the SubjectConfirmationData disagrees */
    doc = unsigned_doc(NULL);
    xmlSetProp(node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmationData"),
               BAD_CAST "InResponseTo", BAD_CAST "_other");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_IN_RESPONSE_TO, "_other");
    free(b64);

    /* only the SubjectConfirmationData answers: solicited all the same */
    doc = unsigned_doc(NULL);
    xmlUnsetProp(xmlDocGetRootElement(doc), BAD_CAST "InResponseTo");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    /* only the Response answers */
    doc = unsigned_doc(NULL);
    xmlUnsetProp(node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmationData"),
                 BAD_CAST "InResponseTo");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);
}


/*
 * The age of the pending login is oiosaml_pending_open()'s check, not
 * this function's: a pending login from a day ago is accepted here.
 */
static void
test_pending_age_not_checked_here(void **state)
{
    char               *b64, *cookie;
    size_t              len;
    oiosaml_err_t       err;
    oiosaml_pending_t   pending, opened;

    t_pending(&pending);
    pending.created = now - 86400;
    b64 = t_response(idp, NULL, NULL, now);
    t_expect(sp, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pending_seal(sp, &pending, "relay", &cookie,
                                          &len, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_pending_open(sp, cookie, len, "relay", 5,
                                          now, &opened, &err),
                     OIOSAML_DENY_COOKIE_EXPIRED);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pending_open(sp, cookie, len, "relay", 5,
                                          now - 86400 + 600, &opened, &err),
                     OIOSAML_OK);
    free(cookie);
}


/* rule 8: Status Success */
static void
test_status(void **state)
{
    char             *b64;
    xmlDocPtr         doc;
    xmlNodePtr        st;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.status = TESTIDP_STATUS_SUCCESS;
    expect_knobs(&k, now, OIOSAML_OK, NULL);

    k.status = TESTIDP_STATUS_PREFIX "Requester";
    expect_knobs(&k, now, OIOSAML_DENY_STATUS, "status:Requester");

    k.status = TESTIDP_STATUS_PREFIX "Responder "
               TESTIDP_STATUS_PREFIX "AuthnFailed";
    expect_knobs(&k, now, OIOSAML_DENY_STATUS, "status:AuthnFailed");

    /* no Status: not a valid Response */
    doc = t_response_doc(idp, NULL, NULL, now);
    st = node_of(doc, OIOSAML_NS_SAMLP, "Status");
    xmlUnlinkNode(st);
    xmlFreeNode(st);
    b64 = t_doc_b64(doc);
    expect(b64, now, OIOSAML_BAD_MESSAGE, "no Status");
    free(b64);
    xmlFreeDoc(doc);
}


/* rule 13: the Assertion's Version, ID and Issuer */
static void
test_assertion_header(void **state)
{
    char        *b64;
    xmlDocPtr    doc;
    xmlNodePtr   a, is;

    doc = unsigned_doc(NULL);
    xmlSetProp(node_of(doc, OIOSAML_NS_SAML, "Assertion"),
               BAD_CAST "Version", BAD_CAST "1.1");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_BAD_MESSAGE, "Version 2.0");
    free(b64);

    /* the assertion's Issuer is another IdP's, the Response's ours */
    doc = unsigned_doc(NULL);
    a = node_of(doc, OIOSAML_NS_SAML, "Assertion");
    is = oiosaml_xml_child(a, OIOSAML_NS_SAML, "Issuer");
    xmlNodeSetContent(is, BAD_CAST "https://other.test/");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_ISSUER, "other.test");
    free(b64);

    /* no Issuer in the assertion: required there */
    doc = unsigned_doc(NULL);
    a = node_of(doc, OIOSAML_NS_SAML, "Assertion");
    is = oiosaml_xml_child(a, OIOSAML_NS_SAML, "Issuer");
    xmlUnlinkNode(is);
    xmlFreeNode(is);
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_ISSUER, "no Issuer");
    free(b64);
}


/* rule 16: IssueInstant at most "skew" in the future */
static void
test_issue_instant(void **state)
{
    testidp_knobs_t  k;

    t_knobs(&k);
    k.issue_instant = T_SKEW;
    expect_knobs(&k, now, OIOSAML_OK, NULL);

    k.issue_instant = T_SKEW + 1;
    expect_knobs(&k, now, OIOSAML_DENY_NOT_YET_VALID, "issued 181 seconds");

    /* once the clock catches up it is fine */
    expect_knobs(&k, now + 1, OIOSAML_OK, NULL);
}


/* rule 18: Conditions NotBefore, to the second */
static void
test_conditions_not_before(void **state)
{
    char             *b64;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.not_before = 500;
    b64 = t_response(idp, NULL, &k, now);

    /* valid from now + 500 - skew */
    expect(b64, now + 500 - T_SKEW - 1, OIOSAML_DENY_NOT_YET_VALID,
           "the assertion is not valid before 181 seconds");
    expect(b64, now + 500 - T_SKEW, OIOSAML_OK, NULL);
    free(b64);
}


/* rule 18: Conditions NotOnOrAfter, to the second */
static void
test_conditions_not_on_or_after(void **state)
{
    char                *b64;
    t_replay_t           replay;
    oiosaml_err_t        err;
    testidp_knobs_t      k;
    oiosaml_pending_t    pending;
    oiosaml_identity_t  *id;

    t_knobs(&k);
    k.not_on_or_after = 300;
    k.scd_not_on_or_after = 3600;
    b64 = t_response(idp, NULL, &k, now);

    expect(b64, now + 300 + T_SKEW - 1, OIOSAML_OK, NULL);
    expect(b64, now + 300 + T_SKEW, OIOSAML_DENY_EXPIRED,
           "the assertion expired 180 seconds ago");

    /* the store keeps the ID for as long as any part is valid */
    t_pending(&pending);
    memset(&replay, 0, sizeof(replay));
    assert_int_equal(t_verify(sp, b64, &pending, now, &replay, &id, &err),
                     OIOSAML_OK);
    assert_int_equal(replay.expires[0], now + 3600 + T_SKEW);
    oiosaml_identity_free(id);
    t_replay_clear(&replay);
    free(b64);
}


/* rule 17: SubjectConfirmationData NotOnOrAfter, to the second */
static void
test_subject_not_on_or_after(void **state)
{
    char             *b64;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.not_on_or_after = 3600;
    k.scd_not_on_or_after = 300;
    b64 = t_response(idp, NULL, &k, now);

    expect(b64, now + 300 + T_SKEW - 1, OIOSAML_OK, NULL);
    expect(b64, now + 300 + T_SKEW, OIOSAML_DENY_EXPIRED,
           "SubjectConfirmationData expired 180 seconds ago");
    free(b64);
}


/* the skew is the SP's: with 0 the boundary moves to NotOnOrAfter */
static void
test_skew_setting(void **state)
{
    char               *b64;
    oiosaml_sp_t       *s;
    oiosaml_pending_t   pending;

    s = t_sp(NULL);
    oiosaml_sp_set_skew(s, 0);
    t_pending(&pending);
    b64 = t_response(idp, NULL, NULL, now);

    t_expect(s, b64, &pending, now + 299, OIOSAML_OK, NULL);
    t_expect(s, b64, &pending, now + 300, OIOSAML_DENY_EXPIRED, NULL);

    oiosaml_sp_free(s);
    free(b64);
}


/* rule 17: NameID, bearer confirmation, Recipient, NotBefore */
static void
test_subject(void **state)
{
    char              tbuf[21], *b64;
    xmlDocPtr         doc;
    xmlNodePtr        n, sc;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.recipient = T_ACS;
    expect_knobs(&k, now, OIOSAML_OK, NULL);

    k.recipient = "https://evil.test/saml/acs";
    expect_knobs(&k, now, OIOSAML_DENY_RECIPIENT, "evil.test");

    /* no NameID */
    doc = unsigned_doc(NULL);
    n = node_of(doc, OIOSAML_NS_SAML, "NameID");
    xmlUnlinkNode(n);
    xmlFreeNode(n);
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_SUBJECT, "no Subject/NameID");
    free(b64);

    /* holder-of-key is not bearer */
    doc = unsigned_doc(NULL);
    xmlSetProp(node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmation"),
               BAD_CAST "Method",
               BAD_CAST "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_SUBJECT, "no bearer");
    free(b64);

    /* bearer without data */
    doc = unsigned_doc(NULL);
    n = node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmationData");
    xmlUnlinkNode(n);
    xmlFreeNode(n);
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_SUBJECT, "no SubjectConfirmationData");
    free(b64);

    /* data without NotOnOrAfter */
    doc = unsigned_doc(NULL);
    xmlUnsetProp(node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmationData"),
                 BAD_CAST "NotOnOrAfter");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_SUBJECT, "no NotOnOrAfter");
    free(b64);

    /* a NotOnOrAfter that is not a time */
    doc = unsigned_doc(NULL);
    xmlSetProp(node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmationData"),
               BAD_CAST "NotOnOrAfter", BAD_CAST "tomorrow");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_BAD_MESSAGE, "not a valid time");
    free(b64);

    /* NotBefore: valid from "skew" before it */
    doc = unsigned_doc(NULL);
    xmlSetProp(node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmationData"),
               BAD_CAST "NotBefore", BAD_CAST "2000-01-01T00:00:00Z");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    /* (after IssueInstant, so that only this rule decides) */
    doc = unsigned_doc(NULL);
    oiosaml_time_format(now + 100, tbuf);
    xmlSetProp(node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmationData"),
               BAD_CAST "NotBefore", BAD_CAST tbuf);
    b64 = sign_assertion(doc);
    expect(b64, now + 100 - T_SKEW - 1, OIOSAML_DENY_NOT_YET_VALID,
           "SubjectConfirmationData is not valid before 181 seconds");
    expect(b64, now + 100 - T_SKEW, OIOSAML_OK, NULL);
    free(b64);

    /* one good bearer confirmation among bad ones is enough */
    doc = unsigned_doc(NULL);
    sc = node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmation");
    n = xmlCopyNode(sc, 1);
    xmlSetProp(oiosaml_xml_child(n, OIOSAML_NS_SAML,
                                 "SubjectConfirmationData"),
               BAD_CAST "Recipient", BAD_CAST "https://evil.test/");
    xmlAddPrevSibling(sc, n);
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    /* when all fail, the first one's reason is given */
    doc = unsigned_doc(NULL);
    sc = node_of(doc, OIOSAML_NS_SAML, "SubjectConfirmation");
    n = xmlCopyNode(sc, 1);
    xmlSetProp(oiosaml_xml_child(n, OIOSAML_NS_SAML,
                                 "SubjectConfirmationData"),
               BAD_CAST "Recipient", BAD_CAST "https://evil.test/");
    xmlAddPrevSibling(sc, n);
    xmlSetProp(oiosaml_xml_child(sc, OIOSAML_NS_SAML,
                                 "SubjectConfirmationData"),
               BAD_CAST "NotOnOrAfter", BAD_CAST "2000-01-01T00:00:00Z");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_RECIPIENT, "evil.test");
    free(b64);
}


/* rule 18: Conditions and AudienceRestriction */
static void
test_audience(void **state)
{
    char             *b64;
    xmlDocPtr         doc;
    xmlNodePtr        cond, ar, n;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.audience = T_SP;
    expect_knobs(&k, now, OIOSAML_OK, NULL);

    k.audience = "https://other-sp.test/";
    expect_knobs(&k, now, OIOSAML_DENY_AUDIENCE, "does not name");

    k.audience = "omit";
    expect_knobs(&k, now, OIOSAML_DENY_AUDIENCE, "no AudienceRestriction");

    /* no Conditions at all */
    doc = unsigned_doc(NULL);
    cond = node_of(doc, OIOSAML_NS_SAML, "Conditions");
    xmlUnlinkNode(cond);
    xmlFreeNode(cond);
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_AUDIENCE, "no Conditions");
    free(b64);

    /* one restriction naming us among others: fine */
    doc = unsigned_doc(NULL);
    ar = node_of(doc, OIOSAML_NS_SAML, "AudienceRestriction");
    n = xmlCopyNode(oiosaml_xml_child(ar, OIOSAML_NS_SAML, "Audience"), 1);
    xmlNodeSetContent(n, BAD_CAST "https://other-sp.test/");
    xmlAddPrevSibling(oiosaml_xml_child(ar, OIOSAML_NS_SAML, "Audience"), n);
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    /* two restrictions: each must name us */
    doc = unsigned_doc(NULL);
    ar = node_of(doc, OIOSAML_NS_SAML, "AudienceRestriction");
    n = xmlCopyNode(ar, 1);
    xmlAddNextSibling(ar, n);
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    doc = unsigned_doc(NULL);
    ar = node_of(doc, OIOSAML_NS_SAML, "AudienceRestriction");
    n = xmlCopyNode(ar, 1);
    xmlNodeSetContent(oiosaml_xml_child(n, OIOSAML_NS_SAML, "Audience"),
                      BAD_CAST "https://other-sp.test/");
    xmlAddNextSibling(ar, n);
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_AUDIENCE, "does not name");
    free(b64);

    /* OneTimeUse and ProxyRestriction hold here */
    doc = unsigned_doc(NULL);
    cond = node_of(doc, OIOSAML_NS_SAML, "Conditions");
    xmlNewChild(cond, cond->ns, BAD_CAST "OneTimeUse", NULL);
    n = xmlNewChild(cond, cond->ns, BAD_CAST "ProxyRestriction", NULL);
    xmlSetProp(n, BAD_CAST "Count", BAD_CAST "0");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_OK, NULL);
    free(b64);

    /* an unknown condition makes the assertion not valid (PRT-10) */
    doc = unsigned_doc(NULL);
    cond = node_of(doc, OIOSAML_NS_SAML, "Conditions");
    n = xmlNewChild(cond, cond->ns, BAD_CAST "Condition", NULL);
    xmlSetProp(n, BAD_CAST "type", BAD_CAST "x:Foo");
    b64 = sign_assertion(doc);
    expect(b64, now, OIOSAML_DENY_CONDITION, "unknown condition <Condition>");
    free(b64);
}


/* rule 19: no InResponseTo anywhere is IdP-initiated */
static void
test_unsolicited(void **state)
{
    char               *b64;
    oiosaml_sp_t       *s;
    testidp_knobs_t     k;
    oiosaml_pending_t   pending;

    t_knobs(&k);
    k.in_response_to = "omit";
    b64 = t_response(idp, NULL, &k, now);
    t_pending(&pending);

    t_expect(sp, b64, NULL, now, OIOSAML_DENY_UNSOLICITED, "IdP-initiated");
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_UNSOLICITED, NULL);

    s = sp_unsolicited();
    t_expect(s, b64, NULL, now, OIOSAML_OK, NULL);
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);

    /* switched off again */
    oiosaml_sp_set_allow_unsolicited(s, 0);
    t_expect(s, b64, NULL, now, OIOSAML_DENY_UNSOLICITED, NULL);

    oiosaml_sp_free(s);
    free(b64);
}


/* rule 20: exactly one AuthnStatement */
static void
test_authn_statement(void **state)
{
    testidp_knobs_t  k;

    t_knobs(&k);
    k.authn_statements = 1;
    expect_knobs(&k, now, OIOSAML_OK, NULL);

    k.authn_statements = 0;
    expect_knobs(&k, now, OIOSAML_DENY_AUTHN_STATEMENT, "0 AuthnStatements");

    k.authn_statements = 2;
    expect_knobs(&k, now, OIOSAML_DENY_AUTHN_STATEMENT, "2 AuthnStatements");
}


/* rule 21: an assertion is accepted once */
static void
test_replay(void **state)
{
    char                *xml, *b64, *bad, *p;
    size_t               len;
    t_replay_t           replay;
    oiosaml_err_t        err;
    oiosaml_pending_t    pending;
    oiosaml_identity_t  *id;

    t_pending(&pending);
    memset(&replay, 0, sizeof(replay));
    b64 = t_response(idp, NULL, NULL, now);

    assert_int_equal(t_verify(sp, b64, &pending, now, &replay, &id, &err),
                     OIOSAML_OK);
    oiosaml_identity_free(id);
    assert_int_equal(replay.n, 1);

    assert_int_equal(t_verify(sp, b64, &pending, now + 1, &replay, &id,
                              &err), OIOSAML_DENY_REPLAY);
    assert_non_null(strstr(err.text, "already used"));
    assert_int_equal(replay.n, 1);

    /* without a store nothing is remembered */
    assert_int_equal(t_verify(sp, b64, &pending, now, NULL, &id, &err),
                     OIOSAML_OK);
    oiosaml_identity_free(id);
    t_replay_clear(&replay);
    free(b64);

    /* a refused copy does not use up the ID: tampered first, then good */
    xml = t_response_xml(idp, NULL, NULL, now, &len);
    b64 = t_b64(xml, len);
    p = strstr(xml, "persistent/alice<");
    assert_non_null(p);
    memcpy(p + 11, "ALICE", 5);
    bad = t_b64(xml, len);
    free(xml);

    assert_int_equal(t_verify(sp, bad, &pending, now, &replay, &id, &err),
                     OIOSAML_DENY_SIGNATURE);
    assert_int_equal(replay.n, 0);

    /* also when refused as expired */
    assert_int_equal(t_verify(sp, b64, &pending, now + 480, &replay, &id,
                              &err), OIOSAML_DENY_EXPIRED);
    assert_int_equal(replay.n, 0);

    assert_int_equal(t_verify(sp, b64, &pending, now, &replay, &id, &err),
                     OIOSAML_OK);
    oiosaml_identity_free(id);
    assert_int_equal(replay.n, 1);

    assert_int_equal(t_verify(sp, b64, &pending, now, &replay, &id, &err),
                     OIOSAML_DENY_REPLAY);
    t_replay_clear(&replay);

    /* a store that cannot record fails closed */
    replay.broken = 1;
    assert_int_equal(t_verify(sp, b64, &pending, now, &replay, &id, &err),
                     OIOSAML_ERR_STORE);

    free(bad);
    free(b64);
}


/*
 * Review finding 1, through the whole check: at an ADFS IdP the MFA class
 * stands for the requested level only in an assertion that states no
 * level; NSIS Substantial plus the class is Substantial, also when the
 * login asked for High.
 */
static void
test_adfs_stated_level(void **state)
{
    char                *b64;
    oiosaml_sp_t        *s;
    oiosaml_err_t        err;
    testidp_knobs_t      k;
    oiosaml_pending_t    pending;
    oiosaml_idp_conf_t   ic;
    oiosaml_identity_t  *id;

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3_ADFS_MULTIPLEAUTHN;
    s = t_sp(&ic);
    t_pending(&pending);

    /* alice: NSIS Substantial, and the MFA class */
    t_knobs(&k);
    k.classref = OIOSAML_MULTIPLEAUTHN;
    b64 = t_response(idp, NULL, &k, now);
    pending.loa = OIOSAML_LOA_HIGH;
    t_expect(s, b64, &pending, now, OIOSAML_DENY_LOA,
             "with level substantial, the login asked for high");
    pending.loa = OIOSAML_LOA_SUBSTANTIAL;
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    /* a level attribute that does not read is still a level stated */
    k.loa = "Medium";
    b64 = t_response(idp, NULL, &k, now);
    t_expect(s, b64, &pending, now, OIOSAML_DENY_LOA, "with level low");
    free(b64);

    /* no level at all: the class stands for the level asked for */
    k.loa = "omit";
    b64 = t_response(idp, NULL, &k, now);
    pending.loa = OIOSAML_LOA_HIGH;
    assert_int_equal(t_verify(s, b64, &pending, now, NULL, &id, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_identity_loa(id), OIOSAML_LOA_HIGH);
    oiosaml_identity_free(id);
    free(b64);

    oiosaml_sp_free(s);
}


/*
 * Review finding 4: no answer is taken from an IdP that the operator
 * marked down or whose metadata is past its validUntil, with or without
 * a pending login; refused before any decryption.
 */
static void
test_idp_unavailable(void **state)
{
    char                *b64, *xml, *at, md[1024], until[32];
    FILE                *f;
    size_t               n;
    time_t               t;
    oiosaml_sp_t        *s;
    testidp_knobs_t      k;
    oiosaml_pending_t    pending;
    oiosaml_idp_conf_t   ic;

    t_pending(&pending);
    t_knobs(&k);
    k.encrypt = TESTIDP_ENC_AES256_GCM;

    /* marked down */
    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.down = 1;
    s = t_sp(&ic);
    oiosaml_sp_set_allow_unsolicited(s, 1);

    b64 = t_response(idp, NULL, &k, now);
    oiosaml_pkey_ops = 0;
    t_expect(s, b64, &pending, now, OIOSAML_DENY_IDP_UNAVAILABLE,
             "IdP \"test\" is marked down");
    assert_int_equal(oiosaml_pkey_ops, 0);
    t_expect(sp, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    /* the same without a pending login: the Issuer names the IdP */
    k.in_response_to = "omit";
    b64 = t_response(idp, NULL, &k, now);
    oiosaml_pkey_ops = 0;
    t_expect(s, b64, NULL, now, OIOSAML_DENY_IDP_UNAVAILABLE, "marked down");
    assert_int_equal(oiosaml_pkey_ops, 0);
    free(b64);
    oiosaml_sp_free(s);
    k.in_response_to = NULL;

    /* metadata valid until an hour from now */
    t = now + 3600;
    oiosaml_format_time(t, until);
    xml = malloc(65536);
    assert_non_null(xml);
    f = fopen(t_idp_metadata("unit-until.xml", T_IDP, "idp.crt", NULL), "r");
    assert_non_null(f);
    n = fread(xml, 1, 65535, f);
    fclose(f);
    xml[n] = '\0';
    at = strstr(xml, "entityID=");
    assert_non_null(at);
    memmove(at + 35, at, strlen(at) + 1);
    memcpy(at, "validUntil=\"", 12);
    memcpy(at + 12, until, 20);
    memcpy(at + 32, "\"  ", 3);
    snprintf(md, sizeof(md), "%s", t_file("unit-until.xml", xml));
    free(xml);

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.metadata_file = md;
    s = t_sp(&ic);

    b64 = t_response(idp, NULL, &k, t - 1);
    pending.created = t - 1;
    t_expect(s, b64, &pending, t - 1, OIOSAML_OK, NULL);
    free(b64);

    b64 = t_response(idp, NULL, &k, t);
    pending.created = t;
    oiosaml_pkey_ops = 0;
    t_expect(s, b64, &pending, t, OIOSAML_DENY_IDP_UNAVAILABLE,
             "validUntil");
    assert_int_equal(oiosaml_pkey_ops, 0);
    free(b64);

    oiosaml_sp_free(s);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_valid_response),
        cmocka_unit_test(test_size_and_base64),
        cmocka_unit_test(test_xml_well_formed_no_dtd),
        cmocka_unit_test(test_root_and_version),
        cmocka_unit_test(test_idp_of_the_login),
        cmocka_unit_test(test_response_issuer),
        cmocka_unit_test(test_destination),
        cmocka_unit_test(test_in_response_to),
        cmocka_unit_test(test_pending_age_not_checked_here),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_assertion_header),
        cmocka_unit_test(test_issue_instant),
        cmocka_unit_test(test_conditions_not_before),
        cmocka_unit_test(test_conditions_not_on_or_after),
        cmocka_unit_test(test_subject_not_on_or_after),
        cmocka_unit_test(test_skew_setting),
        cmocka_unit_test(test_subject),
        cmocka_unit_test(test_audience),
        cmocka_unit_test(test_unsolicited),
        cmocka_unit_test(test_authn_statement),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_adfs_stated_level),
        cmocka_unit_test(test_idp_unavailable),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
