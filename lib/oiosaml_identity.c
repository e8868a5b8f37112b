
/*
 * The verified identity: NameID, session data and attributes of an
 * assertion, normalised over the OIOSAML 3 and OIOSAML 2 attribute names.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_EID             "https://data.gov.dk/model/core/eid/"
#define OIOSAML_A_NSIS_LOA      "https://data.gov.dk/concept/core/nsis/loa"
#define OIOSAML_A_NIST_LOA      "dk:gov:saml:attribute:AssuranceLevel"
#define OIOSAML_A_BOOTSTRAP     OIOSAML_EID "bootstrapToken"
#define OIOSAML_A_AUTHNMETHOD \
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/" \
    "authenticationmethod"
#define OIOSAML_A_AMR \
    "http://schemas.microsoft.com/claims/authnmethodsreferences"
#define OIOSAML_A_PRIV3         OIOSAML_EID "privilegesIntermediate"
#define OIOSAML_A_PRIV2         "dk:gov:saml:attribute:Privileges_intermediate"


typedef struct {
    oiosaml_field_t   field;
    const char       *names[3];
} oiosaml_attr_map_t;


/* first name found wins; OIOSAML 3 before OIOSAML 2 */
static const oiosaml_attr_map_t  oiosaml_attr_map[] = {
    { OIOSAML_F_CVR, { OIOSAML_EID "professional/cvr",
                       "dk:gov:saml:attribute:CvrNumberIdentifier", NULL } },
    { OIOSAML_F_NAME, { OIOSAML_EID "fullName", "urn:oid:2.5.4.3", NULL } },
    { OIOSAML_F_EMAIL, { OIOSAML_EID "email",
                         "urn:oid:0.9.2342.19200300.100.1.3", NULL } },
    { OIOSAML_F_ORG, { OIOSAML_EID "professional/orgName",
                       "urn:oid:2.5.4.10", NULL } },
    { OIOSAML_F_UUID, { OIOSAML_EID "professional/uuid/persistent",
                        OIOSAML_EID "cprUuid", NULL } },
    { OIOSAML_F_RID, { OIOSAML_EID "professional/rid",
                       "dk:gov:saml:attribute:RidNumberIdentifier", NULL } },
    { OIOSAML_F_SPEC, { "https://data.gov.dk/model/core/specVersion",
                        "dk:gov:saml:attribute:SpecVer", NULL } },
    { OIOSAML_F_PRIVILEGES, { OIOSAML_A_PRIV3, OIOSAML_A_PRIV2, NULL } },
    /* OIO-IDWS: for the application to call web services as the user */
    { OIOSAML_F_BOOTSTRAP, { OIOSAML_A_BOOTSTRAP, NULL, NULL } },
};


static const char *const  oiosaml_field_names[OIOSAML_F_MAX] = {
    "user", "nameid_format", "idp", "loa", "cvr", "name", "email", "org",
    "uuid", "rid", "spec", "session_index", "privileges", "attributes",
    "roles", "constraints", "bootstrap"
};


static int oiosaml_attr_kept_apart(const char *name);
static oiosaml_status_t oiosaml_identity_privileges(oiosaml_identity_t *id,
    oiosaml_err_t *err);
static oiosaml_status_t oiosaml_identity_set(oiosaml_identity_t *id,
    oiosaml_field_t field, const char *value);
