
/*
 * oiosaml_check.c: the response check for operators.  The verdict is the
 * ACS's own (oiosaml_response_verify()): for every broken response the
 * check's status equals the ACS's with the same pending login and clock;
 * the groups before the first failure pass, the failing group fails, the
 * later ones are not checked; the input forms of a SAML tracer; the
 * options that skip rules (times, InResponseTo) and the ones that
 * enforce them (request_id, loa).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


static oiosaml_status_t check(const char *input, const char *request_id,
    oiosaml_loa_t loa, time_t at, unsigned flags);
static void verdicts(const char *want);
static const char *detail(oiosaml_rule_t rule);
static char *response(const testidp_knobs_t *k);


static oiosaml_sp_t        *sp;
static testidp_t           *idp;
static time_t               now;
static oiosaml_check_t     *report;
static const char          *check_idp;     /* the IdP of the login */
static oiosaml_identity_t  *identity;
static oiosaml_err_t        err;


static int
setup(void **state)
{
    sp = t_sp(NULL);
    idp = t_testidp(NULL, NULL);
    now = t_now();

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_check_free(report);
    oiosaml_identity_free(identity);
    oiosaml_sp_free(sp);
    testidp_free(idp);

    return 0;
}


static oiosaml_status_t
check(const char *input, const char *request_id, oiosaml_loa_t loa,
    time_t at, unsigned flags)
{
    oiosaml_status_t        rc;
    oiosaml_check_params_t  p;

    oiosaml_check_free(report);
    oiosaml_identity_free(identity);

    memset(&p, 0, sizeof(p));
    p.input = input;
    p.input_len = strlen(input);
    p.request_id = request_id;
    p.idp = check_idp;
    p.loa = loa;
    p.now = at;
    p.flags = flags;

    oiosaml_err_clear(&err);

    rc = oiosaml_response_check(sp, &p, &report, &identity, &err);

    assert_non_null(report);
    assert_int_equal(err.status, rc);

    if (rc == OIOSAML_OK) {
        assert_non_null(identity);

    } else {
        assert_null(identity);
    }

    return rc;
}


/*
 * want: one letter per rule group, in oiosaml_rule_t order: o ok, F
 * fail, - not checked, s skipped, n note
 */
static void
verdicts(const char *want)
{
    char               got[OIOSAML_RULE_MAX + 1];
    size_t             i;
    const char        *d;
    oiosaml_verdict_t  v;

    static const char  letters[] = "-oFsn";

    for (i = 0; i < OIOSAML_RULE_MAX; i++) {
        v = oiosaml_check_verdict(report, (oiosaml_rule_t) i, &d);
        got[i] = letters[v];
    }

    got[OIOSAML_RULE_MAX] = '\0';

    if (strcmp(got, want) != 0) {
        for (i = 0; i < OIOSAML_RULE_MAX; i++) {
            v = oiosaml_check_verdict(report, (oiosaml_rule_t) i, &d);
            print_message("%-16s %-12s %s\n",
                          oiosaml_rule_name((oiosaml_rule_t) i),
                          oiosaml_verdict_name(v), d);
        }
    }

    assert_string_equal(got, want);
}


static const char *
detail(oiosaml_rule_t rule)
{
    const char  *d;

    (void) oiosaml_check_verdict(report, rule, &d);

    return d;
}


static char *
response(const testidp_knobs_t *k)
{
    return t_response(idp, NULL, k, now);
}


/*                        input                      replay
 *                        |idp                       |
 *                        ||issuer         times     |
 *                        |||destination   |audience |
 *                        ||||irt          ||unsol.  |
 *                        |||||status      |||authn  |
 *                        ||||||count      ||||loa   |
 *                        |||||||sig       |||||priv |
 *                        ||||||||alg      ||||||    |
 *                        |||||||||decrypt ||||||    |
 *                        ||||||||||subj   ||||||    |
 *                        |||||||||||recip ||||||    |
 */
#define ALL_OK           "oooonooooooooooooo-"


