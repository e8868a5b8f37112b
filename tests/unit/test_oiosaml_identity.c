
/*
 * oiosaml_identity.c, through oiosaml_response_verify(): the identity's
 * fields from OIOSAML 3 and OIOSAML 2 attribute names, the attributes
 * field, the level by profile, and the limits.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_EID       "https://data.gov.dk/model/core/eid/"
#define T_NSIS      "https://data.gov.dk/concept/core/nsis/loa"
#define T_NIST      "dk:gov:saml:attribute:AssuranceLevel"


static oiosaml_identity_t *identity(oiosaml_sp_t *s, const char *b64,
    oiosaml_status_t want);
static oiosaml_identity_t *identity_knobs(oiosaml_sp_t *s, const char *user,
    const testidp_knobs_t *k);
static xmlDocPtr bare(void);
static xmlNodePtr add_attr(xmlDocPtr doc, const char *name,
    const char *value);
static oiosaml_identity_t *identity_doc(oiosaml_sp_t *s, xmlDocPtr doc,
    oiosaml_status_t want);
static oiosaml_sp_t *sp_profile(oiosaml_profile_t profile);


static oiosaml_sp_t  *sp3, *sp2;
static testidp_t     *idp;
static time_t         now;


static int
setup(void **state)
{
    char  *users;

    users = malloc(strlen(t_users()) + 64);
    strcpy(users, t_users());
    strcat(users, "\n[carol]\nnameid = carol\n");

    sp3 = sp_profile(OIOSAML_PROFILE_OIOSAML3);
    sp2 = sp_profile(OIOSAML_PROFILE_OIOSAML2);
    idp = t_testidp(NULL, users);
    now = t_now();
    free(users);

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp3);
    oiosaml_sp_free(sp2);
    testidp_free(idp);

    return 0;
}


static oiosaml_sp_t *
sp_profile(oiosaml_profile_t profile)
{
    oiosaml_idp_conf_t  ic;

    memset(&ic, 0, sizeof(ic));
    ic.profile = profile;

    return t_sp(&ic);
}


/* the identity of a verified response, or NULL when want is a refusal */
static oiosaml_identity_t *
identity(oiosaml_sp_t *s, const char *b64, oiosaml_status_t want)
{
    oiosaml_err_t        err;
    oiosaml_status_t     rc;
    oiosaml_pending_t    pending;
    oiosaml_identity_t  *id;

    t_pending(&pending);
    rc = t_verify(s, b64, &pending, now, NULL, &id, &err);

    if (rc != want) {
        fail_msg("expected %s, got %s: %s", oiosaml_status_name(want),
                 oiosaml_status_name(rc), err.text);
    }

    return id;
}


static oiosaml_identity_t *
identity_knobs(oiosaml_sp_t *s, const char *user, const testidp_knobs_t *k)
{
    char                *b64;
    oiosaml_identity_t  *id;

    b64 = t_response(idp, user, k, now);
    id = identity(s, b64, OIOSAML_OK);
    free(b64);

    return id;
}


/* carol's unsigned response: no attributes yet */
static xmlDocPtr
bare(void)
{
    testidp_knobs_t  k;

    t_knobs(&k);
    k.sign = TESTIDP_SIGN_NONE;

    return t_response_doc(idp, "carol", &k, now);
}


/* an Attribute with one value, in the (first) AttributeStatement */
static xmlNodePtr
add_attr(xmlDocPtr doc, const char *name, const char *value)
{
    xmlNodePtr  a, st, attr;

    a = t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
    st = oiosaml_xml_child(a, OIOSAML_NS_SAML, "AttributeStatement");

    if (st == NULL) {
        st = xmlNewChild(a, a->ns, BAD_CAST "AttributeStatement", NULL);
    }

    attr = xmlNewChild(st, a->ns, BAD_CAST "Attribute", NULL);

    if (name != NULL) {
        xmlSetProp(attr, BAD_CAST "Name", BAD_CAST name);
    }

    xmlNewTextChild(attr, a->ns, BAD_CAST "AttributeValue", BAD_CAST value);

    return attr;
}


