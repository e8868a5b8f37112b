
/*
 * IdP metadata: entityID, endpoints, signing certificates, validUntil.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"


static xmlNodePtr oiosaml_metadata_find_idp(xmlNodePtr root,
    xmlNodePtr *entity, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_metadata_valid_until(xmlNodePtr node,
    time_t *until, oiosaml_err_t *err);
static oiosaml_status_t oiosaml_metadata_certs(oiosaml_idp_t *idp,
    xmlNodePtr sso, oiosaml_err_t *err);
static const char *oiosaml_metadata_endpoint(xmlNodePtr sso,
    const char *name, const char **response_location);
static int oiosaml_metadata_url(const char *url);


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
        return OIOSAML_ERR_CONFIG;
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
            oiosaml_err_set(err, OIOSAML_ERR_CONFIG, "metadata_signer: %s",
                            rc == OIOSAML_DENY_UNSIGNED
                            ? "the metadata is not signed" : e.text);
            rc = OIOSAML_ERR_CONFIG;
            goto done;
        }
    }

    sso = oiosaml_metadata_find_idp(root, &entity, err);
    if (sso == NULL) {
        rc = OIOSAML_ERR_CONFIG;
        goto done;
    }

    entity_id = oiosaml_xml_attr(entity, "entityID");
    if (entity_id == NULL || entity_id[0] == '\0' || strlen(entity_id) > 1024)
    {
        rc = oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                             "EntityDescriptor has no valid entityID");
        goto done;
    }

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
        rc = oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                             "metadata expired at %s (validUntil)", tbuf);
        goto done;
    }

    sso_url = oiosaml_metadata_endpoint(sso, "SingleSignOnService", NULL);
    if (sso_url == NULL) {
        rc = oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
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


static xmlNodePtr
oiosaml_metadata_find_idp(xmlNodePtr root, xmlNodePtr *entity,
    oiosaml_err_t *err)
{
    size_t      count;
    xmlNodePtr  e, sso, found;

    if (oiosaml_xml_is(root, OIOSAML_NS_MD, "EntityDescriptor")) {
        *entity = root;
        sso = oiosaml_xml_child(root, OIOSAML_NS_MD, "IDPSSODescriptor");

        if (sso == NULL) {
            oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                            "metadata has no IDPSSODescriptor");
        }

        return sso;
    }

    if (!oiosaml_xml_is(root, OIOSAML_NS_MD, "EntitiesDescriptor")) {
        oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                        "metadata root is neither EntityDescriptor nor "
                        "EntitiesDescriptor");
        return NULL;
    }

    count = 0;
    found = NULL;

    for (e = oiosaml_xml_first(root); e != NULL; e = oiosaml_xml_next(e)) {
        if (!oiosaml_xml_is(e, OIOSAML_NS_MD, "EntityDescriptor")) {
            continue;
        }

        sso = oiosaml_xml_child(e, OIOSAML_NS_MD, "IDPSSODescriptor");
        if (sso != NULL) {
            count++;
            found = sso;
            *entity = e;
        }
    }

    if (count != 1) {
        oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                        "metadata describes %zu identity providers, "
                        "expected exactly one", count);
        return NULL;
    }

    return found;
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
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
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
                    return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
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
                    return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                           "invalid signing certificate");
                }

                idp->ncerts++;
            }
        }
    }

    if (idp->ncerts == 0) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
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
