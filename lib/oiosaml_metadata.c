
/*
 * IdP metadata: entityID, endpoints, signing certificates, validUntil.
 *
 * The document is one EntityDescriptor or an aggregate (EntitiesDescriptor,
 * nested at most OIOSAML_MAX_MD_DEPTH deep) from which the IdP is picked
 * by its entityID (entity=).  With metadata_signer= the signature on the
 * root is checked first, so an aggregate is verified as a whole before an
 * entity is taken from it.  Failures carry their class in the status
 * (bad XML, not usable metadata, signature, expired, wrong entity).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_MAX_MD_DEPTH    8       /* nested EntitiesDescriptors */
#define OIOSAML_MD_NAMES        3       /* entityIDs named in an error */


typedef struct {
    const char     *want;           /* entity=, or NULL */
    size_t          nidps;          /* EntityDescriptors with an IdP role */
    size_t          nwant;          /* EntityDescriptors named want */
    xmlNodePtr      entity;         /* the one found */
    xmlNodePtr      sso;            /* its IDPSSODescriptor, or NULL */
    char            names[OIOSAML_MD_NAMES * 128];
    size_t          nnames;
} oiosaml_md_find_t;


static oiosaml_status_t oiosaml_metadata_find_idp(xmlNodePtr root,
    const char *want, xmlNodePtr *entity, xmlNodePtr *sso,
    oiosaml_err_t *err);
static void oiosaml_metadata_walk(xmlNodePtr node, oiosaml_md_find_t *f,
    int depth);
