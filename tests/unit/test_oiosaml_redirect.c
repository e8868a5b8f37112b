
/*
 * oiosaml_redirect.c: message IDs, the signed redirect URL (which key,
 * how it joins the destination) and inflating what IdPs send.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_status_t inflate(const void *data, size_t len,
    unsigned char **xml, size_t *xml_len);
static char *logout_url(const oiosaml_sp_t *sp, time_t at);


/* deflates data, base64-encodes it and inflates it with the library */
static oiosaml_status_t
inflate(const void *data, size_t len, unsigned char **xml, size_t *xml_len)
{
    char              *b64;
    size_t             dlen;
    oiosaml_err_t      err;
    testidp_err_t      terr;
    unsigned char     *deflated;
    oiosaml_status_t   rc;

    memset(&terr, 0, sizeof(terr));
    assert_int_equal(testidp_deflate(data, len, &deflated, &dlen, &terr), 0);
    b64 = t_b64(deflated, dlen);
    free(deflated);

    oiosaml_err_clear(&err);
    rc = oiosaml_redirect_inflate(b64, strlen(b64), xml, xml_len, &err);
    assert_int_equal(err.status, rc);
    free(b64);

    return rc;
}


static void
test_new_id(void **state)
{
    size_t  i;
    char    a[OIOSAML_ID_LEN + 1], b[OIOSAML_ID_LEN + 1];

    oiosaml_new_id(a);
    oiosaml_new_id(b);

    assert_int_equal(strlen(a), OIOSAML_ID_LEN);
    assert_int_equal(a[0], '_');

    /* an NCName: "_" and lower-case hex */
    for (i = 1; i < OIOSAML_ID_LEN; i++) {
        assert_non_null(strchr("0123456789abcdef", a[i]));
    }

    assert_string_not_equal(a, b);
}


static void
test_inflate(void **state)
{
    char            *big;
    size_t           n;
    oiosaml_err_t    err;
    unsigned char   *xml;

    assert_int_equal(inflate("<x/>", 4, &xml, &n), OIOSAML_OK);
    assert_int_equal(n, 4);
    assert_string_equal((char *) xml, "<x/>");
    free(xml);

    /* exactly the limit, and one byte more */
    big = malloc(OIOSAML_MAX_INFLATED + 1);
    memset(big, 'x', OIOSAML_MAX_INFLATED + 1);

    assert_int_equal(inflate(big, OIOSAML_MAX_INFLATED, &xml, &n),
                     OIOSAML_OK);
    assert_int_equal(n, OIOSAML_MAX_INFLATED);
    assert_int_equal(xml[n], '\0');
    free(xml);

    assert_int_equal(inflate(big, OIOSAML_MAX_INFLATED + 1, &xml, &n),
                     OIOSAML_BAD_TOO_LARGE);
    free(big);

    /* not base64, not DEFLATE, cut short */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate("*&*", 3, &xml, &n, &err),
                     OIOSAML_BAD_ENCODING);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate("PHg+", 4, &xml, &n, &err),
                     OIOSAML_BAD_ENCODING);
    assert_non_null(strstr(err.text, "DEFLATE"));

    /* "s6nQtwMA" is "<x/>" deflated; without its last byte it ends early */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate("s6nQtwMA", 8, &xml, &n,
                                              &err), OIOSAML_OK);
    assert_string_equal((char *) xml, "<x/>");
    free(xml);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_redirect_inflate("s6nQtwM=", 8, &xml, &n,
                                              &err), OIOSAML_BAD_ENCODING);
}


static char *
logout_url(const oiosaml_sp_t *sp, time_t at)
{
    oiosaml_err_t    err;
    oiosaml_login_t  out;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_logout_build(sp, oiosaml_sp_idp_at(sp, 0),
                                          "alice", NULL, NULL, at, &out,
                                          &err), OIOSAML_OK);

    return out.url;
}


/* the active key signs: sp.key, then sp-next.key from its "from" */
static void
test_signing_key_by_time(void **state)
{
    char                *url;
    time_t               now;
    oiosaml_sp_t        *sp;
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    now = t_now();
    t_init();
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &sp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(sp, t_cert("sp.key"),
                                        t_cert("sp.crt"), 0, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_key(sp, t_cert("sp-next.key"),
                                        t_cert("sp-next.crt"), now + 100,
                                        &err), OIOSAML_OK);
    memset(&ic, 0, sizeof(ic));
    ic.id = "test";
    ic.metadata_file = t_idp_metadata("unit-idp.xml", T_IDP, "idp.crt",
                                      NULL);
    assert_int_equal(oiosaml_idp_new(&ic, T_NOW, &idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_add_idp(sp, idp, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_finish(sp, now, &err), OIOSAML_OK);

    url = logout_url(sp, now + 99);
    assert_true(t_url_verifies(url, t_cert("sp.crt")));
    assert_false(t_url_verifies(url, t_cert("sp-next.crt")));
    free(url);

    url = logout_url(sp, now + 100);
    assert_false(t_url_verifies(url, t_cert("sp.crt")));
    assert_true(t_url_verifies(url, t_cert("sp-next.crt")));
    free(url);

    oiosaml_sp_free(sp);
}


/* a destination with a query of its own gets "&", not a second "?" */
static void
test_destination_with_query(void **state)
{
    char                *url, *md, *p;
    size_t               len;
    oiosaml_sp_t        *sp;
    oiosaml_err_t        err;
    unsigned char       *data;
    oiosaml_idp_conf_t   ic;

    /* the usual metadata, with Location="https://idp.test/slo?t=1&y=2" */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_read_file(t_idp_metadata("unit-idp-q.xml", T_IDP,
                                                      "idp.crt", NULL),
                                       1 << 20, &data, &len, &err),
                     OIOSAML_OK);
    p = strstr((char *) data, "Location=\"" T_IDP "slo\"");
    assert_non_null(p);
    p += sizeof("Location=\"" T_IDP "slo") - 1;
    md = malloc(len + 64);
    memcpy(md, data, (size_t) (p - (char *) data));
    strcpy(md + (p - (char *) data), "?t=1&amp;y=2");
    strcat(md, p);
    free(data);

    memset(&ic, 0, sizeof(ic));
    ic.metadata_file = t_file("unit-idp-q.xml", md);
    free(md);
    sp = t_sp(&ic);

    url = logout_url(sp, t_now());
    assert_true(strncmp(url, T_IDP "slo?t=1&y=2&SAMLRequest=",
                        strlen(T_IDP "slo?t=1&y=2&SAMLRequest=")) == 0);
    assert_null(strchr(strchr(url, '?') + 1, '?'));
    assert_true(t_url_verifies(url, t_cert("sp.crt")));
    free(url);

    oiosaml_sp_free(sp);

    sp = t_sp(NULL);
    url = logout_url(sp, t_now());
    assert_true(strncmp(url, T_IDP "slo?SAMLRequest=", 29) == 0);
    assert_true(t_url_verifies(url, t_cert("sp.crt")));
    free(url);
    oiosaml_sp_free(sp);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_new_id),
        cmocka_unit_test(test_inflate),
        cmocka_unit_test(test_signing_key_by_time),
        cmocka_unit_test(test_destination_with_query),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
