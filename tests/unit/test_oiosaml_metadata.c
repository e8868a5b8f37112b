
/*
 * oiosaml_metadata.c (through oiosaml_idp_new): IdP metadata.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_status_t
load(const char *xml, oiosaml_idp_t **idp, oiosaml_err_t *err)
{
    oiosaml_idp_conf_t  ic;

    memset(&ic, 0, sizeof(ic));
    ic.id = "t";
    ic.metadata_file = t_file("md.xml", xml);
    oiosaml_err_clear(err);

    return oiosaml_idp_new(&ic, T_NOW, idp, err);
}


static void
test_valid(void **state)
{
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    memset(&ic, 0, sizeof(ic));
    ic.id = "t";
    ic.metadata_file = t_idp_metadata("md2.xml", T_IDP, "idp.crt",
                                      "idp-next.crt", NULL);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_string_equal(oiosaml_idp_entity_id(idp), T_IDP);
    assert_string_equal(oiosaml_idp_sso_url(idp), T_IDP "sso");
    assert_string_equal(oiosaml_idp_slo_url(idp), T_IDP "slo");
    assert_string_equal(oiosaml_idp_label(idp), "t");
    assert_int_equal(idp->ncerts, 2);
    oiosaml_idp_free(idp);
}


#define MD_HEAD \
    "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" " \
    "entityID=\"https://x/\">"
#define SSO_REDIRECT \
    "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:" \
    "bindings:HTTP-Redirect\" Location=\"https://x/sso\"/>"


static void
test_invalid(void **state)
{
    oiosaml_err_t   err;
    oiosaml_idp_t  *idp;

    assert_int_equal(load("not xml", &idp, &err), OIOSAML_ERR_CONFIG);

    assert_int_equal(load(MD_HEAD "</md:EntityDescriptor>", &idp, &err),
                     OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "no IDPSSODescriptor"));

    assert_int_equal(load(MD_HEAD "<md:IDPSSODescriptor>" SSO_REDIRECT
                          "</md:IDPSSODescriptor></md:EntityDescriptor>",
                          &idp, &err), OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "no signing certificate"));

    assert_int_equal(load(MD_HEAD "<md:IDPSSODescriptor>"
                          "<md:SingleSignOnService Binding=\"urn:oasis:names"
                          ":tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https"
                          "://x/\"/></md:IDPSSODescriptor>"
                          "</md:EntityDescriptor>", &idp, &err),
                     OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "HTTP-Redirect"));

    assert_int_equal(load("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:"
                          "tc:SAML:2.0:metadata\" entityID=\"x\" validUntil="
                          "\"2020-01-01T00:00:00Z\"><md:IDPSSODescriptor>"
                          SSO_REDIRECT "</md:IDPSSODescriptor>"
                          "</md:EntityDescriptor>", &idp, &err),
                     OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "expired"));

    assert_int_equal(load(MD_HEAD "<md:IDPSSODescriptor><md:KeyDescriptor>"
                          "<ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/"
                          "xmldsig#\"><ds:X509Data><ds:X509Certificate>AAAA"
                          "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
                          "</md:KeyDescriptor>" SSO_REDIRECT
                          "</md:IDPSSODescriptor></md:EntityDescriptor>",
                          &idp, &err), OIOSAML_ERR_CONFIG);
}


/*
 * Endpoints become Location headers as they are: only http(s) URLs
 * without white space or control characters count (WEB-09: javascript:,
 * and "&#13;&#10;" that would split the redirect to the IdP).
 */
static void
test_endpoint_urls(void **state)
{
    FILE           *f;
    char           *xml, *bad, *p;
    size_t          i, n;
    const char     *md;
    oiosaml_err_t   err;
    oiosaml_idp_t  *idp;

    static const char  *urls[] = {
        "javascript:alert(1)", "data:text/html,x",
        "https://idp.test/sso&#13;&#10;Set-Cookie: x=1",
        "https://idp.test/sso&#10;", "https://idp.test/ sso",
        "https://idp.test/sso&#9;", "https://idp.test/sso&#127;", ""
    };

    md = t_idp_metadata("md3.xml", T_IDP, "idp.crt", NULL);
    f = fopen(md, "r");
    assert_non_null(f);
    xml = malloc(65536);
    n = fread(xml, 1, 65535, f);
    xml[n] = '\0';
    fclose(f);

    bad = malloc(n + 256);

    for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        /* the single sign-on endpoint: the IdP cannot be used */
        p = strstr(xml, "Location=\"" T_IDP "sso\"");
        assert_non_null(p);
        memcpy(bad, xml, (size_t) (p - xml));
        sprintf(bad + (p - xml), "Location=\"%s\"%s", urls[i],
                p + sizeof("Location=\"" T_IDP "sso\"") - 1);
        assert_int_equal(load(bad, &idp, &err), OIOSAML_ERR_CONFIG);
        assert_non_null(strstr(err.text, "HTTP-Redirect"));

        /* the logout endpoint, or its ResponseLocation: not used */
        p = strstr(xml, "Location=\"" T_IDP "slo\"");
        assert_non_null(p);
        memcpy(bad, xml, (size_t) (p - xml));
        sprintf(bad + (p - xml), "Location=\"%s\"%s", urls[i],
                p + sizeof("Location=\"" T_IDP "slo\"") - 1);
        assert_int_equal(load(bad, &idp, &err), OIOSAML_OK);
        assert_null(oiosaml_idp_slo_url(idp));
        oiosaml_idp_free(idp);

        memcpy(bad, xml, (size_t) (p - xml));
        sprintf(bad + (p - xml), "ResponseLocation=\"%s\" %s", urls[i], p);
        assert_int_equal(load(bad, &idp, &err), OIOSAML_OK);
        assert_null(oiosaml_idp_slo_url(idp));
        oiosaml_idp_free(idp);
    }

    free(bad);
    free(xml);
}


