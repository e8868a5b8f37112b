
/*
 * oiosaml_loa.c: the level table and the profile names.
 */


#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_loa_t
parse(const char *s)
{
    oiosaml_loa_t  loa;

    if (oiosaml_loa_parse(s, strlen(s), &loa) != OIOSAML_OK) {
        return (oiosaml_loa_t) -1;
    }

    return loa;
}


static void
test_names_and_uris(void **state)
{
    assert_int_equal(parse("substantial"), OIOSAML_LOA_SUBSTANTIAL);
    assert_int_equal(parse("Substantial"), OIOSAML_LOA_SUBSTANTIAL);
    assert_int_equal(parse("nist3"), OIOSAML_LOA_NIST3);
    assert_int_equal(parse("3"), OIOSAML_LOA_NIST3);
    assert_int_equal(parse("https://data.gov.dk/concept/core/nsis/loa/High"),
                     OIOSAML_LOA_HIGH);
    assert_int_equal(parse("urn:dk:gov:saml:attribute:AssuranceLevel:2"),
                     OIOSAML_LOA_NIST2);
    assert_int_equal(parse("5"), (oiosaml_loa_t) -1);
    assert_int_equal(parse("medium"), (oiosaml_loa_t) -1);
    assert_int_equal(parse(""), (oiosaml_loa_t) -1);
}


static void
test_kombit_mapping(void **state)
{
    /* NIST {1,2} -> Low, 3 -> Substantial, 4 -> High, and back 2, 3, 4 */
    assert_string_equal(oiosaml_loa_nsis(OIOSAML_LOA_NIST1), "Low");
    assert_string_equal(oiosaml_loa_nsis(OIOSAML_LOA_NIST2), "Low");
    assert_string_equal(oiosaml_loa_nsis(OIOSAML_LOA_NIST3), "Substantial");
    assert_string_equal(oiosaml_loa_nsis(OIOSAML_LOA_NIST4), "High");
    assert_int_equal(oiosaml_loa_nist(OIOSAML_LOA_LOW), 2);
    assert_int_equal(oiosaml_loa_nist(OIOSAML_LOA_SUBSTANTIAL), 3);
    assert_int_equal(oiosaml_loa_nist(OIOSAML_LOA_HIGH), 4);
}


static void
test_compare_across_scales(void **state)
{
    assert_true(oiosaml_loa_cmp(OIOSAML_LOA_NIST1, OIOSAML_LOA_LOW) < 0);
    assert_int_equal(oiosaml_loa_cmp(OIOSAML_LOA_NIST2, OIOSAML_LOA_LOW), 0);
    assert_int_equal(oiosaml_loa_cmp(OIOSAML_LOA_NIST3,
                                     OIOSAML_LOA_SUBSTANTIAL), 0);
    assert_true(oiosaml_loa_cmp(OIOSAML_LOA_LOW, OIOSAML_LOA_NIST3) < 0);
    assert_true(oiosaml_loa_cmp(OIOSAML_LOA_HIGH,
                                OIOSAML_LOA_SUBSTANTIAL) > 0);
    assert_true(oiosaml_loa_cmp(OIOSAML_LOA_NONE, OIOSAML_LOA_NIST1) < 0);
}


static void
test_profiles(void **state)
{
    oiosaml_profile_t  p;
    static const char  *names[] = {
        "oiosaml2", "oiosaml2-adfs-multipleauthn", "oiosaml2-no-loa",
        "oiosaml3", "oiosaml3-adfs-multipleauthn", "oiosaml3-adfs-relaystate"
    };
    size_t  i;

    for (i = 0; i < 6; i++) {
        assert_int_equal(oiosaml_profile_parse(names[i], strlen(names[i]),
                                               &p), OIOSAML_OK);
        assert_string_equal(oiosaml_profile_name(p), names[i]);
    }

    assert_int_not_equal(oiosaml_profile_parse("oiosaml", 7, &p),
                         OIOSAML_OK);
}


