
/*
 * The attack catalogue (docs/security.md), sections C, D and F, where
 * they are the library's: protocol checks not covered by the rule-by-rule
 * tests of test_oiosaml_response.c (PRT-*), hostile XML (XML-*), and the
 * encodings of the bindings (BND-*).  Responses are signed by the test
 * IdP and changed afterwards; where a change must keep the signature
 * valid (a different serialization of the same signed content), the
 * identity is checked to be the signed one, whole.  NO-FETCH cases listen
 * on a loopback port that nothing may connect to.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_ALICE     "https://data.gov.dk/model/core/eid/professional/uuid/" \
                    "persistent/alice"
#define T_FULL      "alice@corp.example.evil.example"
#define T_PREFIX    "alice@corp.example"
#define T_SAMLP_NS  "xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""


static xmlDocPtr unsigned_doc(const testidp_knobs_t *knobs);
static char *resigned(xmlDocPtr doc);
static void expect_xml(const char *xml, size_t len, oiosaml_status_t want,
    const char *text);
static char *replaced(const char *s, const char *from, const char *to);
static char *with_doctype(const char *doctype, size_t *len);
static void expect_name_id(const char *from, const char *to,
    const char *user);


static oiosaml_sp_t       *sp;
static testidp_t          *idp;
static time_t              now;
static oiosaml_pending_t   pending;


static int
setup(void **state)
{
    sp = t_sp(NULL);
    idp = t_testidp(NULL, NULL);
    now = t_now();
    t_pending(&pending);

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp);
    testidp_free(idp);

    return 0;
}


/* a response with an unsigned assertion, to change and then sign */
static xmlDocPtr
unsigned_doc(const testidp_knobs_t *knobs)
{
    testidp_knobs_t  k;

    if (knobs == NULL) {
        t_knobs(&k);
        knobs = &k;
    }

    k = *knobs;
    k.sign = TESTIDP_SIGN_NONE;

    return t_response_doc(idp, NULL, &k, now);
}


/* the assertion of doc signed by the IdP; base64; frees doc */
static char *
resigned(xmlDocPtr doc)
{
    char  *b64;

    t_sign(idp, t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                       "Assertion"), 0);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);

    return b64;
}


static void
expect_xml(const char *xml, size_t len, oiosaml_status_t want,
    const char *text)
{
    char  *b64;

    b64 = t_b64(xml, len);
    t_expect(sp, b64, &pending, now, want, text);
    free(b64);
}


/* s with the first "from" replaced by "to" (malloc()ed) */
static char *
replaced(const char *s, const char *from, const char *to)
{
    char        *out;
    size_t       n;
    const char  *p;

    p = strstr(s, from);
    assert_non_null(p);
    n = (size_t) (p - s);

    out = malloc(strlen(s) + strlen(to) + 1);
    assert_non_null(out);
    memcpy(out, s, n);
    strcpy(out + n, to);
    strcat(out, p + strlen(from));

    return out;
}


/* the signed response, a DOCTYPE after its XML declaration */
static char *
with_doctype(const char *doctype, size_t *len)
{
    char    *xml, *out, *to;
    size_t   n;

    xml = t_response_xml(idp, NULL, NULL, now, &n);
    to = malloc(strlen(doctype) + 3);
    strcpy(to, "?>");
    strcat(to, doctype);
    out = replaced(xml, "?>", to);
    free(to);
    free(xml);

    *len = strlen(out);

    return out;
}


/*
 * The IdP signs the NameID T_FULL; the serialized text "from" becomes
 * "to"; accepted with exactly "user" as the identity, or (user NULL)
 * refused as a broken signature.
 */
static void
expect_name_id(const char *from, const char *to, const char *user)
{
    char             *xml, *changed, *b64;
    size_t            len;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.nameid = T_FULL;
    xml = t_response_xml(idp, NULL, &k, now, &len);
    changed = replaced(xml, from, to);
    b64 = t_b64(changed, strlen(changed));

    if (user != NULL) {
        t_expect_user(sp, b64, &pending, now, user);

    } else {
        t_expect(sp, b64, &pending, now, OIOSAML_DENY_SIGNATURE, NULL);
    }

    free(b64);
    free(changed);
    free(xml);
}


/* ---- C. Protocol checks ------------------------------------------------ */


/* PRT-04: an empty Issuer, on the Response or the Assertion */
static void
test_prt04_empty_issuer(void **state)
{
    char        *b64;
    xmlDocPtr    doc;

    doc = t_response_doc(idp, NULL, NULL, now);
    xmlNodeSetContent(t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                             "Issuer"), NULL);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_ISSUER, "is not IdP");
    free(b64);

    doc = unsigned_doc(NULL);
    xmlNodeSetContent(t_need(t_need(xmlDocGetRootElement(doc),
                                    OIOSAML_NS_SAML, "Assertion"),
                             OIOSAML_NS_SAML, "Issuer"), NULL);
    b64 = resigned(doc);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_ISSUER, "is not IdP");
    free(b64);
}


