
/*
 * Enveloped XML signatures with xmlsec: exc-c14n, rsa-sha256 (or
 * rsa-sha1) and a KeyInfo with the X509Certificate.
 */


#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>

#include "testidp.h"


int
testidp_sign_node(xmlNodePtr node, const char *id,
    const testidp_signer_t *signer, int sha1, testidp_err_t *err)
{
    int               rc;
    char             *uri;
    size_t            len;
    xmlNodePtr        sig, ref, key_info, x509, issuer;
    xmlSecDSigCtxPtr  ctx;

    sig = xmlSecTmplSignatureCreateNsPref(node->doc,
                                          xmlSecTransformExclC14NId,
                                          sha1 ? xmlSecTransformRsaSha1Id
                                               : xmlSecTransformRsaSha256Id,
                                          NULL, BAD_CAST "ds");

    if (sig == NULL) {
        return testidp_err(err, "cannot create the signature template");
    }

    /* SAML wants the signature right after the Issuer */

    issuer = testidp_xml_find(node, "Issuer");

    if (issuer != NULL) {
        xmlAddNextSibling(issuer, sig);

    } else if (node->children != NULL) {
        xmlAddPrevSibling(node->children, sig);

    } else {
        xmlAddChild(node, sig);
    }

    len = strlen(id);
    uri = malloc(len + 2);

    if (uri == NULL) {
        rc = testidp_err(err, "out of memory");
        goto failed;
    }

    uri[0] = '#';
    memcpy(uri + 1, id, len + 1);

    ref = xmlSecTmplSignatureAddReference(sig,
                                          sha1 ? xmlSecTransformSha1Id
                                               : xmlSecTransformSha256Id,
                                          NULL, BAD_CAST uri, NULL);
    free(uri);

    if (ref == NULL
        || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId)
           == NULL
        || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId)
           == NULL)
    {
        rc = testidp_err(err, "cannot create the signature reference");
        goto failed;
    }

    key_info = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
    x509 = key_info ? xmlSecTmplKeyInfoAddX509Data(key_info) : NULL;

    if (x509 == NULL || xmlSecTmplX509DataAddCertificate(x509) == NULL) {
        rc = testidp_err(err, "cannot create the signature KeyInfo");
        goto failed;
    }

    ctx = xmlSecDSigCtxCreate(NULL);

    if (ctx == NULL) {
        rc = testidp_err(err, "xmlSecDSigCtxCreate() failed");
        goto failed;
    }

    ctx->signKey = xmlSecKeyDuplicate(signer->xkey);

    if (ctx->signKey == NULL) {
        xmlSecDSigCtxDestroy(ctx);
        rc = testidp_err(err, "xmlSecKeyDuplicate() failed");
        goto failed;
    }

    rc = xmlSecDSigCtxSign(ctx, sig);
    xmlSecDSigCtxDestroy(ctx);

    if (rc < 0) {
        rc = testidp_err(err, "xmlsec failed to sign the %s",
                         (const char *) node->name);
        goto failed;
    }

    return 0;

failed:

    xmlUnlinkNode(sig);
    xmlFreeNode(sig);

    return rc;
}