/* signs the assertion of doc, verifies it; frees doc */
static oiosaml_identity_t *
identity_doc(oiosaml_sp_t *s, xmlDocPtr doc, oiosaml_status_t want)
{
    char                *b64;
    oiosaml_identity_t  *id;

    t_sign(idp, t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                       "Assertion"), 0);
    b64 = t_doc_b64(doc);
    xmlFreeDoc(doc);

    id = identity(s, b64, want);
    free(b64);

    return id;
}


static void
test_oiosaml3_names(void **state)
{
    char                *b64;
    size_t               len;
    xmlDocPtr            doc;
    const char          *si;
    oiosaml_identity_t  *id;

    doc = t_response_doc(idp, "alice", NULL, now);
    si = (const char *) xmlGetProp(t_find(xmlDocGetRootElement(doc),
                                          OIOSAML_NS_SAML, "AuthnStatement"),
                                   BAD_CAST "SessionIndex");
    b64 = t_doc_b64(doc);
    id = identity(sp3, b64, OIOSAML_OK);
    free(b64);

#define F(f)  oiosaml_identity_get(id, OIOSAML_F_ ## f, NULL)

    assert_string_equal(F(USER), T_EID "professional/uuid/persistent/alice");
    assert_string_equal(F(NAMEID_FORMAT),
                        "urn:oasis:names:tc:SAML:2.0:nameid-format:"
                        "persistent");
    assert_string_equal(F(IDP), "test");
    assert_string_equal(F(LOA), "substantial");
    assert_int_equal(oiosaml_identity_loa(id), OIOSAML_LOA_SUBSTANTIAL);
    assert_string_equal(F(CVR), "12345678");
    assert_string_equal(F(NAME), "Alice \xc3\x86r\xc3\xb8 "
                                 "\xc3\x98sterg\xc3\xa5rd");
    assert_string_equal(F(EMAIL), "alice@example.dk");
    assert_string_equal(F(ORG), "Demo Kommune");
    assert_string_equal(F(UUID),
                        "urn:uuid:3a5c5e36-7d2e-4b5a-9f43-2d6f0b1c9e11");
    assert_string_equal(F(RID), "4711");
    assert_string_equal(F(SPEC), "OIO-SAML-3.0");
    assert_string_equal(F(SESSION_INDEX), si);
    /* the privileges, compiled once, and as JSON for the upstream */
    assert_string_equal(F(PRIVILEGES),
                        "G urn:dk:gov:saml:cvrNumberIdentifier:12345678\n"
                        "P http://a.dk/roles/usersystemrole/r/1\n");
    assert_string_equal(F(ROLES),
                        "{\"urn:dk:gov:saml:cvrNumberIdentifier:12345678\":"
                        "[\"http://a.dk/roles/usersystemrole/r/1\"]}");

    /* every attribute but privileges and the bootstrap token, in order */
    assert_string_equal(F(ATTRIBUTES),
        "https%3A%2F%2Fdata.gov.dk%2Fconcept%2Fcore%2Fnsis%2Floa=Substantial"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2FspecVersion="
        "OIO-SAML-3.0"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Fprofessional%2F"
        "cvr=12345678"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2FfullName="
        "Alice%20%C3%86r%C3%B8%20%C3%98sterg%C3%A5rd"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femail="
        "alice%40example.dk"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Fprofessional%2F"
        "orgName=Demo%20Kommune"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Fprofessional%2F"
        "uuid%2Fpersistent=urn%3Auuid%3A3a5c5e36-7d2e-4b5a-9f43-2d6f0b1c9e11"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Fprofessional%2F"
        "rid=4711"
        "&urn%3Ax%3Arole=admin&urn%3Ax%3Arole=r%26d%20%3D%201");

    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_ATTRIBUTES,
                                             &len), F(ATTRIBUTES));
    assert_int_equal(len, strlen(F(ATTRIBUTES)));
    assert_null(strstr(F(ATTRIBUTES), "bootstrap"));
    assert_null(strstr(F(ATTRIBUTES), "privileges"));

    /* the bootstrap token, as sent, in a field of its own */
    assert_string_equal(F(BOOTSTRAP), "c2VjcmV0");
    assert_int_equal(oiosaml_identity_not_on_or_after(id), 0);

#undef F

    oiosaml_identity_free(id);
    xmlFree((void *) si);
    xmlFreeDoc(doc);
}


