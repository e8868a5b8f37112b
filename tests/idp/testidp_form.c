
/*
 * Form fields (application/x-www-form-urlencoded) and the test knobs.
 */


#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testidp.h"


#define TESTIDP_FORM_MAX_FIELDS  64


typedef struct {
    const char  *name;
    int          value;
} testidp_enum_t;


static int testidp_knob_enum(const testidp_form_t *form, const char *name,
    const testidp_enum_t *values, int *out, testidp_err_t *err);
static int testidp_knob_long(const testidp_form_t *form, const char *name,
    long min, long max, long *out, testidp_err_t *err);
static const char *testidp_knob_str(const testidp_form_t *form,
    const char *name);


static const testidp_enum_t  testidp_sign_values[] = {
    { "assertion", TESTIDP_SIGN_ASSERTION },
    { "response", TESTIDP_SIGN_RESPONSE },
    { "both", TESTIDP_SIGN_BOTH },
    { "none", TESTIDP_SIGN_NONE },
    { NULL, 0 }
};

static const testidp_enum_t  testidp_alg_values[] = {
    { "sha256", 0 },
    { "sha1", 1 },
    { NULL, 0 }
};

static const testidp_enum_t  testidp_key_values[] = {
    { "good", 0 },
    { "wrong", 1 },
    { NULL, 0 }
};

static const testidp_enum_t  testidp_encrypt_values[] = {
    { "none", TESTIDP_ENC_NONE },
    { "aes128-gcm", TESTIDP_ENC_AES128_GCM },
    { "aes256-gcm", TESTIDP_ENC_AES256_GCM },
    { "aes128-cbc", TESTIDP_ENC_AES128_CBC },
    { "aes256-cbc", TESTIDP_ENC_AES256_CBC },
    { NULL, 0 }
};

static const testidp_enum_t  testidp_transport_values[] = {
    { "oaep", TESTIDP_KT_OAEP },
    { "oaep11", TESTIDP_KT_OAEP11 },
    { "rsa15", TESTIDP_KT_RSA15 },
    { NULL, 0 }
};

static const testidp_enum_t  testidp_encrypt_to_values[] = {
    { "good", 0 },
    { "wrong", 1 },
    { NULL, 0 }
};

static const testidp_enum_t  testidp_count_values[] = {
    { "0", 0 },
    { "1", 1 },
    { "2", 2 },
    { NULL, 0 }
};

static const testidp_enum_t  testidp_bool_values[] = {
    { "0", 0 },
    { "no", 0 },
    { "1", 1 },
    { "yes", 1 },
    { "nameid", 1 },
    { NULL, 0 }
};


int
testidp_form_parse(const char *body, size_t len, testidp_form_t **form,
    testidp_err_t *err)
{
    const char      *p, *end, *amp, *eq;
    testidp_form_t  *f;
    testidp_pair_t  *pair;

    f = calloc(1, sizeof(testidp_form_t));

    if (f == NULL) {
        return testidp_err(err, "out of memory");
    }

    f->pairs = calloc(TESTIDP_FORM_MAX_FIELDS, sizeof(testidp_pair_t));

    if (f->pairs == NULL) {
        free(f);
        return testidp_err(err, "out of memory");
    }

    end = body + len;

    for (p = body; p < end; p = amp + 1) {
        amp = memchr(p, '&', (size_t) (end - p));

        if (amp == NULL) {
            amp = end;
        }

        if (amp == p) {
            continue;
        }

        if (f->npairs == TESTIDP_FORM_MAX_FIELDS) {
            testidp_form_free(f);
            return testidp_err(err, "more than %d form fields",
                               TESTIDP_FORM_MAX_FIELDS);
        }

        eq = memchr(p, '=', (size_t) (amp - p));

        if (eq == NULL) {
            eq = amp;
        }

        pair = &f->pairs[f->npairs];
        pair->name = testidp_url_decode(p, (size_t) (eq - p), NULL);
        pair->value = (eq == amp)
                      ? testidp_strdup("")
                      : testidp_url_decode(eq + 1, (size_t) (amp - eq - 1),
                                           NULL);
        f->npairs++;

        if (pair->name == NULL || pair->value == NULL) {
            testidp_form_free(f);
            return testidp_err(err, "out of memory");
        }
    }

    *form = f;

    return 0;
}


const char *
testidp_form_get(const testidp_form_t *form, const char *name)
{
    size_t  i;

    for (i = 0; i < form->npairs; i++) {
        if (strcmp(form->pairs[i].name, name) == 0) {
            return form->pairs[i].value;
        }
    }

    return NULL;
}


void
testidp_form_free(testidp_form_t *form)
{
    size_t  i;

    if (form == NULL) {
        return;
    }

    for (i = 0; i < form->npairs; i++) {
        free(form->pairs[i].name);
        free(form->pairs[i].value);
    }

    free(form->pairs);
    free(form);
}


