
/*
 * oiosaml_pack.c: a session for a shared store, sealed and bound to its
 * key: round trip with a real identity (roles and constraints rebuilt),
 * every tampering, another key, another secret, the size of an OIOSAML 3
 * user without privileges.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"


static const unsigned char  bind[] = "oiosaml:s:0123456789abcdef";


/* the record of a verified identity, as the module stores it */
static void
rec_of(oiosaml_identity_t *id, oiosaml_session_rec_t *rec)
{
    size_t  i;

    memset(rec, 0, sizeof(*rec));
    rec->created = t_now();
    rec->expires = t_now() + 8 * 3600;
    rec->loa = oiosaml_identity_loa(id);

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        rec->fields[i] = oiosaml_identity_get(id, i, &rec->lens[i]);
    }
}


static void
test_round_trip(void **state)
{
    size_t                 i, len;
    void                  *mem;
    oiosaml_sp_t          *sp;
    oiosaml_err_t          err;
    unsigned char         *packed;
    oiosaml_identity_t    *id;
    oiosaml_session_rec_t  rec, back;

    sp = t_sp(NULL);
    id = t_login(sp, "alice");
    rec_of(id, &rec);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_session_pack(sp, bind, sizeof(bind) - 1, &rec,
                                          &packed, &len, &err), OIOSAML_OK);

    /* nothing of the identity in clear */
    assert_null(memmem(packed, len, "Alice", 5));
    assert_null(memmem(packed, len, "12345678", 8));

    assert_int_equal(oiosaml_session_unpack(sp, bind, sizeof(bind) - 1,
                                            packed, len, &back, &mem, &err),
                     OIOSAML_OK);

    assert_int_equal(back.created, rec.created);
    assert_int_equal(back.expires, rec.expires);
    assert_int_equal(back.loa, rec.loa);

    /* every field, the derived roles and constraints as well */
    for (i = 0; i < OIOSAML_F_MAX; i++) {
        assert_int_equal(back.lens[i], rec.lens[i]);
        assert_memory_equal(back.fields[i], rec.fields[i], rec.lens[i]);
    }

    assert_non_null(strstr(back.fields[OIOSAML_F_ROLES], "usersystemrole"));

    oiosaml_free(mem);
    oiosaml_free(packed);
    oiosaml_identity_free(id);
    oiosaml_sp_free(sp);
}


static void
test_refused(void **state)
{
    size_t                 i, len;
    void                  *mem;
    oiosaml_sp_t          *sp, *other;
    oiosaml_err_t          err;
    unsigned char         *packed;
    oiosaml_idp_conf_t     ic;
    oiosaml_identity_t    *id;
    oiosaml_session_rec_t  rec, back;

    static const unsigned char  bind2[] = "oiosaml:s:0123456789abcdee";

    sp = t_sp(NULL);
    id = t_login(sp, "alice");
    rec_of(id, &rec);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_session_pack(sp, bind, sizeof(bind) - 1, &rec,
                                          &packed, &len, &err), OIOSAML_OK);

    /* any byte changed */
    for (i = 0; i < len; i += 7) {
        packed[i] ^= 0x01;
        oiosaml_err_clear(&err);
        assert_int_equal(oiosaml_session_unpack(sp, bind, sizeof(bind) - 1,
                                                packed, len, &back, &mem,
                                                &err), OIOSAML_BAD_COOKIE);
        assert_null(mem);
        packed[i] ^= 0x01;
    }

    /* cut short, or under another key */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_session_unpack(sp, bind, sizeof(bind) - 1,
                                            packed, len - 1, &back, &mem,
                                            &err), OIOSAML_BAD_COOKIE);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_session_unpack(sp, bind2, sizeof(bind2) - 1,
                                            packed, len, &back, &mem, &err),
                     OIOSAML_BAD_COOKIE);
    assert_non_null(strstr(err.text, "another key"));

    /* another cookie secret: another host's SP */
    memset(&ic, 0, sizeof(ic));
    other = t_sp(&ic);
    assert_int_equal(oiosaml_sp_set_cookie_secret(other,
                         t_file("other-secret", "aBcDeFgHiJkLmNoPqRsTuVwXyZ"
                                "0123456789-_+/"), &err), OIOSAML_OK);
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_session_unpack(other, bind, sizeof(bind) - 1,
                                            packed, len, &back, &mem, &err),
                     OIOSAML_BAD_COOKIE);
    oiosaml_sp_free(other);

    oiosaml_free(packed);
    oiosaml_identity_free(id);
    oiosaml_sp_free(sp);
}


/* an OIOSAML 3 user without privileges fits in well under 1 KB */
static void
test_size(void **state)
{
    size_t                 len, raw;
    oiosaml_sp_t          *sp;
    oiosaml_err_t          err;
    unsigned char         *packed;
    oiosaml_identity_t    *id;
    oiosaml_session_rec_t  rec;
    size_t                 i;

    sp = t_sp(NULL);
    id = t_login(sp, "alice");
    rec_of(id, &rec);

    /* without privileges */
    rec.fields[OIOSAML_F_PRIVILEGES] = "";
    rec.lens[OIOSAML_F_PRIVILEGES] = 0;
    raw = 0;

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        raw += rec.lens[i];
    }

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_session_pack(sp, bind, sizeof(bind) - 1, &rec,
                                          &packed, &len, &err), OIOSAML_OK);
    print_message("session: %zu bytes of fields, %zu packed\n", raw, len);
    assert_true(len < 800);
    assert_true(len < raw);

    oiosaml_free(packed);
    oiosaml_identity_free(id);
    oiosaml_sp_free(sp);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_size),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
