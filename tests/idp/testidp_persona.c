
/*
 * Personas: the shapes in which real IdPs answer, chosen per IdP location
 * (persona=).  A persona renders the user of the users file in its own
 * attribute names, states the level the way that IdP does, and picks the
 * NameID form, the authentication class and the encryption.  Where each
 * fact comes from is in docs/test-idp.md.
 */


#include <stdlib.h>
#include <string.h>

#include "testidp.h"


#define TESTIDP_NS_OIO3         "https://data.gov.dk/model/core/"
#define TESTIDP_NS_EID          TESTIDP_NS_OIO3 "eid/"
#define TESTIDP_NSIS_CLASS      "https://data.gov.dk/concept/core/nsis/loa/"
#define TESTIDP_NIST_CLASS      "urn:dk:gov:saml:attribute:AssuranceLevel:"
#define TESTIDP_MFA_CLASS       "http://schemas.microsoft.com/claims/"     \
                                "multipleauthn"
#define TESTIDP_AMR_CLAIM       "http://schemas.microsoft.com/claims/"     \
                                "authnmethodsreferences"
#define TESTIDP_CLASS_PASSWORD  "urn:oasis:names:tc:SAML:2.0:ac:classes:"  \
                                "Password"
#define TESTIDP_CLASS_X509      "urn:oasis:names:tc:SAML:2.0:ac:classes:X509"
#define TESTIDP_FORMAT_X509     "urn:oasis:names:tc:SAML:1.1:nameid-format:" \
                                "X509SubjectName"
#define TESTIDP_FORMAT_PERSISTENT                                             \
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
#define TESTIDP_BOOTSTRAP_ATTR  TESTIDP_NS_EID "bootstrapToken"


static const testidp_persona_t  testidp_personas[] = {

    { "nemlogin3", "NemLog-in3 (OIOSAML 3)", TESTIDP_PROFILE_OIOSAML3, 0,
      TESTIDP_STATE_NSIS, 1, 0, 1, 0, 0, TESTIDP_ENC_AES256_GCM,
      TESTIDP_KT_OAEP,
      "urn:oasis:names:tc:SAML:2.0:nameid-format:transient "
      TESTIDP_FORMAT_PERSISTENT },

    { "context-handler2", "KOMBIT Context Handler 2 (OIOSAML 3)",
      TESTIDP_PROFILE_ADFS, 0, TESTIDP_STATE_NSIS, 0, 1, 0, 0, 0,
      TESTIDP_ENC_AES256_GCM, TESTIDP_KT_OAEP11, TESTIDP_FORMAT_X509 },

    { "adfs-multipleauthn", "Kommunal AD FS (multipleauthn)",
      TESTIDP_PROFILE_ADFS, 0, TESTIDP_STATE_ADFS, 0, 0, 0, 0, 0,
      TESTIDP_ENC_AES256_CBC, TESTIDP_KT_OAEP, TESTIDP_FORMAT_X509 },

    { "adfs-relaystate", "Kommunal AD FS (level in RelayState)",
      TESTIDP_PROFILE_ADFS, 0, TESTIDP_STATE_NSIS, 0, 0, 0, 1, 0,
      TESTIDP_ENC_AES256_CBC, TESTIDP_KT_OAEP, TESTIDP_FORMAT_X509 },

    { "oiosaml2", "OIOSAML 2 (NIST levels)", TESTIDP_PROFILE_OIOSAML2, 1,
      TESTIDP_STATE_NIST, 0, 0, 0, 0, 1, TESTIDP_ENC_AES256_CBC,
      TESTIDP_KT_OAEP, TESTIDP_FORMAT_X509 },

    { "no-loa", "OIOSAML 2 (no level)", TESTIDP_PROFILE_OIOSAML2, 1,
      TESTIDP_STATE_NONE, 0, 0, 0, 0, 1, TESTIDP_ENC_AES256_CBC,
      TESTIDP_KT_OAEP, TESTIDP_FORMAT_X509 },

    { NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL }
};


