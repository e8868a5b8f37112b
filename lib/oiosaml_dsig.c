
/*
 * XML signatures with xmlsec, closing the gaps that make SAML signature
 * checks fail open:
 *
 *  - the ds:Signature must be a direct child of the element it signs, and
 *    its only Reference must point at that element's ID ("#" + ID);
 *  - that ID must occur exactly once in the document (no second element,
 *    no xml:id, carries it), so xmlsec resolves it to the same element;
 *  - keys come only from the trust set (configured metadata); KeyInfo in
 *    the message is never read;
 *  - algorithms come from an allow-list: RSA/ECDSA with SHA-256/384/512,
 *    SHA-1 only when the IdP is configured to allow it; transforms are
 *    enveloped-signature and C14N only; references are same-document;
 *  - xmlsec's verdict is read from the status field, not the return value.
 */


#include <string.h>

#include <openssl/err.h>

#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>

#include "oiosaml_internal.h"


typedef struct {
    const char  *uri;
    unsigned     sha1:1;
} oiosaml_alg_t;


static const oiosaml_alg_t  oiosaml_sig_algs[] = {
    { "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", 0 },
    { "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", 0 },
    { "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", 0 },
    { "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", 0 },
    { "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", 0 },
    { "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", 0 },
    { "http://www.w3.org/2000/09/xmldsig#rsa-sha1", 1 },
    { NULL, 0 }
};

static const oiosaml_alg_t  oiosaml_digest_algs[] = {
    { "http://www.w3.org/2001/04/xmlenc#sha256", 0 },
    { "http://www.w3.org/2001/04/xmldsig-more#sha384", 0 },
    { "http://www.w3.org/2001/04/xmlenc#sha512", 0 },
    { "http://www.w3.org/2000/09/xmldsig#sha1", 1 },
    { NULL, 0 }
};

static const oiosaml_alg_t  oiosaml_c14n_algs[] = {
    { "http://www.w3.org/2001/10/xml-exc-c14n#", 0 },
    { "http://www.w3.org/2001/10/xml-exc-c14n#WithComments", 0 },
    { "http://www.w3.org/TR/2001/REC-xml-c14n-20010315", 0 },
    { "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments", 0 },
    { NULL, 0 }
};

#define OIOSAML_ENVELOPED \
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature"


static oiosaml_status_t oiosaml_dsig_check_alg(xmlNodePtr node,
    const oiosaml_alg_t *algs, int allow_sha1, const char *what,
    oiosaml_err_t *err);
static oiosaml_status_t oiosaml_dsig_check_shape(xmlNodePtr sig,
    const char *id, int allow_sha1, oiosaml_err_t *err);
static int oiosaml_dsig_setup(xmlSecDSigCtxPtr ctx, int allow_sha1);
static size_t oiosaml_dsig_count_id(xmlNodePtr node, const char *id,
    xmlAttrPtr *found);


