
/*
 * Cookie and form values: oiosaml_pending_open() (the pending-login
 * cookie), oiosaml_choice_open() (remember-my-choice), oiosaml_csrf_check()
 * (the choice form's token), oiosaml_unseal() and oiosaml_b64url_decode()
 * on the input as the browser sends it.
 *
 * A value that is not ours never gets past the AES-GCM tag, so the parsers
 * of the sealed text are only reached when the first byte is '*': the rest
 * is then sealed here with each purpose and opened again.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"
#include "fuzz_support.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_open(const char *value, size_t len);
static void fz_sealed(const unsigned char *plain, size_t len);
static void fz_b64url(const char *value, size_t len);


static oiosaml_sp_t  *fz_sp_a;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;

    fz_sp_a = fz_sp(NULL, 0);

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] == '*') {
        fz_sealed(data + 1, size - 1);

    } else {
        fz_open((const char *) data, size);
        fz_b64url((const char *) data, size);
    }

    return 0;
}


/* every opener on a value as sent */
static void
fz_open(const char *value, size_t len)
{
    char                idp_id[64];
    size_t              i, n;
    oiosaml_err_t       err;
    unsigned char      *plain;
    oiosaml_status_t    rc;
    oiosaml_pending_t   pending;

    static const char  *purposes[] = { FZ_PURPOSE_PENDING, FZ_PURPOSE_CHOICE,
                                       FZ_PURPOSE_CSRF };

    oiosaml_err_clear(&err);
    rc = oiosaml_pending_open(fz_sp_a, value, len, FZ_RELAY,
                              sizeof(FZ_RELAY) - 1, fz_now(), &pending, &err);
    fz_report("pending", rc, &err);

    if (rc == OIOSAML_OK) {
        fz_assert(strlen(pending.request_id) <= OIOSAML_ID_LEN);
        fz_assert(memchr(pending.idp_id, '\0', sizeof(pending.idp_id)));
        fz_assert(strlen(pending.return_url) <= OIOSAML_RETURN_MAX);
        fz_assert(pending.loa >= OIOSAML_LOA_NONE
                  && pending.loa <= OIOSAML_LOA_HIGH);
    }

    oiosaml_err_clear(&err);
    rc = oiosaml_choice_open(fz_sp_a, value, len, fz_now(),
                             FZ_CHOICE_LIFETIME, idp_id, &err);
    fz_report("choice", rc, &err);

    if (rc == OIOSAML_OK) {
        fz_assert(idp_id[0] != '\0' && strlen(idp_id) < sizeof(idp_id));

    } else {
        fz_assert(idp_id[0] == '\0');
    }

    oiosaml_err_clear(&err);
    rc = oiosaml_csrf_check(fz_sp_a, value, len, FZ_NONCE,
                            sizeof(FZ_NONCE) - 1, fz_now(), &err);
    fz_report("csrf", rc, &err);
    fz_assert(rc == OIOSAML_OK || err.status == rc);

    for (i = 0; i < sizeof(purposes) / sizeof(purposes[0]); i++) {
        oiosaml_err_clear(&err);
        plain = NULL;
        rc = oiosaml_unseal(fz_sp_a, purposes[i], value, len, &plain, &n,
                            &err);

        if (rc == OIOSAML_OK) {
            fz_assert(plain != NULL && plain[n] == '\0');
            free(plain);

        } else {
            fz_assert(plain == NULL);
        }
    }
}


/* base64url: one encoding per value, so encoding gives the input back */
static void
fz_b64url(const char *value, size_t len)
{
    char           *again;
    size_t          n, m;
    unsigned char  *raw;

    if (oiosaml_b64url_decode(value, len, &raw, &n) != OIOSAML_OK) {
        return;
    }

    fz_assert(n <= len);

    again = oiosaml_b64url_encode(raw, n, &m);
    fz_assert(again != NULL);
    fz_assert(m == len && memcmp(again, value, len) == 0);

    free(again);
    free(raw);
}


/* the parsers behind the seal, on any text sealed with our secret */
static void
fz_sealed(const unsigned char *plain, size_t len)
{
    char               *value, idp_id[64];
    size_t              vlen, n;
    oiosaml_err_t       err;
    unsigned char      *back;
    oiosaml_status_t    rc;
    oiosaml_pending_t   pending;

    oiosaml_err_clear(&err);

    if (oiosaml_seal(fz_sp_a, FZ_PURPOSE_PENDING, plain, len, &value, &vlen,
                     &err)
        != OIOSAML_OK)
    {
        return;
    }

    if (oiosaml_unseal(fz_sp_a, FZ_PURPOSE_PENDING, value, vlen, &back, &n,
                       &err)
        == OIOSAML_OK)
    {
        fz_assert(n == len && memcmp(back, plain, len) == 0);
        free(back);
    }

    oiosaml_err_clear(&err);
    rc = oiosaml_pending_open(fz_sp_a, value, vlen, FZ_RELAY,
                              sizeof(FZ_RELAY) - 1, fz_now(), &pending, &err);
    fz_report("sealed pending", rc, &err);
    fz_assert(rc == OIOSAML_OK || err.status == rc);
    free(value);

    oiosaml_err_clear(&err);

    if (oiosaml_seal(fz_sp_a, FZ_PURPOSE_CHOICE, plain, len, &value, &vlen,
                     &err)
        == OIOSAML_OK)
    {
        oiosaml_err_clear(&err);
        rc = oiosaml_choice_open(fz_sp_a, value, vlen, fz_now(),
                                 FZ_CHOICE_LIFETIME, idp_id, &err);
        fz_report("sealed choice", rc, &err);
        fz_assert(rc == OIOSAML_OK || err.status == rc);
        free(value);
    }

    oiosaml_err_clear(&err);

    if (oiosaml_seal(fz_sp_a, FZ_PURPOSE_CSRF, plain, len, &value, &vlen,
                     &err)
        == OIOSAML_OK)
    {
        oiosaml_err_clear(&err);
        rc = oiosaml_csrf_check(fz_sp_a, value, vlen, FZ_NONCE,
                                sizeof(FZ_NONCE) - 1, fz_now(), &err);
        fz_report("sealed csrf", rc, &err);
        fz_assert(rc == OIOSAML_OK || err.status == rc);
        free(value);
    }
}
