
/*
 * oiosaml_time.c: xs:dateTime without the C library's time zone code.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static time_t
parse(const char *s)
{
    time_t  t;

    if (oiosaml_time_parse(s, strlen(s), &t) != OIOSAML_OK) {
        return (time_t) -1;
    }

    return t;
}


static void
test_parse_forms(void **state)
{
    assert_int_equal(parse("2026-11-22T10:00:00Z"), T_NOW);
    assert_int_equal(parse("2026-11-22T10:00:00.123Z"), T_NOW);
    assert_int_equal(parse("2026-11-22T10:00:00"), T_NOW);
    assert_int_equal(parse("2026-11-22T11:00:00+01:00"), T_NOW);
    assert_int_equal(parse("2026-11-22T09:30:00-00:30"), T_NOW);
    assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse("2000-02-29T00:00:00Z"), 951782400);
}


static void
test_parse_rejects(void **state)
{
    static const char  *bad[] = {
        "", "2026-11-22", "2026-11-22 10:00:00Z", "2026-13-01T00:00:00Z",
        "2026-11-32T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:00:0Z",
        "2026-11-22T10:00:00.Z", "2026-11-22T10:00:00ZZ",
        "2026-11-22T10:00:00+1:00", "1969-12-31T23:59:59Z",
        "+026-11-22T10:00:00Z", "2026-11-22T10:00:00Zjunk",
    };
    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i]), (time_t) -1);
    }
}


static void
test_format_round_trip(void **state)
{
    char    buf[21];
    time_t  t;

    for (t = 0; t < (time_t) 4102444800; t += 86400 * 7 + 3601) {
        oiosaml_time_format(t, buf);
        assert_int_equal(strlen(buf), 20);
        assert_int_equal(parse(buf), t);
    }

    oiosaml_time_format(T_NOW, buf);
    assert_string_equal(buf, "2026-11-22T10:00:00Z");
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_format_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