static void oiosaml_metadata_name(oiosaml_md_find_t *f, xmlNodePtr entity);
static oiosaml_status_t oiosaml_metadata_valid_until(xmlNodePtr node,
    time_t *until, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_metadata_certs(oiosaml_idp_t *idp,
    xmlNodePtr sso, oiosaml_err_t *err);
static const char *oiosaml_metadata_endpoint(xmlNodePtr sso,
    const char *name, const char **response_location);
static int oiosaml_metadata_url(const char *url);


/*
 * Returns the class of a failure: OIOSAML_BAD_XML, OIOSAML_BAD_MESSAGE
 * (not usable IdP metadata), a signature denial (metadata_signer),
 * OIOSAML_DENY_EXPIRED (validUntil), OIOSAML_DENY_UNKNOWN_IDP (entity=
 * not there, or several IdPs and no entity=), OIOSAML_ERR_NOMEM.
 */
oiosaml_status_t
oiosaml_metadata_load(oiosaml_idp_t *idp, const char *buf, size_t len,
    time_t now, oiosaml_err_t *err)
{
    char              tbuf[21];
    time_t            until;
    xmlDocPtr         doc;
    xmlNodePtr        root, entity, sso, n;
    const char       *entity_id, *sso_url, *slo_url, *slo_resp;
    oiosaml_err_t     e;
    oiosaml_status_t  rc;

    rc = oiosaml_xml_parse(buf, len, &doc, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    root = xmlDocGetRootElement(doc);

    if (idp->has_signer) {
        oiosaml_trust_t  trust;

        memset(&trust, 0, sizeof(trust));
        trust.certs = &idp->signer;
        trust.ncerts = 1;

        oiosaml_err_clear(&e);
        rc = oiosaml_dsig_verify(root, &trust, &e);

        if (rc != OIOSAML_OK) {
            if (!oiosaml_is_denial(rc)) {
                rc = OIOSAML_DENY_SIGNATURE;
            }

            oiosaml_err_set(err, rc, "metadata_signer: %s",
                            rc == OIOSAML_DENY_UNSIGNED
                            ? "the metadata is not signed" : e.text);
            goto done;
        }
    }

    rc = oiosaml_metadata_find_idp(root, idp->entity, &entity, &sso, err);
    if (rc != OIOSAML_OK) {
        goto done;
    }

    entity_id = oiosaml_xml_attr(entity, "entityID");

    until = 0;

    for (n = sso; n != NULL; n = n->parent) {
        if (n->type != XML_ELEMENT_NODE) {
            break;
        }

        rc = oiosaml_metadata_valid_until(n, &until, err);
        if (rc != OIOSAML_OK) {
            goto done;
        }
    }

    if (until != 0 && until <= now) {
        oiosaml_time_format(until, tbuf);
        rc = oiosaml_err_set(err, OIOSAML_DENY_EXPIRED,
                             "metadata expired at %s (validUntil)", tbuf);
        goto done;
    }

    sso_url = oiosaml_metadata_endpoint(sso, "SingleSignOnService", NULL);
    if (sso_url == NULL) {
        rc = oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                             "no SingleSignOnService with the HTTP-Redirect "
                             "binding");
        goto done;
    }

    slo_resp = NULL;
    slo_url = oiosaml_metadata_endpoint(sso, "SingleLogoutService",
                                        &slo_resp);

    idp->entity_id = oiosaml_strdup(entity_id);
    idp->sso_url = oiosaml_strdup(sso_url);
    idp->slo_url = slo_url ? oiosaml_strdup(slo_url) : NULL;
    idp->slo_response_url = oiosaml_strdup(slo_resp ? slo_resp
                                           : (slo_url ? slo_url : ""));
    idp->valid_until = until;

    if (idp->entity_id == NULL || idp->sso_url == NULL
        || (slo_url && idp->slo_url == NULL) || idp->slo_response_url == NULL)
    {
        rc = oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        goto done;
    }

    rc = oiosaml_metadata_certs(idp, sso, err);

done:

    xmlFreeDoc(doc);

    return rc;
}


/*
 * The IdP of the document: the root EntityDescriptor, or in an aggregate
 * the EntityDescriptor whose entityID is "want" (or, without "want", the
 * only one with an IDPSSODescriptor).
 */
static oiosaml_status_t
oiosaml_metadata_find_idp(xmlNodePtr root, const char *want,
    xmlNodePtr *entity, xmlNodePtr *sso, oiosaml_err_t *err)
{
    const char         *id;
    oiosaml_md_find_t  *f;
    oiosaml_status_t    rc;

    *entity = NULL;
    *sso = NULL;

    if (!oiosaml_xml_is(root, OIOSAML_NS_MD, "EntityDescriptor")
        && !oiosaml_xml_is(root, OIOSAML_NS_MD, "EntitiesDescriptor"))
    {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "metadata root is neither EntityDescriptor "
                               "nor EntitiesDescriptor");
    }

    f = calloc(1, sizeof(oiosaml_md_find_t));
    if (f == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    f->want = want;

    oiosaml_metadata_walk(root, f, 0);

    rc = OIOSAML_OK;

    if (want != NULL && f->nwant == 0) {
        if (oiosaml_xml_is(root, OIOSAML_NS_MD, "EntityDescriptor")) {
            id = oiosaml_xml_attr(root, "entityID");
            rc = oiosaml_err_set(err, OIOSAML_DENY_UNKNOWN_IDP,
                                 "the metadata describes entityID "
                                 "\"%.200s\", not entity=\"%.200s\"",
                                 id ? id : "", want);

        } else {
            rc = oiosaml_err_set(err, OIOSAML_DENY_UNKNOWN_IDP,
                                 "entity=\"%.200s\" is not in the "
                                 "aggregate (%zu identity provider%s%s%s%s)",
                                 want, f->nidps, f->nidps == 1 ? "" : "s",
                                 f->nnames ? ": " : "", f->names,
                                 f->nidps > f->nnames ? ", ..." : "");
        }

    } else if (want != NULL && f->nwant > 1) {
        rc = oiosaml_err_set(err, OIOSAML_DENY_UNKNOWN_IDP,
                             "entity=\"%.200s\" is described %zu times in "
                             "the aggregate", want, f->nwant);

    } else if (want != NULL && f->sso == NULL) {
        rc = oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                             "entity \"%.200s\" has no IDPSSODescriptor",
                             want);

    } else if (want == NULL && f->nidps == 0) {
        rc = oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                             "metadata has no IDPSSODescriptor");

    } else if (want == NULL && f->nidps > 1) {
        rc = oiosaml_err_set(err, OIOSAML_DENY_UNKNOWN_IDP,
                             "metadata describes %zu identity providers "
                             "(%s%s): choose one with entity=", f->nidps,
                             f->names, f->nidps > f->nnames ? ", ..." : "");
    }

    if (rc == OIOSAML_OK) {
        id = oiosaml_xml_attr(f->entity, "entityID");

        if (id == NULL || id[0] == '\0' || strlen(id) > 1024) {
            rc = oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                                 "EntityDescriptor has no valid entityID");
        }
    }

    *entity = f->entity;
    *sso = f->sso;

    free(f);

    return rc;
}


