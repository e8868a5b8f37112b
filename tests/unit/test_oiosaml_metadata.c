
/*
 * oiosaml_metadata.c (through oiosaml_idp_new): IdP metadata.
 */


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


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_endpoint_urls),
        cmocka_unit_test(test_bad_ids),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
