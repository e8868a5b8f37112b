
/*
 * oiosaml_template.c: compiling page templates, and the errors an
 * operator sees for a broken one.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static void
expect_error(const char *text, const char *quoted)
{
    oiosaml_err_t        err;
    oiosaml_template_t  *t;

    oiosaml_err_clear(&err);

    assert_int_equal(oiosaml_template_new(text, strlen(text), &t, &err),
                     OIOSAML_ERR_CONFIG);
    assert_null(t);

    if (strstr(err.text, quoted) == NULL) {
        fail_msg("\"%s\" is not in \"%s\"", quoted, err.text);
    }
}


/*
 * The message quotes the template text: it was read after the text was
 * freed (found by the fuzz corpus replay, confirmed with valgrind).
 */
static void
test_errors_quote_the_tag(void **state)
{
    expect_error("<p>{{Title}}</p>", "bad tag \"{{Title}}\"");
    expect_error("{{ lang }}", "bad tag \"{{ lang }}\"");
    expect_error("x{{/idps}}", "\"{{/idps}}\" closes no open section");
    expect_error("{{#abc}}{{/abd}}", "\"{{/abd}}\" closes no open section");
    expect_error("{{#idps}}x", "section \"idps\" is not closed");
    expect_error("x{{y", "\"{{\" without \"}}\"");

    /* a list inside itself: render time would be n to the power depth */
    expect_error("{{#idps}}{{#idps}}x{{/idps}}{{/idps}}",
                 "section \"{{#idps}}\" inside itself");
}


static void
test_render(void **state)
{
    oiosaml_buf_t        out;
    oiosaml_err_t        err;
    oiosaml_tview_t      view;
    oiosaml_template_t  *t;

    static const char *const  names[] = { "a", "b" };
    static const char *const  values[] = { "<&>", "" };
    static const char         text[] =
        "{{a}}|{{#b}}set{{/b}}{{^b}}unset{{/b}}|{{c}}";

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_template_new(text, sizeof(text) - 1, &t, &err),
                     OIOSAML_OK);

    memset(&view, 0, sizeof(view));
    view.names = names;
    view.values = values;
    view.nvars = 2;

    memset(&out, 0, sizeof(out));
    oiosaml_template_render(t, &view, &out);
    assert_false(out.failed);
    assert_string_equal(out.data, "&lt;&amp;&gt;|unset|");

    free(out.data);
    oiosaml_template_free(t);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_errors_quote_the_tag),
        cmocka_unit_test(test_render),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