static void
oiosaml_metadata_walk(xmlNodePtr node, oiosaml_md_find_t *f, int depth)
{
    xmlNodePtr   e, sso;
    const char  *id;

    if (oiosaml_xml_is(node, OIOSAML_NS_MD, "EntityDescriptor")) {
        sso = oiosaml_xml_child(node, OIOSAML_NS_MD, "IDPSSODescriptor");
        id = oiosaml_xml_attr(node, "entityID");

        if (sso != NULL) {
            f->nidps++;
            oiosaml_metadata_name(f, node);
        }

        if (f->want != NULL) {
            if (id != NULL && strcmp(id, f->want) == 0) {
                f->nwant++;
                f->entity = node;
                f->sso = sso;
            }

        } else if (sso != NULL) {
            f->entity = node;
            f->sso = sso;
        }

        return;
    }

    /* an EntitiesDescriptor: its entities and nested aggregates */
    if (depth >= OIOSAML_MAX_MD_DEPTH) {
        return;
    }

    for (e = oiosaml_xml_first(node); e != NULL; e = oiosaml_xml_next(e)) {
        if (oiosaml_xml_is(e, OIOSAML_NS_MD, "EntityDescriptor")
            || oiosaml_xml_is(e, OIOSAML_NS_MD, "EntitiesDescriptor"))
        {
            oiosaml_metadata_walk(e, f, depth + 1);
        }
    }
}


/* the first IdPs' entityIDs, for the error text */
static void
oiosaml_metadata_name(oiosaml_md_find_t *f, xmlNodePtr entity)
{
    size_t       n;
    const char  *id;

    if (f->nnames == OIOSAML_MD_NAMES) {
        return;
    }

    n = strlen(f->names);
    id = oiosaml_xml_attr(entity, "entityID");

    snprintf(f->names + n, sizeof(f->names) - n, "%s\"%.100s\"",
             n ? ", " : "", id ? id : "");
    f->nnames++;
}


static oiosaml_status_t
oiosaml_metadata_valid_until(xmlNodePtr node, time_t *until,
    oiosaml_err_t *err)
{
    time_t       t;
    const char  *v;

    v = oiosaml_xml_attr(node, "validUntil");
    if (v == NULL) {
        return OIOSAML_OK;
    }

    if (oiosaml_time_parse(v, strlen(v), &t) != OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "invalid validUntil \"%.40s\"", v);
    }

    if (*until == 0 || t < *until) {
        *until = t;
    }

    return OIOSAML_OK;
}


static const char *
oiosaml_metadata_endpoint(xmlNodePtr sso, const char *name,
    const char **response_location)
{
    xmlNodePtr   n;
    const char  *binding, *location, *rl;

    for (n = oiosaml_xml_first(sso); n != NULL; n = oiosaml_xml_next(n)) {
        if (!oiosaml_xml_is(n, OIOSAML_NS_MD, name)) {
            continue;
        }

        binding = oiosaml_xml_attr(n, "Binding");
        location = oiosaml_xml_attr(n, "Location");
        rl = oiosaml_xml_attr(n, "ResponseLocation");

        if (binding == NULL || location == NULL
            || strcmp(binding, OIOSAML_BINDING_REDIRECT) != 0
            || !oiosaml_metadata_url(location)
            || (rl != NULL && !oiosaml_metadata_url(rl)))
        {
            continue;
        }

        if (response_location != NULL) {
            *response_location = rl;
        }

        return location;
    }

    return NULL;
}