static void
test_bad_ids(void **state)
{
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    memset(&ic, 0, sizeof(ic));
    ic.metadata_file = "x";
    oiosaml_err_clear(&err);
    ic.id = "bad id";
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err),
                     OIOSAML_ERR_CONFIG);
    ic.id = "";
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err),
                     OIOSAML_ERR_CONFIG);
}


/* ---- aggregates (EntitiesDescriptor) and entity= ----------------------- */

#define MD_NS   "urn:oasis:names:tc:SAML:2.0:metadata"
#define AGG_HEAD(attrs) \
    "<md:EntitiesDescriptor xmlns:md=\"" MD_NS "\" " attrs ">"
#define AGG_TAIL    "</md:EntitiesDescriptor>"
#define SP_ENTITY \
    "<md:EntityDescriptor entityID=\"https://sp.other/\">" \
    "<md:SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:" \
    "SAML:2.0:protocol\"/></md:EntityDescriptor>"


static char *read_text(const char *path);
static char *entity_xml(const char *name, const char *entity_id,
    const char *cert);
static char *aggregate(const char *attrs, const char *a, const char *b,
    const char *c);
static oiosaml_status_t from_memory(const char *xml, const char *entity,
    const char *signer, oiosaml_idp_t **idp, oiosaml_err_t *err);


static char *
read_text(const char *path)
{
    FILE    *f;
    char    *buf;
    size_t   n;

    f = fopen(path, "r");
    assert_non_null(f);
    buf = calloc(1, 65536);
    assert_non_null(buf);
    n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';

    return buf;
}


/* one EntityDescriptor (t_idp_metadata()), without the XML declaration */
static char *
entity_xml(const char *name, const char *entity_id, const char *cert)
{
    return read_text(t_idp_metadata(name, entity_id, cert, NULL));
}


static char *
aggregate(const char *attrs, const char *a, const char *b, const char *c)
{
    char  *out;

    out = malloc(strlen(attrs) + strlen(a) + strlen(b) + strlen(c) + 256);
    assert_non_null(out);
    sprintf(out, "<md:EntitiesDescriptor xmlns:md=\"" MD_NS "\" %s>%s%s%s"
            AGG_TAIL, attrs, a, b, c);

    return out;
}


static oiosaml_status_t
from_memory(const char *xml, const char *entity, const char *signer,
    oiosaml_idp_t **idp, oiosaml_err_t *err)
{
    oiosaml_status_t    rc;
    oiosaml_idp_conf_t  ic;

    memset(&ic, 0, sizeof(ic));
    ic.id = "t";
    ic.entity = entity;
    ic.metadata_signer = signer ? t_cert(signer) : NULL;
    oiosaml_err_clear(err);

    rc = oiosaml_idp_from_metadata(&ic, xml, strlen(xml), T_NOW, idp, err);

    if (rc != OIOSAML_OK) {
        assert_null(*idp);
        assert_int_equal(err->status, rc);
    }

    return rc;
}