static int testidp_persona_level(const testidp_t *idp,
    const testidp_request_t *req, const testidp_user_t *user, int level,
    testidp_err_t *err);
static int testidp_persona_nameid(const testidp_persona_t *p,
    const testidp_user_t *user, testidp_user_t *out);
static int testidp_persona_attrs(const testidp_t *idp,
    const testidp_user_t *user, int level, time_t now, testidp_user_t *out);
static int testidp_persona_oio3(const testidp_t *idp,
    const testidp_user_t *user, int level, time_t now, testidp_user_t *out);
static int testidp_persona_oio2(const testidp_persona_t *p,
    const testidp_user_t *user, int level, testidp_user_t *out);
static int testidp_persona_privileges(const testidp_persona_t *p,
    const testidp_user_t *user, testidp_user_t *out);
static int testidp_persona_bootstrap(const testidp_t *idp,
    const testidp_user_t *user, time_t now, testidp_user_t *out);
static int testidp_add(testidp_user_t *out, const char *name,
    const char *value);
static const char *testidp_persona_class(const testidp_persona_t *p,
    int level);


const testidp_persona_t *
testidp_persona_find(const char *name)
{
    const testidp_persona_t  *p;

    for (p = testidp_personas; p->name != NULL; p++) {
        if (strcmp(p->name, name) == 0) {
            return p;
        }
    }

    return NULL;
}


const char *
testidp_persona_names(void)
{
    return "nemlogin3, context-handler2, adfs-multipleauthn, "
           "adfs-relaystate, oiosaml2, no-loa";
}


int
testidp_request_level(const testidp_t *idp, const testidp_request_t *req)
{
    int          level, l;
    size_t       i, n;
    const char  *c, *dot;

    level = 0;

    for (i = 0; i < req->nclassrefs; i++) {
        c = req->classrefs[i];
        l = 0;
        n = sizeof(TESTIDP_NSIS_CLASS) - 1;

        if (strncmp(c, TESTIDP_NSIS_CLASS, n) == 0) {
            l = testidp_level_parse(c + n);

        } else if (strncmp(c, TESTIDP_NIST_CLASS,
                           sizeof(TESTIDP_NIST_CLASS) - 1) == 0)
        {
            l = testidp_level_parse(c + sizeof(TESTIDP_NIST_CLASS) - 1);

        } else if (strcmp(c, TESTIDP_MFA_CLASS) == 0) {
            l = TESTIDP_LEVEL_SUBSTANTIAL;
        }

        if (l > level) {
            level = l;
        }
    }

    /* OIOSAML3_ADFS_RELAY_STATE: "handle.Substantial" (assurance-levels) */
    if (idp->persona != NULL && idp->persona->relay_level
        && req->relay_state != NULL)
    {
        dot = strrchr(req->relay_state, '.');

        if (dot != NULL && testidp_level_parse(dot + 1) != 0) {
            level = testidp_level_parse(dot + 1);
        }
    }

    return level;
}


int
testidp_persona_answer(const testidp_t *idp, const testidp_request_t *req,
    const testidp_user_t *user, int level, time_t now, testidp_knobs_t *knobs,
    testidp_user_t *out, testidp_err_t *err)
{
    const testidp_persona_t  *p;

    p = idp->persona;

    memset(out, 0, sizeof(testidp_user_t));

    level = testidp_persona_level(idp, req, user, level, err);

    if (level == 0) {
        return -1;
    }

    out->levels = 1u << level;

    out->id = testidp_strdup(user->id);

    if (out->id == NULL
        || testidp_persona_nameid(p, user, out) != 0
        || testidp_persona_attrs(idp, user, level, now, out) != 0)
    {
        testidp_user_clear(out);
        return testidp_err(err, "out of memory");
    }

    if (knobs->classref == NULL) {
        knobs->classref = testidp_persona_class(p, level);
    }

    if (p->kombit && knobs->authority == NULL) {
        knobs->authority = user->authority;
    }

    if (knobs->encrypt == TESTIDP_ENC_DEFAULT && idp->encrypt != NULL) {
        knobs->encrypt = p->encrypt;
        knobs->transport = p->transport;
    }

    return 0;
}


