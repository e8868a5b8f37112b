
/*
 * The OIOBPP privileges attribute: oiosaml_privileges_compile(), then on
 * what it accepts oiosaml_privileges_json() and oiosaml_policy_check()
 * with a few fixed policies, with the properties each promises.
 *
 * Modes by the first byte: '<' the input is the XML, which the target
 * base64-encodes (reaching the parser and the group rules); anything else:
 * the input is the attribute value as sent.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"
#include "fuzz_support.h"


#define FZ_CVR   "urn:dk:gov:saml:cvrNumberIdentifier:"
#define FZ_ROLE  "http://sapa.kombit.dk/roles/usersystemrole/sagsbehandler/1"
#define FZ_KLE   "http://sts.kombit.dk/constraints/KLE/1"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_compact(const char *c, size_t len);
static void fz_json(const char *s);
static void fz_policies(const char *c, size_t len);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;

    fz_init();

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char              *b64, *c, *roles, *groups;
    size_t             len, clen;
    oiosaml_err_t      err;
    oiosaml_status_t   rc;

    if (size > 0 && data[0] == '<') {
        b64 = oiosaml_b64_encode(data, size, &len);
        fz_assert(b64 != NULL);

    } else {
        b64 = malloc(size + 1);
        fz_assert(b64 != NULL);
        memcpy(b64, data, size);
        len = size;
    }

    oiosaml_err_clear(&err);
    c = (char *) 1;
    rc = oiosaml_privileges_compile(b64, len, &c, &clen, &err);
    free(b64);

    if (rc != OIOSAML_OK) {
        /* a refusal is named, and leaves nothing to free */
        fz_assert(rc == OIOSAML_DENY_PRIVILEGES || rc == OIOSAML_ERR_NOMEM);
        fz_assert(err.status == rc && err.text[0] != '\0');
        fz_assert(c == NULL);
        return 0;
    }

    fz_assert(c != NULL && strlen(c) == clen);
    fz_compact(c, clen);

    oiosaml_err_clear(&err);
    rc = oiosaml_privileges_json(c, clen, &roles, &groups, &err);
    fz_assert(rc == OIOSAML_OK);
    fz_json(roles);
    fz_json(groups);
    fz_assert(roles[0] == '{' && groups[0] == '[');
    free(roles);
    free(groups);

    fz_policies(c, clen);
    free(c);

    return 0;
}


/* lines of "G scope", "P privilege", "C name<TAB>value"; a G first */
static void
fz_compact(const char *c, size_t len)
{
    const char  *p, *nl, *end;

    end = c + len;

    for (p = c; p < end; p = nl + 1) {
        nl = memchr(p, '\n', (size_t) (end - p));
        fz_assert(nl != NULL);
        fz_assert(nl - p >= 3 && p[1] == ' ');
        fz_assert(p[0] == 'G' || p[0] == 'P' || p[0] == 'C');
        fz_assert(p != c || p[0] == 'G');
        fz_assert(p[0] != 'C'
                  || memchr(p + 2, '\t', (size_t) (nl - p - 2)) != NULL);
        fz_assert(memchr(p, '\r', (size_t) (nl - p)) == NULL);
    }
}


/* printable ASCII only, no raw <, > or & (safe inside HTML too) */
static void
fz_json(const char *s)
{
    for ( /* void */ ; *s; s++) {
        fz_assert(*s >= 0x20 && *s < 0x7f);
        fz_assert(*s != '<' && *s != '>' && *s != '&');
    }
}


static void
fz_policies(const char *c, size_t len)
{
    size_t                 i;
    oiosaml_access_t       a, b;
    oiosaml_policy_t       p;
    oiosaml_decision_t     d;
    oiosaml_role_loa_t     rl;
    oiosaml_constraint_t   k;
    const char            *roles[] = { FZ_ROLE, "r", "" };

    static const char  *cvrs[] = { "12345678", "", "1" };

    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 3;
    k.name = FZ_KLE;
    k.value = "32.30";
    rl.role = FZ_ROLE;
    rl.loa = OIOSAML_LOA_SUBSTANTIAL;

    for (i = 0; i < 3 * 2 * 3 * 2; i++) {
        p.scope = (oiosaml_scope_t) (i % 3);
        p.scope_value = FZ_CVR "12345678";
        p.all = (i / 3) % 2;
        p.constraints = (i / 6) % 3 == 1 ? &k : NULL;
        p.nconstraints = (i / 6) % 3 == 1;
        p.role_loas = (i / 6) % 3 == 2 ? &rl : NULL;
        p.nrole_loas = (i / 6) % 3 == 2;

        d = oiosaml_policy_check(&p, c, len, cvrs[i % 3],
                                 strlen(cvrs[i % 3]), NULL,
                                 (i / 18) ? OIOSAML_LOA_HIGH
                                          : OIOSAML_LOA_LOW, &a);

        fz_assert(d == a.decision);
        fz_assert(d != OIOSAML_ACCESS_MALFORMED);
        fz_assert(d != OIOSAML_ACCESS_ALLOW || p.all || a.role != NULL);
        fz_assert(d != OIOSAML_ACCESS_DENY || a.missing != NULL);
        fz_assert(d != OIOSAML_ACCESS_STEP_UP
                  || (a.step_up == OIOSAML_LOA_SUBSTANTIAL
                      && (i / 18) == 0));

        /* the same answer twice: no state */
        fz_assert(oiosaml_policy_check(&p, c, len, cvrs[i % 3],
                                       strlen(cvrs[i % 3]), NULL,
                                       (i / 18) ? OIOSAML_LOA_HIGH
                                                : OIOSAML_LOA_LOW, &b)
                  == d);
    }
}
