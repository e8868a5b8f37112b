
/*
 * oiosaml_choice.c: the remember-my-choice cookie and the CSRF token.
 * (The page itself is tested through nginx in tests/integration.)
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_sp_t  *sp;


static int
setup(void **state)
{
    sp = t_sp(NULL);

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp);

    return 0;
}


static void
test_choice_round_trip(void **state)
{
    char           *v, id[64];
    size_t          len;
    oiosaml_err_t   err;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_choice_seal(sp, "test", T_NOW, &v, &len, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_choice_open(sp, v, len, T_NOW + 60, 86400, id,
                                         &err),
                     OIOSAML_OK);
    assert_string_equal(id, "test");

    assert_int_equal(oiosaml_choice_open(sp, v, len, T_NOW + 86401, 86400,
                                         id, &err),
                     OIOSAML_DENY_COOKIE_EXPIRED);
    assert_string_equal(id, "");
    free(v);
}


/*
 * A sealed text shorter than "1\n": the parser looked for the newline
 * from byte 2, past the end of the buffer (found by fuzz_cookies; under
 * OIOSAML_SAN=1 AddressSanitizer reports the overread).
 */
static void
test_choice_short_plaintext(void **state)
{
    char           *v, id[64];
    size_t          len, i;
    oiosaml_err_t   err;

    static const char  *plain[] = { "", "1", "1\n", "1\n5", "1\n5\n" };

    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        oiosaml_err_clear(&err);
        assert_int_equal(oiosaml_seal(sp, "choice",
                                      (const unsigned char *) plain[i],
                                      strlen(plain[i]), &v, &len, &err),
                         OIOSAML_OK);
        assert_int_equal(oiosaml_choice_open(sp, v, len, T_NOW, 86400, id,
                                             &err),
                         OIOSAML_BAD_COOKIE);
        assert_string_equal(id, "");
        free(v);
    }
}


static void
test_csrf(void **state)
{
    char           *tok;
    size_t          len;
    oiosaml_err_t   err;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_csrf_token(sp, "nonce", 5, T_NOW, &tok, &len,
                                        &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_csrf_check(sp, tok, len, "nonce", 5, T_NOW,
                                        &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_csrf_check(sp, tok, len, "other", 5, T_NOW,
                                        &err),
                     OIOSAML_DENY_CSRF);
    assert_int_equal(oiosaml_csrf_check(sp, tok, len, "nonce", 5,
                                        T_NOW + 7200, &err),
                     OIOSAML_DENY_CSRF);
    free(tok);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_choice_round_trip),
        cmocka_unit_test(test_choice_short_plaintext),
        cmocka_unit_test(test_csrf),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
