
/*
 * oiosaml_util.c: strings, files, randomness, secret comparison.
 */


#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "support.h"
#include "oiosaml_internal.h"


static void
test_strings(void **state)
{
    char  *s;

    s = oiosaml_strndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);

    s = oiosaml_strndup("a\0b", 3);
    assert_memory_equal(s, "a\0b", 4);
    free(s);

    s = oiosaml_strdup("");
    assert_string_equal(s, "");
    free(s);

    s = oiosaml_strdup("\xc3\xa6\xc3\xb8");
    assert_string_equal(s, "\xc3\xa6\xc3\xb8");
    oiosaml_free(s);

    oiosaml_free(NULL);
    oiosaml_wipe_free(NULL, 10);
    oiosaml_wipe_free(strdup("secret"), 7);
}


static void
test_read_file(void **state)
{
    char            *buf;
    size_t           len;
    const char      *f;
    oiosaml_err_t    err;
    unsigned char   *data;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_read_file(t_file("unit-r", "hello"), 100, &data,
                                       &len, &err), OIOSAML_OK);
    assert_int_equal(len, 5);
    assert_string_equal((char *) data, "hello");
    free(data);

    assert_int_equal(oiosaml_read_file(t_file("unit-r", ""), 100, &data,
                                       &len, &err), OIOSAML_OK);
    assert_int_equal(len, 0);
    assert_int_equal(data[0], '\0');
    free(data);

    /* up to max bytes */
    buf = malloc(1002);
    memset(buf, 'b', 1001);
    buf[1000] = '\0';
    f = t_file("unit-r", buf);
    assert_int_equal(oiosaml_read_file(f, 1000, &data, &len, &err),
                     OIOSAML_OK);
    assert_int_equal(len, 1000);
    free(data);

    buf[1000] = 'b';
    buf[1001] = '\0';
    f = t_file("unit-r", buf);
    assert_int_equal(oiosaml_read_file(f, 1000, &data, &len, &err),
                     OIOSAML_ERR_IO);
    assert_non_null(strstr(err.text, "larger than 1000 bytes"));
    free(buf);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_read_file("build/tmp/nonexistent", 100, &data,
                                       &len, &err), OIOSAML_ERR_IO);
    assert_non_null(strstr(err.text, "No such file"));

    /* only regular files */
    mkdir("build/tmp/unit-dir", 0755);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_read_file("build/tmp/unit-dir", 100, &data,
                                       &len, &err), OIOSAML_ERR_IO);
    assert_non_null(strstr(err.text, "not a regular file"));
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_read_file("/dev/zero", 100, &data, &len, &err),
                     OIOSAML_ERR_IO);
}


static void
test_random(void **state)
{
    unsigned char  a[32], b[32], zero[32];

    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    memset(zero, 0, sizeof(zero));

    assert_int_equal(oiosaml_random(a, sizeof(a)), OIOSAML_OK);
    assert_int_equal(oiosaml_random(b, sizeof(b)), OIOSAML_OK);
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_memory_not_equal(a, b, sizeof(a));
}


static void
test_memeq(void **state)
{
    assert_true(oiosaml_memeq("abcd", "abcd", 4));
    assert_false(oiosaml_memeq("abcd", "abce", 4));
    assert_false(oiosaml_memeq("abcd", "bbcd", 4));
    assert_true(oiosaml_memeq("abcd", "abce", 3));
    assert_true(oiosaml_memeq("a", "b", 0));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_memeq),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
