
/*
 * oiosaml_secret.c: what makes a secret obviously weak (review finding
 * 3a); through oiosaml_sp_set_cookie_secret() in test_oiosaml_sp.c.
 */


#include <string.h>

#include <openssl/rand.h>

#include "support.h"
#include "oiosaml_internal.h"


/* 1 when weak, and then why holds "word" */
static int
weak(const char *s, const char *word)
{
    int   w;
    char  why[200];

    why[0] = '\0';
    w = oiosaml_secret_weak((const unsigned char *) s, strlen(s), why,
                            sizeof(why));

    if (w && word != NULL && strstr(why, word) == NULL) {
        fail_msg("\"%s\": %s", s, why);
    }

    return w;
}


static void
test_distinct_bytes(void **state)
{
    assert_true(weak("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1 distinct byte "
                     "value (at least 8"));
    assert_true(weak("abcdefgabcdefgaaaaaaaaaaaaaaaaaaaaaaaaa", "only 7"));
    assert_false(weak("abcdefghbcdefghaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                      "abcdefgh0123456789hgfedcbaabcdefghqwertyuiopasdfgh",
                      NULL));
}


static void
test_repeated_pattern(void **state)
{
    /* a period that does not divide the length is still one */
    assert_true(weak("Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3Tr0u",
                     "pattern of 11 bytes"));
    assert_true(weak("0123456789abcdef0123456789abcdef", "pattern of 16"));

    /* 32 random characters twice: the pattern is long enough */
    assert_false(weak("q7Vb2XkR9mLwT4zHc8NfYp3GdJ6sAe1U"
                      "q7Vb2XkR9mLwT4zHc8NfYp3GdJ6sAe1U", NULL));

    /* a prefix that comes back at the end is no pattern */
    assert_false(weak("q7Vb2XkR9mLwT4zHc8NfYp3GdJ6sAe1Uq7Vb", NULL));
}


static void
test_entropy_estimate(void **state)
{
    char            hex[33];
    size_t          i, j;
    unsigned char   r[16];

    static const char  digits[] = "0123456789abcdef";

    /* 32 different bytes: exactly 160 bits; skewed counts: far less */
    assert_false(weak("abcdefghijklmnopqrstuvwxyz012345", NULL));
    assert_true(weak("aaaaaaaaaaaaaaaaaaaaaaaabcdefghi", "estimated 4"));
    assert_true(weak("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                     "bcdefgh", "bits"));

    /* 32 random hex digits (128 bits) pass, every time */
    for (i = 0; i < 2000; i++) {
        assert_int_equal(RAND_bytes(r, sizeof(r)), 1);

        for (j = 0; j < sizeof(r); j++) {
            hex[2 * j] = digits[r[j] >> 4];
            hex[2 * j + 1] = digits[r[j] & 15];
        }

        hex[32] = '\0';

        if (weak(hex, NULL)) {
            fail_msg("%s", hex);
        }
    }
}


static void
test_text(void **state)
{
    assert_true(oiosaml_secret_text((const unsigned char *) "ab c\t\r\n",
                                    7));
    assert_false(oiosaml_secret_text((const unsigned char *) "ab\0c", 4));
    assert_false(oiosaml_secret_text((const unsigned char *) "\xc3\xa6", 2));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_distinct_bytes),
        cmocka_unit_test(test_repeated_pattern),
        cmocka_unit_test(test_entropy_estimate),
        cmocka_unit_test(test_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