static void
test_aggregate_entity(void **state)
{
    char                *a, *b, *agg, *nested;
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    a = entity_xml("agg-a.xml", T_IDP, "idp.crt");
    b = entity_xml("agg-b.xml", "https://other.test/", "idp-next.crt");
    agg = aggregate("Name=\"federation\"", SP_ENTITY, a, b);

    /* each IdP by its entityID: its endpoints and only its keys */
    assert_int_equal(from_memory(agg, T_IDP, NULL, &idp, &err), OIOSAML_OK);
    assert_string_equal(oiosaml_idp_entity_id(idp), T_IDP);
    assert_string_equal(oiosaml_idp_sso_url(idp), T_IDP "sso");
    assert_int_equal(oiosaml_idp_trusts(idp, t_cert("idp.crt"), t_now(),
                                        &err), OIOSAML_OK);
    assert_int_equal(oiosaml_idp_cert_count(idp), 1);
    oiosaml_idp_free(idp);

    assert_int_equal(from_memory(agg, "https://other.test/", NULL, &idp,
                                 &err), OIOSAML_OK);
    assert_string_equal(oiosaml_idp_sso_url(idp), "https://other.test/sso");
    oiosaml_idp_free(idp);

    /* without entity=: an error that names the IdPs (not the SP) */
    assert_int_equal(from_memory(agg, NULL, NULL, &idp, &err),
                     OIOSAML_DENY_UNKNOWN_IDP);
    assert_non_null(strstr(err.text, "2 identity providers"));
    assert_non_null(strstr(err.text, "\"" T_IDP "\""));
    assert_non_null(strstr(err.text, "\"https://other.test/\""));
    assert_null(strstr(err.text, "sp.other"));
    assert_non_null(strstr(err.text, "entity="));

    /* an entity that is not there, or only as an SP */
    assert_int_equal(from_memory(agg, "https://nobody.test/", NULL, &idp,
                                 &err), OIOSAML_DENY_UNKNOWN_IDP);
    assert_non_null(strstr(err.text, "entity=\"https://nobody.test/\" is "
                                     "not in the aggregate"));
    assert_int_equal(from_memory(agg, "https://sp.other/", NULL, &idp,
                                 &err), OIOSAML_BAD_MESSAGE);
    assert_non_null(strstr(err.text, "no IDPSSODescriptor"));
    free(agg);

    /* the same entityID twice: ambiguous */
    agg = aggregate("", a, a, "");
    assert_int_equal(from_memory(agg, T_IDP, NULL, &idp, &err),
                     OIOSAML_DENY_UNKNOWN_IDP);
    assert_non_null(strstr(err.text, "2 times"));
    free(agg);

    /* one IdP in an aggregate needs no entity= (as before) */
    agg = aggregate("", SP_ENTITY, a, "");
    assert_int_equal(from_memory(agg, NULL, NULL, &idp, &err), OIOSAML_OK);
    oiosaml_idp_free(idp);
    free(agg);

    /* nested aggregates; the outer validUntil counts */
    agg = aggregate("Name=\"inner\"", b, a, "");
    nested = aggregate("validUntil=\"2020-01-01T00:00:00Z\"", SP_ENTITY, agg,
                       "");
    assert_int_equal(from_memory(nested, T_IDP, NULL, &idp, &err),
                     OIOSAML_DENY_EXPIRED);
    free(nested);
    nested = aggregate("validUntil=\"2099-01-01T00:00:00Z\"", SP_ENTITY, agg,
                       "");
    assert_int_equal(from_memory(nested, T_IDP, NULL, &idp, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_idp_valid_until(idp),
                     oiosaml_timegm(2099, 1, 1, 0, 0, 0));
    oiosaml_idp_free(idp);
    free(nested);
    free(agg);

    /* one EntityDescriptor: entity= must name it */
    assert_int_equal(from_memory(a, T_IDP, NULL, &idp, &err), OIOSAML_OK);
    oiosaml_idp_free(idp);
    assert_int_equal(from_memory(a, "https://other.test/", NULL, &idp, &err),
                     OIOSAML_DENY_UNKNOWN_IDP);
    assert_non_null(strstr(err.text, "describes entityID \"" T_IDP "\", not "
                                     "entity=\"https://other.test/\""));

    /* oiosaml_idp_new(): the same, and every fault is a configuration error */
    agg = aggregate("", a, b, "");
    memset(&ic, 0, sizeof(ic));
    ic.id = "t";
    ic.metadata_file = t_file("agg.xml", agg);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err),
                     OIOSAML_ERR_CONFIG);
    assert_int_equal(err.status, OIOSAML_ERR_CONFIG);
    assert_non_null(strstr(err.text, "choose one with entity="));
    ic.entity = "https://other.test/";
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_string_equal(oiosaml_idp_entity_id(idp), "https://other.test/");
    oiosaml_idp_free(idp);
    ic.entity = "";
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err),
                     OIOSAML_ERR_CONFIG);

    free(agg);
    free(a);
    free(b);
}


/*
 * metadata_signer= on an aggregate: the signature on the
 * EntitiesDescriptor is checked as a whole before the entity is picked;
 * a change to another entity breaks it, and a signature on the entity
 * alone is no signature of the aggregate.
 */