oiosaml_status_t
oiosaml_dsig_verify(xmlNodePtr node, const oiosaml_trust_t *trust,
    oiosaml_err_t *err)
{
    int                ret;
    size_t             i, nsig, nbroken;
    xmlNodePtr         n, sig;
    const char        *id;
    xmlSecDSigCtx      ctx;
    xmlSecDSigStatus   status;
    oiosaml_status_t   rc;

    sig = NULL;
    nsig = 0;

    for (n = oiosaml_xml_first(node); n != NULL; n = oiosaml_xml_next(n)) {
        if (oiosaml_xml_is(n, OIOSAML_NS_DS, "Signature")) {
            sig = n;
            nsig++;
        }
    }

    if (nsig == 0) {
        return OIOSAML_DENY_UNSIGNED;
    }

    if (nsig > 1) {
        return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                               "%s carries %zu signatures", node->name, nsig);
    }

    id = oiosaml_xml_attr(node, "ID");
    if (id == NULL || id[0] == '\0') {
        return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                               "signed %s has no ID", node->name);
    }

    rc = oiosaml_dsig_check_shape(sig, id, trust->allow_sha1, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_dsig_register_id(node, id, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    nbroken = 0;

    for (i = 0; i < trust->ncerts; i++) {
        oiosaml_lib_error_clear();

        if (xmlSecDSigCtxInitialize(&ctx, NULL) < 0) {
            return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                                   "xmlSecDSigCtxInitialize() failed");
        }

        if (oiosaml_dsig_setup(&ctx, trust->allow_sha1) != 0) {
            xmlSecDSigCtxFinalize(&ctx);
            return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                                   "cannot restrict xmlsec transforms");
        }

        /* borrowed: the key belongs to the trust set */
        ctx.signKey = trust->certs[i].key;

        ret = xmlSecDSigCtxVerify(&ctx, sig);
        status = ctx.status;

        if (ret == 0 && status == xmlSecDSigStatusSucceeded
            && xmlSecPtrListGetSize(&ctx.signedInfoReferences) != 1)
        {
            status = xmlSecDSigStatusInvalid;
        }

        ctx.signKey = NULL;
        xmlSecDSigCtxFinalize(&ctx);
        ERR_clear_error();

        if (ret < 0) {
            /* e.g. an EC certificate for an RSA signature: try the next */
            nbroken++;
            continue;
        }

        if (status == xmlSecDSigStatusSucceeded) {
            if (trust->matched != NULL) {
                *trust->matched = i;
            }

            return OIOSAML_OK;
        }
    }

    if (nbroken > 0 && nbroken == trust->ncerts) {
        return oiosaml_err_xml(err, OIOSAML_DENY_SIGNATURE,
                               "signature cannot be processed");
    }

    return oiosaml_err_set(err, OIOSAML_DENY_SIGNATURE,
                           "signature on %s does not verify with any of "
                           "the %zu trusted certificates", node->name,
                           trust->ncerts);
}


/* checks what xmlsec would accept too, to name the reason precisely */
static oiosaml_status_t
oiosaml_dsig_check_shape(xmlNodePtr sig, const char *id, int allow_sha1,
    oiosaml_err_t *err)
{
    int                enveloped, c14n;
    xmlNodePtr         si, ref, tr, t;
    const char        *uri, *alg;
    oiosaml_status_t   rc;

    si = oiosaml_xml_first(sig);

    if (!oiosaml_xml_is(si, OIOSAML_NS_DS, "SignedInfo")) {
        return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                               "Signature does not start with SignedInfo");
    }

    rc = oiosaml_dsig_check_alg(oiosaml_xml_child(si, OIOSAML_NS_DS,
                                                 "CanonicalizationMethod"),
                                oiosaml_c14n_algs, 1,
                                "canonicalization", err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_dsig_check_alg(oiosaml_xml_child(si, OIOSAML_NS_DS,
                                                 "SignatureMethod"),
                                oiosaml_sig_algs, allow_sha1, "signature",
                                err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    if (oiosaml_xml_count(si, OIOSAML_NS_DS, "Reference") != 1) {
        return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                               "SignedInfo must hold exactly one Reference");
    }

    ref = oiosaml_xml_child(si, OIOSAML_NS_DS, "Reference");
    uri = oiosaml_xml_attr(ref, "URI");

    if (uri == NULL || uri[0] != '#' || strcmp(uri + 1, id) != 0) {
        return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                               "Reference URI \"%.80s\" is not \"#%.80s\"",
                               uri ? uri : "", id);
    }

    rc = oiosaml_dsig_check_alg(oiosaml_xml_child(ref, OIOSAML_NS_DS,
                                                 "DigestMethod"),
                                oiosaml_digest_algs, allow_sha1, "digest",
                                err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    tr = oiosaml_xml_child(ref, OIOSAML_NS_DS, "Transforms");

    /*
     * SAML's shape only: the enveloped-signature transform, then one
     * canonicalization, each at most once.  Anything after the
     * canonicalization is refused here, before xmlsec runs the chain
     * (xmlsec 1.2.37 leaks on some such chains).
     */
    enveloped = 0;
    c14n = 0;

    if (tr != NULL) {
        for (t = oiosaml_xml_first(tr); t != NULL; t = oiosaml_xml_next(t)) {
            alg = oiosaml_xml_attr(t, "Algorithm");

            if (!oiosaml_xml_is(t, OIOSAML_NS_DS, "Transform")
                || alg == NULL)
            {
                return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                                       "malformed Transforms");
            }

            if (c14n) {
                return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                                       "a transform after "
                                       "canonicalization");
            }

            if (strcmp(alg, OIOSAML_ENVELOPED) == 0) {
                if (enveloped++) {
                    return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                                           "two enveloped-signature "
                                           "transforms");
                }

                continue;
            }

            c14n = 1;

            rc = oiosaml_dsig_check_alg(t, oiosaml_c14n_algs, 1,
                                        "transform", err);
            if (rc != OIOSAML_OK) {
                return rc;
            }
        }
    }

    return OIOSAML_OK;
}


