
/*
 * Real-world inputs (tests/data, sources and licences in
 * tests/data/SOURCES.md): IdP metadata as NemLog-in and KOMBIT publish
 * it, privilege lists as DIGST's reference implementations write them,
 * and an OIOSAML 2 assertion of DIGST's OIOSAML.Java re-signed with the
 * test IdP's key.  Each is loaded the way the gateway loads it:
 * oiosaml_idp_new() as "oiosaml_idp ... metadata=FILE" does,
 * oiosaml_privileges_compile() as the login does, oiosaml_response_verify()
 * as the ACS does.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support.h"
#include "oiosaml_internal.h"


#define RW_DATA         "tests/data/"
#define RW_NL3_2025     RW_DATA "metadata/nemlogin3-integrationtest-2025.xml"
#define RW_NL3_2022     RW_DATA "metadata/nemlogin3-integrationtest-2022.xml"
#define RW_NL2_PROD     RW_DATA "metadata/nemlogin2-production.xml"
#define RW_CH1          RW_DATA "metadata/kombit-ch1-eksterntest-idp.xml"

#define RW_NL3_ENTITY   "https://saml.test-nemlog-in.dk/"
#define RW_NL3_SSO      "https://login.test-nemlog-in.dk/idp/saml/3.0/"
#define RW_CH1_RUNTIME  \
    "https://adgangsstyring.eksterntest-stoettesystemerne.dk/runtime/"
#define RW_CVR          "urn:dk:gov:saml:cvrNumberIdentifier:"
#define RW_SE           "urn:dk:gov:saml:seNumberIdentifier:"
#define RW_DOMAIN       "urn:dk:some_domain:"

/* the original's IssueInstant; every time in it moves by the same amount */
#define RW_OJ_ISSUED    "2008-04-03T11:51:26Z"


static time_t rw_time(const char *s);
static char *rw_read(const char *path, size_t *len);
static oiosaml_idp_t *rw_idp(const char *file, oiosaml_profile_t profile,
    time_t at);
static void rw_cert(const oiosaml_idp_t *idp, const char *subject,
    const char *sha256, const char *not_before, const char *not_after);
static oiosaml_status_t rw_compile(const char *file, const char *from,
    const char *to, char **out, oiosaml_err_t *err);
static void rw_shift(xmlNodePtr node, const char *name, time_t delta);
static xmlNodePtr rw_child(xmlNodePtr node, const char *name);
static const char *rw_metadata(const char *entity_id);


/*
 * NemLog-in3's integration test IdP as DIGST's OIOSAML.Net ships it since
 * the certificate change of 2025-11-28: the OCES3 certificate (RSASSA-PSS
 * signed by the test CA, a 3072-bit RSA key) in base64 broken over
 * indented lines, a second copy for the AttributeAuthority, and no
 * validUntil.  Valid at the tests' clock (2026-11-22).
 */
static void
test_nemlogin3_2025_metadata(void **state)
{
    oiosaml_idp_t  *idp;

    idp = rw_idp(RW_NL3_2025, OIOSAML_PROFILE_OIOSAML3, T_NOW);

    assert_string_equal(oiosaml_idp_entity_id(idp), RW_NL3_ENTITY);
    assert_string_equal(oiosaml_idp_sso_url(idp), RW_NL3_SSO);
    assert_string_equal(oiosaml_idp_slo_url(idp), RW_NL3_SSO);
    assert_int_equal(oiosaml_idp_valid_until(idp), 0);

    /* the AttributeAuthorityDescriptor's copy is not an SSO signer */
    assert_int_equal(oiosaml_idp_cert_count(idp), 1);
    rw_cert(idp, "CN=NemLog-in IdP - Test",
            "84ca67620240ff03c6983fe8bc412d8ae04a88395242f611cf78fbf65ea76d9e",
            "2025-08-20T13:41:40Z", "2028-08-19T13:41:39Z");

    assert_true(oiosaml_idp_available(idp, T_NOW));
    assert_false(oiosaml_idp_available(idp, rw_time("2028-08-20T00:00:00Z")));
    oiosaml_idp_free(idp);
}