static void
test_accepted(void **state)
{
    char  *b64;

    b64 = response(NULL);

    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_OK);
    verdicts(ALL_OK);
    assert_int_equal(oiosaml_check_time(report), now);

    assert_string_equal(oiosaml_identity_get(identity, OIOSAML_F_IDP, NULL),
                        "test");
    assert_non_null(strstr(detail(OIOSAML_RULE_DESTINATION), T_ACS));
    assert_non_null(strstr(detail(OIOSAML_RULE_IN_RESPONSE_TO), T_REQ_ID));
    assert_non_null(strstr(detail(OIOSAML_RULE_IN_RESPONSE_TO),
                           "not enforced"));
    assert_non_null(strstr(detail(OIOSAML_RULE_SIGNATURE),
                           "Assertion signed"));
    assert_non_null(strstr(detail(OIOSAML_RULE_ALGORITHMS), "rsa-sha256"));
    assert_non_null(strstr(detail(OIOSAML_RULE_AUDIENCE), T_SP));
    assert_non_null(strstr(detail(OIOSAML_RULE_REPLAY), "no replay cache"));
    assert_string_equal(oiosaml_verdict_name(OIOSAML_VERDICT_FAIL), "FAIL");
    assert_string_equal(oiosaml_rule_name(OIOSAML_RULE_REPLAY), "replay");

    /* the request it answers, enforced: plain ok */
    assert_int_equal(check(b64, T_REQ_ID, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_OK);
    verdicts("oooooooooooooooooo-");

    free(b64);
}


/* the check's status is the ACS's, for every kind of broken response */
static void
test_same_verdict_as_the_acs(void **state)
{
    char                 *b64;
    size_t                i;
    time_t                at;
    t_replay_t            replay;
    oiosaml_err_t         e;
    oiosaml_status_t      acs;
    testidp_knobs_t       k;
    oiosaml_pending_t     pending;
    oiosaml_identity_t   *id;

    for (i = 0; i < 16; i++) {
        t_knobs(&k);
        at = now;

        switch (i) {
        case 0: break;
        case 1: k.audience = "https://other-sp.test/"; break;
        case 2: k.destination = "https://evil.test/saml/acs"; break;
        case 3: k.recipient = "https://evil.test/saml/acs"; break;
        case 4: k.status = TESTIDP_STATUS_PREFIX "Requester"; break;
        case 5: k.wrong_key = 1; break;
        case 6: k.sha1 = 1; break;
        case 7: k.issuer = "https://evil.test/"; break;
        case 8: k.authn_statements = 2; break;
        case 9: k.assertions = 2; break;
        case 10: at = now + 3600; break;
        case 11: k.not_before = 900; break;
        case 12: k.sign = TESTIDP_SIGN_NONE; break;
        case 13: k.encrypt = TESTIDP_ENC_AES256_GCM; break;
        case 14: k.encrypt = TESTIDP_ENC_AES128_CBC;
                 k.transport = TESTIDP_KT_RSA15; break;
        case 15: k.in_response_to = "omit"; break;
        }

        b64 = response(&k);

        t_pending(&pending);
        memset(&replay, 0, sizeof(replay));
        oiosaml_err_clear(&e);
        acs = oiosaml_response_verify(sp, &(oiosaml_verify_params_t) {
                                          b64, strlen(b64),
                                          i == 15 ? NULL : &pending, at,
                                          t_replay, &replay }, &id, &e);
        oiosaml_identity_free(id);
        t_replay_clear(&replay);

        /* the login went to "test", as the pending login says */
        check_idp = "test";
        assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, at, 0), acs);
        check_idp = NULL;

        if (acs != OIOSAML_OK) {
            assert_string_equal(err.text, e.text);
            assert_int_equal(oiosaml_check_verdict(report,
                                                   OIOSAML_RULE_REPLAY,
                                                   &(const char *) { "" }),
                             OIOSAML_VERDICT_NOT_CHECKED);
        }

        free(b64);
    }
}