/*
 * PRT-06: the Assertion's IssueInstant missing or malformed (a signed
 * value all the same) is refused; long past is no reason on its own: the
 * validity comes from NotOnOrAfter.
 */
static void
test_prt06_issue_instant(void **state)
{
    char        *b64;
    size_t       i;
    xmlDocPtr    doc;
    xmlNodePtr   a;

    static const char  *bad[] = {
        NULL, "", "yesterday", "2026-13-01T00:00:00Z",
        "2026-11-22T10:00:00+25:00", "2026-11-22 10:00:00Z"
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        doc = unsigned_doc(NULL);
        a = t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");

        if (bad[i] == NULL) {
            xmlUnsetProp(a, BAD_CAST "IssueInstant");

        } else {
            xmlSetProp(a, BAD_CAST "IssueInstant", BAD_CAST bad[i]);
        }

        b64 = resigned(doc);
        t_expect(sp, b64, &pending, now, OIOSAML_BAD_MESSAGE,
                 "IssueInstant");
        free(b64);
    }

    doc = unsigned_doc(NULL);
    a = t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
    xmlSetProp(a, BAD_CAST "IssueInstant", BAD_CAST "2001-01-01T00:00:00Z");
    b64 = resigned(doc);
    t_expect(sp, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);
}


/*
 * PRT-07: the same signed assertion in a new Response (new Response ID,
 * new IssueInstant) is still a replay: the key is (IdP, Assertion ID).
 */
static void
test_prt07_rewrapped_assertion(void **state)
{
    char                *b64;
    t_replay_t           replay;
    xmlDocPtr            doc;
    xmlNodePtr           root;
    oiosaml_err_t        err;
    oiosaml_identity_t  *id;

    memset(&replay, 0, sizeof(replay));
    doc = t_response_doc(idp, NULL, NULL, now);

    b64 = t_doc_b64(doc);
    assert_int_equal(t_verify(sp, b64, &pending, now, &replay, &id, &err),
                     OIOSAML_OK);
    oiosaml_identity_free(id);
    free(b64);

    root = xmlDocGetRootElement(doc);
    xmlSetProp(root, BAD_CAST "ID", BAD_CAST "_a_new_response_id");
    xmlSetProp(root, BAD_CAST "IssueInstant", BAD_CAST "2030-01-01T00:00:00Z");
    b64 = t_doc_b64(doc);
    assert_int_equal(t_verify(sp, b64, &pending, now + 5, &replay, &id,
                              &err), OIOSAML_DENY_REPLAY);
    free(b64);

    xmlFreeDoc(doc);
    t_replay_clear(&replay);
}


/*
 * PRT-08: time values in Conditions NotOnOrAfter (signed): the zone is
 * honoured, not dropped; fractions and the leap second are read; a
 * negative or five-digit year, a wrong day, an empty or 10 KB value are
 * refused as malformed, never a crash.
 */
static void
test_prt08_malformed_times(void **state)
{
    char        tbuf[21], v[16384], *b64;
    size_t      i;
    xmlDocPtr   doc;

    static const struct {
        const char        *fmt;     /* %s: the time in 300 s, no "Z" */
        oiosaml_status_t   want;
    } cases[] = {
        { "%sZ", OIOSAML_OK },
        { "%s", OIOSAML_OK },
        { "%s.123456789Z", OIOSAML_OK },
        { "%s-01:00", OIOSAML_OK },
        { "%s+01:00", OIOSAML_DENY_EXPIRED },
        { "9999-12-31T23:59:59Z", OIOSAML_OK },
        { "-2026-11-22T10:00:00Z", OIOSAML_BAD_MESSAGE },
        { "12026-11-22T10:00:00Z", OIOSAML_BAD_MESSAGE },
        { "2026-02-30T10:00:00Z", OIOSAML_BAD_MESSAGE },
        { "2026-11-22T24:00:00Z", OIOSAML_BAD_MESSAGE },
        { "", OIOSAML_BAD_MESSAGE },
        { "%sZ ", OIOSAML_BAD_MESSAGE },
        { "%s+01", OIOSAML_BAD_MESSAGE },
    };

    oiosaml_time_format(now + 300, tbuf);
    tbuf[19] = '\0';

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        doc = unsigned_doc(NULL);
        snprintf(v, sizeof(v), cases[i].fmt, tbuf);
        xmlSetProp(t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                          "Conditions"), BAD_CAST "NotOnOrAfter",
                   BAD_CAST v);
        b64 = resigned(doc);
        t_expect(sp, b64, &pending, now, cases[i].want, NULL);
        free(b64);
    }

    /* the leap second, read as :59 of the same minute */
    doc = unsigned_doc(NULL);
    oiosaml_time_format(now + 3600, tbuf);
    memcpy(tbuf + 17, "60", 2);
    xmlSetProp(t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                      "Conditions"), BAD_CAST "NotOnOrAfter", BAD_CAST tbuf);
    b64 = resigned(doc);
    t_expect(sp, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    /* 10 KB: junk after the seconds, and a fraction of 10 000 digits */
    for (i = 0; i < 2; i++) {
        doc = unsigned_doc(NULL);
        oiosaml_time_format(now + 300, tbuf);
        tbuf[19] = '\0';
        snprintf(v, sizeof(v), "%s%s", tbuf, i ? "." : "x");
        memset(v + strlen(v), i ? '7' : 'x', 10000);
        v[20 + 10000] = '\0';
        xmlSetProp(t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                          "Conditions"), BAD_CAST "NotOnOrAfter",
                   BAD_CAST v);
        b64 = resigned(doc);
        t_expect(sp, b64, &pending, now,
                 i ? OIOSAML_OK : OIOSAML_BAD_MESSAGE, NULL);
        free(b64);
    }
}


