
/*
 * oiosaml_compact.c: the Attributes field as a node's zone keeps it.  A
 * real identity's field gives itself back byte for byte and takes less
 * than half the room; every name of the table is in the form-encoder's
 * own spelling; only names are coded, never values or partial names;
 * input that is not ASCII and codes outside the table are refused.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"


/* compacts form, checks that it expands to itself; the compact length */
static size_t
round_trip(const char *form, size_t len)
{
    size_t          n;
    unsigned char  *c, *back, *end;

    c = malloc(len + 1);
    assert_non_null(c);

    n = oiosaml_attributes_compact(c, (const unsigned char *) form, len);
    assert_true(n <= len);
    assert_int_equal(oiosaml_attributes_expanded(c, n), len);

    back = malloc(len + 1);
    assert_non_null(back);
    end = oiosaml_attributes_expand(back, c, n);
    assert_int_equal((size_t) (end - back), len);
    assert_memory_equal(back, form, len);

    free(back);
    free(c);

    return n;
}


static void
test_identity(void **state)
{
    size_t               len, n;
    const char          *form;
    oiosaml_sp_t        *sp;
    oiosaml_identity_t  *id;

    sp = t_sp(NULL);
    id = t_login(sp, "alice");

    form = oiosaml_identity_get(id, OIOSAML_F_ATTRIBUTES, &len);
    assert_true(len > 300);
    assert_non_null(strstr(form, "https%3A%2F%2Fdata.gov.dk%2F"));

    n = round_trip(form, len);
    print_message("Attributes: %zu bytes, %zu compacted\n", len, n);
    assert_true(n < len / 2);

    oiosaml_identity_free(id);
    oiosaml_sp_free(sp);
}


/* what the form-encoder leaves bare */
static int
bare(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
           || c == '~';
}


/* each name as the form-encoder writes it: only A-Z a-z 0-9 - _ . ~ bare */
static void
test_table_spelling(void **state)
{
    size_t       i, j, n;
    const char  *name, *other;

    for (i = 0; (name = oiosaml_attributes_code_name(i)) != NULL; i++) {
        n = strlen(name);

        for (j = 0; j < n; j++) {
            char  c = name[j];

            if (c == '%') {
                assert_true(j + 2 < n);
                assert_non_null(strchr("0123456789ABCDEF", name[j + 1]));
                assert_non_null(strchr("0123456789ABCDEF", name[j + 2]));
                /* an escaped byte is never one that goes bare */
                c = (char) strtol((char []) { name[j + 1], name[j + 2], 0 },
                                  NULL, 16);
                assert_false(bare(c));
                j += 2;
                continue;
            }

            assert_true(bare(c));
        }

        for (j = 0; j < i; j++) {
            other = oiosaml_attributes_code_name(j);
            assert_string_not_equal(name, other);
        }
    }

    /* the codes go from 0x80 up: no more names than bytes to code them */
    assert_true(i > 50 && i <= 128);
}


/* every name of the table, each with a value: one byte per name */
static void
test_every_name(void **state)
{
    char         *form, *p;
    size_t        i, n, len;
    const char   *name;

    form = malloc(16384);
    assert_non_null(form);
    p = form;

    for (i = 0; (name = oiosaml_attributes_code_name(i)) != NULL; i++) {
        p += sprintf(p, "%s%s=v%zu", i ? "&" : "", name, i);
    }

    len = (size_t) (p - form);
    n = round_trip(form, len);

    /* each name became its code: len less the names, plus a byte each */
    for (i = 0; (name = oiosaml_attributes_code_name(i)) != NULL; i++) {
        len -= strlen(name) - 1;
    }

    assert_int_equal(n, len);

    free(form);
}


/* what is not a whole name where a name stands stays as it is */
static void
test_only_names(void **state)
{
    size_t       i;
    const char  *email;
    char         form[512];

    email = "https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femail";

    const char  *kept[] = {
        "",
        "x=1",
        "&&",
        "=v",
        /* a value that is a name */
        "x=https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femail",
        /* a part of a name, a name and more */
        "https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femai=a",
        "https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femailx=a",
        /* a name without '=' */
        "https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femail",
        /* the same name spelled otherwise (lower-case escapes) */
        "https%3a%2f%2fdata.gov.dk%2fmodel%2fcore%2feid%2femail=a",
    };

    for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        assert_int_equal(round_trip(kept[i], strlen(kept[i])),
                         strlen(kept[i]));
    }

    /* a name after an empty pair, and twice: both coded */
    snprintf(form, sizeof(form), "&%s=a&%s=", email, email);
    assert_int_equal(round_trip(form, strlen(form)), 1 + 3 + 1 + 2);
}


static void
test_refused(void **state)
{
    unsigned char        c[16];
    const unsigned char  latin[] = "name=\xc3\xa6";
    const unsigned char  codes[] = { 0x80, '=', 'a', '&', 0xff };
    const unsigned char  inside[] = { 0x80, '=', 0x81 };

    /* not ASCII: not form-encoded, and a byte could pass for a code */
    assert_int_equal(oiosaml_attributes_compact(c, latin, sizeof(latin) - 1),
                     (size_t) -1);

    /* a code the table has not got */
    assert_int_not_equal(oiosaml_attributes_expanded(codes, 4), (size_t) -1);
    assert_int_equal(oiosaml_attributes_expanded(codes, 5), (size_t) -1);

    /* a code where no name stands */
    assert_int_equal(oiosaml_attributes_expanded(inside, 3), (size_t) -1);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_table_spelling),
        cmocka_unit_test(test_every_name),
        cmocka_unit_test(test_only_names),
        cmocka_unit_test(test_refused),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