static void
test_aggregate_signature(void **state)
{
    char            *a, *b, *agg, *xml, *p;
    size_t           len;
    xmlDocPtr        doc;
    testidp_t       *signer;
    oiosaml_err_t    err;
    oiosaml_idp_t   *idp;

    signer = t_testidp("idp-next", NULL);

    a = entity_xml("agg-a.xml", T_IDP, "idp.crt");
    b = entity_xml("agg-b.xml", "https://other.test/", "idp-wrong.crt");
    agg = aggregate("ID=\"_agg1\"", a, b, "");

    doc = t_parse(agg, strlen(agg));
    t_sign(signer, xmlDocGetRootElement(doc), 0);
    xml = oiosaml_xml_dump(doc, &len);
    xmlFreeDoc(doc);

    assert_int_equal(from_memory(xml, T_IDP, "idp-next.crt", &idp, &err),
                     OIOSAML_OK);
    assert_string_equal(oiosaml_idp_entity_id(idp), T_IDP);
    oiosaml_idp_free(idp);

    /* signed by somebody else */
    assert_int_equal(from_memory(xml, T_IDP, "idp.crt", &idp, &err),
                     OIOSAML_DENY_SIGNATURE);
    assert_non_null(strstr(err.text, "metadata_signer"));

    /* the other entity changed: the aggregate no longer verifies */
    p = strstr(xml, "https://other.test/sso");
    assert_non_null(p);
    memcpy(p, "https://evil.test/", 18);
    assert_int_equal(from_memory(xml, T_IDP, "idp-next.crt", &idp, &err),
                     OIOSAML_DENY_SIGNATURE);
    free(xml);

    /* not signed at all */
    assert_int_equal(from_memory(agg, T_IDP, "idp-next.crt", &idp, &err),
                     OIOSAML_DENY_UNSIGNED);
    assert_non_null(strstr(err.text, "not signed"));
    free(agg);

    /* only the entity is signed, not the aggregate */
    agg = aggregate("", a, b, "");
    doc = t_parse(agg, strlen(agg));
    xmlSetProp(t_find(xmlDocGetRootElement(doc), MD_NS, "EntityDescriptor"),
               BAD_CAST "ID", BAD_CAST "_e1");
    t_sign(signer, t_find(xmlDocGetRootElement(doc), MD_NS,
                          "EntityDescriptor"), 0);
    xml = oiosaml_xml_dump(doc, &len);
    xmlFreeDoc(doc);
    assert_int_equal(from_memory(xml, T_IDP, "idp-next.crt", &idp, &err),
                     OIOSAML_DENY_UNSIGNED);
    free(xml);

    free(agg);
    free(a);
    free(b);
    testidp_free(signer);
}


/* oiosaml_idp_from_metadata() names the class of each fault */
static void
test_failure_classes(void **state)
{
    char            *a, *big;
    oiosaml_err_t    err;
    oiosaml_idp_t   *idp;

    assert_int_equal(from_memory("not xml", NULL, NULL, &idp, &err),
                     OIOSAML_BAD_XML);
    assert_int_equal(from_memory("<html><body>502</body></html>", NULL,
                                 NULL, &idp, &err), OIOSAML_BAD_MESSAGE);
    assert_non_null(strstr(err.text, "neither EntityDescriptor"));
    assert_int_equal(from_memory(MD_HEAD "<md:IDPSSODescriptor>"
                                 SSO_REDIRECT "</md:IDPSSODescriptor>"
                                 "</md:EntityDescriptor>", NULL, NULL, &idp,
                                 &err), OIOSAML_BAD_MESSAGE);
    assert_non_null(strstr(err.text, "no signing certificate"));

    a = entity_xml("cls-a.xml", T_IDP, "idp.crt");
    assert_int_equal(from_memory(a, NULL, "idp.crt", &idp, &err),
                     OIOSAML_DENY_UNSIGNED);
    free(a);

    assert_int_equal(from_memory("<md:EntityDescriptor xmlns:md=\"" MD_NS
                                 "\" entityID=\"x\" validUntil=\"2020-01-01"
                                 "T00:00:00Z\"><md:IDPSSODescriptor>"
                                 SSO_REDIRECT "</md:IDPSSODescriptor>"
                                 "</md:EntityDescriptor>", NULL, NULL, &idp,
                                 &err), OIOSAML_DENY_EXPIRED);

    big = malloc(OIOSAML_METADATA_MAX + 2);
    assert_non_null(big);
    memset(big, ' ', OIOSAML_METADATA_MAX + 1);
    big[OIOSAML_METADATA_MAX + 1] = '\0';
    assert_int_equal(from_memory(big, NULL, NULL, &idp, &err),
                     OIOSAML_BAD_TOO_LARGE);
    free(big);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_endpoint_urls),
        cmocka_unit_test(test_bad_ids),
        cmocka_unit_test(test_aggregate_entity),
        cmocka_unit_test(test_aggregate_signature),
        cmocka_unit_test(test_failure_classes),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