/* where the ACS stopped: passed before, failed there, not checked after */
static void
test_failure_places(void **state)
{
    char             *b64;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.audience = "https://other-sp.test/";
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_AUDIENCE);
    verdicts("oooonooooooooF-----");
    assert_non_null(strstr(detail(OIOSAML_RULE_AUDIENCE),
                           "deny_audience: an AudienceRestriction does not "
                           "name our entityID"));
    assert_non_null(strstr(detail(OIOSAML_RULE_AUDIENCE),
                           "https://other-sp.test/"));
    free(b64);

    t_knobs(&k);
    k.destination = "https://evil.test/saml/acs";
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_DESTINATION);
    verdicts("oo-F---------------");
    assert_non_null(strstr(detail(OIOSAML_RULE_DESTINATION),
                           "https://evil.test/saml/acs"));
    free(b64);

    /* the Assertion's signature (the Response has none) */
    t_knobs(&k);
    k.wrong_key = 1;
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_SIGNATURE);
    verdicts("oooo-ooF-o---------");
    free(b64);

    t_knobs(&k);
    k.sha1 = 1;
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_SIG_ALGORITHM);
    verdicts("oooo-oo-Fo---------");
    assert_non_null(strstr(detail(OIOSAML_RULE_ALGORITHMS), "rsa-sha1"));
    free(b64);

    t_knobs(&k);
    k.status = TESTIDP_STATUS_PREFIX "Requester";
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_STATUS);
    verdicts("oo-o-F-------------");
    free(b64);

    t_knobs(&k);
    k.recipient = "https://evil.test/saml/acs";
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_RECIPIENT);
    verdicts("oooo-ooooo-F-------");
    free(b64);

    t_knobs(&k);
    k.authn_statements = 0;
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_AUTHN_STATEMENT);
    verdicts("oooonooooooooooF---");
    free(b64);

    /* encrypted to us: decrypted for the report, and its algorithms */
    t_knobs(&k);
    k.encrypt = TESTIDP_ENC_AES128_CBC;
    k.transport = TESTIDP_KT_RSA15;
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_ENC_ALGORITHM);
    verdicts("oo-o-o--F----------");
    assert_non_null(strstr(detail(OIOSAML_RULE_ALGORITHMS), "rsa-1_5"));
    free(b64);

    t_knobs(&k);
    k.encrypt = TESTIDP_ENC_AES256_GCM;
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_OK);
    verdicts(ALL_OK);
    assert_non_null(strstr(detail(OIOSAML_RULE_ALGORITHMS), "aes256-gcm"));
    assert_non_null(strstr(detail(OIOSAML_RULE_DECRYPTION), "decrypted"));
    assert_non_null(strstr(detail(OIOSAML_RULE_SUBJECT), "NameID"));
    free(b64);
}


