
/*
 * oiosaml_seal.c: sealed cookies and the pending-login state.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_sp_t  *sp;


static int
setup(void **state)
{
    sp = t_sp(NULL);
    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp);
    return 0;
}


static void
test_round_trip_and_purpose_binding(void **state)
{
    char            *v;
    size_t           n, m;
    oiosaml_err_t    err;
    unsigned char   *plain;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_seal(sp, "choice", (unsigned char *) "korsbaek",
                                  8, &v, &n, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_unseal(sp, "choice", v, n, &plain, &m, &err),
                     OIOSAML_OK);
    assert_int_equal(m, 8);
    assert_memory_equal(plain, "korsbaek", 8);
    free(plain);

    /* another purpose (associated data) does not open it */
    assert_int_equal(oiosaml_unseal(sp, "pending x", v, n, &plain, &m, &err),
                     OIOSAML_BAD_COOKIE);
    free(v);
}


static void
test_tampering_detected(void **state)
{
    char            *v;
    size_t           n, m, i;
    oiosaml_err_t    err;
    unsigned char   *plain;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_seal(sp, "p", (unsigned char *) "data", 4, &v,
                                  &n, &err), OIOSAML_OK);

    for (i = 0; i < n; i++) {
        char  saved = v[i];

        v[i] = (v[i] == 'A') ? 'B' : 'A';
        oiosaml_err_clear(&err);
        assert_int_not_equal(oiosaml_unseal(sp, "p", v, n, &plain, &m,
                                            &err), OIOSAML_OK);
        v[i] = saved;
    }

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_unseal(sp, "p", v, n - 1, &plain, &m, &err),
                     OIOSAML_BAD_COOKIE);
    assert_int_equal(oiosaml_unseal(sp, "p", "", 0, &plain, &m, &err),
                     OIOSAML_BAD_COOKIE);
    free(v);
}


static void
test_pending(void **state)
{
    char               *v;
    size_t              n;
    oiosaml_err_t       err;
    oiosaml_pending_t   p, q;

    memset(&p, 0, sizeof(p));
    strcpy(p.request_id, "_0123456789abcdef0123456789abcdef01234567");
    strcpy(p.idp_id, "korsbaek");
    strcpy(p.return_url, "/app/x?y=1\nnot a field");
    p.loa = OIOSAML_LOA_SUBSTANTIAL;
    p.created = T_NOW;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pending_seal(sp, &p, "relay1", &v, &n, &err),
                     OIOSAML_OK);

    assert_int_equal(oiosaml_pending_open(sp, v, n, "relay1", 6,
                                          T_NOW + 599, &q, &err),
                     OIOSAML_OK);
    assert_string_equal(q.request_id, p.request_id);
    assert_string_equal(q.idp_id, "korsbaek");
    assert_string_equal(q.return_url, p.return_url);
    assert_int_equal(q.loa, OIOSAML_LOA_SUBSTANTIAL);
    assert_int_equal(q.created, T_NOW);

    /* bound to its relay handle */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pending_open(sp, v, n, "relay2", 6, T_NOW, &q,
                                          &err), OIOSAML_BAD_COOKIE);

    /* the injectable clock: too old, and from the future */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pending_open(sp, v, n, "relay1", 6,
                                          T_NOW + 601, &q, &err),
                     OIOSAML_DENY_COOKIE_EXPIRED);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_pending_open(sp, v, n, "relay1", 6,
                                          T_NOW - 181, &q, &err),
                     OIOSAML_DENY_COOKIE_EXPIRED);
    free(v);
}


static void
test_another_secret_cannot_open(void **state)
{
    char            *v;
    size_t           n, m;
    oiosaml_sp_t    *other;
    oiosaml_err_t    err;
    unsigned char   *plain;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_seal(sp, "p", (unsigned char *) "x", 1, &v, &n,
                                  &err), OIOSAML_OK);

    assert_int_equal(oiosaml_sp_new(T_SP, T_BASE, &other, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_sp_random_cookie_secret(other, &err),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_unseal(other, "p", v, n, &plain, &m, &err),
                     OIOSAML_BAD_COOKIE);
    oiosaml_sp_free(other);
    free(v);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_round_trip_and_purpose_binding),
        cmocka_unit_test(test_tampering_detected),
        cmocka_unit_test(test_pending),
        cmocka_unit_test(test_another_secret_cannot_open),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