static oiosaml_status_t
oiosaml_dsig_check_alg(xmlNodePtr node, const oiosaml_alg_t *algs,
    int allow_sha1, const char *what, oiosaml_err_t *err)
{
    const char  *alg;

    alg = node ? oiosaml_xml_attr(node, "Algorithm") : NULL;

    if (alg == NULL) {
        return oiosaml_err_set(err, OIOSAML_DENY_SIG_REFERENCE,
                               "no %s algorithm", what);
    }

    for ( /* void */ ; algs->uri != NULL; algs++) {
        if (strcmp(alg, algs->uri) == 0) {
            if (algs->sha1 && !allow_sha1) {
                return oiosaml_err_set(err, OIOSAML_DENY_SIG_ALGORITHM,
                                       "%s algorithm %s uses SHA-1, which "
                                       "this IdP may not use (allow_sha1)",
                                       what, alg);
            }

            return OIOSAML_OK;
        }
    }

    return oiosaml_err_set(err, OIOSAML_DENY_SIG_ALGORITHM,
                           "%s algorithm \"%.100s\" is not allowed", what,
                           alg);
}


static int
oiosaml_dsig_setup(xmlSecDSigCtxPtr ctx, int allow_sha1)
{
    size_t  i;

    xmlSecTransformId  refs[] = {
        xmlSecTransformEnvelopedId,
        xmlSecTransformExclC14NId,
        xmlSecTransformExclC14NWithCommentsId,
        xmlSecTransformInclC14NId,
        xmlSecTransformInclC14NWithCommentsId,
        xmlSecTransformSha256Id,
        xmlSecTransformSha384Id,
        xmlSecTransformSha512Id,
        allow_sha1 ? xmlSecTransformSha1Id : NULL
    };

    xmlSecTransformId  sigs[] = {
        xmlSecTransformExclC14NId,
        xmlSecTransformExclC14NWithCommentsId,
        xmlSecTransformInclC14NId,
        xmlSecTransformInclC14NWithCommentsId,
        xmlSecTransformRsaSha256Id,
        xmlSecTransformRsaSha384Id,
        xmlSecTransformRsaSha512Id,
        xmlSecTransformEcdsaSha256Id,
        xmlSecTransformEcdsaSha384Id,
        xmlSecTransformEcdsaSha512Id,
        allow_sha1 ? xmlSecTransformRsaSha1Id : NULL
    };

    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    ctx->keyInfoReadCtx.maxRetrievalMethodLevel = 0;

    for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        if (refs[i] != NULL
            && xmlSecDSigCtxEnableReferenceTransform(ctx, refs[i]) < 0)
        {
            return -1;
        }
    }

    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        if (sigs[i] != NULL
            && xmlSecDSigCtxEnableSignatureTransform(ctx, sigs[i]) < 0)
        {
            return -1;
        }
    }

    return 0;
}


oiosaml_status_t
oiosaml_dsig_register_id(xmlNodePtr node, const char *id, oiosaml_err_t *err)
{
    size_t      count;
    xmlAttrPtr  found, attr;

    found = NULL;
    count = oiosaml_dsig_count_id(xmlDocGetRootElement(node->doc), id,
                                  &found);

    if (count != 1 || found == NULL || found->parent != node) {
        return oiosaml_err_set(err, OIOSAML_DENY_DUPLICATE_ID,
                               "ID \"%.80s\" occurs %zu times", id, count);
    }

    attr = xmlGetID(node->doc, (const xmlChar *) id);

    if (attr == NULL) {
        if (xmlAddID(NULL, node->doc, (const xmlChar *) id, found) == NULL) {
            return oiosaml_err_set(err, OIOSAML_ERR_INTERNAL,
                                   "xmlAddID() failed");
        }

    } else if (attr != found) {
        return oiosaml_err_set(err, OIOSAML_DENY_DUPLICATE_ID,
                               "ID \"%.80s\" is registered to another "
                               "element", id);
    }

    return OIOSAML_OK;
}