static void
test_high_nist_mapping(void **state)
{
    oiosaml_idp_t  idp;

    memset(&idp, 0, sizeof(idp));
    idp.high_nist = 4;
    assert_int_equal(oiosaml_loa_request_nist(&idp, OIOSAML_LOA_HIGH), 4);
    assert_false(oiosaml_loa_satisfies(&idp, OIOSAML_LOA_NIST3,
                                       OIOSAML_LOA_HIGH));
    assert_true(oiosaml_loa_satisfies(&idp, OIOSAML_LOA_NIST3,
                                      OIOSAML_LOA_SUBSTANTIAL));

    idp.high_nist = 3;
    assert_int_equal(oiosaml_loa_request_nist(&idp, OIOSAML_LOA_HIGH), 3);
    assert_int_equal(oiosaml_loa_request_nist(&idp, OIOSAML_LOA_NIST4), 3);
    assert_true(oiosaml_loa_satisfies(&idp, OIOSAML_LOA_NIST3,
                                      OIOSAML_LOA_HIGH));
    assert_false(oiosaml_loa_satisfies(&idp, OIOSAML_LOA_NIST2,
                                       OIOSAML_LOA_SUBSTANTIAL));
    assert_true(oiosaml_loa_satisfies(NULL, OIOSAML_LOA_LOW,
                                      OIOSAML_LOA_NIST2));
}


static void
test_can_reach(void **state)
{
    oiosaml_idp_t  idp;

    memset(&idp, 0, sizeof(idp));
    idp.high_nist = 4;
    idp.profile = OIOSAML_PROFILE_OIOSAML2_NO_LOA;
    idp.max_loa = OIOSAML_LOA_NIST2;
    assert_int_equal(oiosaml_idp_can_reach(&idp, OIOSAML_LOA_LOW),
                     OIOSAML_OK);
    assert_int_equal(oiosaml_idp_can_reach(&idp, OIOSAML_LOA_NIST3),
                     OIOSAML_DENY_LOA);
    /* another profile without max_loa: anything may be asked for */
    idp.profile = OIOSAML_PROFILE_OIOSAML2;
    idp.max_loa = OIOSAML_LOA_NONE;
    assert_int_equal(oiosaml_idp_can_reach(&idp, OIOSAML_LOA_HIGH),
                     OIOSAML_OK);
}


/*
 * The level reached, per profile, from the facts of an assertion, at an
 * IdP with this max_loa (OIOSAML_LOA_NONE: not set).
 */
static oiosaml_loa_t
achieved_max(oiosaml_profile_t profile, oiosaml_loa_t max_loa,
    oiosaml_loa_t nsis, oiosaml_loa_t nist, int mfa, oiosaml_loa_t requested,
    oiosaml_status_t *rc)
{
    oiosaml_idp_t        idp;
    oiosaml_err_t        err;
    oiosaml_identity_t   id;

    memset(&idp, 0, sizeof(idp));
    memset(&id, 0, sizeof(id));
    idp.id = "t";
    idp.profile = profile;
    idp.high_nist = 4;
    idp.max_loa = max_loa;
    id.idp = &idp;
    id.nsis = nsis;
    id.nist = nist;
    id.mfa = mfa;
    oiosaml_err_clear(&err);

    *rc = oiosaml_loa_achieved(&id, requested, &err);

    if (*rc == OIOSAML_DENY_LOA) {
        assert_int_equal(err.loa_required, requested);
        assert_int_equal(err.loa_achieved, id.loa);
    }

    return id.loa;
}


/* the same at an IdP without max_loa */
static oiosaml_loa_t
achieved(oiosaml_profile_t profile, oiosaml_loa_t nsis, oiosaml_loa_t nist,
    int mfa, oiosaml_loa_t requested, oiosaml_status_t *rc)
{
    return achieved_max(profile, OIOSAML_LOA_NONE, nsis, nist, mfa,
                        requested, rc);
}