/*
 * PRT-13: a NameID only as EncryptedID (nothing we could read) is no
 * subject; the same NameID from two IdPs is two principals: the IdP is
 * part of the identity (and of the replay key).
 */
static void
test_prt13_identity_mapping(void **state)
{
    char                *b64;
    xmlDocPtr            doc;
    xmlNodePtr           nid;
    testidp_t           *other;
    oiosaml_sp_t        *two;
    oiosaml_err_t        err;
    testidp_knobs_t      k;
    oiosaml_identity_t  *a, *b;

    doc = unsigned_doc(NULL);
    nid = t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "NameID");
    xmlNodeSetName(nid, BAD_CAST "EncryptedID");
    xmlNodeSetContent(nid, NULL);
    b64 = resigned(doc);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_SUBJECT, "NameID");
    free(b64);

    two = t_sp_two_keys();
    other = t_testidp("idp-wrong", NULL);
    t_knobs(&k);
    k.in_response_to = "omit";

    b64 = t_response(idp, NULL, &k, now);
    assert_int_equal(t_verify(two, b64, NULL, now, NULL, &a, &err),
                     OIOSAML_OK);
    free(b64);

    doc = t_response_doc(other, NULL, &k, now);
    xmlNodeSetContent(t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                             "Issuer"), BAD_CAST T_OTHER);
    nid = t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
    t_drop(t_need(nid, OIOSAML_NS_DS, "Signature"));
    xmlNodeSetContent(t_need(nid, OIOSAML_NS_SAML, "Issuer"),
                      BAD_CAST T_OTHER);
    t_sign(other, nid, 0);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);
    assert_int_equal(t_verify(two, b64, NULL, now, NULL, &b, &err),
                     OIOSAML_OK);
    free(b64);

    assert_string_equal(oiosaml_identity_get(a, OIOSAML_F_USER, NULL),
                        oiosaml_identity_get(b, OIOSAML_F_USER, NULL));
    assert_string_equal(oiosaml_identity_get(a, OIOSAML_F_IDP, NULL),
                        "test");
    assert_string_equal(oiosaml_identity_get(b, OIOSAML_F_IDP, NULL),
                        "other");

    oiosaml_identity_free(a);
    oiosaml_identity_free(b);
    testidp_free(other);
    oiosaml_sp_free(two);
}


/*
 * PRT-15: the privileges attribute (base64 XML, signed) with an external
 * entity or an entity bomb: refused by the same parser (no DOCTYPE), the
 * login stands with no roles, nothing fetched.
 */
static void
test_prt15_hostile_privileges(void **state)
{
    int                  fd, port;
    char                 xml[4096], *b64, *v;
    size_t               i;
    xmlDocPtr            doc;
    xmlNodePtr           st, attr;
    oiosaml_err_t        err;
    oiosaml_identity_t  *id;

    fd = t_canary_open(&port);

    for (i = 0; i < 2; i++) {
        if (i == 0) {
            snprintf(xml, sizeof(xml), "<!DOCTYPE x [<!ENTITY e SYSTEM "
                     "\"http://127.0.0.1:%d/priv\">]><bpp:PrivilegeList "
                     "xmlns:bpp=\"http://digst.dk/oiosaml/basic_privilege_"
                     "profile\"><PrivilegeGroup Scope=\"s\"><Privilege>&e;"
                     "</Privilege></PrivilegeGroup></bpp:PrivilegeList>",
                     port);

        } else {
            snprintf(xml, sizeof(xml), "<!DOCTYPE l [<!ENTITY a \"aaaaaaa"
                     "aaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                     "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
                     "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>"
                     "<bpp:PrivilegeList xmlns:bpp=\"http://digst.dk/"
                     "oiosaml/basic_privilege_profile\"><PrivilegeGroup "
                     "Scope=\"s\"><Privilege>&d;</Privilege></Privilege"
                     "Group></bpp:PrivilegeList>");
        }

        v = t_b64(xml, strlen(xml));
        doc = unsigned_doc(NULL);
        st = t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                    "AttributeStatement");
        /* first: the first value of an attribute is the one used */
        attr = xmlNewDocNode(doc, st->ns, BAD_CAST "Attribute", NULL);
        xmlAddPrevSibling(oiosaml_xml_first(st), attr);
        xmlSetProp(attr, BAD_CAST "Name",
                   BAD_CAST "https://data.gov.dk/model/core/eid/"
                   "privilegesIntermediate");
        xmlNewTextChild(attr, st->ns, BAD_CAST "AttributeValue", BAD_CAST v);
        free(v);

        b64 = resigned(doc);
        assert_int_equal(t_verify(sp, b64, &pending, now, NULL, &id, &err),
                         OIOSAML_OK);
        v = (char *) oiosaml_identity_get(id, OIOSAML_F_PRIVILEGES, NULL);
        assert_true(v[0] == '!');
        assert_non_null(strstr(v, "DOCTYPE"));
        assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_ROLES, NULL),
                            "");
        oiosaml_identity_free(id);
        free(b64);
    }

    t_canary_silent(fd);
}