static void
test_oiosaml2_names(void **state)
{
    oiosaml_identity_t  *id;

    id = identity_knobs(sp2, "bob", NULL);

#define F(f)  oiosaml_identity_get(id, OIOSAML_F_ ## f, NULL)

    assert_string_equal(F(USER), "C=DK,O=87654321,CN=Bob B\xc3\xa6k,"
                                 "Serial=CVR:87654321-RID:1234");
    assert_string_equal(F(NAMEID_FORMAT),
                        "urn:oasis:names:tc:SAML:1.1:nameid-format:"
                        "X509SubjectName");
    assert_string_equal(F(LOA), "nist3");
    assert_int_equal(oiosaml_identity_loa(id), OIOSAML_LOA_NIST3);
    assert_string_equal(F(CVR), "87654321");
    assert_string_equal(F(NAME), "Bob B\xc3\xa6k");
    assert_string_equal(F(EMAIL), "bob@example.dk");
    assert_string_equal(F(ORG), "Demo A/S");
    assert_string_equal(F(RID), "1234");
    assert_string_equal(F(SPEC), "DK-SAML-2.0");
    assert_string_equal(F(UUID),
                        "urn:uuid:0e1d2c3b-4a59-6877-8695-a4b3c2d1e0f9");
    /* BPP 1.1 in the OIOSAML 2 attribute, constraint before privilege */
    assert_string_equal(F(PRIVILEGES),
                        "G urn:dk:gov:saml:cvrNumberIdentifier:87654321\n"
                        "P p\nC k\t1\n");
    assert_string_equal(F(CONSTRAINTS),
                        "[{\"scope\":\"urn:dk:gov:saml:"
                        "cvrNumberIdentifier:87654321\",\"privileges\":"
                        "[\"p\"],\"constraints\":[[\"k\",\"1\"]]}]");
    assert_non_null(strstr(F(ATTRIBUTES), "urn%3Aoid%3A2.5.4.3="
                                          "Bob%20B%C3%A6k&"));
    assert_null(strstr(F(ATTRIBUTES), "Privileges"));

#undef F

    oiosaml_identity_free(id);
}


/* an absent attribute is "", never NULL */
static void
test_absent_fields(void **state)
{
    size_t               len, i;
    oiosaml_identity_t  *id;

    id = identity_knobs(sp3, "carol", NULL);

    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_USER, NULL),
                        "carol");

    /* no privileges: no roles, as empty JSON for the upstream */
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_ROLES, NULL),
                        "{}");
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_CONSTRAINTS,
                                             NULL), "[]");

    for (i = OIOSAML_F_CVR; i < OIOSAML_F_MAX; i++) {
        if (i == OIOSAML_F_SESSION_INDEX || i == OIOSAML_F_ROLES
            || i == OIOSAML_F_CONSTRAINTS)
        {
            continue;
        }

        len = 99;
        assert_string_equal(oiosaml_identity_get(id, (oiosaml_field_t) i,
                                                 &len), "");
        assert_int_equal(len, 0);
    }

    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_LOA, NULL),
                        "none");
    assert_int_equal(oiosaml_identity_loa(id), OIOSAML_LOA_NONE);

    len = 99;
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_MAX, &len), "");
    assert_int_equal(len, 0);

    oiosaml_identity_free(id);
    oiosaml_identity_free(NULL);
}


/* the first value names the field; all values are in the attributes */
static void
test_repeated_values(void **state)
{
    xmlDocPtr            doc;
    xmlNodePtr           attr;
    oiosaml_identity_t  *id;

    doc = bare();
    attr = add_attr(doc, T_EID "email", "first@example.dk");
    xmlNewTextChild(attr, attr->ns, BAD_CAST "AttributeValue",
                    BAD_CAST "second@example.dk");
    add_attr(doc, "urn:x:a", "x y+z");
    add_attr(doc, T_EID "email", "third@example.dk");

    /* no Name, and a value in another namespace: skipped */
    add_attr(doc, NULL, "nameless");
    attr = add_attr(doc, "urn:x:b", "kept");
    xmlNewTextChild(attr, xmlNewNs(attr, BAD_CAST "urn:other", BAD_CAST "o"),
                    BAD_CAST "AttributeValue", BAD_CAST "foreign");

    id = identity_doc(sp3, doc, OIOSAML_OK);

    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_EMAIL, NULL),
                        "first@example.dk");
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_ATTRIBUTES,
                                             NULL),
        "https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femail="
        "first%40example.dk"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femail="
        "second%40example.dk"
        "&urn%3Ax%3Aa=x%20y%2Bz"
        "&https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2Femail="
        "third%40example.dk"
        "&urn%3Ax%3Ab=kept");

    oiosaml_identity_free(id);
}


