
/*
 * oiosaml_status.c: names, sentences and the error sink.
 */


#include <string.h>

#include "support.h"


static void
test_every_status_has_a_name(void **state)
{
    int  s;

    for (s = 0; s < 200; s++) {
        const char  *n = oiosaml_status_name((oiosaml_status_t) s);

        if (strcmp(n, "unknown") == 0) {
            continue;
        }

        assert_true(strlen(oiosaml_strerror((oiosaml_status_t) s)) > 3);

        if (s >= 100) {
            assert_true(strncmp(n, "deny_", 5) == 0);
            assert_true(oiosaml_is_denial(s));

        } else if (s >= 50) {
            assert_true(strncmp(n, "bad_", 4) == 0);
            assert_true(oiosaml_is_bad_input(s));
        }
    }

    assert_string_equal(oiosaml_status_name(OIOSAML_DENY_AUDIENCE),
                        "deny_audience");
    assert_int_equal(OIOSAML_DENY_AUDIENCE, 114);
}


static void
test_first_failure_wins(void **state)
{
    oiosaml_err_t  err;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_err_set(&err, OIOSAML_DENY_ISSUER, "first %d",
                                     1), OIOSAML_DENY_ISSUER);
    assert_int_equal(oiosaml_err_set(&err, OIOSAML_ERR_NOMEM, "second"),
                     OIOSAML_ERR_NOMEM);
    assert_int_equal(err.status, OIOSAML_DENY_ISSUER);
    assert_string_equal(err.text, "first 1");
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_every_status_has_a_name),
        cmocka_unit_test(test_first_failure_wins),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