/*
 * 0 (the default): the lowest level of the user that reaches the level
 * asked for, else the user's highest; a level the user cannot log in at
 * is refused, as a real IdP cannot give it either.
 */
static int
testidp_persona_level(const testidp_t *idp, const testidp_request_t *req,
    const testidp_user_t *user, int level, testidp_err_t *err)
{
    int  asked, l;

    if (level != 0) {
        if (!testidp_user_has_level(user, level)) {
            testidp_err(err, "login: test user \"%.64s\" cannot log in at "
                        "level %d (%s)", user->id, level,
                        testidp_level_nsis(level) ? testidp_level_nsis(level)
                                                  : "?");
            return 0;
        }

        return level;
    }

    asked = testidp_request_level(idp, req);

    for (l = asked ? asked : 5; asked && l <= TESTIDP_LEVEL_HIGH; l++) {
        if (testidp_user_has_level(user, l)) {
            return l;
        }
    }

    l = testidp_user_max_level(user);

    if (l == 0) {
        testidp_err(err, "login: test user \"%.64s\" has no level",
                    user->id);
    }

    return l;
}


static int
testidp_persona_nameid(const testidp_persona_t *p,
    const testidp_user_t *user, testidp_user_t *out)
{
    testidp_str_t  s;

    memset(&s, 0, sizeof(testidp_str_t));

    if (user->nameid_explicit || (p->nameid_uuid && user->uuid == NULL)
        || (!p->nameid_uuid && (user->cvr == NULL || user->name == NULL)))
    {
        out->nameid = testidp_strdup(user->nameid);
        out->nameid_format = testidp_strdup(user->nameid_format);

        return (out->nameid && out->nameid_format) ? 0 : -1;
    }

    if (p->nameid_uuid) {
        testidp_str_printf(&s, TESTIDP_NS_EID "professional/uuid/%s",
                           user->uuid);
        out->nameid_format = testidp_strdup(TESTIDP_FORMAT_PERSISTENT);

    } else {
        /* the form KOMBIT's samples and OS2faktor use, without spaces */
        testidp_str_printf(&s, "C=DK,O=%s,CN=%s,Serial=", user->cvr,
                           user->name);

        if (p->oiosaml2 && user->rid != NULL) {
            testidp_str_printf(&s, "CVR:%s-RID:%s", user->cvr, user->rid);

        } else {
            testidp_str_cat(&s, user->uuid ? user->uuid : user->id);
        }

        out->nameid_format = testidp_strdup(TESTIDP_FORMAT_X509);
    }

    out->nameid = testidp_str_done(&s, NULL);

    return (out->nameid && out->nameid_format) ? 0 : -1;
}


static int
testidp_persona_attrs(const testidp_t *idp, const testidp_user_t *user,
    int level, time_t now, testidp_user_t *out)
{
    size_t                    i, j;
    const testidp_attr_t     *a;
    const testidp_persona_t  *p;

    p = idp->persona;

    if ((p->oiosaml2 ? testidp_persona_oio2(p, user, level, out)
                     : testidp_persona_oio3(idp, user, level, now, out))
        != 0)
    {
        return -1;
    }

    /* the file's own attributes, unless the persona said it already */
    for (i = 0; i < user->nattrs; i++) {
        a = &user->attrs[i];

        if (testidp_user_attr(out, a->name) != NULL
            || strcmp(a->name, TESTIDP_ATTR_NSIS_LOA) == 0
            || strcmp(a->name, TESTIDP_ATTR_NIST_LOA) == 0
            || (user->bpp != NULL
                && strcmp(a->name, user->bpp_attr ? user->bpp_attr
                                  : TESTIDP_NS_EID "privilegesIntermediate")
                   == 0))
        {
            continue;
        }

        for (j = 0; j < a->nvalues; j++) {
            if (testidp_add(out, a->name, a->values[j]) != 0) {
                return -1;
            }
        }
    }

    return 0;
}


