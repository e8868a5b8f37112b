
/*
 * oiosaml_b64.c: base64 and base64url.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static void
test_decode_skips_whitespace(void **state)
{
    size_t          n;
    unsigned char  *out;

    assert_int_equal(oiosaml_b64_decode("aGVs\nbG8g\r\nd29y bGQ=", 20,
                                        &out, &n), OIOSAML_OK);
    assert_int_equal(n, 11);
    assert_memory_equal(out, "hello world", 11);
    free(out);
}


static void
test_decode_rejects_garbage(void **state)
{
    size_t          n;
    unsigned char  *out;

    assert_int_equal(oiosaml_b64_decode("!!!!", 4, &out, &n),
                     OIOSAML_BAD_ENCODING);
    assert_int_equal(oiosaml_b64_decode("", 0, &out, &n),
                     OIOSAML_BAD_ENCODING);
    assert_int_equal(oiosaml_b64_decode("aGVsbG8=aGVs", 12, &out, &n),
                     OIOSAML_BAD_ENCODING);
}


static void
test_url_round_trip(void **state)
{
    char           *enc;
    size_t          n, m, len;
    unsigned char   in[256], *out;

    for (len = 1; len < sizeof(in); len += 7) {
        for (n = 0; n < len; n++) {
            in[n] = (unsigned char) (n * 37 + len);
        }

        enc = oiosaml_b64url_encode(in, len, &n);
        assert_non_null(enc);
        assert_null(strpbrk(enc, "+/="));
        assert_int_equal(oiosaml_b64url_decode(enc, n, &out, &m),
                         OIOSAML_OK);
        assert_int_equal(m, len);
        assert_memory_equal(out, in, len);
        free(out);
        free(enc);
    }
}


static void
test_url_rejects_standard_alphabet(void **state)
{
    size_t          n;
    unsigned char  *out;

    assert_int_equal(oiosaml_b64url_decode("ab+/", 4, &out, &n),
                     OIOSAML_BAD_ENCODING);
    assert_int_equal(oiosaml_b64url_decode("abcd=", 5, &out, &n),
                     OIOSAML_BAD_ENCODING);
    assert_int_equal(oiosaml_b64url_decode("a", 1, &out, &n),
                     OIOSAML_BAD_ENCODING);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_decode_skips_whitespace),
        cmocka_unit_test(test_decode_rejects_garbage),
        cmocka_unit_test(test_url_round_trip),
        cmocka_unit_test(test_url_rejects_standard_alphabet),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