/* nsis/loa first under OIOSAML 3, AssuranceLevel first under OIOSAML 2 */
static void
test_level_by_profile(void **state)
{
    size_t               i;
    testidp_knobs_t      k;
    oiosaml_identity_t  *id;

    static const struct {
        const char     *nsis;
        const char     *nist;
        oiosaml_loa_t   oio3;
        oiosaml_loa_t   oio2;
    } cases[] = {
        { "Low", "3", OIOSAML_LOA_LOW, OIOSAML_LOA_NIST3 },
        { "High", NULL, OIOSAML_LOA_HIGH, OIOSAML_LOA_HIGH },
        { NULL, "2", OIOSAML_LOA_NIST2, OIOSAML_LOA_NIST2 },
        { T_NSIS "/Substantial", NULL, OIOSAML_LOA_SUBSTANTIAL,
          OIOSAML_LOA_SUBSTANTIAL },
        /* values of the wrong kind are ignored */
        { "3", "Substantial", OIOSAML_LOA_NONE, OIOSAML_LOA_NONE },
        { "nist4", "4", OIOSAML_LOA_NIST4, OIOSAML_LOA_NIST4 },
        { "Medium", "5", OIOSAML_LOA_NONE, OIOSAML_LOA_NONE },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        t_knobs(&k);
        k.loa = cases[i].nsis;
        k.nist = cases[i].nist;

        id = identity_knobs(sp3, "carol", &k);
        assert_int_equal(oiosaml_identity_loa(id), cases[i].oio3);
        assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_LOA, NULL),
                            oiosaml_loa_name(cases[i].oio3));
        oiosaml_identity_free(id);

        id = identity_knobs(sp2, "carol", &k);
        assert_int_equal(oiosaml_identity_loa(id), cases[i].oio2);
        oiosaml_identity_free(id);
    }
}


/*
 * A level given more than once (two values, or the attribute twice, in
 * either order): the lowest counts, for the decision and the LoA field
 * alike, whatever the order.
 */
static void
test_repeated_levels(void **state)
{
    size_t               i, j;
    xmlDocPtr            doc;
    xmlNodePtr           attr;
    oiosaml_identity_t  *id;

    static const struct {
        const char     *name;
        const char     *v[2];
        oiosaml_loa_t   want;
    } cases[] = {
        { T_NSIS, { "Low", "High" }, OIOSAML_LOA_LOW },
        { T_NSIS, { "High", "Substantial" }, OIOSAML_LOA_SUBSTANTIAL },
        { T_NIST, { "4", "2" }, OIOSAML_LOA_NIST2 },
        { T_NIST, { "2", "4" }, OIOSAML_LOA_NIST2 },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (j = 0; j < 2; j++) {
            doc = bare();
            attr = add_attr(doc, cases[i].name, cases[i].v[0]);

            if (j == 0) {
                xmlNewTextChild(attr, attr->ns, BAD_CAST "AttributeValue",
                                BAD_CAST cases[i].v[1]);

            } else {
                add_attr(doc, cases[i].name, cases[i].v[1]);
            }

            id = identity_doc(strcmp(cases[i].name, T_NSIS) == 0 ? sp3
                                                                  : sp2,
                              doc, OIOSAML_OK);
            assert_int_equal(oiosaml_identity_loa(id), cases[i].want);
            assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_LOA,
                                                     NULL),
                                oiosaml_loa_name(cases[i].want));
            oiosaml_identity_free(id);
        }
    }
}


/* NameID: 1 to 1024 bytes, read whole */
static void
test_name_id_limits(void **state)
{
    char                 name[1026];
    xmlDocPtr            doc;
    oiosaml_identity_t  *id;

    memset(name, 'n', 1024);
    name[1024] = '\0';

    doc = bare();
    xmlNodeSetContent(t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                             "NameID"), BAD_CAST name);
    id = identity_doc(sp3, doc, OIOSAML_OK);
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_USER, NULL),
                        name);
    oiosaml_identity_free(id);

    strcat(name, "n");
    doc = bare();
    xmlNodeSetContent(t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                             "NameID"), BAD_CAST name);
    assert_null(identity_doc(sp3, doc, OIOSAML_DENY_SUBJECT));

    doc = bare();
    xmlNodeSetContent(t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                             "NameID"), BAD_CAST "");
    assert_null(identity_doc(sp3, doc, OIOSAML_DENY_SUBJECT));
}