/*
 * The same IdP as ITfoxtec's NemLog-in3 sample carries it: the OCES3
 * certificate that NemLog-in replaced on 2025-11-28, expired since
 * 2025-12-12.  The library loads the file at any date (it has no
 * validUntil), but from then on no answer of that IdP can be trusted:
 * oiosaml_idp_available() is false, the gateway starts no login there
 * (503, deny_idp_unavailable) and refuses whatever comes back signed.
 */
static void
test_nemlogin3_2022_metadata_expired(void **state)
{
    char                *b64;
    time_t               today;
    xmlDocPtr            doc;
    xmlNodePtr           root, a;
    testidp_t           *tidp;
    oiosaml_sp_t        *sp;
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    testidp_knobs_t      k;
    oiosaml_pending_t    pending;
    oiosaml_idp_conf_t   ic;

    idp = rw_idp(RW_NL3_2022, OIOSAML_PROFILE_OIOSAML3,
                 rw_time("2024-06-01T00:00:00Z"));

    assert_string_equal(oiosaml_idp_entity_id(idp), RW_NL3_ENTITY);
    assert_string_equal(oiosaml_idp_sso_url(idp), RW_NL3_SSO);
    assert_int_equal(oiosaml_idp_cert_count(idp), 1);
    rw_cert(idp, "CN=NemLog-in IdP Test",
            "6db76adb041250bdf53b6408106611c9516a9cf70d91fa77130edaed57fe9dcf",
            "2022-12-13T13:57:09Z", "2025-12-12T13:57:08Z");

    assert_true(oiosaml_idp_available(idp, rw_time("2024-06-01T00:00:00Z")));
    assert_false(oiosaml_idp_available(idp, T_NOW));
    oiosaml_idp_free(idp);

    /* today: still loaded, never available, answers refused */
    today = time(NULL);
    idp = rw_idp(RW_NL3_2022, OIOSAML_PROFILE_OIOSAML3, today);
    assert_false(oiosaml_idp_available(idp, today));
    assert_int_equal(oiosaml_idp_trusted_at(idp, today), 0);
    oiosaml_idp_free(idp);

    memset(&ic, 0, sizeof(ic));
    ic.id = "test";
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.metadata_file = RW_NL3_2022;
    sp = t_sp(&ic);

    /* an answer in that IdP's name, signed by a key the SP would not
     * trust anyway: refused before the key matters */
    tidp = t_testidp(NULL, NULL);
    t_knobs(&k);
    k.sign = TESTIDP_SIGN_NONE;
    doc = t_response_doc(tidp, NULL, &k, today);
    root = xmlDocGetRootElement(doc);
    xmlNodeSetContent(t_need(root, OIOSAML_NS_SAML, "Issuer"),
                      BAD_CAST RW_NL3_ENTITY);
    a = t_assertion_of(doc);
    xmlNodeSetContent(t_need(a, OIOSAML_NS_SAML, "Issuer"),
                      BAD_CAST RW_NL3_ENTITY);
    t_sign(tidp, a, 0);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);

    t_pending(&pending);
    pending.created = today;
    t_expect(sp, b64, &pending, today, OIOSAML_DENY_SIGNATURE,
             "no signing certificate of IdP \"test\" is valid now");

    free(b64);
    testidp_free(tidp);
    oiosaml_sp_free(sp);
    oiosaml_err_clear(&err);
}


/*
 * NemLog-in's own certificate change of 2025-11-28 as a metadata refresh:
 * the IdP loaded from the old file takes the new one (same entityID), and
 * is available after the old certificate expired.
 */
static void
test_nemlogin3_rollover(void **state)
{
    char           *xml;
    size_t          len;
    oiosaml_err_t   err;
    oiosaml_idp_t  *idp;

    idp = rw_idp(RW_NL3_2022, OIOSAML_PROFILE_OIOSAML3,
                 rw_time("2025-11-27T00:00:00Z"));
    xml = rw_read(RW_NL3_2025, &len);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_update(idp, xml, len,
                                        rw_time("2025-11-28T07:00:00Z"),
                                        &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_idp_cert_count(idp), 1);
    rw_cert(idp, "CN=NemLog-in IdP - Test",
            "84ca67620240ff03c6983fe8bc412d8ae04a88395242f611cf78fbf65ea76d9e",
            "2025-08-20T13:41:40Z", "2028-08-19T13:41:39Z");
    assert_true(oiosaml_idp_available(idp, rw_time("2025-12-13T00:00:00Z")));

    free(xml);
    oiosaml_idp_free(idp);
}