/* ---- D. XML parsing ---------------------------------------------------- */


/*
 * XML-01: every kind of DOCTYPE (external entities by http and file,
 * parameter entities, an external DTD, PUBLIC, an empty internal subset,
 * ATTLIST only) is refused at the DOCTYPE; nothing is fetched.
 */
static void
test_xml01_doctype_of_any_kind(void **state)
{
    int      fd, port;
    char     dt[1024], *xml;
    size_t   i, len;

    static const char  *doctypes[] = {
        "<!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.1:%d/x\">]>",
        "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
        "<!DOCTYPE r [<!ENTITY %% p SYSTEM \"http://127.0.0.1:%d/p\"> %%p;]>",
        "<!DOCTYPE r SYSTEM \"http://127.0.0.1:%d/x.dtd\">",
        "<!DOCTYPE r PUBLIC \"-//X//Y\" \"http://127.0.0.1:%d/p.dtd\">",
        "<!DOCTYPE r []>",
        "<!DOCTYPE r>",
        "<!DOCTYPE r [<!ATTLIST samlp:Response ID ID #IMPLIED>]>",
    };

    fd = t_canary_open(&port);

    for (i = 0; i < sizeof(doctypes) / sizeof(doctypes[0]); i++) {
        snprintf(dt, sizeof(dt), doctypes[i], port);
        xml = with_doctype(dt, &len);
        expect_xml(xml, len, OIOSAML_BAD_XML, "DOCTYPE");
        free(xml);
    }

    t_canary_silent(fd);
}


/*
 * XML-02: the billion laughs and a quadratic blowup (one 20 KB entity
 * referenced 10 000 times), in front of a signed response: refused at
 * the DOCTYPE, before any entity is declared, quickly.
 */
static void
test_xml02_entity_expansion(void **state)
{
    int      i;
    char    *dt, *p, *xml;
    size_t   len;
    time_t   start;

    dt = malloc(300000);
    assert_non_null(dt);
    start = time(NULL);

    p = dt + sprintf(dt, "<!DOCTYPE l [<!ENTITY l0 \"ha\">");

    for (i = 1; i < 10; i++) {
        p += sprintf(p, "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;"
                     "&l%d;&l%d;&l%d;&l%d;\">", i, i - 1, i - 1, i - 1,
                     i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    }

    strcpy(p, "]>");
    xml = with_doctype(dt, &len);
    expect_xml(xml, len, OIOSAML_BAD_XML, "DOCTYPE");
    free(xml);

    p = dt + sprintf(dt, "<!DOCTYPE q [<!ENTITY a \"");
    memset(p, 'a', 20000);
    p += 20000;
    p += sprintf(p, "\">]>");
    xml = with_doctype(dt, &len);
    p = replaced(xml, "</saml:NameID>", "");
    free(xml);
    len = strlen(p);
    xml = malloc(len + 10000 * 3 + 32);
    memcpy(xml, p, len);

    for (i = 0; i < 10000; i++) {
        memcpy(xml + len, "&a;", 3);
        len += 3;
    }

    xml[len] = '\0';
    free(p);
    expect_xml(xml, len, OIOSAML_BAD_XML, "DOCTYPE");
    free(xml);

    assert_true(time(NULL) - start < 60);
    free(dt);
}


/*
 * XML-03 (Duo 2018): comments, CDATA, character references and
 * processing instructions in signed text.  What canonicalization keeps
 * the same is accepted, and the identity is the whole text, never the
 * part before the break; a processing instruction is signed content, so
 * adding one breaks the signature.
 */
static void
test_xml03_text_splitting(void **state)
{
    char                *xml, *changed, *b64;
    size_t               len;
    testidp_knobs_t      k;
    oiosaml_err_t        err;
    oiosaml_identity_t  *id;

    expect_name_id(">" T_FULL "<", ">" T_PREFIX "<!-- x -->.evil.example<",
                   T_FULL);
    expect_name_id(">" T_FULL "<", ">al<!--x-->ice@corp.example.evil."
                   "example<", T_FULL);
    expect_name_id(">" T_FULL "<", ">" T_PREFIX "<![CDATA[.evil.example]]><",
                   T_FULL);
    expect_name_id(">" T_FULL "<", ">&#x61;lice@corp.example.evil&#46;"
                   "example<", T_FULL);
    expect_name_id(">" T_FULL "<", ">" T_PREFIX "<?x y?>.evil.example<",
                   NULL);

    /* the same in an attribute value (the e-mail field) */
    t_knobs(&k);
    xml = t_response_xml(idp, NULL, &k, now, &len);
    changed = replaced(xml, ">alice@example.dk<",
                       ">alice@example<!---->.dk<");
    b64 = t_b64(changed, strlen(changed));
    assert_int_equal(t_verify(sp, b64, &pending, now, NULL, &id, &err),
                     OIOSAML_OK);
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_EMAIL, NULL),
                        "alice@example.dk");
    oiosaml_identity_free(id);
    free(b64);
    free(changed);
    free(xml);
}


