
/*
 * The response check for operators (oiosaml_response_check()): what an
 * operator pastes from a SAML tracer, as it is: base64, the XML, or a
 * form body (percent-encoded or not).  The input normalization and the
 * reading of the message for the report are new parsing on top of
 * oiosaml_response_verify(); each input is checked as captured and with
 * the times and InResponseTo ignored.
 *
 * Invariants: an OIOSAML_ERR_* gives no report; otherwise exactly the
 * verdict of the ACS: accepted with an identity and no failing group, or
 * refused without one and with exactly one failing group; replay is never
 * checked; every detail is a bounded string.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"
#include "fuzz_support.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void fz_check(const uint8_t *data, size_t size, unsigned flags);


static oiosaml_sp_t  *fz_sp_c;
static time_t         fz_t;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;

    fz_init();
    fz_sp_c = fz_sp(NULL, 0);
    fz_t = fz_now();

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_check(data, size, 0);
    fz_check(data, size, OIOSAML_CHECK_IGNORE_TIME
                         | OIOSAML_CHECK_IGNORE_IN_RESPONSE_TO);

    return 0;
}


static void
fz_check(const uint8_t *data, size_t size, unsigned flags)
{
    size_t                   fails;
    oiosaml_rule_t           r;
    const char              *d;
    oiosaml_err_t            err;
    oiosaml_check_t         *report;
    oiosaml_status_t         rc;
    oiosaml_verdict_t        v;
    oiosaml_identity_t      *id;
    oiosaml_check_params_t   p;

    memset(&p, 0, sizeof(p));
    p.input = (const char *) data;
    p.input_len = size;
    p.now = fz_t;
    p.flags = flags;

    oiosaml_err_clear(&err);

    rc = oiosaml_response_check(fz_sp_c, &p, &report, &id, &err);
    fz_report("check", rc, &err);

    if (rc != OIOSAML_OK && !oiosaml_is_denial(rc)
        && !oiosaml_is_bad_input(rc))
    {
        fz_assert(report == NULL && id == NULL);
        return;
    }

    fz_assert(report != NULL);
    fails = 0;

    for (r = 0; r < OIOSAML_RULE_MAX; r++) {
        v = oiosaml_check_verdict(report, r, &d);
        fz_assert(d != NULL && strlen(d) < 1024);
        fails += (v == OIOSAML_VERDICT_FAIL);
    }

    fz_assert(oiosaml_check_verdict(report, OIOSAML_RULE_REPLAY, &d)
              == OIOSAML_VERDICT_NOT_CHECKED);

    if (rc == OIOSAML_OK) {
        fz_assert(id != NULL && fails == 0);

    } else {
        fz_assert(id == NULL && fails == 1 && err.status == rc);
    }

    oiosaml_identity_free(id);
    oiosaml_check_free(report);
}
