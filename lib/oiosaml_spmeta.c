
/*
 * Our SP metadata, as NemLog-in3 and KOMBIT's Context Handler ask for it
 * (docs/federation.md): entityID, validUntil and cacheDuration; the
 * signing and encryption certificate of every configured key (current
 * and next) that has not expired, the encryption one with the algorithms
 * we accept; SingleLogoutService (HTTP-Redirect, with ResponseLocation);
 * persistent NameIDs; the ACS (HTTP-POST); the AttributeConsumingService
 * with the attributes we ask for; Organization and ContactPerson.  Signed
 * with a given key.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "oiosaml_internal.h"


#define OIOSAML_NAMEID_PERSISTENT \
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
#define OIOSAML_ATTRNAME_URI \
    "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"

/* how long a federation may cache our metadata before asking again */
#define OIOSAML_SPMETA_CACHE        "PT6H"
/* how often a running gateway builds it again (validUntil, old keys) */
#define OIOSAML_SPMETA_REBUILD      86400

#define OIOSAML_EID_ATTR(n)  "https://data.gov.dk/model/core/eid/" n


/*
 * Without oiosaml_sp_add_attribute(): the OIOSAML 3 attributes that the
 * identity headers use, required as DIGST's own SP metadata requires them.
 */
static const oiosaml_spmeta_attr_t  oiosaml_spmeta_default_attrs[] = {
    { "https://data.gov.dk/model/core/specVersion", 1 },
    { "https://data.gov.dk/concept/core/nsis/loa", 1 },
    { OIOSAML_EID_ATTR("professional/cvr"), 1 },
    { OIOSAML_EID_ATTR("professional/orgName"), 1 },
    { OIOSAML_EID_ATTR("email"), 0 },
    { OIOSAML_EID_ATTR("fullName"), 0 },
    { OIOSAML_EID_ATTR("professional/uuid/persistent"), 0 },
    { OIOSAML_EID_ATTR("professional/rid"), 0 },
    { OIOSAML_EID_ATTR("privilegesIntermediate"), 0 },
    { NULL, 0 }
};


/* what we decrypt (oiosaml_decrypt.c), the strongest first */
static const char  *oiosaml_spmeta_enc_methods[] = {
    "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    "http://www.w3.org/2009/xmlenc11#aes192-gcm",
    "http://www.w3.org/2009/xmlenc11#aes128-gcm",
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    "http://www.w3.org/2009/xmlenc11#rsa-oaep",
    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
    NULL
};


static const char  *oiosaml_spmeta_contact_types[] = {
    "technical", "support", "administrative", "billing", "other", NULL
};


static xmlNodePtr oiosaml_spmeta_key(xmlNodePtr sso, xmlNsPtr md,
    xmlNsPtr ds, const char *use, const char *b64);
static void oiosaml_spmeta_acs(const oiosaml_sp_t *sp, xmlNodePtr sso,
    xmlNsPtr md);
static void oiosaml_spmeta_org(const oiosaml_sp_t *sp, xmlNodePtr root,
    xmlNsPtr md);
static void oiosaml_spmeta_contacts(const oiosaml_sp_t *sp, xmlNodePtr root,
    xmlNsPtr md);
static xmlNodePtr oiosaml_spmeta_text(xmlNodePtr parent, xmlNsPtr md,
    const char *name, const char *lang, const char *text);
