
/*
 * Our SP metadata: entityID, ACS (HTTP-POST), SLO (HTTP-Redirect), the
 * signing and encryption certificate of every configured key (current and
 * next) that has not expired at "now", signed with a given key.
 */


#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "oiosaml_internal.h"


#define OIOSAML_NAMEID_PERSISTENT \
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


static xmlNodePtr oiosaml_spmeta_key(xmlNodePtr sso, xmlNsPtr md,
    xmlNsPtr ds, const char *use, const char *b64);


oiosaml_status_t
oiosaml_spmeta_build(const oiosaml_sp_t *sp, time_t now, size_t key,
    char **xml, size_t *len, oiosaml_err_t *err)
{
    char              id[2 + 40 + 1];
    size_t            i;
    xmlDocPtr         doc;
    xmlNsPtr          md, ds;
    xmlNodePtr        root, sso, n;
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

    xmlNewProp(root, (const xmlChar *) "entityID",
               (const xmlChar *) sp->entity_id);
    xmlNewProp(root, (const xmlChar *) "ID", (const xmlChar *) id);

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
        oiosaml_spmeta_key(sso, md, ds, "encryption",
                           sp->keys[i].cert.der_b64);
    }

    n = xmlNewChild(sso, md, (const xmlChar *) "SingleLogoutService", NULL);
    xmlNewProp(n, (const xmlChar *) "Binding",
               (const xmlChar *) OIOSAML_BINDING_REDIRECT);
    xmlNewProp(n, (const xmlChar *) "Location",
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