/* counts attributes that can act as an ID (ID, Id, id, xml:id) with id */
static size_t
oiosaml_dsig_count_id(xmlNodePtr node, const char *id, xmlAttrPtr *found)
{
    size_t      count;
    xmlNodePtr  n;
    xmlAttrPtr  a;

    count = 0;

    for (n = node; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) {
            continue;
        }

        for (a = n->properties; a != NULL; a = a->next) {
            const char  *name = (const char *) a->name;
            xmlChar     *v;

            if (strcmp(name, "ID") != 0 && strcmp(name, "Id") != 0
                && strcmp(name, "id") != 0)
            {
                continue;
            }

            v = xmlNodeListGetString(n->doc, a->children, 1);

            if (v != NULL && strcmp((const char *) v, id) == 0) {
                count++;

                if (a->ns == NULL && strcmp(name, "ID") == 0) {
                    *found = a;

                } else {
                    /* an xml:id, Id or id carrying the value is a decoy */
                    count++;
                }
            }

            xmlFree(v);
        }

        if (n->children != NULL) {
            count += oiosaml_dsig_count_id(n->children, id, found);
        }
    }

    return count;
}


oiosaml_status_t
oiosaml_dsig_sign(xmlNodePtr node, xmlNodePtr after,
    const oiosaml_sp_key_t *key, oiosaml_err_t *err)
{
    int              ret;
    char            *uri;
    size_t           len;
    xmlNodePtr       sig, ref, ki, xd;
    const char      *id;
    xmlSecDSigCtx    ctx;

    id = oiosaml_xml_attr(node, "ID");
    if (id == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_INTERNAL, "no ID to sign");
    }

    oiosaml_lib_error_clear();

    sig = xmlSecTmplSignatureCreate(node->doc, xmlSecTransformExclC14NId,
                                    xmlSecTransformRsaSha256Id, NULL);
    if (sig == NULL) {
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "xmlSecTmplSignatureCreate() failed");
    }

    if (after != NULL) {
        xmlAddNextSibling(after, sig);

    } else if (node->children != NULL) {
        xmlAddPrevSibling(node->children, sig);

    } else {
        xmlAddChild(node, sig);
    }

    len = strlen(id);
    uri = malloc(len + 2);
    if (uri == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    uri[0] = '#';
    memcpy(uri + 1, id, len + 1);

    ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL,
                                          (const xmlChar *) uri, NULL);
    free(uri);

    if (ref == NULL
        || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId)
           == NULL
        || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId)
           == NULL)
    {
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "cannot build the signature template");
    }

    if (oiosaml_dsig_register_id(node, id, err) != OIOSAML_OK) {
        return OIOSAML_ERR_INTERNAL;
    }

    if (xmlSecDSigCtxInitialize(&ctx, NULL) < 0) {
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "xmlSecDSigCtxInitialize() failed");
    }

    ctx.signKey = oiosaml_xmlsec_key(key->pkey);
    if (ctx.signKey == NULL) {
        xmlSecDSigCtxFinalize(&ctx);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "signing key");
    }

    ret = xmlSecDSigCtxSign(&ctx, sig);
    xmlSecDSigCtxFinalize(&ctx);

    if (ret < 0) {
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "xmlSecDSigCtxSign() failed");
    }

    /* KeyInfo is outside the signed content (enveloped): add it now */
    ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
    xd = ki ? xmlSecAddChild(ki, xmlSecNodeX509Data, xmlSecDSigNs) : NULL;

    if (xd == NULL
        || xmlNewTextChild(xd, xd->ns, xmlSecNodeX509Certificate,
                           (const xmlChar *) key->cert.der_b64) == NULL)
    {
        return oiosaml_err_xml(err, OIOSAML_ERR_INTERNAL,
                               "cannot add KeyInfo");
    }

    return OIOSAML_OK;
}