/* base64, the XML, a form body: as a SAML tracer shows them */
static void
test_input_forms(void **state)
{
    char       *b64, *xml, *form, *p;
    size_t      len, i, j;
    testidp_knobs_t  k;

    t_knobs(&k);
    b64 = response(&k);
    xml = t_response_xml(idp, NULL, &k, now, &len);

    assert_int_equal(check(xml, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_OK);
    assert_non_null(strstr(detail(OIOSAML_RULE_INPUT), "the XML itself"));

    /* percent-encoded, '+' as %2B, after a RelayState */
    form = malloc(3 * strlen(b64) + 64);
    assert_non_null(form);
    j = (size_t) sprintf(form, "RelayState=abc.Substantial&SAMLResponse=");

    for (i = 0; b64[i]; i++) {
        j += (size_t) (strchr("+/=", b64[i])
                       ? sprintf(form + j, "%%%02X", (unsigned char) b64[i])
                       : sprintf(form + j, "%c", b64[i]));
    }

    strcpy(form + j, "\n");

    assert_int_equal(check(form, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_OK);
    assert_non_null(strstr(detail(OIOSAML_RULE_INPUT), "percent-encoded"));

    /* not percent-encoded: '+' stays */
    sprintf(form, "SAMLResponse=%s&RelayState=x", b64);
    assert_int_equal(check(form, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_OK);

    /* base64 with line breaks, as copied */
    p = malloc(strlen(b64) * 2 + 2);
    assert_non_null(p);

    for (i = 0, j = 0; b64[i]; i++) {
        p[j++] = b64[i];
        if (i % 76 == 75) {
            p[j++] = '\n';
        }
    }

    p[j] = '\0';
    assert_int_equal(check(p, NULL, OIOSAML_LOA_NONE, now, 0), OIOSAML_OK);
    free(p);

    /* bad input: the ACS's refusals */
    assert_int_equal(check("RelayState=abc&x=1", NULL, OIOSAML_LOA_NONE, now,
                           0), OIOSAML_BAD_MESSAGE);
    verdicts("F------------------");
    assert_non_null(strstr(detail(OIOSAML_RULE_INPUT),
                           "without a SAMLResponse"));
    assert_int_equal(check("  \n", NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_BAD_ENCODING);
    assert_int_equal(check("!!!", NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_BAD_ENCODING);
    assert_int_equal(check("<not xml", NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_BAD_XML);
    verdicts("F------------------");
    assert_int_equal(check("<x/>", NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_BAD_MESSAGE);
    assert_non_null(strstr(detail(OIOSAML_RULE_INPUT),
                           "not a samlp:Response"));

    free(form);
    free(xml);
    free(b64);
}


static void
test_ignore_time(void **state)
{
    char     *b64, t[21];
    time_t    issued;

    b64 = response(NULL);

    /* captured an hour ago */
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now + 3600, 0),
                     OIOSAML_DENY_EXPIRED);
    verdicts("oooo-oooooooF------");
    assert_non_null(strstr(detail(OIOSAML_RULE_TIMES), "ago"));

    /* judged at its IssueInstant: the times are skipped */
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now + 3600,
                           OIOSAML_CHECK_IGNORE_TIME), OIOSAML_OK);
    verdicts("oooonooooooosooooo-");
    issued = oiosaml_check_time(report);
    oiosaml_time_format(issued, t);
    assert_true(issued >= now - 2 && issued <= now + 2);

    free(b64);
}


static void
test_in_response_to(void **state)
{
    char             *b64;
    testidp_knobs_t   k;

    b64 = response(NULL);

    assert_int_equal(check(b64, "_ffeeddccbbaa99887766554433221100ffeeddcc",
                           OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_IN_RESPONSE_TO);
    verdicts("oo-oF--------------");
    assert_non_null(strstr(detail(OIOSAML_RULE_IN_RESPONSE_TO),
                           "must answer _ffeedd"));

    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now,
                           OIOSAML_CHECK_IGNORE_IN_RESPONSE_TO),
                     OIOSAML_OK);
    verdicts("oooosooooooooooooo-");
    free(b64);

    /* IdP-initiated: refused as at the ACS, unless ignored */
    t_knobs(&k);
    k.in_response_to = "omit";
    b64 = response(&k);
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now, 0),
                     OIOSAML_DENY_UNSOLICITED);
    verdicts("ooooooooooooooF----");
    assert_int_equal(check(b64, NULL, OIOSAML_LOA_NONE, now,
                           OIOSAML_CHECK_IGNORE_IN_RESPONSE_TO),
                     OIOSAML_OK);
    verdicts("oooosooooooooosooo-");
    free(b64);
}


static void
test_loa_and_idp(void **state)
{
    char                    *b64;
    oiosaml_check_t         *r;
    oiosaml_identity_t      *id;
    oiosaml_check_params_t   p;

    b64 = response(NULL);

    /* the login asked for more than the user has */
    assert_int_equal(check(b64, T_REQ_ID, OIOSAML_LOA_HIGH, now, 0),
                     OIOSAML_DENY_LOA);
    verdicts("ooooooooooooooooF--");
    assert_int_equal(err.loa_required, OIOSAML_LOA_HIGH);
    assert_non_null(strstr(detail(OIOSAML_RULE_LOA), "asked for high"));

    /* an IdP that is not configured: the caller's error, no report */
    memset(&p, 0, sizeof(p));
    p.input = b64;
    p.input_len = strlen(b64);
    p.idp = "nobody";
    p.now = now;
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_response_check(sp, &p, &r, &id, &err),
                     OIOSAML_ERR_ARG);
    assert_null(r);
    assert_null(id);

    free(b64);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_same_verdict_as_the_acs),
        cmocka_unit_test(test_failure_places),
        cmocka_unit_test(test_input_forms),
        cmocka_unit_test(test_ignore_time),
        cmocka_unit_test(test_in_response_to),
        cmocka_unit_test(test_loa_and_idp),
    };

    t_init();

    return cmocka_run_group_tests(tests, setup, teardown);
}