/*
 * An http(s) URL without white space or control characters: it becomes
 * a Location header as it is, so "&#13;&#10;" in the metadata would
 * split the response.
 */
static int
oiosaml_metadata_url(const char *url)
{
    const unsigned char  *p;

    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
        return 0;
    }

    for (p = (const unsigned char *) url; *p != '\0'; p++) {
        if (*p <= 0x20 || *p == 0x7f) {
            return 0;
        }
    }

    return 1;
}


static oiosaml_status_t
oiosaml_metadata_certs(oiosaml_idp_t *idp, xmlNodePtr sso, oiosaml_err_t *err)
{
    char              *b64;
    xmlNodePtr         kd, ki, xd, xc;
    const char        *use;
    oiosaml_status_t   rc;

    for (kd = oiosaml_xml_first(sso); kd != NULL; kd = oiosaml_xml_next(kd)) {
        if (!oiosaml_xml_is(kd, OIOSAML_NS_MD, "KeyDescriptor")) {
            continue;
        }

        use = oiosaml_xml_attr(kd, "use");
        if (use != NULL && strcmp(use, "signing") != 0) {
            continue;
        }

        ki = oiosaml_xml_child(kd, OIOSAML_NS_DS, "KeyInfo");
        if (ki == NULL) {
            continue;
        }

        for (xd = oiosaml_xml_first(ki); xd; xd = oiosaml_xml_next(xd)) {
            if (!oiosaml_xml_is(xd, OIOSAML_NS_DS, "X509Data")) {
                continue;
            }

            for (xc = oiosaml_xml_first(xd); xc; xc = oiosaml_xml_next(xc)) {
                if (!oiosaml_xml_is(xc, OIOSAML_NS_DS, "X509Certificate")) {
                    continue;
                }

                if (idp->ncerts == OIOSAML_MAX_IDP_CERTS) {
                    return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                                           "more than %d signing "
                                           "certificates",
                                           OIOSAML_MAX_IDP_CERTS);
                }

                b64 = oiosaml_xml_text(xc);
                if (b64 == NULL) {
                    return oiosaml_err_set(err, OIOSAML_ERR_NOMEM,
                                           "out of memory");
                }

                rc = oiosaml_cert_from_b64(b64, strlen(b64),
                                           &idp->certs[idp->ncerts], err);
                free(b64);

                if (rc != OIOSAML_OK) {
                    oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                                    "invalid signing certificate");
                    return rc == OIOSAML_ERR_NOMEM ? rc
                                                   : OIOSAML_BAD_MESSAGE;
                }

                idp->ncerts++;
            }
        }
    }

    if (idp->ncerts == 0) {
        return oiosaml_err_set(err, OIOSAML_BAD_MESSAGE,
                               "metadata has no signing certificate "
                               "(KeyDescriptor use=\"signing\" with "
                               "X509Certificate)");
    }

    return OIOSAML_OK;
}


void
oiosaml_metadata_clear(oiosaml_idp_t *idp)
{
    size_t  i;

    for (i = 0; i < idp->ncerts; i++) {
        oiosaml_cert_clear(&idp->certs[i]);
    }

    free(idp->entity_id);
    free(idp->sso_url);
    free(idp->slo_url);
    free(idp->slo_response_url);

    idp->ncerts = 0;
    idp->entity_id = NULL;
    idp->sso_url = NULL;
    idp->slo_url = NULL;
    idp->slo_response_url = NULL;
    idp->valid_until = 0;
}