/*
 * XML-03b: what real IdPs send must pass: a pretty-printed signed
 * response, the same with CRLF line ends, comments outside signed text.
 */
static void
test_xml03b_benign_variants(void **state)
{
    int          n;
    size_t       len;
    char        *b64, *xml, *crlf, *p, *q;
    xmlChar     *out;
    xmlDocPtr    doc;

    doc = unsigned_doc(NULL);
    xmlDocDumpFormatMemoryEnc(doc, &out, &n, "UTF-8", 1);
    xmlFreeDoc(doc);
    assert_non_null(strstr((char *) out, "\n  <saml:Assertion"));
    doc = xmlReadMemory((char *) out, n, NULL, NULL, 0);
    xmlFree(out);
    assert_non_null(doc);

    t_sign(idp, t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                       "Assertion"), 0);
    xmlDocDumpMemoryEnc(doc, &out, &n, "UTF-8");
    xmlFreeDoc(doc);
    xml = strndup((char *) out, (size_t) n);
    xmlFree(out);

    b64 = t_b64(xml, strlen(xml));
    t_expect_user(sp, b64, &pending, now, T_ALICE);
    free(b64);

    crlf = malloc(strlen(xml) * 2 + 1);

    for (p = xml, q = crlf; *p; p++) {
        if (*p == '\n') {
            *q++ = '\r';
        }

        *q++ = *p;
    }

    *q = '\0';
    b64 = t_b64(crlf, strlen(crlf));
    t_expect_user(sp, b64, &pending, now, T_ALICE);
    free(b64);
    free(crlf);
    free(xml);

    /* comments before the root, in the Response, after the root */
    xml = t_response_xml(idp, NULL, NULL, now, &len);
    p = replaced(xml, "?>", "?><!-- before -->");
    free(xml);
    xml = replaced(p, "<samlp:Status>", "<!-- inside --><samlp:Status>");
    free(p);
    p = malloc(strlen(xml) + 32);
    strcpy(p, xml);
    strcat(p, "<!-- after -->\n");
    b64 = t_b64(p, strlen(p));
    t_expect_user(sp, b64, &pending, now, T_ALICE);
    free(b64);
    free(p);
    free(xml);
}


/*
 * XML-04: XInclude, an xml-stylesheet processing instruction and
 * xsi:schemaLocation are never acted on: nothing is fetched, and the
 * (unsigned) Response around the signed assertion is accepted as such.
 */
static void
test_xml04_xinclude_stylesheet_schema(void **state)
{
    int      fd, port;
    char     buf[512], *xml, *a, *b, *b64;
    size_t   len;

    fd = t_canary_open(&port);
    xml = t_response_xml(idp, NULL, NULL, now, &len);

    snprintf(buf, sizeof(buf), "?><?xml-stylesheet type=\"text/xsl\" "
             "href=\"http://127.0.0.1:%d/s.xsl\"?>", port);
    a = replaced(xml, "?>", buf);

    snprintf(buf, sizeof(buf), "<samlp:Extensions><xi:include xmlns:xi="
             "\"http://www.w3.org/2001/XInclude\" href=\"http://127.0.0.1:"
             "%d/xi\" parse=\"xml\"/><xi:include xmlns:xi=\"http://www.w3."
             "org/2001/XInclude\" href=\"file:///etc/passwd\" parse=\"text\""
             "/></samlp:Extensions><samlp:Status>", port);
    b = replaced(a, "<samlp:Status>", buf);
    free(a);

    snprintf(buf, sizeof(buf), T_SAMLP_NS " xmlns:xsi=\"http://www.w3.org/"
             "2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:oasis:"
             "names:tc:SAML:2.0:protocol http://127.0.0.1:%d/x.xsd\"", port);
    a = replaced(b, T_SAMLP_NS, buf);
    free(b);

    b64 = t_b64(a, strlen(a));
    t_expect_user(sp, b64, &pending, now, T_ALICE);

    free(b64);
    free(a);
    free(xml);
    t_canary_silent(fd);
}