/*
 * NemLog-in 2 (OIOSAML 2, run on AD FS) as OIOSAML.Net ships it for
 * production: the entityID is production's, the endpoints are the test
 * AD FS's (as published); an encryption KeyDescriptor before the signing
 * one, with the same FOCES certificate, which expired on 2023-07-01.
 */
static void
test_nemlogin2_production_metadata(void **state)
{
    time_t          at;
    oiosaml_idp_t  *idp;

    at = rw_time("2022-01-01T00:00:00Z");
    idp = rw_idp(RW_NL2_PROD, OIOSAML_PROFILE_OIOSAML2, at);

    assert_string_equal(oiosaml_idp_entity_id(idp),
                        "https://saml.nemlog-in.dk/");
    assert_string_equal(oiosaml_idp_sso_url(idp),
                        "https://login.test-nemlog-in.dk/adfs/ls/");
    assert_string_equal(oiosaml_idp_slo_url(idp),
                        "https://login.test-nemlog-in.dk/adfs/ls/");

    /* use="encryption" is not a signing certificate */
    assert_int_equal(oiosaml_idp_cert_count(idp), 1);
    rw_cert(idp, "CN=Digitaliseringsstyrelsen - NemLog-in IdP",
            "80a961e71ba82494b3210e72647944738f2a29962c5785b95618dcd437cec66f",
            "2020-07-01T07:37:24Z", "2023-07-01T06:55:45Z");

    assert_true(oiosaml_idp_available(idp, at));
    assert_false(oiosaml_idp_available(idp, time(NULL)));
    oiosaml_idp_free(idp);
}


/*
 * KOMBIT's Context Handler 1 in the external test environment: tabs, an
 * SSO endpoint for Redirect and one for POST (Redirect is used), logout
 * with a ResponseLocation, and saml:Attribute elements with values inside
 * the IDPSSODescriptor.  Its FOCES certificate expired on 2018-10-28.
 */
static void
test_kombit_ch1_metadata(void **state)
{
    time_t          at;
    oiosaml_idp_t  *idp;

    at = rw_time("2017-01-01T00:00:00Z");
    idp = rw_idp(RW_CH1, OIOSAML_PROFILE_OIOSAML2, at);

    assert_string_equal(oiosaml_idp_entity_id(idp),
                        "https://saml.adgangsstyring.eksterntest-"
                        "stoettesystemerne.dk");
    assert_string_equal(oiosaml_idp_sso_url(idp),
                        RW_CH1_RUNTIME "saml2/issue.idp");
    assert_string_equal(oiosaml_idp_slo_url(idp),
                        RW_CH1_RUNTIME "saml2/issue.idp");
    assert_string_equal(idp->slo_response_url,
                        RW_CH1_RUNTIME "saml2/signoff.idp");

    assert_int_equal(oiosaml_idp_cert_count(idp), 1);
    /* the subject as the library reports it: RFC 2253, UTF-8 escaped */
    rw_cert(idp, "CN=KOMBIT St\\C3\\B8ttesystemer-T (funktionscertifikat)",
            "bc963e848084aeb54aea6711681ccf406c9e87f291ee7f808f5df18ac6d667f2",
            "2015-10-28T06:54:32Z", "2018-10-28T06:53:56Z");

    assert_true(oiosaml_idp_available(idp, at));
    assert_false(oiosaml_idp_available(idp, time(NULL)));
    oiosaml_idp_free(idp);
}


/* BPP 1.2, unqualified children, tab-indented (OIOSAML.Net's test) */
static void
test_bpp12_unqualified(void **state)
{
    char           *c;
    oiosaml_err_t   err;

    assert_int_equal(rw_compile(RW_DATA "bpp/oiosaml-net-bpp12-"
                                "unqualified.xml", NULL, NULL, &c, &err),
                     OIOSAML_OK);
    assert_string_equal(c,
        "G " RW_CVR "93825592\n"
        "P urn:dk:nemrefusion:privilegium1\n");
    free(c);
}


/*
 * BPP 1.1 with every child in the list's namespace (bpp: prefix) and a
 * line break inside the root tag, as OIOIDWS.Net reads it; groups scoped
 * to a CVR and to an SE number.
 */
