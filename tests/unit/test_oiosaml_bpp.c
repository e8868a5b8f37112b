
/*
 * oiosaml_bpp.c: the OIOBPP privileges parser, the compact form, the
 * policy check and the JSON for the upstream.  The samples are shaped
 * like KOMBIT's Context Handler output (BPP 1.2) and a municipal IdP's
 * (BPP 1.1, parametric constraint).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


#define NS12  "http://digst.dk/oiosaml/basic_privilege_profile"
#define NS11  "http://itst.dk/oiosaml/basic_privilege_profile"
#define CVR   "urn:dk:gov:saml:cvrNumberIdentifier:"
#define KLE   "http://sts.kombit.dk/constraints/KLE/1"
#define ORG   "http://sts.kombit.dk/constraints/orgenhed/1"
#define SAGS  "http://sagssystem.example.dk/roles/usersystemrole/"

#define ROLE_BEHANDLER  SAGS "sagsbehandler/1"
#define ROLE_LEDER      SAGS "leder/1"
#define ROLE_ADMIN      SAGS "admin/1"


/* CH2 style: BPP 1.2, repeated KLE, two groups in the same CVR */
static const char  sample_ch2[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"\n"
    "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
    "  <PrivilegeGroup Scope=\"" CVR "12345678\">\n"
    "    <Privilege>" ROLE_BEHANDLER "</Privilege>\n"
    "    <Constraint Name=\"" KLE "\">32.30.*</Constraint>\n"
    "    <Constraint Name=\"" KLE "\">27.24.00</Constraint>\n"
    "  </PrivilegeGroup>\n"
    "  <PrivilegeGroup Scope=\"" CVR "12345678\">\n"
    "    <Privilege>" ROLE_LEDER "</Privilege>\n"
    "    <Constraint Name=\"" ORG "\">"
    "3f1c2a9e-2b6d-4c1e-9a53-5e0f2a7b8c01</Constraint>\n"
    "  </PrivilegeGroup>\n"
    "</bpp:PrivilegeList>\n";

/* IdP -> CH2 style: BPP 1.1, Constraint before Privilege, two CVRs */
static const char  sample_idp[] =
    "<bpp:PrivilegeList xmlns:bpp=\"" NS11 "\">"
    "<PrivilegeGroup Scope=\"" CVR "19435078\">"
    "<Constraint Name=\"http://kombit.dk/constraints/KLE/1/parametric\">"
    "10.4.1</Constraint>"
    "<Privilege>http://kommuneA.dk/roles/jobrole/kombitrolle2/1</Privilege>"
    "</PrivilegeGroup>"
    "<PrivilegeGroup Scope=\"" CVR "19435076\">"
    "<Privilege>http://kommuneB.dk/roles/jobrole/kombitrolle1/1</Privilege>"
    "</PrivilegeGroup>"
    "</bpp:PrivilegeList>";


static char *
b64(const char *xml)
{
    size_t  len;

    return oiosaml_b64_encode((const unsigned char *) xml, strlen(xml), &len);
}


/* compiles an XML sample; returns the status, *out the compact form */
static oiosaml_status_t
compile(const char *xml, char **out, size_t *len, oiosaml_err_t *err)
{
    char              *enc;
    oiosaml_status_t   rc;

    enc = b64(xml);
    assert_non_null(enc);

    oiosaml_err_clear(err);
    rc = oiosaml_privileges_compile(enc, strlen(enc), out, len, err);
    free(enc);

    return rc;
}


static void
test_ch2_sample(void **state)
{
    char           *c;
    size_t          len;
    oiosaml_err_t   err;

    assert_int_equal(compile(sample_ch2, &c, &len, &err), OIOSAML_OK);
    assert_string_equal(c,
        "G " CVR "12345678\n"
        "P " ROLE_BEHANDLER "\n"
        "C " KLE "\t32.30.*\n"
        "C " KLE "\t27.24.00\n"
        "G " CVR "12345678\n"
        "P " ROLE_LEDER "\n"
        "C " ORG "\t3f1c2a9e-2b6d-4c1e-9a53-5e0f2a7b8c01\n");
    assert_int_equal(len, strlen(c));
    free(c);
}


static void
test_bpp11_any_order(void **state)
{
    char           *c;
    size_t          len;
    oiosaml_err_t   err;

    assert_int_equal(compile(sample_idp, &c, &len, &err), OIOSAML_OK);

    /* privileges first in the compact form, whatever the XML order */
    assert_string_equal(c,
        "G " CVR "19435078\n"
        "P http://kommuneA.dk/roles/jobrole/kombitrolle2/1\n"
        "C http://kombit.dk/constraints/KLE/1/parametric\t10.4.1\n"
        "G " CVR "19435076\n"
        "P http://kommuneB.dk/roles/jobrole/kombitrolle1/1\n");
    free(c);
}


/*
 * The children in the list's own namespace, as DIGST's OIOIDWS.Net and
 * some IdPs write them: a default xmlns, or the bpp prefix.  The same
 * compact form as the unqualified CH2 sample.
 */
static void
test_namespaced_children(void **state)
{
    char           *c, *ref;
    size_t          i, len;
    oiosaml_err_t   err;

    static const char  *forms[] = {
        "<PrivilegeList xmlns=\"" NS12 "\">"
        "<PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<Privilege>" ROLE_BEHANDLER "</Privilege>"
        "<Constraint Name=\"" KLE "\">32.30.*</Constraint>"
        "<Constraint Name=\"" KLE "\">27.24.00</Constraint>"
        "</PrivilegeGroup>"
        "<PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<Constraint Name=\"" ORG "\">"
        "3f1c2a9e-2b6d-4c1e-9a53-5e0f2a7b8c01</Constraint>"
        "<Privilege>" ROLE_LEDER "</Privilege>"
        "</PrivilegeGroup></PrivilegeList>",

        "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">"
        "<bpp:PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<bpp:Privilege>" ROLE_BEHANDLER "</bpp:Privilege>"
        "<bpp:Constraint Name=\"" KLE "\">32.30.*</bpp:Constraint>"
        "<Constraint Name=\"" KLE "\">27.24.00</Constraint>"
        "</bpp:PrivilegeGroup>"
        "<bpp:PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<bpp:Privilege>" ROLE_LEDER "</bpp:Privilege>"
        "<bpp:Constraint Name=\"" ORG "\">"
        "3f1c2a9e-2b6d-4c1e-9a53-5e0f2a7b8c01</bpp:Constraint>"
        "</bpp:PrivilegeGroup></bpp:PrivilegeList>",
    };

    assert_int_equal(compile(sample_ch2, &ref, &len, &err), OIOSAML_OK);

    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        if (compile(forms[i], &c, &len, &err) != OIOSAML_OK) {
            fail_msg("form %zu: %s", i, err.text);
        }

        assert_string_equal(c, ref);
        free(c);
    }

    free(ref);
}


