
/*
 * oiosaml_url.c: return addresses, query parameters, escaping.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_status_t
check(const char *s)
{
    return oiosaml_return_url_check(s, strlen(s));
}


static void
test_local_paths_accepted(void **state)
{
    assert_int_equal(check("/"), OIOSAML_OK);
    assert_int_equal(check("/app/x?y=1&z=%2F"), OIOSAML_OK);
    assert_int_equal(check("/a/b/../c"), OIOSAML_OK);
    assert_int_equal(check("/%C3%A6bler"), OIOSAML_OK);
}


static void
test_open_redirects_refused(void **state)
{
    static const char  *bad[] = {
        "", "//evil", "/\\evil", "\\\\evil", "https://evil/",
        "https:evil", "javascript:alert(1)", "evil/x", "/%2F%2Fevil",
        "/%2f/evil", "/%5Cevil", "%2F%2Fevil", "/%252F%252Fevil",
        "/%25252F%25252Fevil", "/\t/evil", "/%09/evil", "/%0d%0aX:y",
        "/a\\b", "/\xc3\xa6", "/x\x7f",
    };
    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(check(bad[i]), OIOSAML_DENY_RETURN_URL);
    }
}


static void
test_too_long_refused(void **state)
{
    char  buf[OIOSAML_RETURN_MAX + 2];

    memset(buf, 'a', sizeof(buf) - 1);
    buf[0] = '/';
    buf[sizeof(buf) - 1] = '\0';
    assert_int_equal(check(buf), OIOSAML_DENY_RETURN_URL);
    buf[OIOSAML_RETURN_MAX] = '\0';
    assert_int_equal(check(buf), OIOSAML_OK);
}


static void
test_query_get(void **state)
{
    size_t       n;
    const char  *v, *q = "a=1&SAMLRequest=x%2By&RelayState=&b";

    assert_true(oiosaml_query_get(q, strlen(q), "SAMLRequest", &v, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(v, "x%2By", 5);
    assert_true(oiosaml_query_get(q, strlen(q), "RelayState", &v, &n));
    assert_int_equal(n, 0);
    assert_false(oiosaml_query_get(q, strlen(q), "b", &v, &n));
    assert_false(oiosaml_query_get(q, strlen(q), "SAML", &v, &n));
}


static void
test_decode_and_escape(void **state)
{
    char    s[] = "a%20b+c%zz%4";
    char    out[64];
    size_t  n;

    n = oiosaml_url_decode(s, strlen(s));
    assert_int_equal(n, 10);
    assert_memory_equal(s, "a b c%zz%4", n);

    n = oiosaml_header_escape(out, "Bj\xc3\xb8rn 100%\r\n", 13);
    out[n] = '\0';
    assert_string_equal(out, "Bj%C3%B8rn 100%25%0D%0A");

    /* the length alone, for sizing the buffer exactly */
    assert_int_equal(oiosaml_header_escape(NULL, "Bj\xc3\xb8rn 100%\r\n", 13),
                     n);
    assert_int_equal(oiosaml_header_escape(NULL, "plain", 5), 5);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_local_paths_accepted),
        cmocka_unit_test(test_open_redirects_refused),
        cmocka_unit_test(test_too_long_refused),
        cmocka_unit_test(test_query_get),
        cmocka_unit_test(test_decode_and_escape),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