static void
test_bpp11_prefixed(void **state)
{
    char           *c;
    oiosaml_err_t   err;

    assert_int_equal(rw_compile(RW_DATA "bpp/oioidws-net-bpp11-prefixed.xml",
                                NULL, NULL, &c, &err),
                     OIOSAML_OK);
    assert_string_equal(c,
        "G " RW_CVR "12345678\n"
        "P " RW_DOMAIN "myPrivilege1A\n"
        "P " RW_DOMAIN "myPrivilege1B\n"
        "G " RW_SE "27384223\n"
        "P " RW_DOMAIN "myPrivilege1C\n"
        "P " RW_DOMAIN "myPrivilege1D\n");
    free(c);
}


/*
 * The list as .NET's XmlSerializer writes it into a string (OIOIDWS.Net's
 * expected value): a default xmlns, no prefix, and encoding="utf-16"
 * although an IdP would send the bytes as UTF-8.  Refused, rightly: the
 * document says it is UTF-16 and is not.  Labelled as what it is, the
 * same bytes compile, with the default-namespace children read like
 * unqualified ones and the published scope typo ("rn:") kept.
 */
static void
test_bpp11_default_ns_utf16_label(void **state)
{
    char           *c;
    oiosaml_err_t   err;

    assert_int_equal(rw_compile(RW_DATA "bpp/oioidws-net-bpp11-"
                                "default-ns.xml", NULL, NULL, &c, &err),
                     OIOSAML_DENY_PRIVILEGES);
    assert_non_null(strstr(err.text, "the privileges are not well-formed "
                                     "XML"));

    assert_int_equal(rw_compile(RW_DATA "bpp/oioidws-net-bpp11-"
                                "default-ns.xml", "encoding=\"utf-16\"",
                                "encoding=\"utf-8\" ", &c, &err),
                     OIOSAML_OK);
    assert_string_equal(c,
        "G " RW_CVR "12345678\n"
        "P " RW_DOMAIN "myPrivilege1A\n"
        "P " RW_DOMAIN "myPrivilege1B\n"
        "G rn:dk:gov:saml:seNumberIdentifier:27384223\n"
        "P " RW_DOMAIN "myPrivilege1C\n"
        "P " RW_DOMAIN "myPrivilege1D\n");
    free(c);
}


/*
 * OIOSAML.Java's OIOSAML 2 test assertion (2008), re-signed: pretty-
 * printed, so the NameID, the AuthnContextClassRef and the AssuranceLevel
 * value carry the line breaks and tabs around their text.  What changed
 * (SOURCES.md): wrapped in a samlp:Response (Destination = our ACS,
 * InResponseTo = the pending request, Issuer as the assertion's, Status
 * Success); SubjectConfirmationData InResponseTo and Recipient, the
 * Audience; every time moved by one amount so that IssueInstant is the
 * tests' clock; signed (rsa-sha256, exc-c14n) with the test IdP's key,
 * published under the original Issuer "idp1.test.oio.dk".
 *
 * The gateway takes the text as it is: the user is the NameID with its
 * white space, and "\n\t\t\t\t2\n\t\t\t" is no AssuranceLevel, so the
 * level is none (OIOSAML.Java's own validator would read no level either:
 * whitespace is part of an xs:string).
 */