static void
test_achieved_by_profile(void **state)
{
    oiosaml_status_t  rc;

    /* OIOSAML 3: the NSIS attribute first */
    assert_int_equal(achieved(OIOSAML_PROFILE_OIOSAML3, OIOSAML_LOA_LOW,
                              OIOSAML_LOA_NIST3, 0, OIOSAML_LOA_LOW, &rc),
                     OIOSAML_LOA_LOW);
    assert_int_equal(rc, OIOSAML_OK);
    assert_int_equal(achieved(OIOSAML_PROFILE_OIOSAML3, OIOSAML_LOA_NONE,
                              OIOSAML_LOA_NIST3, 0, OIOSAML_LOA_LOW, &rc),
                     OIOSAML_LOA_NIST3);

    /* OIOSAML 2: the NIST attribute first */
    assert_int_equal(achieved(OIOSAML_PROFILE_OIOSAML2, OIOSAML_LOA_HIGH,
                              OIOSAML_LOA_NIST2, 0, OIOSAML_LOA_NONE, &rc),
                     OIOSAML_LOA_NIST2);

    /* below the request: the named denial */
    achieved(OIOSAML_PROFILE_OIOSAML3, OIOSAML_LOA_LOW, OIOSAML_LOA_NONE, 0,
             OIOSAML_LOA_SUBSTANTIAL, &rc);
    assert_int_equal(rc, OIOSAML_DENY_LOA);

    /* ADFS: multipleauthn counts as what was asked for, not more */
    assert_int_equal(achieved(OIOSAML_PROFILE_OIOSAML3_ADFS_MULTIPLEAUTHN,
                              OIOSAML_LOA_NONE, OIOSAML_LOA_NONE, 1,
                              OIOSAML_LOA_SUBSTANTIAL, &rc),
                     OIOSAML_LOA_SUBSTANTIAL);
    assert_int_equal(rc, OIOSAML_OK);
    assert_int_equal(achieved(OIOSAML_PROFILE_OIOSAML3_ADFS_RELAYSTATE,
                              OIOSAML_LOA_NONE, OIOSAML_LOA_NONE, 0,
                              OIOSAML_LOA_SUBSTANTIAL, &rc),
                     OIOSAML_LOA_LOW);
    assert_int_equal(rc, OIOSAML_DENY_LOA);
    assert_int_equal(achieved(OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN,
                              OIOSAML_LOA_NONE, OIOSAML_LOA_NONE, 1,
                              OIOSAML_LOA_NIST3, &rc),
                     OIOSAML_LOA_NIST3);
    assert_int_equal(achieved(OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN,
                              OIOSAML_LOA_NONE, OIOSAML_LOA_NONE, 0,
                              OIOSAML_LOA_NONE, &rc),
                     OIOSAML_LOA_NIST2);

    /* a plain OIOSAML 3 IdP: multipleauthn means nothing */
    achieved(OIOSAML_PROFILE_OIOSAML3, OIOSAML_LOA_LOW, OIOSAML_LOA_NONE, 1,
             OIOSAML_LOA_SUBSTANTIAL, &rc);
    assert_int_equal(rc, OIOSAML_DENY_LOA);

    /* no-loa: the operator's level, whatever the assertion says */
    assert_int_equal(achieved(OIOSAML_PROFILE_OIOSAML2_NO_LOA,
                              OIOSAML_LOA_HIGH, OIOSAML_LOA_NIST4, 1,
                              OIOSAML_LOA_LOW, &rc),
                     OIOSAML_LOA_NIST2);
}


/*
 * Review finding 1: an ADFS "multipleauthn" class (or claim) stands for
 * the requested level only when the assertion states no level at all; a
 * stated level is the level, with or without it.
 */