static oiosaml_status_t oiosaml_spmeta_strdup(char **dst, const char *src,
    size_t max, const char *what, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_spmeta_lang(const char *lang,
    oiosaml_err_t *err);


oiosaml_status_t
oiosaml_sp_add_attribute(oiosaml_sp_t *sp, const char *name, int required,
    oiosaml_err_t *err)
{
    oiosaml_spmeta_attr_t  *a;

    if (sp->md.nattrs == OIOSAML_MAX_SPMETA_ITEMS) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "more than %d requested attributes",
                               OIOSAML_MAX_SPMETA_ITEMS);
    }

    if (strstr(name, ":") == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "attribute \"%.200s\" is not a URI, such as "
                               "\"%s\"", name,
                               oiosaml_spmeta_default_attrs[0].name);
    }

    a = &sp->md.attrs[sp->md.nattrs];
    a->required = required ? 1 : 0;

    if (oiosaml_spmeta_strdup(&a->name, name, 1024, "attribute name", err)
        != OIOSAML_OK)
    {
        return err->status;
    }

    sp->md.nattrs++;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_sp_add_service_name(oiosaml_sp_t *sp, const char *lang,
    const char *name, oiosaml_err_t *err)
{
    oiosaml_spmeta_org_t  *n;

    if (sp->md.nnames == OIOSAML_MAX_SPMETA_ITEMS) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "more than %d service names",
                               OIOSAML_MAX_SPMETA_ITEMS);
    }

    if (oiosaml_spmeta_lang(lang, err) != OIOSAML_OK) {
        return err->status;
    }

    n = &sp->md.names[sp->md.nnames];

    if (oiosaml_spmeta_strdup(&n->lang, lang, 16, "language", err)
        != OIOSAML_OK
        || oiosaml_spmeta_strdup(&n->name, name, 256, "service name", err)
           != OIOSAML_OK)
    {
        return err->status;
    }

    sp->md.nnames++;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_sp_add_organization(oiosaml_sp_t *sp, const char *lang,
    const char *name, const char *display_name, const char *url,
    oiosaml_err_t *err)
{
    oiosaml_spmeta_org_t  *o;

    if (sp->md.norgs == OIOSAML_MAX_SPMETA_ITEMS) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "more than %d organization entries",
                               OIOSAML_MAX_SPMETA_ITEMS);
    }

    if (oiosaml_spmeta_lang(lang, err) != OIOSAML_OK) {
        return err->status;
    }

    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
    {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "organization URL \"%.200s\" is not an "
                               "http(s) URL", url);
    }

    o = &sp->md.orgs[sp->md.norgs];

    if (oiosaml_spmeta_strdup(&o->lang, lang, 16, "language", err)
        != OIOSAML_OK
        || oiosaml_spmeta_strdup(&o->name, name, 256, "organization name",
                                 err) != OIOSAML_OK
        || oiosaml_spmeta_strdup(&o->display_name, display_name, 256,
                                 "organization display name", err)
           != OIOSAML_OK
        || oiosaml_spmeta_strdup(&o->url, url, 1024, "organization URL", err)
           != OIOSAML_OK)
    {
        return err->status;
    }

    sp->md.norgs++;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_sp_add_contact(oiosaml_sp_t *sp, const char *type, const char *email,
    const char *company, const char *given_name, const char *phone,
    oiosaml_err_t *err)
{
    size_t                     i;
    const char                *at;
    oiosaml_spmeta_contact_t  *c;

    if (sp->md.ncontacts == OIOSAML_MAX_SPMETA_ITEMS) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "more than %d contacts",
                               OIOSAML_MAX_SPMETA_ITEMS);
    }

    for (i = 0; oiosaml_spmeta_contact_types[i] != NULL; i++) {
        if (strcmp(oiosaml_spmeta_contact_types[i], type) == 0) {
            break;
        }
    }

    if (oiosaml_spmeta_contact_types[i] == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "contact type \"%.50s\" is none of technical, "
                               "support, administrative, billing, other",
                               type);
    }

    at = strchr(email, '@');

    if (at == NULL || at == email || at[1] == '\0'
        || strpbrk(email, " <>\"") != NULL)
    {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "\"%.200s\" is not an e-mail address", email);
    }

    c = &sp->md.contacts[sp->md.ncontacts];

    if (oiosaml_spmeta_strdup(&c->type, type, 16, "contact type", err)
        != OIOSAML_OK
        || oiosaml_spmeta_strdup(&c->email, email, 256, "e-mail", err)
           != OIOSAML_OK
        || oiosaml_spmeta_strdup(&c->company, company, 256, "company", err)
           != OIOSAML_OK
        || oiosaml_spmeta_strdup(&c->given_name, given_name, 256, "name",
                                 err) != OIOSAML_OK
        || oiosaml_spmeta_strdup(&c->phone, phone, 64, "telephone", err)
           != OIOSAML_OK)
    {
        return err->status;
    }

    sp->md.ncontacts++;

    return OIOSAML_OK;
}


