
/*
 * oiosaml_xml.c: the hardened parser and the tree helpers.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_status_t
parse(const char *s, xmlDocPtr *doc)
{
    oiosaml_err_t  err;

    oiosaml_err_clear(&err);

    return oiosaml_xml_parse(s, strlen(s), doc, &err);
}


static void
test_well_formed(void **state)
{
    xmlDocPtr   doc;
    xmlNodePtr  root, c;
    char       *text;

    assert_int_equal(parse("<a:r xmlns:a=\"urn:a\" x=\"1\"><a:c>x<!-- y -->"
                           "z</a:c><b:c xmlns:b=\"urn:b\"/><a:c/></a:r>",
                           &doc), OIOSAML_OK);
    root = xmlDocGetRootElement(doc);
    assert_true(oiosaml_xml_is(root, "urn:a", "r"));
    assert_false(oiosaml_xml_is(root, "urn:b", "r"));
    assert_string_equal(oiosaml_xml_attr(root, "x"), "1");
    assert_null(oiosaml_xml_attr(root, "y"));
    assert_int_equal(oiosaml_xml_count(root, "urn:a", "c"), 2);
    assert_int_equal(oiosaml_xml_count(root, "urn:b", "c"), 1);

    /* comments split text; the whole text is read (comment injection) */
    c = oiosaml_xml_child(root, "urn:a", "c");
    text = oiosaml_xml_text(c);
    assert_string_equal(text, "xz");
    free(text);
    xmlFreeDoc(doc);
}


static void
test_dtd_and_entities_refused(void **state)
{
    xmlDocPtr  doc;

    assert_int_equal(parse("<!DOCTYPE r [<!ENTITY a \"b\">]><r>&a;</r>",
                           &doc), OIOSAML_BAD_XML);
    assert_int_equal(parse("<!DOCTYPE r SYSTEM \"http://127.0.0.1:1/x\">"
                           "<r/>", &doc), OIOSAML_BAD_XML);
    assert_int_equal(parse("<!DOCTYPE r [<!ENTITY x SYSTEM "
                           "\"file:///etc/passwd\">]><r>&x;</r>", &doc),
                     OIOSAML_BAD_XML);
    assert_int_equal(parse("<r>&undefined;</r>", &doc), OIOSAML_BAD_XML);
}


static void
test_billion_laughs_is_cheap(void **state)
{
    int        i;
    char       buf[8192], *p;
    xmlDocPtr  doc;

    p = buf + sprintf(buf, "<!DOCTYPE l [<!ENTITY l0 \"ha\">");

    for (i = 1; i < 30; i++) {
        p += sprintf(p, "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;\">", i, i - 1,
                     i - 1, i - 1, i - 1);
    }

    sprintf(p, "]><l>&l29;</l>");
    assert_int_equal(parse(buf, &doc), OIOSAML_BAD_XML);
}


static void
test_malformed(void **state)
{
    xmlDocPtr  doc;

    assert_int_equal(parse("<a>", &doc), OIOSAML_BAD_XML);
    assert_int_equal(parse("text", &doc), OIOSAML_BAD_XML);
    assert_int_equal(parse("<a></b>", &doc), OIOSAML_BAD_XML);
    assert_int_equal(parse("<a xmlns:x=\"u\"><y:b/></a>", &doc),
                     OIOSAML_BAD_XML);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_well_formed),
        cmocka_unit_test(test_dtd_and_entities_refused),
        cmocka_unit_test(test_billion_laughs_is_cheap),
        cmocka_unit_test(test_malformed),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