static int
testidp_persona_oio3(const testidp_t *idp, const testidp_user_t *user,
    int level, time_t now, testidp_user_t *out)
{
    const char               *word;
    const testidp_persona_t  *p;

    p = idp->persona;
    word = testidp_level_nsis(level);

    if (testidp_add(out, TESTIDP_NS_OIO3 "specVersion", "OIO-SAML-3.0") != 0
        || (p->kombit
            && testidp_add(out, "dk:gov:saml:attribute:KombitSpecVer", "2.0")
               != 0)
        || (p->level == TESTIDP_STATE_NSIS
            && testidp_add(out, TESTIDP_ATTR_NSIS_LOA, word) != 0)
        || (p->nemlogin
            && (testidp_add(out, "https://data.gov.dk/concept/core/nsis/ial",
                            word) != 0
                || testidp_add(out, "https://data.gov.dk/concept/core/nsis/"
                               "aal", word) != 0))
        || testidp_add(out, TESTIDP_NS_EID "professional/cvr", user->cvr) != 0
        || testidp_add(out, TESTIDP_NS_EID "professional/orgName", user->org)
           != 0
        || testidp_add(out, TESTIDP_NS_EID "email", user->email) != 0
        || testidp_add(out, TESTIDP_NS_EID "fullName", user->name) != 0
        || (p->nemlogin
            && (testidp_add(out, TESTIDP_NS_EID
                            "professional/uuid/persistent", user->uuid) != 0
                || testidp_add(out, TESTIDP_NS_EID "professional/rid",
                               user->rid) != 0))
        || testidp_persona_privileges(p, user, out) != 0
        || (p->nemlogin && testidp_persona_bootstrap(idp, user, now, out)
                           != 0))
    {
        return -1;
    }

    /* AD FS: the MFA claim, as OS2faktor's claim rules issue it */
    if (p->shape == TESTIDP_PROFILE_ADFS && !p->kombit
        && level >= TESTIDP_LEVEL_SUBSTANTIAL
        && testidp_add(out, TESTIDP_AMR_CLAIM, TESTIDP_MFA_CLASS) != 0)
    {
        return -1;
    }

    return 0;
}


static int
testidp_persona_oio2(const testidp_persona_t *p, const testidp_user_t *user,
    int level, testidp_user_t *out)
{
    char  nist[2];

    nist[0] = (char) ('0' + level);
    nist[1] = '\0';

    if (testidp_add(out, "dk:gov:saml:attribute:SpecVer", "DK-SAML-2.0") != 0
        || (p->level == TESTIDP_STATE_NIST
            && testidp_add(out, TESTIDP_ATTR_NIST_LOA, nist) != 0)
        || testidp_add(out, "dk:gov:saml:attribute:CvrNumberIdentifier",
                       user->cvr) != 0
        || testidp_add(out, "dk:gov:saml:attribute:RidNumberIdentifier",
                       user->rid) != 0
        || testidp_add(out, "urn:oid:2.5.4.3", user->name) != 0
        || testidp_add(out, "urn:oid:0.9.2342.19200300.100.1.3", user->email)
           != 0
        || testidp_add(out, "urn:oid:2.5.4.10", user->org) != 0
        || testidp_persona_privileges(p, user, out) != 0)
    {
        return -1;
    }

    return 0;
}