static void
test_oiosaml_java_oiosaml2_assertion(void **state)
{
    char                 *xml, *b64, head[1024];
    size_t                len;
    time_t                delta;
    xmlDocPtr             doc, src;
    xmlNodePtr            root, a, n;
    testidp_t            *tidp;
    oiosaml_sp_t         *sp;
    oiosaml_err_t         err;
    oiosaml_status_t      rc;
    oiosaml_pending_t     pending;
    oiosaml_identity_t   *id;
    oiosaml_idp_conf_t    ic;

    xml = rw_read(RW_DATA "responses/oiosaml-java-assertion.xml", &len);
    src = xmlReadMemory(xml, (int) len, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(src);
    free(xml);

    snprintf(head, sizeof(head),
             "<samlp:Response xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
             "ID=\"_rw_oj\" Version=\"2.0\" IssueInstant=\"2008-04-03T11:51:"
             "26Z\" Destination=\"" T_ACS "\" InResponseTo=\"" T_REQ_ID "\">"
             "<saml:Issuer xmlns:saml=\"" OIOSAML_NS_SAML "\">"
             "idp1.test.oio.dk</saml:Issuer><samlp:Status><samlp:StatusCode "
             "Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>"
             "</samlp:Status></samlp:Response>");
    doc = t_parse(head, strlen(head));
    root = xmlDocGetRootElement(doc);
    a = xmlDocCopyNode(xmlDocGetRootElement(src), doc, 1);
    assert_non_null(a);
    xmlAddChild(root, a);
    xmlFreeDoc(src);

    delta = t_now() - rw_time(RW_OJ_ISSUED);
    rw_shift(root, "IssueInstant", delta);
    rw_shift(a, "IssueInstant", delta);

    n = rw_child(rw_child(rw_child(a, "Subject"), "SubjectConfirmation"),
                 "SubjectConfirmationData");
    xmlSetProp(n, BAD_CAST "InResponseTo", BAD_CAST T_REQ_ID);
    xmlSetProp(n, BAD_CAST "Recipient", BAD_CAST T_ACS);
    rw_shift(n, "NotOnOrAfter", delta);

    n = rw_child(a, "Conditions");
    rw_shift(n, "NotBefore", delta);
    rw_shift(n, "NotOnOrAfter", delta);
    xmlNodeSetContent(rw_child(rw_child(n, "AudienceRestriction"),
                               "Audience"), BAD_CAST T_SP);
    rw_shift(rw_child(a, "AuthnStatement"), "AuthnInstant", delta);

    tidp = t_testidp(NULL, NULL);
    t_sign(tidp, a, 0);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);

    memset(&ic, 0, sizeof(ic));
    ic.id = "test";
    ic.profile = OIOSAML_PROFILE_OIOSAML2;
    ic.metadata_file = rw_metadata("idp1.test.oio.dk");
    sp = t_sp(&ic);
    t_pending(&pending);

    id = NULL;
    rc = t_verify(sp, b64, &pending, t_now(), NULL, &id, &err);

    if (rc != OIOSAML_OK) {
        fail_msg("refused (%s): %s", oiosaml_status_name(rc), err.text);
    }

    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_USER, NULL),
                        "\n\t\t\tjoetest\n\t\t");
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_NAMEID_FORMAT,
                                             NULL),
                        "urn:oasis:names:tc:SAML:1.1:nameid-format:"
                        "unspecified");
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_SESSION_INDEX,
                                             NULL),
                        "pVQYCtN.5RD5VtkGJx3Fhecjrkd");
    assert_int_equal(oiosaml_identity_loa(id), OIOSAML_LOA_NONE);
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_LOA, NULL),
                        "none");
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_PRIVILEGES, NULL),
                        "");
    assert_non_null(strstr(oiosaml_identity_get(id, OIOSAML_F_ATTRIBUTES,
                                                NULL),
                           "more="));

    oiosaml_identity_free(id);
    free(b64);
    testidp_free(tidp);
    oiosaml_sp_free(sp);
}


/* ---- helpers ---------------------------------------------------------- */


static time_t
rw_time(const char *s)
{
    time_t  t;

    assert_int_equal(oiosaml_parse_time(s, strlen(s), &t), OIOSAML_OK);

    return t;
}


static char *
rw_read(const char *path, size_t *len)
{
    FILE  *f;
    char  *buf;

    f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s (run from the top directory)", path);
    }

    buf = malloc(65536);
    assert_non_null(buf);
    *len = fread(buf, 1, 65535, f);
    assert_true(feof(f));
    fclose(f);
    buf[*len] = '\0';

    return buf;
}


/* as "oiosaml_idp test metadata=FILE profile=..." loads it at "at" */
static oiosaml_idp_t *
rw_idp(const char *file, oiosaml_profile_t profile, time_t at)
{
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    t_init();
    memset(&ic, 0, sizeof(ic));
    ic.id = "rw";
    ic.metadata_file = file;
    ic.profile = profile;
    oiosaml_err_clear(&err);

    if (oiosaml_idp_new(&ic, at, &idp, &err) != OIOSAML_OK) {
        fail_msg("%s: %s", file, err.text);
    }

    assert_string_equal(oiosaml_idp_metadata_file(idp), file);
    assert_int_equal(oiosaml_idp_profile(idp), profile);

    return idp;
}