static void
test_adfs_mfa_keeps_a_stated_level(void **state)
{
    size_t            i;
    oiosaml_status_t  rc;

    static const oiosaml_profile_t  adfs[] = {
        OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN,
        OIOSAML_PROFILE_OIOSAML3_ADFS_MULTIPLEAUTHN,
        OIOSAML_PROFILE_OIOSAML3_ADFS_RELAYSTATE
    };

    for (i = 0; i < sizeof(adfs) / sizeof(adfs[0]); i++) {
        /* NSIS Substantial plus the MFA class, the login asked for High */
        assert_int_equal(achieved(adfs[i], OIOSAML_LOA_SUBSTANTIAL,
                                  OIOSAML_LOA_NONE, 1, OIOSAML_LOA_HIGH,
                                  &rc),
                         OIOSAML_LOA_SUBSTANTIAL);
        assert_int_equal(rc, OIOSAML_DENY_LOA);

        assert_int_equal(achieved(adfs[i], OIOSAML_LOA_LOW, OIOSAML_LOA_NONE,
                                  1, OIOSAML_LOA_SUBSTANTIAL, &rc),
                         OIOSAML_LOA_LOW);
        assert_int_equal(rc, OIOSAML_DENY_LOA);

        assert_int_equal(achieved(adfs[i], OIOSAML_LOA_NONE,
                                  OIOSAML_LOA_NIST2, 1, OIOSAML_LOA_NIST3,
                                  &rc),
                         OIOSAML_LOA_NIST2);
        assert_int_equal(rc, OIOSAML_DENY_LOA);

        /* a stated level above the request stays what it is */
        assert_int_equal(achieved(adfs[i], OIOSAML_LOA_HIGH,
                                  OIOSAML_LOA_NONE, 1,
                                  OIOSAML_LOA_SUBSTANTIAL, &rc),
                         OIOSAML_LOA_HIGH);
        assert_int_equal(rc, OIOSAML_OK);

        /* no level at all: the class stands for what was asked */
        assert_int_equal(achieved(adfs[i], OIOSAML_LOA_NONE,
                                  OIOSAML_LOA_NONE, 1, OIOSAML_LOA_HIGH,
                                  &rc),
                         OIOSAML_LOA_HIGH);
        assert_int_equal(rc, OIOSAML_OK);

        /* and without the class, one factor */
        achieved(adfs[i], OIOSAML_LOA_NONE, OIOSAML_LOA_NONE, 0,
                 OIOSAML_LOA_SUBSTANTIAL, &rc);
        assert_int_equal(rc, OIOSAML_DENY_LOA);
    }
}


/* Review finding 1: max_loa= caps the level of every profile */
static void
test_max_loa_caps_every_profile(void **state)
{
    int               p;
    oiosaml_status_t  rc;

    for (p = OIOSAML_PROFILE_OIOSAML2;
         p <= OIOSAML_PROFILE_OIOSAML3_ADFS_RELAYSTATE; p++)
    {
        if (p == OIOSAML_PROFILE_OIOSAML2_NO_LOA) {
            continue;
        }

        /* High (NIST 4) stated, the IdP can give at most Substantial */
        assert_int_equal(achieved_max(p, OIOSAML_LOA_SUBSTANTIAL,
                                      OIOSAML_LOA_HIGH, OIOSAML_LOA_NIST4, 0,
                                      OIOSAML_LOA_NONE, &rc),
                         OIOSAML_LOA_SUBSTANTIAL);
        assert_int_equal(rc, OIOSAML_OK);

        achieved_max(p, OIOSAML_LOA_SUBSTANTIAL, OIOSAML_LOA_HIGH,
                     OIOSAML_LOA_NIST4, 0, OIOSAML_LOA_HIGH, &rc);
        assert_int_equal(rc, OIOSAML_DENY_LOA);

        /* below the cap: unchanged */
        assert_int_equal(achieved_max(p, OIOSAML_LOA_SUBSTANTIAL,
                                      OIOSAML_LOA_LOW, OIOSAML_LOA_NIST2, 0,
                                      OIOSAML_LOA_NONE, &rc),
                         p == OIOSAML_PROFILE_OIOSAML2
                         || p == OIOSAML_PROFILE_OIOSAML2_ADFS_MULTIPLEAUTHN
                         ? OIOSAML_LOA_NIST2 : OIOSAML_LOA_LOW);

        /* the MFA class without a level: not above the cap either */
        assert_int_equal(achieved_max(p, OIOSAML_LOA_SUBSTANTIAL,
                                      OIOSAML_LOA_NONE, OIOSAML_LOA_NONE, 1,
                                      OIOSAML_LOA_HIGH, &rc)
                         <= OIOSAML_LOA_SUBSTANTIAL, 1);
        assert_int_equal(rc, OIOSAML_DENY_LOA);
    }

    /* oiosaml2-no-loa: max_loa is the asserted level, nist2 by default */
    assert_int_equal(achieved_max(OIOSAML_PROFILE_OIOSAML2_NO_LOA,
                                  OIOSAML_LOA_NONE, OIOSAML_LOA_HIGH,
                                  OIOSAML_LOA_NONE, 0, OIOSAML_LOA_NONE,
                                  &rc),
                     OIOSAML_LOA_NIST2);
    assert_int_equal(achieved_max(OIOSAML_PROFILE_OIOSAML2_NO_LOA,
                                  OIOSAML_LOA_SUBSTANTIAL, OIOSAML_LOA_NONE,
                                  OIOSAML_LOA_NONE, 0, OIOSAML_LOA_NONE,
                                  &rc),
                     OIOSAML_LOA_SUBSTANTIAL);
}


