
/*
 * oiosaml_global.c: process-wide set-up, the LASSO_FLAG refusal, and the
 * hooks that turn library chatter into the library's error text.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <libxml/parser.h>
#include <xmlsec/keys.h>
#include <xmlsec/crypto.h>

#include "support.h"
#include "oiosaml_internal.h"


static void
test_init_idempotent(void **state)
{
    oiosaml_err_t  err;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_OK);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_OK);
    assert_int_equal(err.status, OIOSAML_OK);
}


/*
 * lasso's LASSO_FLAG can switch signature checks off: refuse to run, before
 * the first set-up (this test runs first) and after it.
 */
static void
test_lasso_flag(void **state)
{
    oiosaml_err_t  err;

    assert_int_equal(setenv("LASSO_FLAG", "no-verify-signature", 1), 0);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_ERR_UNSAFE_ENV);
    assert_non_null(strstr(err.text, "no-verify-signature"));

    /* set to anything, even empty */
    assert_int_equal(setenv("LASSO_FLAG", "", 1), 0);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_ERR_UNSAFE_ENV);

    assert_int_equal(unsetenv("LASSO_FLAG"), 0);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_OK);

    assert_int_equal(setenv("LASSO_FLAG", "x", 1), 0);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_ERR_UNSAFE_ENV);
    assert_int_equal(unsetenv("LASSO_FLAG"), 0);
}


/* libxml2, xmlsec and lasso errors land in the error text, not stderr */
static void
test_error_hooks(void **state)
{
    int             fd, saved;
    FILE           *f;
    long            size;
    xmlDocPtr       doc;
    xmlSecKeyPtr    key;
    oiosaml_err_t   err;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_global_init(&err), OIOSAML_OK);

    f = tmpfile();
    assert_non_null(f);
    fflush(stderr);
    saved = dup(2);
    fd = fileno(f);
    assert_int_equal(dup2(fd, 2), 2);

    oiosaml_lib_error_clear();
    doc = xmlReadMemory("<a><b></a>", 10, NULL, NULL, 0);
    assert_null(doc);
    assert_true(strncmp(oiosaml_lib_error(), "libxml2 line 1: ", 16) == 0);

    oiosaml_lib_error_clear();
    key = xmlSecCryptoAppKeyLoadMemory((const unsigned char *) "junk", 4,
                                       xmlSecKeyDataFormatPem, NULL, NULL,
                                       NULL);
    assert_null(key);
    assert_true(strncmp(oiosaml_lib_error(), "xmlsec ", 7) == 0);

    oiosaml_lib_error_clear();
    g_log("Lasso", G_LOG_LEVEL_WARNING, "boom %d", 42);
    assert_string_equal(oiosaml_lib_error(), "lasso: boom 42");

    /* the first message of an operation is kept */
    g_log("Lasso", G_LOG_LEVEL_CRITICAL, "second");
    assert_string_equal(oiosaml_lib_error(), "lasso: boom 42");

    fflush(stderr);
    assert_int_equal(dup2(saved, 2), 2);
    close(saved);

    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    assert_int_equal(size, 0);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_lasso_flag),
        cmocka_unit_test(test_init_idempotent),
        cmocka_unit_test(test_error_hooks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