/* the IdP's only signing certificate */
static void
rw_cert(const oiosaml_idp_t *idp, const char *subject, const char *sha256,
    const char *not_before, const char *not_after)
{
    oiosaml_cert_info_t  info;

    memset(&info, 0, sizeof(info));
    oiosaml_idp_cert_info(idp, 0, &info);

    assert_string_equal(info.use, "signing");
    if (strstr(info.subject, subject) == NULL) {
        fail_msg("\"%s\" is not in \"%s\"", subject, info.subject);
    }
    assert_string_equal(info.sha256, sha256);
    assert_int_equal(info.not_before, rw_time(not_before));
    assert_int_equal(info.not_after, rw_time(not_after));
}


/* compiles a file as the privileges attribute carries it (base64) */
static oiosaml_status_t
rw_compile(const char *file, const char *from, const char *to, char **out,
    oiosaml_err_t *err)
{
    char              *xml, *b64, *p;
    size_t             len, blen;
    oiosaml_status_t   rc;

    xml = rw_read(file, &len);

    /* one replacement of the same length */
    if (from != NULL) {
        p = strstr(xml, from);
        assert_non_null(p);
        assert_int_equal(strlen(from), strlen(to));
        memcpy(p, to, strlen(to));
    }

    b64 = oiosaml_b64_encode((const unsigned char *) xml, len, &blen);
    assert_non_null(b64);
    free(xml);

    *out = NULL;
    oiosaml_err_clear(err);
    rc = oiosaml_privileges_compile(b64, blen, out, &len, err);
    free(b64);

    if (rc == OIOSAML_OK) {
        assert_int_equal(len, strlen(*out));
    }

    return rc;
}


/* moves a time attribute (with or without fractional seconds) by delta */
static void
rw_shift(xmlNodePtr node, const char *name, time_t delta)
{
    char     *v, *frac, buf[64], t[21];
    time_t    when;

    assert_non_null(node);
    v = (char *) xmlGetProp(node, BAD_CAST name);
    assert_non_null(v);

    frac = strchr(v, '.');
    snprintf(buf, sizeof(buf), "%.19sZ", v);
    when = rw_time(buf);
    oiosaml_format_time(when + delta, t);

    if (frac != NULL) {
        snprintf(buf, sizeof(buf), "%.19s%s", t, frac);
    } else {
        snprintf(buf, sizeof(buf), "%s", t);
    }

    xmlSetProp(node, BAD_CAST name, BAD_CAST buf);
    xmlFree(v);
}


/* the saml: child element of that name */
static xmlNodePtr
rw_child(xmlNodePtr node, const char *name)
{
    xmlNodePtr  c;

    assert_non_null(node);
    c = oiosaml_xml_child(node, OIOSAML_NS_SAML, name);

    if (c == NULL) {
        fail_msg("no saml:%s in %s", name, (const char *) node->name);
    }

    return c;
}


/*
 * Test IdP metadata (idp.crt, endpoints at https://idp.test/) under an
 * entityID that need not be a URL, such as OIOSAML.Java's
 * "idp1.test.oio.dk"
 */
static const char *
rw_metadata(const char *entity_id)
{
    char        *xml, *p, out[65536];
    size_t       len;
    const char  *md;

    md = t_idp_metadata("rw-md.xml", T_IDP, "idp.crt", NULL);
    xml = rw_read(md, &len);
    p = strstr(xml, "entityID=\"" T_IDP "\"");
    assert_non_null(p);
    snprintf(out, sizeof(out), "%.*sentityID=\"%s\"%s", (int) (p - xml), xml,
             entity_id, p + sizeof("entityID=\"" T_IDP "\"") - 1);
    free(xml);

    return t_file("rw-md-entity.xml", out);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_nemlogin3_2025_metadata),
        cmocka_unit_test(test_nemlogin3_2022_metadata_expired),
        cmocka_unit_test(test_nemlogin3_rollover),
        cmocka_unit_test(test_nemlogin2_production_metadata),
        cmocka_unit_test(test_kombit_ch1_metadata),
        cmocka_unit_test(test_bpp12_unqualified),
        cmocka_unit_test(test_bpp11_prefixed),
        cmocka_unit_test(test_bpp11_default_ns_utf16_label),
        cmocka_unit_test(test_oiosaml_java_oiosaml2_assertion),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