/* Review finding 1: an IdP is not asked for more than its max_loa */
static void
test_can_reach_max_loa(void **state)
{
    int                   p;
    oiosaml_sp_t         *sp;
    oiosaml_idp_t         idp;
    oiosaml_idp_conf_t    ic;
    const oiosaml_idp_t  *i;

    memset(&idp, 0, sizeof(idp));
    idp.high_nist = 4;

    for (p = OIOSAML_PROFILE_OIOSAML2;
         p <= OIOSAML_PROFILE_OIOSAML3_ADFS_RELAYSTATE; p++)
    {
        idp.profile = p;
        idp.max_loa = OIOSAML_LOA_SUBSTANTIAL;
        assert_int_equal(oiosaml_idp_can_reach(&idp, OIOSAML_LOA_HIGH),
                         OIOSAML_DENY_LOA);
        assert_int_equal(oiosaml_idp_can_reach(&idp, OIOSAML_LOA_NIST4),
                         OIOSAML_DENY_LOA);
        assert_int_equal(oiosaml_idp_can_reach(&idp,
                                               OIOSAML_LOA_SUBSTANTIAL),
                         OIOSAML_OK);
        assert_int_equal(oiosaml_idp_can_reach(&idp, OIOSAML_LOA_NIST3),
                         OIOSAML_OK);
    }

    /* as configured: unset is no cap, but nist2 for oiosaml2-no-loa */
    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.max_loa = OIOSAML_LOA_SUBSTANTIAL;
    sp = t_sp(&ic);
    i = oiosaml_sp_idp_by_id(sp, "test", 4);
    assert_int_equal(oiosaml_idp_can_reach(i, OIOSAML_LOA_HIGH),
                     OIOSAML_DENY_LOA);
    assert_int_equal(oiosaml_idp_can_reach(i, OIOSAML_LOA_SUBSTANTIAL),
                     OIOSAML_OK);
    oiosaml_sp_free(sp);

    ic.max_loa = OIOSAML_LOA_NONE;
    sp = t_sp(&ic);
    i = oiosaml_sp_idp_by_id(sp, "test", 4);
    assert_int_equal(oiosaml_idp_can_reach(i, OIOSAML_LOA_HIGH), OIOSAML_OK);
    oiosaml_sp_free(sp);

    ic.profile = OIOSAML_PROFILE_OIOSAML2_NO_LOA;
    sp = t_sp(&ic);
    i = oiosaml_sp_idp_by_id(sp, "test", 4);
    assert_int_equal(oiosaml_idp_can_reach(i, OIOSAML_LOA_NIST2), OIOSAML_OK);
    assert_int_equal(oiosaml_idp_can_reach(i, OIOSAML_LOA_NIST3),
                     OIOSAML_DENY_LOA);
    oiosaml_sp_free(sp);
}


static void
test_relay_handle(void **state)
{
    const char  *h = "AbCdEfGhIjKlMnOpQrStUv";

    assert_int_equal(oiosaml_relay_handle(h, 22), 22);
    assert_int_equal(oiosaml_relay_handle("AbCdEfGhIjKlMnOpQrStUv.Low", 26),
                     22);
    assert_int_equal(oiosaml_relay_handle(h, 21), 0);
    assert_int_equal(oiosaml_relay_handle("AbCdEfGhIjKlMnOpQrStUvW", 23), 0);
    assert_int_equal(oiosaml_relay_handle("AbCdEfGhIjKlMnOpQrStU!", 22), 0);
    assert_int_equal(oiosaml_relay_handle("", 0), 0);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_names_and_uris),
        cmocka_unit_test(test_high_nist_mapping),
        cmocka_unit_test(test_can_reach),
        cmocka_unit_test(test_achieved_by_profile),
        cmocka_unit_test(test_adfs_mfa_keeps_a_stated_level),
        cmocka_unit_test(test_max_loa_caps_every_profile),
        cmocka_unit_test(test_can_reach_max_loa),
        cmocka_unit_test(test_relay_handle),
        cmocka_unit_test(test_kombit_mapping),
        cmocka_unit_test(test_compare_across_scales),
        cmocka_unit_test(test_profiles),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