/*
 * XML-05: encodings.  ISO-8859-1 with Latin-1 bytes in the NameID, a
 * UTF-8 BOM: the same document, the same identity (in UTF-8).  UTF-16
 * (NUL bytes), invalid or overlong UTF-8 and control characters are
 * refused.
 */
static void
test_xml05_encodings(void **state)
{
    int                  n;
    char                *b64, *xml, *bad;
    size_t               i, len;
    xmlChar             *out;
    xmlDocPtr            doc;
    oiosaml_err_t        err;
    oiosaml_identity_t  *id;

    static const char  *encs[] = { "ISO-8859-1", "UTF-16" };

    for (i = 0; i < 2; i++) {
        doc = t_response_doc(idp, "bob", NULL, now);
        xmlDocDumpMemoryEnc(doc, &out, &n, encs[i]);
        xmlFreeDoc(doc);
        assert_non_null(out);
        b64 = t_b64(out, (size_t) n);

        if (i == 1) {
            xmlFree(out);
            t_expect(sp, b64, &pending, now, OIOSAML_BAD_XML, "UTF-16");
            free(b64);
            continue;
        }

        /* the NameID's "\xc3\xa6" is one byte now */
        assert_non_null(memmem(out, (size_t) n, "B\xe6k", 3));
        xmlFree(out);

        assert_int_equal(t_verify(sp, b64, &pending, now, NULL, &id, &err),
                         OIOSAML_OK);
        assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_USER, NULL),
                            "C=DK,O=87654321,CN=Bob B\xc3\xa6k,Serial=CVR:"
                            "87654321-RID:1234");
        oiosaml_identity_free(id);
        free(b64);
    }

    xml = t_response_xml(idp, NULL, NULL, now, &len);
    bad = malloc(len + 4);
    memcpy(bad, "\xef\xbb\xbf", 3);
    memcpy(bad + 3, xml, len + 1);
    b64 = t_b64(bad, len + 3);
    t_expect_user(sp, b64, &pending, now, T_ALICE);
    free(b64);
    free(bad);

    bad = replaced(xml, "persistent/alice<", "persistent/al\xff\xfeice<");
    expect_xml(bad, strlen(bad), OIOSAML_BAD_XML, NULL);
    free(bad);
    bad = replaced(xml, "persistent/alice<", "persistent/al\xc0\xafice<");
    expect_xml(bad, strlen(bad), OIOSAML_BAD_XML, NULL);
    free(bad);
    bad = replaced(xml, "persistent/alice<", "persistent/al\x01ice<");
    expect_xml(bad, strlen(bad), OIOSAML_BAD_XML, NULL);
    free(bad);
    free(xml);
}


/*
 * XML-06: more than one root, trailing text or a second Response after
 * the root, a leading element: not well-formed.  An Assertion as the
 * root is no Response.
 */
static void
test_xml06_roots_and_trailing_garbage(void **state)
{
    char    *xml, *bad, *a;
    size_t   i, len;

    static const char  *tails[] = {
        "<x/>", "garbage", "<samlp:Response " T_SAMLP_NS "/>"
    };

    xml = t_response_xml(idp, NULL, NULL, now, &len);

    for (i = 0; i < 3; i++) {
        bad = malloc(len + strlen(tails[i]) + 1);
        memcpy(bad, xml, len);
        strcpy(bad + len, tails[i]);
        expect_xml(bad, strlen(bad), OIOSAML_BAD_XML, NULL);
        free(bad);
    }

    bad = replaced(xml, "?>", "?><lead/>");
    expect_xml(bad, strlen(bad), OIOSAML_BAD_XML, NULL);
    free(bad);

    a = strstr(xml, "<saml:Assertion");
    assert_non_null(a);
    bad = strdup(a);
    *strstr(bad, "</saml:Assertion>") = '\0';
    strcat(bad, "</saml:Assertion>");
    expect_xml(bad, strlen(bad), OIOSAML_BAD_MESSAGE,
               "not a samlp:Response");
    free(bad);
    free(xml);
}


/*
 * XML-07: depth, width and name bombs within the 512 KiB limit: 100 000
 * nested elements, 10 000 attributes or namespace declarations on one
 * element, a 100 KB element name, 5 000 AttributeValues (signed).
 * Refused or ignored, all quickly.
 */