/*
 * The words of one of the module's directives (after the directive's
 * name), so that nginx and oiosamlctl read them the same way:
 *
 *   oiosaml_sp_attribute URI [required]
 *   oiosaml_sp_service_name LANG NAME
 *   oiosaml_sp_organization LANG NAME DISPLAY_NAME URL
 *   oiosaml_sp_contact TYPE EMAIL [company=...] [name=...] [phone=...]
 */
oiosaml_status_t
oiosaml_sp_metadata_option(oiosaml_sp_t *sp, const char *directive,
    const char *const *args, size_t n, oiosaml_err_t *err)
{
    size_t       i;
    const char  *v[3];

    if (strcmp(directive, "oiosaml_sp_attribute") == 0) {
        if (n < 1 || n > 2 || (n == 2 && strcmp(args[1], "required") != 0))
        {
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "takes a URI and, optionally, "
                                   "\"required\"");
        }

        return oiosaml_sp_add_attribute(sp, args[0], n == 2, err);
    }

    if (strcmp(directive, "oiosaml_sp_service_name") == 0) {
        if (n != 2) {
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "takes a language and a name");
        }

        return oiosaml_sp_add_service_name(sp, args[0], args[1], err);
    }

    if (strcmp(directive, "oiosaml_sp_organization") == 0) {
        if (n != 4) {
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "takes a language, a name, a display "
                                   "name and a URL");
        }

        return oiosaml_sp_add_organization(sp, args[0], args[1], args[2],
                                           args[3], err);
    }

    if (strcmp(directive, "oiosaml_sp_contact") != 0 || n < 2) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "takes a type, an e-mail address and "
                               "company=, name=, phone=");
    }

    v[0] = v[1] = v[2] = NULL;

    for (i = 2; i < n; i++) {
        if (strncmp(args[i], "company=", 8) == 0) {
            v[0] = args[i] + 8;

        } else if (strncmp(args[i], "name=", 5) == 0) {
            v[1] = args[i] + 5;

        } else if (strncmp(args[i], "phone=", 6) == 0) {
            v[2] = args[i] + 6;

        } else {
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "unknown parameter \"%.100s\" (company=, "
                                   "name=, phone=)", args[i]);
        }
    }

    return oiosaml_sp_add_contact(sp, args[0], args[1], v[0], v[1], v[2],
                                  err);
}


int
oiosaml_sp_has_contact(const oiosaml_sp_t *sp, const char *type)
{
    size_t  i;

    for (i = 0; i < sp->md.ncontacts; i++) {
        if (type == NULL || strcmp(sp->md.contacts[i].type, type) == 0) {
            return 1;
        }
    }

    return 0;
}


void
oiosaml_spmeta_free(oiosaml_spmeta_t *md)
{
    size_t  i;

    for (i = 0; i < md->nattrs; i++) {
        free(md->attrs[i].name);
    }

    for (i = 0; i < md->nnames; i++) {
        free(md->names[i].lang);
        free(md->names[i].name);
    }

    for (i = 0; i < md->norgs; i++) {
        free(md->orgs[i].lang);
        free(md->orgs[i].name);
        free(md->orgs[i].display_name);
        free(md->orgs[i].url);
    }

    for (i = 0; i < md->ncontacts; i++) {
        free(md->contacts[i].type);
        free(md->contacts[i].email);
        free(md->contacts[i].company);
        free(md->contacts[i].given_name);
        free(md->contacts[i].phone);
    }
}


/*
 * The metadata as each key would sign it, built again once a day so that
 * validUntil moves on and an expired certificate leaves it.  On failure
 * the SP keeps what it had.
 */