/* the groups as OIOBPP, in the persona's namespace unless the user's */
static int
testidp_persona_privileges(const testidp_persona_t *p,
    const testidp_user_t *user, testidp_user_t *out)
{
    int          rc, bpp11;
    char        *b64;
    const char  *name;

    if (user->bpp == NULL) {
        return 0;
    }

    bpp11 = user->bpp_ns ? (strcmp(user->bpp_ns, "1.1") == 0) : p->bpp11;
    name = user->bpp_attr;

    if (name == NULL) {
        name = p->oiosaml2 ? "dk:gov:saml:attribute:Privileges_intermediate"
                           : TESTIDP_NS_EID "privilegesIntermediate";
    }

    b64 = testidp_user_privileges(user, bpp11);

    if (b64 == NULL) {
        return -1;
    }

    rc = testidp_add(out, name, b64);
    free(b64);

    return rc;
}


/*
 * NemLog-in's bootstrap token (OIO-IDWS) is an assertion for its STS.
 * Unless the users file gives one, a stand-in: an unsigned assertion
 * naming the user, good for the gateway's handling, not for an STS.
 */
static int
testidp_persona_bootstrap(const testidp_t *idp, const testidp_user_t *user,
    time_t now, testidp_user_t *out)
{
    int             rc;
    char            id[TESTIDP_ID_LEN], tbuf[40], *xml, *b64;
    size_t          len;
    testidp_str_t   s;

    if (testidp_user_attr(user, TESTIDP_BOOTSTRAP_ATTR) != NULL) {
        return 0;
    }

    if (testidp_random_id(id, NULL) != 0
        || testidp_time_format(now, 0, tbuf, sizeof(tbuf)) != 0)
    {
        return -1;
    }

    memset(&s, 0, sizeof(testidp_str_t));

    testidp_str_printf(&s, "<saml:Assertion xmlns:saml=\"" TESTIDP_NS_SAML
                       "\" ID=\"%s\" Version=\"2.0\" IssueInstant=\"%s\">"
                       "<saml:Issuer>", id, tbuf);
    testidp_str_html(&s, idp->entity_id);
    testidp_str_cat(&s, "</saml:Issuer><saml:Subject><saml:NameID>");
    testidp_str_html(&s, out->nameid);
    testidp_str_cat(&s, "</saml:NameID></saml:Subject></saml:Assertion>");

    xml = testidp_str_done(&s, &len);

    if (xml == NULL) {
        return -1;
    }

    b64 = testidp_b64_encode((const unsigned char *) xml, len);
    free(xml);

    if (b64 == NULL) {
        return -1;
    }

    rc = testidp_add(out, TESTIDP_BOOTSTRAP_ATTR, b64);
    free(b64);

    return rc;
}


/* adds name = value when there is a value (NULL, NULL: nothing) */
static int
testidp_add(testidp_user_t *out, const char *name, const char *value)
{
    if (name == NULL || value == NULL || value[0] == '\0') {
        return 0;
    }

    return testidp_user_attr_add(out, name, value);
}


static const char *
testidp_persona_class(const testidp_persona_t *p, int level)
{
    static const char  *nsis[] = { TESTIDP_NSIS_CLASS "Low",
                                   TESTIDP_NSIS_CLASS "Low",
                                   TESTIDP_NSIS_CLASS "Low",
                                   TESTIDP_NSIS_CLASS "Substantial",
                                   TESTIDP_NSIS_CLASS "High" };

    if (p->shape == TESTIDP_PROFILE_ADFS && !p->kombit) {
        /* AD FS: the MFA class after two factors, else the first's */
        return level >= TESTIDP_LEVEL_SUBSTANTIAL ? TESTIDP_MFA_CLASS
                                                  : TESTIDP_CLASSREF_PPT;
    }

    if (p->oiosaml2) {
        /* OIOSAML.Java 2: Password for level 2, X509 for 3 */
        return level >= TESTIDP_LEVEL_SUBSTANTIAL ? TESTIDP_CLASS_X509
                                                  : TESTIDP_CLASS_PASSWORD;
    }

    return nsis[level];
}