static void
test_xml07_depth_and_width(void **state)
{
    char                *xml, *bomb, *p, *b64;
    size_t               i, len;
    time_t               start;
    xmlDocPtr            doc;
    xmlNodePtr           attr;

    start = time(NULL);
    xml = t_response_xml(idp, NULL, NULL, now, &len);
    bomb = malloc(1400000);
    assert_non_null(bomb);

    /* nested */
    p = bomb + sprintf(bomb, "<samlp:Extensions>");
    for (i = 0; i < 100000; i++) {
        memcpy(p, "<a>", 3);
        p += 3;
    }
    strcpy(p, "<samlp:Status>");
    p = replaced(xml, "<samlp:Status>", bomb);
    expect_xml(p, strlen(p), OIOSAML_BAD_XML, NULL);
    free(p);

    /* wide: attributes, then namespace declarations */
    for (i = 0; i < 2; i++) {
        size_t  j;

        p = bomb + sprintf(bomb, "<samlp:Extensions><a");
        for (j = 0; j < 10000; j++) {
            p += sprintf(p, i ? " xmlns:n%zu=\"urn:n%zu\"" : " a%zu=\"v\"",
                         j, j);
        }
        strcpy(p, "/></samlp:Extensions><samlp:Status>");
        p = replaced(xml, "<samlp:Status>", bomb);
        b64 = t_b64(p, strlen(p));
        t_expect_user(sp, b64, &pending, now, T_ALICE);
        free(b64);
        free(p);
    }

    /* a name longer than libxml2 takes without XML_PARSE_HUGE */
    p = bomb + sprintf(bomb, "<samlp:Extensions><");
    memset(p, 'n', 100000);
    strcpy(p + 100000, "/></samlp:Extensions><samlp:Status>");
    p = replaced(xml, "<samlp:Status>", bomb);
    expect_xml(p, strlen(p), OIOSAML_BAD_XML, NULL);
    free(p);

    /* many values, signed: over the library's limit of values */
    doc = unsigned_doc(NULL);
    attr = t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Attribute");
    for (i = 0; i < 5000; i++) {
        xmlNewTextChild(attr, attr->ns, BAD_CAST "AttributeValue",
                        BAD_CAST "v");
    }
    b64 = resigned(doc);
    t_expect(sp, b64, &pending, now, OIOSAML_BAD_TOO_LARGE,
             "attribute values");
    free(b64);

    free(bomb);
    free(xml);
    assert_true(time(NULL) - start < 60);
}


/*
 * XML-08: an attribute twice on one element is not well-formed; ID, Id
 * and id on the signed assertion make its ID ambiguous.
 */
static void
test_xml08_duplicate_attributes(void **state)
{
    char    *xml, *bad, buf[256], *id;
    size_t   len;

    xml = t_response_xml(idp, NULL, NULL, now, &len);

    bad = replaced(xml, " Version=\"2.0\"", " Version=\"2.0\" ID=\"_x\"");
    expect_xml(bad, strlen(bad), OIOSAML_BAD_XML, NULL);
    free(bad);

    bad = replaced(xml, " Destination=\"", " Destination=\"x\" Destination=\"");
    expect_xml(bad, strlen(bad), OIOSAML_BAD_XML, NULL);
    free(bad);

    /* the assertion's ID copied into Id and id */
    id = strstr(strstr(xml, "<saml:Assertion"), " ID=\"");
    assert_non_null(id);
    snprintf(buf, sizeof(buf), " Id=\"%.41s\" id=\"%.41s\" ID=\"", id + 5,
             id + 5);
    bad = malloc(len + strlen(buf) + 1);
    memcpy(bad, xml, (size_t) (id - xml));
    strcpy(bad + (id - xml), buf);
    strcat(bad, id + 5);
    expect_xml(bad, strlen(bad), OIOSAML_DENY_DUPLICATE_ID, "occurs");
    free(bad);
    free(xml);
}


/* ---- F. Bindings (the library's part) --------------------------------- */


/*
 * BND-03: base64.  White space and line breaks (as IdPs wrap it) are
 * skipped; anything outside the alphabet is refused, the base64url
 * characters and data after the end included.
 */