oiosaml_status_t
oiosaml_sp_metadata_refresh(oiosaml_sp_t *sp, time_t now, oiosaml_err_t *err)
{
    char              *xml[OIOSAML_MAX_SP_KEYS];
    size_t             i, j, len[OIOSAML_MAX_SP_KEYS];
    oiosaml_status_t   rc;

    if (sp->md.built != 0 && now - sp->md.built < OIOSAML_SPMETA_REBUILD) {
        return OIOSAML_OK;
    }

    for (i = 0; i < sp->nkeys; i++) {
        rc = oiosaml_spmeta_build(sp, now, i, &xml[i], &len[i], err);

        if (rc != OIOSAML_OK) {
            for (j = 0; j < i; j++) {
                free(xml[j]);
            }

            return rc;
        }
    }

    for (i = 0; i < sp->nkeys; i++) {
        free(sp->metadata[i]);
        sp->metadata[i] = xml[i];
        sp->metadata_len[i] = len[i];
    }

    sp->md.built = now;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_spmeta_build(const oiosaml_sp_t *sp, time_t now, size_t key,
    char **xml, size_t *len, oiosaml_err_t *err)
{
    char              id[2 + 40 + 1], until[21];
    size_t            i, j;
    time_t            valid;
    xmlDocPtr         doc;
    xmlNsPtr          md, ds;
    xmlNodePtr        root, sso, n, kd;
    unsigned char     digest[EVP_MAX_MD_SIZE];
    unsigned int      dlen;
    oiosaml_status_t  rc;

    doc = xmlNewDoc((const xmlChar *) "1.0");
    root = doc ? xmlNewNode(NULL, (const xmlChar *) "EntityDescriptor")
               : NULL;

    if (root == NULL) {
        xmlFreeDoc(doc);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    xmlDocSetRootElement(doc, root);

    md = xmlNewNs(root, (const xmlChar *) OIOSAML_NS_MD,
                  (const xmlChar *) "md");
    ds = xmlNewNs(root, (const xmlChar *) OIOSAML_NS_DS,
                  (const xmlChar *) "ds");
    xmlSetNs(root, md);

    /* a stable ID: the same entityID always gives the same ID */
    dlen = 0;
    EVP_Digest(sp->entity_id, strlen(sp->entity_id), digest, &dlen,
               EVP_sha1(), NULL);
    id[0] = '_';
    oiosaml_hex(id + 1, digest, 20);

    /* valid until the first published certificate expires */
    valid = 0;

    for (i = 0; i < sp->nkeys; i++) {
        if (sp->keys[i].cert.not_after >= now
            && (valid == 0 || sp->keys[i].cert.not_after < valid))
        {
            valid = sp->keys[i].cert.not_after;
        }
    }

    xmlNewProp(root, (const xmlChar *) "entityID",
               (const xmlChar *) sp->entity_id);
    xmlNewProp(root, (const xmlChar *) "ID", (const xmlChar *) id);

    if (valid != 0) {
        oiosaml_format_time(valid, until);
        xmlNewProp(root, (const xmlChar *) "validUntil",
                   (const xmlChar *) until);
    }

    xmlNewProp(root, (const xmlChar *) "cacheDuration",
               (const xmlChar *) OIOSAML_SPMETA_CACHE);

    sso = xmlNewChild(root, md, (const xmlChar *) "SPSSODescriptor", NULL);
    xmlNewProp(sso, (const xmlChar *) "AuthnRequestsSigned",
               (const xmlChar *) "true");
    xmlNewProp(sso, (const xmlChar *) "WantAssertionsSigned",
               (const xmlChar *) "true");
    xmlNewProp(sso, (const xmlChar *) "protocolSupportEnumeration",
               (const xmlChar *) OIOSAML_NS_SAMLP);

    for (i = 0; i < sp->nkeys; i++) {
        if (sp->keys[i].cert.not_after < now) {
            continue;
        }

        oiosaml_spmeta_key(sso, md, ds, "signing", sp->keys[i].cert.der_b64);
        kd = oiosaml_spmeta_key(sso, md, ds, "encryption",
                                sp->keys[i].cert.der_b64);

        for (j = 0; oiosaml_spmeta_enc_methods[j] != NULL; j++) {
            n = xmlNewChild(kd, md, (const xmlChar *) "EncryptionMethod",
                            NULL);
            xmlNewProp(n, (const xmlChar *) "Algorithm",
                       (const xmlChar *) oiosaml_spmeta_enc_methods[j]);
        }
    }

    n = xmlNewChild(sso, md, (const xmlChar *) "SingleLogoutService", NULL);
    xmlNewProp(n, (const xmlChar *) "Binding",
               (const xmlChar *) OIOSAML_BINDING_REDIRECT);
    xmlNewProp(n, (const xmlChar *) "Location",
               (const xmlChar *) sp->sls_url);
    xmlNewProp(n, (const xmlChar *) "ResponseLocation",
               (const xmlChar *) sp->sls_url);

    xmlNewTextChild(sso, md, (const xmlChar *) "NameIDFormat",
                    (const xmlChar *) OIOSAML_NAMEID_PERSISTENT);

    n = xmlNewChild(sso, md, (const xmlChar *) "AssertionConsumerService",
                    NULL);
    xmlNewProp(n, (const xmlChar *) "Binding",
               (const xmlChar *) OIOSAML_BINDING_POST);
    xmlNewProp(n, (const xmlChar *) "Location",
               (const xmlChar *) sp->acs_url);
    xmlNewProp(n, (const xmlChar *) "index", (const xmlChar *) "0");
    xmlNewProp(n, (const xmlChar *) "isDefault", (const xmlChar *) "true");

    oiosaml_spmeta_acs(sp, sso, md);
    oiosaml_spmeta_org(sp, root, md);
    oiosaml_spmeta_contacts(sp, root, md);

    rc = oiosaml_dsig_sign(root, NULL, &sp->keys[key], err);

    if (rc == OIOSAML_OK) {
        *xml = oiosaml_xml_dump(doc, len);

        if (*xml == NULL) {
            rc = oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }
    }

    xmlFreeDoc(doc);

    return rc;
}


static xmlNodePtr
oiosaml_spmeta_key(xmlNodePtr sso, xmlNsPtr md, xmlNsPtr ds, const char *use,
    const char *b64)
{
    xmlNodePtr  kd, ki, xd;

    kd = xmlNewChild(sso, md, (const xmlChar *) "KeyDescriptor", NULL);
    xmlNewProp(kd, (const xmlChar *) "use", (const xmlChar *) use);
    ki = xmlNewChild(kd, ds, (const xmlChar *) "KeyInfo", NULL);
    xd = xmlNewChild(ki, ds, (const xmlChar *) "X509Data", NULL);
    xmlNewTextChild(xd, ds, (const xmlChar *) "X509Certificate",
                    (const xmlChar *) b64);

    return kd;
}


/*
 * AttributeConsumingService: ServiceName per language (configured, else
 * the organization's display names, else the entityID), and the
 * attributes we ask for.
 */
static void
oiosaml_spmeta_acs(const oiosaml_sp_t *sp, xmlNodePtr sso, xmlNsPtr md)
{
    size_t                        i, n;
    xmlNodePtr                    acs, ra;
    const oiosaml_spmeta_attr_t  *attrs;

    acs = xmlNewChild(sso, md, (const xmlChar *) "AttributeConsumingService",
                      NULL);
    xmlNewProp(acs, (const xmlChar *) "index", (const xmlChar *) "0");
    xmlNewProp(acs, (const xmlChar *) "isDefault", (const xmlChar *) "true");

    if (sp->md.nnames > 0) {
        for (i = 0; i < sp->md.nnames; i++) {
            oiosaml_spmeta_text(acs, md, "ServiceName", sp->md.names[i].lang,
                                sp->md.names[i].name);
        }

    } else if (sp->md.norgs > 0) {
        for (i = 0; i < sp->md.norgs; i++) {
            oiosaml_spmeta_text(acs, md, "ServiceName", sp->md.orgs[i].lang,
                                sp->md.orgs[i].display_name);
        }

    } else {
        oiosaml_spmeta_text(acs, md, "ServiceName", "da", sp->entity_id);
        oiosaml_spmeta_text(acs, md, "ServiceName", "en", sp->entity_id);
    }

    attrs = sp->md.nattrs ? sp->md.attrs : oiosaml_spmeta_default_attrs;
    n = sp->md.nattrs;

    if (n == 0) {
        while (oiosaml_spmeta_default_attrs[n].name != NULL) {
            n++;
        }
    }

    for (i = 0; i < n; i++) {
        ra = xmlNewChild(acs, md, (const xmlChar *) "RequestedAttribute",
                         NULL);
        xmlNewProp(ra, (const xmlChar *) "Name",
                   (const xmlChar *) attrs[i].name);
        xmlNewProp(ra, (const xmlChar *) "NameFormat",
                   (const xmlChar *) OIOSAML_ATTRNAME_URI);
        xmlNewProp(ra, (const xmlChar *) "isRequired",
                   (const xmlChar *) (attrs[i].required ? "true" : "false"));
    }
}


static void
oiosaml_spmeta_org(const oiosaml_sp_t *sp, xmlNodePtr root, xmlNsPtr md)
{
    size_t      i;
    xmlNodePtr  org;

    if (sp->md.norgs == 0) {
        return;
    }

    /* the schema's order: every name, then every display name, ... */
    org = xmlNewChild(root, md, (const xmlChar *) "Organization", NULL);

    for (i = 0; i < sp->md.norgs; i++) {
        oiosaml_spmeta_text(org, md, "OrganizationName", sp->md.orgs[i].lang,
                            sp->md.orgs[i].name);
    }

    for (i = 0; i < sp->md.norgs; i++) {
        oiosaml_spmeta_text(org, md, "OrganizationDisplayName",
                            sp->md.orgs[i].lang,
                            sp->md.orgs[i].display_name);
    }

    for (i = 0; i < sp->md.norgs; i++) {
        oiosaml_spmeta_text(org, md, "OrganizationURL", sp->md.orgs[i].lang,
                            sp->md.orgs[i].url);
    }
}


static void
oiosaml_spmeta_contacts(const oiosaml_sp_t *sp, xmlNodePtr root,
    xmlNsPtr md)
{
    char                            *mailto;
    size_t                           i;
    xmlNodePtr                       cp;
    const oiosaml_spmeta_contact_t  *c;

    for (i = 0; i < sp->md.ncontacts; i++) {
        c = &sp->md.contacts[i];

        cp = xmlNewChild(root, md, (const xmlChar *) "ContactPerson", NULL);
        xmlNewProp(cp, (const xmlChar *) "contactType",
                   (const xmlChar *) c->type);

        if (c->company != NULL) {
            oiosaml_spmeta_text(cp, md, "Company", NULL, c->company);
        }

        if (c->given_name != NULL) {
            oiosaml_spmeta_text(cp, md, "GivenName", NULL, c->given_name);
        }

        mailto = malloc(sizeof("mailto:") + strlen(c->email));

        if (mailto != NULL) {
            memcpy(mailto, "mailto:", sizeof("mailto:") - 1);
            memcpy(mailto + sizeof("mailto:") - 1, c->email,
                   strlen(c->email) + 1);
            oiosaml_spmeta_text(cp, md, "EmailAddress", NULL, mailto);
            free(mailto);
        }

        if (c->phone != NULL) {
            oiosaml_spmeta_text(cp, md, "TelephoneNumber", NULL, c->phone);
        }
    }
}


/* an element with text (escaped by libxml2) and, if given, xml:lang */
static xmlNodePtr
oiosaml_spmeta_text(xmlNodePtr parent, xmlNsPtr md, const char *name,
    const char *lang, const char *text)
{
    xmlNodePtr  n;

    n = xmlNewTextChild(parent, md, (const xmlChar *) name,
                        (const xmlChar *) text);

    if (n != NULL && lang != NULL) {
        xmlNodeSetLang(n, (const xmlChar *) lang);
    }

    return n;
}


/* a copy of src (NULL stays NULL), at most max bytes, no control bytes */
static oiosaml_status_t
oiosaml_spmeta_strdup(char **dst, const char *src, size_t max,
    const char *what, oiosaml_err_t *err)
{
    size_t  i, len;

    *dst = NULL;

    if (src == NULL) {
        return OIOSAML_OK;
    }

    len = strlen(src);

    if (len == 0 || len > max) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "%s must be 1 to %zu bytes", what, max);
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) src[i] < 0x20 || src[i] == 0x7f) {
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "%s holds a control character", what);
        }
    }

    *dst = strdup(src);

    if (*dst == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    return OIOSAML_OK;
}


/* "da", "en", "en-GB": a language tag, roughly (RFC 5646 letters) */
static oiosaml_status_t
oiosaml_spmeta_lang(const char *lang, oiosaml_err_t *err)
{
    size_t  i, len;

    len = strlen(lang);

    for (i = 0; i < len; i++) {
        if (!((lang[i] >= 'a' && lang[i] <= 'z')
              || (lang[i] >= 'A' && lang[i] <= 'Z')
              || (i > 0 && lang[i] == '-')))
        {
            break;
        }
    }

    if (len < 2 || len > 16 || i != len) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "\"%.20s\" is not a language such as da or "
                               "en", lang);
    }

    return OIOSAML_OK;
}
