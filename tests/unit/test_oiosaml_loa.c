
/*
 * oiosaml_loa.c: the level table and the profile names.
 */


#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_loa_t
parse(const char *s)
{
    oiosaml_loa_t  loa;

    if (oiosaml_loa_parse(s, strlen(s), &loa) != OIOSAML_OK) {
        return (oiosaml_loa_t) -1;
    }

    return loa;
}


static void
test_names_and_uris(void **state)
{
    assert_int_equal(parse("substantial"), OIOSAML_LOA_SUBSTANTIAL);
    assert_int_equal(parse("Substantial"), OIOSAML_LOA_SUBSTANTIAL);
    assert_int_equal(parse("nist3"), OIOSAML_LOA_NIST3);
    assert_int_equal(parse("3"), OIOSAML_LOA_NIST3);
    assert_int_equal(parse("https://data.gov.dk/concept/core/nsis/loa/High"),
                     OIOSAML_LOA_HIGH);
    assert_int_equal(parse("urn:dk:gov:saml:attribute:AssuranceLevel:2"),
                     OIOSAML_LOA_NIST2);
    assert_int_equal(parse("5"), (oiosaml_loa_t) -1);
    assert_int_equal(parse("medium"), (oiosaml_loa_t) -1);
    assert_int_equal(parse(""), (oiosaml_loa_t) -1);
}


static void
test_kombit_mapping(void **state)
{
    /* NIST {1,2} -> Low, 3 -> Substantial, 4 -> High, and back 2, 3, 4 */
    assert_string_equal(oiosaml_loa_nsis(OIOSAML_LOA_NIST1), "Low");
    assert_string_equal(oiosaml_loa_nsis(OIOSAML_LOA_NIST2), "Low");
    assert_string_equal(oiosaml_loa_nsis(OIOSAML_LOA_NIST3), "Substantial");
    assert_string_equal(oiosaml_loa_nsis(OIOSAML_LOA_NIST4), "High");
    assert_int_equal(oiosaml_loa_nist(OIOSAML_LOA_LOW), 2);
    assert_int_equal(oiosaml_loa_nist(OIOSAML_LOA_SUBSTANTIAL), 3);
    assert_int_equal(oiosaml_loa_nist(OIOSAML_LOA_HIGH), 4);
}


static void
test_compare_across_scales(void **state)
{
    assert_true(oiosaml_loa_cmp(OIOSAML_LOA_NIST1, OIOSAML_LOA_LOW) < 0);
    assert_int_equal(oiosaml_loa_cmp(OIOSAML_LOA_NIST2, OIOSAML_LOA_LOW), 0);
    assert_int_equal(oiosaml_loa_cmp(OIOSAML_LOA_NIST3,
                                     OIOSAML_LOA_SUBSTANTIAL), 0);
    assert_true(oiosaml_loa_cmp(OIOSAML_LOA_LOW, OIOSAML_LOA_NIST3) < 0);
    assert_true(oiosaml_loa_cmp(OIOSAML_LOA_HIGH,
                                OIOSAML_LOA_SUBSTANTIAL) > 0);
    assert_true(oiosaml_loa_cmp(OIOSAML_LOA_NONE, OIOSAML_LOA_NIST1) < 0);
}


static void
test_profiles(void **state)
{
    oiosaml_profile_t  p;
    static const char  *names[] = {
        "oiosaml2", "oiosaml2-adfs-multipleauthn", "oiosaml2-no-loa",
        "oiosaml3", "oiosaml3-adfs-multipleauthn", "oiosaml3-adfs-relaystate"
    };
    size_t  i;

    for (i = 0; i < 6; i++) {
        assert_int_equal(oiosaml_profile_parse(names[i], strlen(names[i]),
                                               &p), OIOSAML_OK);
        assert_string_equal(oiosaml_profile_name(p), names[i]);
    }

    assert_int_not_equal(oiosaml_profile_parse("oiosaml", 7, &p),
                         OIOSAML_OK);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_names_and_uris),
        cmocka_unit_test(test_kombit_mapping),
        cmocka_unit_test(test_compare_across_scales),
        cmocka_unit_test(test_profiles),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