static void
test_bnd03_base64_edges(void **state)
{
    char    *xml, *b64, *bad;
    size_t   i, len, n;

    static const char  *tails[] = { "-", "-garbage*&^", "_", "A", "====",
                                    "*" };

    xml = t_response_xml(idp, NULL, NULL, now, &len);
    b64 = t_b64(xml, len);
    n = strlen(b64);

    /* wrapped at 76 with CRLF, and spaces: fine */
    bad = malloc(n * 2 + 64);

    for (i = 0, len = 0; i < n; i++) {
        bad[len++] = b64[i];

        if (i % 76 == 75) {
            bad[len++] = '\r';
            bad[len++] = '\n';
        }
    }

    bad[len] = '\0';
    t_expect_user(sp, bad, &pending, now, T_ALICE);

    for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        strcpy(bad, b64);
        strcat(bad, tails[i]);
        t_expect(sp, bad, &pending, now, OIOSAML_BAD_ENCODING, NULL);
    }

    /* the base64url alphabet instead */
    strcpy(bad, b64);

    for (i = 0; i < n; i++) {
        if (bad[i] == '+') {
            bad[i] = '-';

        } else if (bad[i] == '/') {
            bad[i] = '_';
        }
    }

    if (strcmp(bad, b64) != 0) {
        t_expect(sp, bad, &pending, now, OIOSAML_BAD_ENCODING, NULL);
    }

    free(bad);
    free(b64);
    free(xml);
}


/*
 * BND-05: a NUL byte after the decoded document (where strlen() would
 * stop) or inside the NameID: not XML.
 */
static void
test_bnd05_nul_bytes(void **state)
{
    char    *xml, *bad, *p;
    size_t   len;

    xml = t_response_xml(idp, NULL, NULL, now, &len);

    bad = malloc(len + 32);
    memcpy(bad, xml, len);
    memcpy(bad + len, "\0<evil/>", 8);
    expect_xml(bad, len + 8, OIOSAML_BAD_XML, NULL);

    memcpy(bad, xml, len);
    p = strstr(bad, "persistent/alice<");
    assert_non_null(p);
    p[16] = '\0';
    expect_xml(bad, len, OIOSAML_BAD_XML, NULL);

    free(bad);
    free(xml);
}


/* raw DEFLATE of data, base64 */
static char *
deflated(const unsigned char *data, size_t len, size_t *out_len)
{
    char           *b64;
    z_stream        zs;
    unsigned char  *buf;

    buf = malloc(len + 1024);
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 9,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *) data;
    zs.avail_in = (uInt) len;
    zs.next_out = buf;
    zs.avail_out = (uInt) (len + 1024);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);

    b64 = t_b64(buf, *out_len);
    free(buf);

    return b64;
}


/*
 * BND-07: DEFLATE bombs for the HTTP-Redirect binding: 16 MB of zeros
 * in about 16 KB (refused at the absolute limit, quickly), a zlib or
 * gzip header instead of raw DEFLATE, a stream cut short.
 */
static void
test_bnd07_deflate_bomb(void **state)
{
    char           *b64, *cut;
    size_t          len, n, xml_len;
    time_t          start;
    oiosaml_err_t   err;
    unsigned char  *zeros, *xml;

    start = time(NULL);
    n = 16 * 1024 * 1024;
    zeros = calloc(1, n);
    assert_non_null(zeros);
    b64 = deflated(zeros, n, &len);
    free(zeros);
    assert_true(len < 32 * 1024);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate(b64, strlen(b64), &xml,
                                              &xml_len, &err),
                     OIOSAML_BAD_TOO_LARGE);

    /* the bomb cut short: still refused at the limit */
    cut = strndup(b64, strlen(b64) / 2 / 4 * 4);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate(cut, strlen(cut), &xml,
                                              &xml_len, &err),
                     OIOSAML_BAD_TOO_LARGE);
    free(cut);
    free(b64);

    /* zlib ("x\x9c" = eJ) and gzip (\x1f\x8b = H4s) headers */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate("eJyzqdC3AwAC+AEi", 16, &xml,
                                              &xml_len, &err),
                     OIOSAML_BAD_ENCODING);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate("H4sIAAAAAAACA7Op0LcDACuEJhIE"
                                              "AAAA", 32, &xml, &xml_len,
                                              &err), OIOSAML_BAD_ENCODING);

    assert_true(time(NULL) - start < 60);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_prt04_empty_issuer),
        cmocka_unit_test(test_prt06_issue_instant),
        cmocka_unit_test(test_prt07_rewrapped_assertion),
        cmocka_unit_test(test_prt08_malformed_times),
        cmocka_unit_test(test_prt13_identity_mapping),
        cmocka_unit_test(test_prt15_hostile_privileges),
        cmocka_unit_test(test_xml01_doctype_of_any_kind),
        cmocka_unit_test(test_xml02_entity_expansion),
        cmocka_unit_test(test_xml03_text_splitting),
        cmocka_unit_test(test_xml03b_benign_variants),
        cmocka_unit_test(test_xml04_xinclude_stylesheet_schema),
        cmocka_unit_test(test_xml05_encodings),
        cmocka_unit_test(test_xml06_roots_and_trailing_garbage),
        cmocka_unit_test(test_xml07_depth_and_width),
        cmocka_unit_test(test_xml08_duplicate_attributes),
        cmocka_unit_test(test_bnd03_base64_edges),
        cmocka_unit_test(test_bnd05_nul_bytes),
        cmocka_unit_test(test_bnd07_deflate_bomb),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