static oiosaml_status_t oiosaml_identity_attributes(oiosaml_identity_t *id,
    xmlNodePtr assertion, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_form_append(char **buf, size_t *len,
    size_t *cap, const char *name, const char *value);


const char *
oiosaml_field_name(oiosaml_field_t field)
{
    if ((size_t) field >= OIOSAML_F_MAX) {
        return "?";
    }

    return oiosaml_field_names[field];
}


oiosaml_status_t
oiosaml_identity_from_assertion(const oiosaml_idp_t *idp,
    xmlNodePtr assertion, oiosaml_loa_t requested, oiosaml_identity_t **out,
    oiosaml_err_t *err)
{
    char                *text;
    xmlNodePtr           subject, nameid, as, ac, cr;
    const char          *v;
    oiosaml_status_t     rc;
    oiosaml_identity_t  *id;

    *out = NULL;

    id = calloc(1, sizeof(oiosaml_identity_t));
    if (id == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    id->idp = idp;

    subject = oiosaml_xml_child(assertion, OIOSAML_NS_SAML, "Subject");
    nameid = subject ? oiosaml_xml_child(subject, OIOSAML_NS_SAML, "NameID")
                     : NULL;

    if (nameid == NULL) {
        oiosaml_identity_free(id);
        return oiosaml_err_set(err, OIOSAML_DENY_SUBJECT,
                               "the assertion has no Subject/NameID");
    }

    text = oiosaml_xml_text(nameid);
    if (text == NULL) {
        oiosaml_identity_free(id);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    if (text[0] == '\0' || strlen(text) > 1024) {
        free(text);
        oiosaml_identity_free(id);
        return oiosaml_err_set(err, OIOSAML_DENY_SUBJECT,
                               "NameID is empty or longer than 1024 bytes");
    }

    id->fields[OIOSAML_F_USER] = text;
    id->lens[OIOSAML_F_USER] = strlen(text);

    v = oiosaml_xml_attr(nameid, "Format");
    rc = oiosaml_identity_set(id, OIOSAML_F_NAMEID_FORMAT, v ? v : "");
    if (rc == OIOSAML_OK) {
        rc = oiosaml_identity_set(id, OIOSAML_F_IDP, idp->id);
    }

    as = oiosaml_xml_child(assertion, OIOSAML_NS_SAML, "AuthnStatement");
    v = as ? oiosaml_xml_attr(as, "SessionIndex") : NULL;

    /* ADFS says "two factors" with this class (or the claims below) */
    ac = as ? oiosaml_xml_child(as, OIOSAML_NS_SAML, "AuthnContext") : NULL;
    cr = ac ? oiosaml_xml_child(ac, OIOSAML_NS_SAML, "AuthnContextClassRef")
            : NULL;

    if (cr != NULL) {
        text = oiosaml_xml_text(cr);
        id->mfa = (text != NULL && strcmp(text, OIOSAML_MULTIPLEAUTHN) == 0);
        free(text);
    }

    if (rc == OIOSAML_OK) {
        rc = oiosaml_identity_set(id, OIOSAML_F_SESSION_INDEX, v ? v : "");
    }

    v = as ? oiosaml_xml_attr(as, "SessionNotOnOrAfter") : NULL;

    if (v != NULL
        && oiosaml_time_parse(v, strlen(v), &id->not_on_or_after)
           != OIOSAML_OK)
    {
        oiosaml_identity_free(id);
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "invalid SessionNotOnOrAfter");
    }

    if (rc == OIOSAML_OK) {
        rc = oiosaml_identity_attributes(id, assertion, err);
    }

    if (rc == OIOSAML_OK) {
        rc = oiosaml_identity_privileges(id, err);
    }

    if (rc == OIOSAML_OK) {
        rc = oiosaml_loa_achieved(id, requested, err);
    }

    if (rc == OIOSAML_OK) {
        rc = oiosaml_identity_set(id, OIOSAML_F_LOA,
                                  oiosaml_loa_name(id->loa));
    }

    if (rc != OIOSAML_OK) {
        oiosaml_identity_free(id);
        return oiosaml_err_set(err, rc, "cannot read the attributes");
    }

    *out = id;

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_identity_attributes(oiosaml_identity_t *id, xmlNodePtr assertion,
    oiosaml_err_t *err)
{
    char             *form, *value;
    size_t            flen, fcap, i, j, count;
    xmlNodePtr        st, a, av;
    const char       *name;
    oiosaml_loa_t     nsis, nist, loa;
    oiosaml_status_t  rc;

    form = NULL;
    flen = 0;
    fcap = 0;
    count = 0;
    nsis = OIOSAML_LOA_NONE;
    nist = OIOSAML_LOA_NONE;
    rc = OIOSAML_OK;

    for (st = oiosaml_xml_first(assertion); st; st = oiosaml_xml_next(st)) {
        if (!oiosaml_xml_is(st, OIOSAML_NS_SAML, "AttributeStatement")) {
            continue;
        }

        for (a = oiosaml_xml_first(st); a; a = oiosaml_xml_next(a)) {
            if (!oiosaml_xml_is(a, OIOSAML_NS_SAML, "Attribute")) {
                continue;
            }

            name = oiosaml_xml_attr(a, "Name");
            if (name == NULL || name[0] == '\0') {
                continue;
            }

            if (strcmp(name, OIOSAML_A_NSIS_LOA) == 0
                || strcmp(name, OIOSAML_A_NIST_LOA) == 0)
            {
                id->level_stated = 1;
            }

            for (av = oiosaml_xml_first(a); av; av = oiosaml_xml_next(av)) {
                if (!oiosaml_xml_is(av, OIOSAML_NS_SAML, "AttributeValue")) {
                    continue;
                }

                if (++count > OIOSAML_MAX_ATTRIBUTES) {
                    free(form);
                    return oiosaml_err_set(err, OIOSAML_BAD_TOO_LARGE,
                                           "more than %d attribute values",
                                           OIOSAML_MAX_ATTRIBUTES);
                }

                value = oiosaml_xml_text(av);
                if (value == NULL) {
                    free(form);
                    return OIOSAML_ERR_NOMEM;
                }

                if (strlen(value) > OIOSAML_MAX_ATTR_VALUE) {
                    free(value);
                    free(form);
                    return oiosaml_err_set(err, OIOSAML_BAD_TOO_LARGE,
                                           "attribute %.100s is longer than "
                                           "%d bytes", name,
                                           OIOSAML_MAX_ATTR_VALUE);
                }

                /* a level given more than once: the lowest counts */

                if (strcmp(name, OIOSAML_A_NSIS_LOA) == 0) {
                    if (oiosaml_loa_parse(value, strlen(value), &loa)
                        == OIOSAML_OK
                        && (loa == OIOSAML_LOA_LOW
                            || loa == OIOSAML_LOA_SUBSTANTIAL
                            || loa == OIOSAML_LOA_HIGH)
                        && (nsis == OIOSAML_LOA_NONE || loa < nsis))
                    {
                        nsis = loa;
                    }

                } else if (strcmp(name, OIOSAML_A_NIST_LOA) == 0) {
                    if (strlen(value) == 1
                        && oiosaml_loa_parse(value, 1, &loa) == OIOSAML_OK
                        && (nist == OIOSAML_LOA_NONE || loa < nist))
                    {
                        nist = loa;
                    }

                } else if ((strcmp(name, OIOSAML_A_AUTHNMETHOD) == 0
                            || strcmp(name, OIOSAML_A_AMR) == 0)
                           && strcmp(value, OIOSAML_MULTIPLEAUTHN) == 0)
                {
                    id->mfa = 1;
                }

                for (i = 0; i < sizeof(oiosaml_attr_map)
                                / sizeof(oiosaml_attr_map[0]); i++)
                {
                    const oiosaml_attr_map_t  *m = &oiosaml_attr_map[i];

                    if (id->fields[m->field] != NULL) {
                        continue;
                    }

                    for (j = 0; j < 3 && m->names[j] != NULL; j++) {
                        if (strcmp(m->names[j], name) == 0) {
                            rc = oiosaml_identity_set(id, m->field, value);
                            break;
                        }
                    }
                }

                if (rc == OIOSAML_OK && !oiosaml_attr_kept_apart(name)) {
                    rc = oiosaml_form_append(&form, &flen, &fcap, name,
                                             value);
                }

                free(value);

                if (rc != OIOSAML_OK) {
                    free(form);
                    return rc;
                }
            }
        }
    }

    id->nsis = nsis;
    id->nist = nist;

    id->fields[OIOSAML_F_ATTRIBUTES] = form ? form : oiosaml_strdup("");
    id->lens[OIOSAML_F_ATTRIBUTES] = flen;

    if (id->fields[OIOSAML_F_ATTRIBUTES] == NULL) {
        return OIOSAML_ERR_NOMEM;
    }

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        if (id->fields[i] == NULL) {
            rc = oiosaml_identity_set(id, (oiosaml_field_t) i, "");

            if (rc != OIOSAML_OK) {
                return rc;
            }
        }
    }

    return OIOSAML_OK;
}


/*
 * The privileges, compiled once here; malformed privileges do not stop
 * the login, they become "!<reason>", which every role check denies.
 */
static oiosaml_status_t
oiosaml_identity_privileges(oiosaml_identity_t *id, oiosaml_err_t *err)
{
    char              *compiled, *roles, *groups;
    size_t             clen;
    oiosaml_err_t      e;
    oiosaml_status_t   rc;

    oiosaml_err_clear(&e);

    if (id->lens[OIOSAML_F_PRIVILEGES] == 0) {
        compiled = oiosaml_strdup("");
        clen = 0;
        rc = compiled ? OIOSAML_OK : OIOSAML_ERR_NOMEM;

    } else {
        rc = oiosaml_privileges_compile(id->fields[OIOSAML_F_PRIVILEGES],
                                        id->lens[OIOSAML_F_PRIVILEGES],
                                        &compiled, &clen, &e);
    }

    if (rc == OIOSAML_DENY_PRIVILEGES) {
        compiled = malloc(strlen(e.text) + 2);
        if (compiled == NULL) {
            return OIOSAML_ERR_NOMEM;
        }

        compiled[0] = '!';
        strcpy(compiled + 1, e.text);
        clen = strlen(compiled);

    } else if (rc != OIOSAML_OK) {
        return oiosaml_err_set(err, rc, "%s", e.text);
    }

    free(id->fields[OIOSAML_F_PRIVILEGES]);
    id->fields[OIOSAML_F_PRIVILEGES] = compiled;
    id->lens[OIOSAML_F_PRIVILEGES] = clen;

    if (compiled[0] == '!') {
        rc = oiosaml_identity_set(id, OIOSAML_F_ROLES, "");

        if (rc == OIOSAML_OK) {
            rc = oiosaml_identity_set(id, OIOSAML_F_CONSTRAINTS, "");
        }

        return rc;
    }

    rc = oiosaml_privileges_json(compiled, clen, &roles, &groups, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    free(id->fields[OIOSAML_F_ROLES]);
    free(id->fields[OIOSAML_F_CONSTRAINTS]);
    id->fields[OIOSAML_F_ROLES] = roles;
    id->lens[OIOSAML_F_ROLES] = strlen(roles);
    id->fields[OIOSAML_F_CONSTRAINTS] = groups;
    id->lens[OIOSAML_F_CONSTRAINTS] = strlen(groups);

    return OIOSAML_OK;
}


/* bulky or secret attributes stay out of the attributes field */
static int
oiosaml_attr_kept_apart(const char *name)
{
    return strcmp(name, OIOSAML_A_BOOTSTRAP) == 0
           || strcmp(name, OIOSAML_A_PRIV3) == 0
           || strcmp(name, OIOSAML_A_PRIV2) == 0;
}


static oiosaml_status_t
oiosaml_identity_set(oiosaml_identity_t *id, oiosaml_field_t field,
    const char *value)
{
    char  *v;

    v = oiosaml_strdup(value);
    if (v == NULL) {
        return OIOSAML_ERR_NOMEM;
    }

    free(id->fields[field]);
    id->fields[field] = v;
    id->lens[field] = strlen(v);

    return OIOSAML_OK;
}


/* application/x-www-form-urlencoded, UTF-8 */
static oiosaml_status_t
oiosaml_form_append(char **buf, size_t *len, size_t *cap, const char *name,
    const char *value)
{
    size_t        need, i;
    char         *p, *nb;
    const char   *s;
    static const char  hex[] = "0123456789ABCDEF";

    need = *len + 1 + (strlen(name) + strlen(value)) * 3 + 2;

    if (need > *cap) {
        size_t  ncap = need * 2;

        nb = realloc(*buf, ncap);
        if (nb == NULL) {
            return OIOSAML_ERR_NOMEM;
        }

        *buf = nb;
        *cap = ncap;
    }

    p = *buf + *len;

    if (*len > 0) {
        *p++ = '&';
    }

    for (i = 0; i < 2; i++) {
        for (s = (i == 0) ? name : value; *s; s++) {
            unsigned char  c = (unsigned char) *s;

            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c == '-' || c == '_'
                || c == '.' || c == '~')
            {
                *p++ = (char) c;

            } else {
                *p++ = '%';
                *p++ = hex[c >> 4];
                *p++ = hex[c & 0xf];
            }
        }

        if (i == 0) {
            *p++ = '=';
        }
    }

    *p = '\0';
    *len = (size_t) (p - *buf);

    return OIOSAML_OK;
}


void
oiosaml_identity_free(oiosaml_identity_t *id)
{
    size_t  i;

    if (id == NULL) {
        return;
    }

    for (i = 0; i < OIOSAML_F_MAX; i++) {
        free(id->fields[i]);
    }

    free(id->assertion_id);
    free(id);
}


const char *
oiosaml_identity_get(const oiosaml_identity_t *id, oiosaml_field_t field,
    size_t *len)
{
    if ((size_t) field >= OIOSAML_F_MAX || id->fields[field] == NULL) {
        if (len != NULL) {
            *len = 0;
        }

        return "";
    }

    if (len != NULL) {
        *len = id->lens[field];
    }

    return id->fields[field];
}


oiosaml_loa_t
oiosaml_identity_loa(const oiosaml_identity_t *id)
{
    return id->loa;
}


const oiosaml_idp_t *
oiosaml_identity_idp(const oiosaml_identity_t *id)
{
    return id->idp;
}


time_t
oiosaml_identity_not_on_or_after(const oiosaml_identity_t *id)
{
    return id->not_on_or_after;
}


const char *
oiosaml_identity_assertion_id(const oiosaml_identity_t *id)
{
    return id->assertion_id ? id->assertion_id : "";
}


time_t
oiosaml_identity_replay_until(const oiosaml_identity_t *id)
{
    return id->replay_until;
}


int
oiosaml_identity_expired_cert(const oiosaml_identity_t *id)
{
    return id->expired_cert;
}
