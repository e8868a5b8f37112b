
/*
 * oiosaml_login.c: the AuthnRequest and its RequestedAuthnContext.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


/* the inflated AuthnRequest of a login with this profile and level */
static char *
request_xml(oiosaml_profile_t profile, oiosaml_loa_t loa)
{
    char                    *q, *e, *xml;
    size_t                   n;
    oiosaml_sp_t            *sp;
    oiosaml_err_t            err;
    oiosaml_login_t          login;
    unsigned char           *out;
    oiosaml_idp_conf_t       ic;
    oiosaml_login_params_t   p;

    memset(&ic, 0, sizeof(ic));
    ic.profile = profile;
    sp = t_sp(&ic);

    memset(&p, 0, sizeof(p));
    p.loa = loa;
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_login_build(sp, oiosaml_sp_idp_at(sp, 0), &p,
                                         T_NOW, &login, &err), OIOSAML_OK);

    assert_true(strncmp(login.url, T_IDP "sso?SAMLRequest=", 33) == 0);
    assert_non_null(strstr(login.url, "&SigAlg=http%3A%2F%2Fwww.w3.org%2F"
                           "2001%2F04%2Fxmldsig-more%23rsa-sha256"
                           "&Signature="));
    assert_non_null(strstr(login.url, login.relay));
    assert_int_equal(strlen(login.relay), OIOSAML_RELAY_LEN);

    q = strstr(login.url, "SAMLRequest=") + 12;
    e = strchr(q, '&');
    q = oiosaml_strndup(q, (size_t) (e - q));
    n = oiosaml_url_decode(q, strlen(q));
    assert_int_equal(oiosaml_redirect_inflate(q, n, &out, &n, &err),
                     OIOSAML_OK);
    xml = (char *) out;

    assert_non_null(strstr(xml, login.id));
    assert_non_null(strstr(xml, "IssueInstant=\"2026-11-22T10:00:00Z\""));
    assert_non_null(strstr(xml, "AssertionConsumerServiceURL=\"" T_ACS));

    free(q);
    free(login.url);
    oiosaml_sp_free(sp);

    return xml;
}


static void
expect(oiosaml_profile_t profile, oiosaml_loa_t loa, const char *classref)
{
    char  *xml, *s;

    xml = request_xml(profile, loa);

    if (classref == NULL) {
        assert_null(strstr(xml, "RequestedAuthnContext"));

    } else {
        s = strstr(xml, "<samlp:RequestedAuthnContext Comparison=\"minimum\">"
                   "<saml:AuthnContextClassRef>");
        assert_non_null(s);
        assert_non_null(strstr(s, classref));
        assert_int_equal(strstr(xml, "AuthnContextClassRef>") != NULL, 1);
    }

    free(xml);
}


static void
test_profiles_request_levels(void **state)
{
    expect(OIOSAML_PROFILE_OIOSAML2, OIOSAML_LOA_NIST3,
           ">urn:dk:gov:saml:attribute:AssuranceLevel:3<");
    expect(OIOSAML_PROFILE_OIOSAML2, OIOSAML_LOA_SUBSTANTIAL,
           ">urn:dk:gov:saml:attribute:AssuranceLevel:3<");
    expect(OIOSAML_PROFILE_OIOSAML3, OIOSAML_LOA_SUBSTANTIAL,
           ">https://data.gov.dk/concept/core/nsis/loa/Substantial<");
    expect(OIOSAML_PROFILE_OIOSAML3, OIOSAML_LOA_NIST2,
           ">https://data.gov.dk/concept/core/nsis/loa/Low<");
    expect(OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN, OIOSAML_LOA_NIST3,
           ">http://schemas.microsoft.com/claims/multipleauthn<");
    expect(OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN, OIOSAML_LOA_NIST2,
           NULL);
    expect(OIOSAML_PROFILE_OIOSAML3_ADFS_MULTIPLEAUTHN, OIOSAML_LOA_HIGH,
           ">http://schemas.microsoft.com/claims/multipleauthn<");
    expect(OIOSAML_PROFILE_OIOSAML2_NO_LOA, OIOSAML_LOA_NIST4, NULL);
    expect(OIOSAML_PROFILE_OIOSAML3, OIOSAML_LOA_NONE, NULL);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_profiles_request_levels),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