void
testidp_knobs_init(testidp_knobs_t *knobs)
{
    memset(knobs, 0, sizeof(testidp_knobs_t));

    knobs->sign = TESTIDP_SIGN_ASSERTION;
    knobs->encrypt = TESTIDP_ENC_DEFAULT;
    knobs->transport = TESTIDP_KT_OAEP;
    knobs->not_before = -30;
    knobs->not_on_or_after = 300;
    knobs->scd_not_on_or_after = 300;
    knobs->issue_instant = 0;
    knobs->assertions = 1;
    knobs->authn_statements = 1;
}


int
testidp_knobs_parse(const testidp_form_t *form, testidp_knobs_t *knobs,
    testidp_err_t *err)
{
    int  v;

    /* a year either way is more than any test needs */
    static const long  range = 366L * 86400;

    testidp_knobs_init(knobs);

    v = (int) knobs->sign;

    if (testidp_knob_enum(form, "sign", testidp_sign_values, &v, err) != 0) {
        return -1;
    }

    knobs->sign = (testidp_sign_t) v;

    if (testidp_knob_enum(form, "alg", testidp_alg_values, &knobs->sha1,
                          err) != 0
        || testidp_knob_enum(form, "key", testidp_key_values,
                             &knobs->wrong_key, err) != 0
        || testidp_knob_enum(form, "encrypt_to", testidp_encrypt_to_values,
                             &knobs->encrypt_to_wrong, err) != 0
        || testidp_knob_enum(form, "assertions", testidp_count_values,
                             &knobs->assertions, err) != 0
        || testidp_knob_enum(form, "authn_statements", testidp_count_values,
                             &knobs->authn_statements, err) != 0
        || testidp_knob_enum(form, "tamper", testidp_bool_values,
                             &knobs->tamper, err) != 0)
    {
        return -1;
    }

    if (knobs->assertions == 0) {
        return testidp_err(err, "knob assertions=0: use a status knob "
                           "for a Response without an assertion");
    }

    v = (int) knobs->encrypt;

    if (testidp_knob_enum(form, "encrypt", testidp_encrypt_values, &v, err)
        != 0)
    {
        return -1;
    }

    knobs->encrypt = (testidp_enc_t) v;

    v = (int) knobs->transport;

    if (testidp_knob_enum(form, "transport", testidp_transport_values, &v,
                          err) != 0)
    {
        return -1;
    }

    knobs->transport = (testidp_kt_t) v;

    if (testidp_knob_long(form, "not_before", -range, range,
                          &knobs->not_before, err) != 0
        || testidp_knob_long(form, "not_on_or_after", -range, range,
                             &knobs->not_on_or_after, err) != 0
        || testidp_knob_long(form, "scd_not_on_or_after", -range, range,
                             &knobs->scd_not_on_or_after, err) != 0
        || testidp_knob_long(form, "issue_instant", -range, range,
                             &knobs->issue_instant, err) != 0)
    {
        return -1;
    }

    knobs->status = testidp_knob_str(form, "status");
    knobs->issuer = testidp_knob_str(form, "issuer");
    knobs->audience = testidp_knob_str(form, "audience");
    knobs->destination = testidp_knob_str(form, "destination");
    knobs->recipient = testidp_knob_str(form, "recipient");
    knobs->in_response_to = testidp_knob_str(form, "in_response_to");
    knobs->loa = testidp_knob_str(form, "loa");
    knobs->nist = testidp_knob_str(form, "nist");
    knobs->nameid = testidp_knob_str(form, "nameid");
    knobs->classref = testidp_knob_str(form, "classref");
    knobs->acs = testidp_knob_str(form, "acs");

    return 0;
}


static int
testidp_knob_enum(const testidp_form_t *form, const char *name,
    const testidp_enum_t *values, int *out, testidp_err_t *err)
{
    const char            *v;
    const testidp_enum_t  *e;

    v = testidp_form_get(form, name);

    if (v == NULL || v[0] == '\0') {
        return 0;
    }

    for (e = values; e->name != NULL; e++) {
        if (strcmp(e->name, v) == 0) {
            *out = e->value;
            return 0;
        }
    }

    return testidp_err(err, "bad value \"%.64s\" for knob %s", v, name);
}


static int
testidp_knob_long(const testidp_form_t *form, const char *name, long min,
    long max, long *out, testidp_err_t *err)
{
    long         n;
    char        *end;
    const char  *v;

    v = testidp_form_get(form, name);

    if (v == NULL || v[0] == '\0') {
        return 0;
    }

    errno = 0;
    n = strtol(v, &end, 10);

    if (errno != 0 || *end != '\0' || n < min || n > max) {
        return testidp_err(err, "bad value \"%.64s\" for knob %s (seconds "
                           "from now expected)", v, name);
    }

    *out = n;

    return 0;
}


static const char *
testidp_knob_str(const testidp_form_t *form, const char *name)
{
    const char  *v;

    v = testidp_form_get(form, name);

    if (v == NULL || v[0] == '\0') {
        return NULL;
    }

    return v;
}