/* at most 256 values of at most 64 KiB each */
static void
test_attribute_limits(void **state)
{
    int                  i;
    char                 name[32], *big;
    xmlDocPtr            doc;
    oiosaml_identity_t  *id;

    doc = bare();

    for (i = 0; i < OIOSAML_MAX_ATTRIBUTES; i++) {
        snprintf(name, sizeof(name), "urn:x:%d", i);
        add_attr(doc, name, "v");
    }

    id = identity_doc(sp3, doc, OIOSAML_OK);
    assert_non_null(strstr(oiosaml_identity_get(id, OIOSAML_F_ATTRIBUTES,
                                                NULL), "&urn%3Ax%3A255=v"));
    oiosaml_identity_free(id);

    doc = bare();

    for (i = 0; i <= OIOSAML_MAX_ATTRIBUTES; i++) {
        snprintf(name, sizeof(name), "urn:x:%d", i);
        add_attr(doc, name, "v");
    }

    assert_null(identity_doc(sp3, doc, OIOSAML_BAD_TOO_LARGE));

    big = malloc(OIOSAML_MAX_ATTR_VALUE + 2);
    memset(big, 'v', OIOSAML_MAX_ATTR_VALUE);
    big[OIOSAML_MAX_ATTR_VALUE] = '\0';

    doc = bare();
    add_attr(doc, T_EID "fullName", big);
    id = identity_doc(sp3, doc, OIOSAML_OK);
    assert_int_equal(strlen(oiosaml_identity_get(id, OIOSAML_F_NAME, NULL)),
                     OIOSAML_MAX_ATTR_VALUE);
    oiosaml_identity_free(id);

    strcat(big, "v");
    doc = bare();
    add_attr(doc, T_EID "fullName", big);
    assert_null(identity_doc(sp3, doc, OIOSAML_BAD_TOO_LARGE));

    free(big);
}


/* SessionNotOnOrAfter ends the session */
static void
test_session_not_on_or_after(void **state)
{
    xmlDocPtr            doc;
    oiosaml_identity_t  *id;

    doc = bare();
    xmlSetProp(t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                      "AuthnStatement"),
               BAD_CAST "SessionNotOnOrAfter",
               BAD_CAST "2030-01-02T03:04:05Z");
    id = identity_doc(sp3, doc, OIOSAML_OK);
    assert_int_equal(oiosaml_identity_not_on_or_after(id),
                     oiosaml_timegm(2030, 1, 2, 3, 4, 5));
    oiosaml_identity_free(id);

    doc = bare();
    xmlSetProp(t_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                      "AuthnStatement"),
               BAD_CAST "SessionNotOnOrAfter", BAD_CAST "soon");
    assert_null(identity_doc(sp3, doc, OIOSAML_BAD_MESSAGE));
}


static void
test_field_names(void **state)
{
    size_t  i;

    static const char  *names[] = {
        "user", "nameid_format", "idp", "loa", "cvr", "name", "email", "org",
        "uuid", "rid", "spec", "session_index", "privileges", "attributes",
        "roles", "constraints", "bootstrap"
    };

    assert_int_equal(sizeof(names) / sizeof(names[0]), OIOSAML_F_MAX);

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        assert_string_equal(oiosaml_field_name((oiosaml_field_t) i),
                            names[i]);
    }

    assert_string_equal(oiosaml_field_name(OIOSAML_F_MAX), "?");
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_oiosaml3_names),
        cmocka_unit_test(test_oiosaml2_names),
        cmocka_unit_test(test_absent_fields),
        cmocka_unit_test(test_repeated_values),
        cmocka_unit_test(test_level_by_profile),
        cmocka_unit_test(test_repeated_levels),
        cmocka_unit_test(test_name_id_limits),
        cmocka_unit_test(test_attribute_limits),
        cmocka_unit_test(test_session_not_on_or_after),
        cmocka_unit_test(test_field_names),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