/* urn:dk:gov:saml:CvrNumberIdentifier: is the same scope in any case */
static void
test_scope_case(void **state)
{
    char               *c;
    size_t              len;
    oiosaml_err_t       err;
    oiosaml_access_t    a;
    oiosaml_policy_t    p;
    const char         *roles[] = { ROLE_BEHANDLER };
    oiosaml_idp_t       idp;

    assert_int_equal(compile("<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">"
                             "<PrivilegeGroup Scope=\"urn:dk:gov:saml:"
                             "CvrNumberIdentifier:12345678\"><Privilege>"
                             ROLE_BEHANDLER "</Privilege></PrivilegeGroup>"
                             "</bpp:PrivilegeList>", &c, &len, &err),
                     OIOSAML_OK);

    memset(&idp, 0, sizeof(idp));
    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 1;

    p.scope = OIOSAML_SCOPE_USER_CVR;
    assert_int_equal(oiosaml_policy_check(&p, c, len, "12345678", 8, &idp,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
    assert_int_equal(oiosaml_policy_check(&p, c, len, "12345679", 8, &idp,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);

    p.scope = OIOSAML_SCOPE_FIXED;
    p.scope_value = "URN:DK:GOV:SAML:cvrnumberidentifier:12345678";
    assert_int_equal(oiosaml_policy_check(&p, c, len, "87654321", 8, &idp,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);

    /* the value after the last ':' is compared exactly */
    p.scope_value = "urn:dk:gov:saml:cvrNumberIdentifier:1234567";
    assert_int_equal(oiosaml_policy_check(&p, c, len, "87654321", 8, &idp,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
    free(c);

    assert_int_equal(compile("<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">"
                             "<PrivilegeGroup Scope=\"urn:x:Team:ABC\">"
                             "<Privilege>" ROLE_BEHANDLER "</Privilege>"
                             "</PrivilegeGroup></bpp:PrivilegeList>", &c,
                             &len, &err), OIOSAML_OK);
    p.scope_value = "urn:X:team:ABC";
    assert_int_equal(oiosaml_policy_check(&p, c, len, "1", 1, &idp,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
    p.scope_value = "urn:x:Team:abc";
    assert_int_equal(oiosaml_policy_check(&p, c, len, "1", 1, &idp,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
    free(c);
}


static void
test_duplicate_groups_merged(void **state)
{
    char           *c;
    size_t          len;
    oiosaml_err_t   err;

    static const char  dup[] =
        "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">"
        "<PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<Privilege>" ROLE_BEHANDLER "</Privilege></PrivilegeGroup>"
        "<PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<Privilege>" ROLE_LEDER "</Privilege></PrivilegeGroup>"
        "<PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<Privilege>" ROLE_BEHANDLER "</Privilege></PrivilegeGroup>"
        "</bpp:PrivilegeList>";

    assert_int_equal(compile(dup, &c, &len, &err), OIOSAML_OK);
    assert_string_equal(c,
        "G " CVR "12345678\n"
        "P " ROLE_BEHANDLER "\n"
        "G " CVR "12345678\n"
        "P " ROLE_LEDER "\n");
    free(c);
}


static void
test_empty_list(void **state)
{
    char           *c;
    size_t          len;
    oiosaml_err_t   err;

    assert_int_equal(compile("<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"/>",
                             &c, &len, &err), OIOSAML_OK);
    assert_string_equal(c, "");
    assert_int_equal(len, 0);
    free(c);
}


static void
test_malformed(void **state)
{
    char           *c;
    size_t          i, len;
    oiosaml_err_t   err;

    static const struct {
        const char  *xml;
        const char  *reason;
    } bad[] = {
        { "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">", "well-formed" },
        { "<PrivilegeList><PrivilegeGroup Scope=\"x\"><Privilege>r"
          "</Privilege></PrivilegeGroup></PrivilegeList>",
          "not a bpp:PrivilegeList" },
        { "<bpp:PrivilegeList xmlns:bpp=\"urn:other\"/>",
          "not a bpp:PrivilegeList" },
        { "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"><PrivilegeGroup>"
          "<Privilege>r</Privilege></PrivilegeGroup></bpp:PrivilegeList>",
          "no valid Scope" },
        { "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"><PrivilegeGroup "
          "Scope=\"s\"><Privilege></Privilege></PrivilegeGroup>"
          "</bpp:PrivilegeList>", "empty or invalid Privilege" },
        { "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"><PrivilegeGroup "
          "Scope=\"s\"><Privilege>a&#10;P forged</Privilege>"
          "</PrivilegeGroup></bpp:PrivilegeList>",
          "empty or invalid Privilege" },
        { "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"><PrivilegeGroup "
          "Scope=\"s\"><Privilege>r</Privilege><Constraint>v</Constraint>"
          "</PrivilegeGroup></bpp:PrivilegeList>", "without a valid Name" },
        { "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"><PrivilegeGroup "
          "Scope=\"s\"><x:Privilege xmlns:x=\"urn:other\">r</x:Privilege>"
          "</PrivilegeGroup></bpp:PrivilegeList>", "another namespace" },
        { "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"><x:PrivilegeGroup "
          "xmlns:x=\"" NS11 "\" Scope=\"s\"><Privilege>r</Privilege>"
          "</x:PrivilegeGroup></bpp:PrivilegeList>",
          "unexpected element <PrivilegeGroup>" },
        { "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"><Group/>"
          "</bpp:PrivilegeList>", "unexpected element <Group>" },
        { "<!DOCTYPE x [<!ENTITY e \"" ROLE_ADMIN "\">]>"
          "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\"><PrivilegeGroup "
          "Scope=\"s\"><Privilege>&e;</Privilege></PrivilegeGroup>"
          "</bpp:PrivilegeList>", "well-formed" },
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        c = (char *) 1;
        assert_int_equal(compile(bad[i].xml, &c, &len, &err),
                         OIOSAML_DENY_PRIVILEGES);
        assert_null(c);

        if (strstr(err.text, bad[i].reason) == NULL) {
            fail_msg("sample %zu: \"%s\" lacks \"%s\"", i, err.text,
                     bad[i].reason);
        }
    }

    /* not base64 at all */
    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_privileges_compile("%%%%", 4, &c, &len, &err),
                     OIOSAML_DENY_PRIVILEGES);
    assert_non_null(strstr(err.text, "not base64"));
}


static void
test_huge(void **state)
{
    char           *xml, *p, *c;
    size_t          i, len;
    oiosaml_err_t   err;

    /* 1001 groups: over the cap, refused before anything is built */
    xml = malloc(200 * 1001 + 200);
    assert_non_null(xml);
    p = xml + sprintf(xml, "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">");

    for (i = 0; i < 1001; i++) {
        p += sprintf(p, "<PrivilegeGroup Scope=\"" CVR "%08zu\">"
                     "<Privilege>r</Privilege></PrivilegeGroup>", i);
    }

    strcpy(p, "</bpp:PrivilegeList>");

    assert_int_equal(compile(xml, &c, &len, &err), OIOSAML_DENY_PRIVILEGES);
    assert_non_null(strstr(err.text, "more than 1000 privilege groups"));
    free(xml);

    /* 201 items in one group */
    xml = malloc(40 * 201 + 300);
    assert_non_null(xml);
    p = xml + sprintf(xml, "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">"
                      "<PrivilegeGroup Scope=\"s\">");

    for (i = 0; i < 201; i++) {
        p += sprintf(p, "<Privilege>r%zu</Privilege>", i);
    }

    strcpy(p, "</PrivilegeGroup></bpp:PrivilegeList>");

    assert_int_equal(compile(xml, &c, &len, &err), OIOSAML_DENY_PRIVILEGES);
    assert_non_null(strstr(err.text, "more than 200 items"));
    free(xml);

    /* over the size cap: refused on the length alone */
    len = 512 * 1024;
    xml = malloc(len);
    assert_non_null(xml);
    memset(xml, 'A', len);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_privileges_compile(xml, len, &c, &i, &err),
                     OIOSAML_DENY_PRIVILEGES);
    assert_non_null(strstr(err.text, "larger than"));
    free(xml);
}


/* ---- the policy ---------------------------------------------------------- */


typedef struct {
    char            *c;
    size_t           len;
    oiosaml_idp_t    idp;
} fixture_t;


static int
setup(void **state)
{
    fixture_t      *f;
    oiosaml_err_t   err;

    f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(compile(sample_ch2, &f->c, &f->len, &err), OIOSAML_OK);
    *state = f;

    return 0;
}


static int
teardown(void **state)
{
    fixture_t  *f = *state;

    free(f->c);
    free(f);

    return 0;
}


static oiosaml_decision_t
check(fixture_t *f, const oiosaml_policy_t *p, const char *cvr,
    oiosaml_loa_t loa, oiosaml_access_t *a)
{
    return oiosaml_policy_check(p, f->c, f->len, cvr, strlen(cvr), &f->idp,
                                loa, a);
}


static void
test_policy_role(void **state)
{
    fixture_t          *f = *state;
    oiosaml_access_t    a;
    oiosaml_policy_t    p;
    const char         *roles[] = { ROLE_BEHANDLER };
    const char         *admin[] = { ROLE_ADMIN };

    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 1;

    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
    assert_string_equal(a.role, ROLE_BEHANDLER);

    /* the same role, another municipality's CVR: not ours */
    assert_int_equal(check(f, &p, "87654321", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
    assert_string_equal(a.missing, ROLE_BEHANDLER);

    /* no CVR on the user: the default scope rule cannot hold */
    assert_int_equal(check(f, &p, "", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);

    /* a prefix of a held role is not the role */
    roles[0] = SAGS "sagsbehandler";
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);

    p.roles = admin;
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
    assert_string_equal(a.missing, ROLE_ADMIN);

    /* no roles required: allowed */
    p.nroles = 0;
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
}


static void
test_policy_any_all(void **state)
{
    fixture_t          *f = *state;
    oiosaml_access_t    a;
    oiosaml_policy_t    p;
    const char         *roles[] = { ROLE_ADMIN, ROLE_LEDER };
    const char         *both[] = { ROLE_BEHANDLER, ROLE_LEDER };

    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 2;

    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
    assert_string_equal(a.role, ROLE_LEDER);

    p.all = 1;
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
    assert_string_equal(a.missing, ROLE_ADMIN);

    /* both held, in two groups */
    p.roles = both;
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
}


static void
test_policy_scope(void **state)
{
    fixture_t          *f = *state;
    oiosaml_access_t    a;
    oiosaml_policy_t    p;
    const char         *roles[] = { ROLE_BEHANDLER };

    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 1;

    p.scope = OIOSAML_SCOPE_ANY;
    assert_int_equal(check(f, &p, "87654321", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);

    p.scope = OIOSAML_SCOPE_FIXED;
    p.scope_value = CVR "12345678";
    assert_int_equal(check(f, &p, "87654321", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);

    p.scope_value = CVR "29189854";
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
}


static void
test_policy_constraints(void **state)
{
    fixture_t             *f = *state;
    size_t                 i;
    oiosaml_access_t       a;
    oiosaml_policy_t       p;
    oiosaml_constraint_t   c[2];
    const char            *roles[] = { ROLE_BEHANDLER };

    static const struct {
        const char          *value;
        oiosaml_decision_t   want;
    } kle[] = {
        { "32.30", OIOSAML_ACCESS_ALLOW },
        { "32.30.05", OIOSAML_ACCESS_ALLOW },
        { "27.24.00", OIOSAML_ACCESS_ALLOW },
        { "32.3", OIOSAML_ACCESS_DENY },
        { "32", OIOSAML_ACCESS_DENY },
        { "27.24.01", OIOSAML_ACCESS_DENY },
    };

    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 1;
    p.constraints = c;
    p.nconstraints = 1;
    c[0].name = KLE;

    /* 32.30.* covers 32.30 and below; 27.24.00 only itself */
    for (i = 0; i < sizeof(kle) / sizeof(kle[0]); i++) {
        c[0].value = kle[i].value;
        assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                         kle[i].want);
    }

    /* the constraint must be in the group that grants the role */
    c[0].name = ORG;
    c[0].value = "3f1c2a9e-2b6d-4c1e-9a53-5e0f2a7b8c01";
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);

    /* every required constraint */
    c[0].name = KLE;
    c[0].value = "32.30";
    c[1].name = KLE;
    c[1].value = "27.24.00";
    p.nconstraints = 2;
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
    c[1].value = "27.24.01";
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
}


static void
test_constraint_lists(void **state)
{
    char                  *c;
    size_t                 len;
    oiosaml_err_t          err;
    oiosaml_access_t       a;
    oiosaml_policy_t       p;
    oiosaml_constraint_t   k;
    const char            *roles[] = { ROLE_BEHANDLER };

    /* one Constraint holding a comma-separated list, as rollekataloget */
    static const char  list[] =
        "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">"
        "<PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<Privilege>" ROLE_BEHANDLER "</Privilege>"
        "<Constraint Name=\"" KLE "\">32.30.*, 27.24.00,00.*</Constraint>"
        "</PrivilegeGroup></bpp:PrivilegeList>";

    assert_int_equal(compile(list, &c, &len, &err), OIOSAML_OK);

    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 1;
    p.constraints = &k;
    p.nconstraints = 1;
    k.name = KLE;

    k.value = "27.24.00";
    assert_int_equal(oiosaml_policy_check(&p, c, len, "12345678", 8, NULL,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
    k.value = "00.01";
    assert_int_equal(oiosaml_policy_check(&p, c, len, "12345678", 8, NULL,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_ALLOW);
    k.value = "01.01";
    assert_int_equal(oiosaml_policy_check(&p, c, len, "12345678", 8, NULL,
                                          OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
    free(c);
}


static void
test_policy_role_loa(void **state)
{
    fixture_t           *f = *state;
    oiosaml_access_t     a;
    oiosaml_policy_t     p;
    oiosaml_role_loa_t   rl[1];
    const char          *roles[] = { ROLE_ADMIN, ROLE_LEDER };

    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 2;
    p.role_loas = rl;
    p.nrole_loas = 1;
    rl[0].role = ROLE_LEDER;
    rl[0].loa = OIOSAML_LOA_SUBSTANTIAL;

    /* held at Low: ask for Substantial, naming the role */
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_STEP_UP);
    assert_int_equal(a.step_up, OIOSAML_LOA_SUBSTANTIAL);
    assert_string_equal(a.role, ROLE_LEDER);

    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_SUBSTANTIAL, &a),
                     OIOSAML_ACCESS_ALLOW);

    /* NIST 3 is Substantial */
    assert_int_equal(check(f, &p, "12345678", OIOSAML_LOA_NIST3, &a),
                     OIOSAML_ACCESS_ALLOW);

    /* not held at all: no step-up can help */
    assert_int_equal(check(f, &p, "87654321", OIOSAML_LOA_LOW, &a),
                     OIOSAML_ACCESS_DENY);
}


static void
test_malformed_denies(void **state)
{
    oiosaml_access_t   a;
    oiosaml_policy_t   p;
    const char        *roles[] = { ROLE_BEHANDLER };
    static const char  bad[] = "!the privileges are not well-formed XML";

    memset(&p, 0, sizeof(p));
    p.roles = roles;
    p.nroles = 1;

    assert_int_equal(oiosaml_policy_check(&p, bad, sizeof(bad) - 1,
                                          "12345678", 8, NULL,
                                          OIOSAML_LOA_HIGH, &a),
                     OIOSAML_ACCESS_MALFORMED);

    /* no privileges at all: the role is missing */
    assert_int_equal(oiosaml_policy_check(&p, NULL, 0, "12345678", 8, NULL,
                                          OIOSAML_LOA_HIGH, &a),
                     OIOSAML_ACCESS_DENY);
    assert_string_equal(a.missing, ROLE_BEHANDLER);
}


static void
test_json(void **state)
{
    char           *c, *roles, *groups;
    size_t          len;
    oiosaml_err_t   err;

    static const char  sample[] =
        "<bpp:PrivilegeList xmlns:bpp=\"" NS12 "\">"
        "<PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<Privilege>r1</Privilege>"
        "<Constraint Name=\"k\">32.30.*</Constraint>"
        "<Constraint Name=\"k\">27.24.00</Constraint>"
        "</PrivilegeGroup>"
        "<PrivilegeGroup Scope=\"" CVR "87654321\">"
        "<Privilege>r2&lt;/script&gt;&amp;</Privilege></PrivilegeGroup>"
        "<PrivilegeGroup Scope=\"" CVR "12345678\">"
        "<Privilege>r1</Privilege><Privilege>r\"\xc3\xa6</Privilege>"
        "<Privilege>\xf0\x9f\x94\x91</Privilege>"
        "</PrivilegeGroup>"
        "</bpp:PrivilegeList>";

    assert_int_equal(compile(sample, &c, &len, &err), OIOSAML_OK);
    assert_int_equal(oiosaml_privileges_json(c, len, &roles, &groups, &err),
                     OIOSAML_OK);

    /* each scope once, each role once per scope, ASCII only */
    assert_string_equal(roles,
        "{\"" CVR "12345678\":[\"r1\",\"r\\\"\\u00e6\","
        "\"\\ud83d\\udd11\"],"
        "\"" CVR "87654321\":[\"r2\\u003c/script\\u003e\\u0026\"]}");
    assert_string_equal(groups,
        "[{\"scope\":\"" CVR "12345678\",\"privileges\":[\"r1\"],"
        "\"constraints\":[[\"k\",\"32.30.*\"],[\"k\",\"27.24.00\"]]},"
        "{\"scope\":\"" CVR "87654321\",\"privileges\":"
        "[\"r2\\u003c/script\\u003e\\u0026\"],"
        "\"constraints\":[]},"
        "{\"scope\":\"" CVR "12345678\",\"privileges\":[\"r1\","
        "\"r\\\"\\u00e6\",\"\\ud83d\\udd11\"],\"constraints\":[]}]");

    free(roles);
    free(groups);
    free(c);

    /* nothing: empty objects */
    assert_int_equal(oiosaml_privileges_json("", 0, &roles, &groups, &err),
                     OIOSAML_OK);
    assert_string_equal(roles, "{}");
    assert_string_equal(groups, "[]");
    free(roles);
    free(groups);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_ch2_sample),
        cmocka_unit_test(test_bpp11_any_order),
        cmocka_unit_test(test_namespaced_children),
        cmocka_unit_test(test_scope_case),
        cmocka_unit_test(test_duplicate_groups_merged),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_huge),
        cmocka_unit_test_setup_teardown(test_policy_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_any_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_constraints, setup,
                                        teardown),
        cmocka_unit_test(test_constraint_lists),
        cmocka_unit_test_setup_teardown(test_policy_role_loa, setup,
                                        teardown),
        cmocka_unit_test(test_malformed_denies),
        cmocka_unit_test(test_json),
    };

    t_init();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
