
/*
 * oiosaml_dsig.c, through oiosaml_response_verify(): the signed= policy,
 * algorithms, keys and certificate validity, the shape of the signature,
 * and signature wrapping (XSW).  The wrapping attacks change a validly
 * signed response with libxml2 after signing and are never re-signed.
 */


#include <stdlib.h>
#include <string.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_SKEW  OIOSAML_DEFAULT_SKEW
#define T_ALICE "https://data.gov.dk/model/core/eid/professional/uuid/" \
                "persistent/alice"


static oiosaml_sp_t *sp_with(oiosaml_signed_t where, int allow_sha1);
static void expect_doc(const oiosaml_sp_t *s, xmlDocPtr doc,
    oiosaml_status_t want, const char *text);
static void expect_xsw(xmlDocPtr doc, oiosaml_status_t want);
static xmlDocPtr signed_doc(testidp_sign_t sign);
static xmlNodePtr node_of(xmlNodePtr from, const char *ns,
    const char *name);
static xmlNodePtr extensions(xmlDocPtr doc);
static void set_name_id(xmlNodePtr assertion, const char *text);
static void sign_alg(xmlNodePtr node, xmlSecKeyPtr key,
    xmlSecTransformId c14n, xmlSecTransformId sig,
    xmlSecTransformId digest);
static time_t cert_time(const char *name, int after);


static oiosaml_sp_t  *sp;
static testidp_t     *idp;
static time_t         now;


static int
setup(void **state)
{
    sp = t_sp(NULL);
    idp = t_testidp(NULL, NULL);
    now = t_now();

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp);
    testidp_free(idp);

    return 0;
}


static oiosaml_sp_t *
sp_with(oiosaml_signed_t where, int allow_sha1)
{
    oiosaml_idp_conf_t  ic;

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.signed_part = where;
    ic.allow_sha1 = allow_sha1;

    return t_sp(&ic);
}


static void
expect_doc(const oiosaml_sp_t *s, xmlDocPtr doc, oiosaml_status_t want,
    const char *text)
{
    char               *b64;
    oiosaml_pending_t   pending;

    t_pending(&pending);
    b64 = t_doc_b64(doc);
    t_expect(s, b64, &pending, now, want, text);
    free(b64);
}


/* a wrapping attack: refused (a denial, no identity), with this status */
static void
expect_xsw(xmlDocPtr doc, oiosaml_status_t want)
{
    char                *b64;
    oiosaml_err_t        err;
    oiosaml_status_t     rc;
    oiosaml_pending_t    pending;
    oiosaml_identity_t  *id;

    t_pending(&pending);
    b64 = t_doc_b64(doc);
    id = NULL;

    rc = t_verify(sp, b64, &pending, now, NULL, &id, &err);

    assert_true(oiosaml_is_denial(rc));
    assert_null(id);
    assert_int_equal(rc, want);

    free(b64);
    xmlFreeDoc(doc);
}


static xmlDocPtr
signed_doc(testidp_sign_t sign)
{
    testidp_knobs_t  k;

    t_knobs(&k);
    k.sign = sign;

    return t_response_doc(idp, NULL, &k, now);
}


static xmlNodePtr
node_of(xmlNodePtr from, const char *ns, const char *name)
{
    xmlNodePtr  n;

    n = t_find(from, ns, name);
    assert_non_null(n);

    return n;
}


/* a new samlp:Extensions in the Response, before its Status */
static xmlNodePtr
extensions(xmlDocPtr doc)
{
    xmlNodePtr  root, ext;

    root = xmlDocGetRootElement(doc);
    ext = xmlNewDocNode(doc, root->ns, BAD_CAST "Extensions", NULL);
    xmlAddPrevSibling(oiosaml_xml_child(root, OIOSAML_NS_SAMLP, "Status"),
                      ext);

    return ext;
}


static void
set_name_id(xmlNodePtr assertion, const char *text)
{
    xmlNodeSetContent(node_of(assertion, OIOSAML_NS_SAML, "NameID"),
                      BAD_CAST text);
}


/* an enveloped signature with any algorithms, by xmlsec */
static void
sign_alg(xmlNodePtr node, xmlSecKeyPtr key, xmlSecTransformId c14n,
    xmlSecTransformId sig, xmlSecTransformId digest)
{
    char              uri[128];
    xmlChar          *id;
    xmlNodePtr        tmpl, ref;
    xmlSecDSigCtxPtr  ctx;

    id = xmlGetProp(node, BAD_CAST "ID");
    assert_non_null(id);
    assert_int_equal(testidp_xml_id(node, (const char *) id), 0);
    snprintf(uri, sizeof(uri), "#%s", (const char *) id);
    xmlFree(id);

    tmpl = xmlSecTmplSignatureCreateNsPref(node->doc, c14n, sig, NULL,
                                           BAD_CAST "ds");
    assert_non_null(tmpl);
    xmlAddNextSibling(oiosaml_xml_child(node, OIOSAML_NS_SAML, "Issuer"),
                      tmpl);

    ref = xmlSecTmplSignatureAddReference(tmpl, digest, NULL, BAD_CAST uri,
                                          NULL);
    assert_non_null(ref);
    assert_non_null(xmlSecTmplReferenceAddTransform(ref,
                                                xmlSecTransformEnvelopedId));
    assert_non_null(xmlSecTmplReferenceAddTransform(ref, c14n));

    ctx = xmlSecDSigCtxCreate(NULL);
    assert_non_null(ctx);
    ctx->signKey = xmlSecKeyDuplicate(key);
    assert_non_null(ctx->signKey);
    assert_int_equal(xmlSecDSigCtxSign(ctx, tmpl), 0);
    xmlSecDSigCtxDestroy(ctx);
}


/* notBefore (after = 0) or notAfter of a test certificate */
static time_t
cert_time(const char *name, int after)
{
    time_t           t;
    oiosaml_err_t    err;
    oiosaml_cert_t   cert;

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_cert_load(t_cert(name), &cert, &err),
                     OIOSAML_OK);
    t = after ? cert.not_after : cert.not_before;
    oiosaml_cert_clear(&cert);

    return t;
}


/* rule 15: signed= assertion, response, either, both */
static void
test_signed_policy(void **state)
{
    char               *b64;
    size_t              i, j;
    oiosaml_sp_t       *s;
    testidp_knobs_t     k;
    oiosaml_pending_t   pending;

    static const testidp_sign_t  signs[] = {
        TESTIDP_SIGN_ASSERTION, TESTIDP_SIGN_RESPONSE, TESTIDP_SIGN_BOTH,
        TESTIDP_SIGN_NONE
    };

    /* rows: the policy; columns: what the IdP signs, as above */
    static const oiosaml_status_t  want[4][4] = {
        { OIOSAML_OK, OIOSAML_DENY_UNSIGNED, OIOSAML_OK,
          OIOSAML_DENY_UNSIGNED },
        { OIOSAML_DENY_UNSIGNED, OIOSAML_OK, OIOSAML_OK,
          OIOSAML_DENY_UNSIGNED },
        { OIOSAML_OK, OIOSAML_OK, OIOSAML_OK, OIOSAML_DENY_UNSIGNED },
        { OIOSAML_DENY_UNSIGNED, OIOSAML_DENY_UNSIGNED, OIOSAML_OK,
          OIOSAML_DENY_UNSIGNED }
    };

    t_pending(&pending);

    for (i = 0; i < 4; i++) {
        s = sp_with((oiosaml_signed_t) i, 0);

        for (j = 0; j < 4; j++) {
            t_knobs(&k);
            k.sign = signs[j];
            b64 = t_response(idp, NULL, &k, now);
            t_expect(s, b64, &pending, now, want[i][j],
                     want[i][j] == OIOSAML_OK ? NULL : "must sign");
            free(b64);
        }

        oiosaml_sp_free(s);
    }
}


/* SHA-1 only with allow_sha1, for either signature */
static void
test_sha1(void **state)
{
    char               *b64;
    size_t              i;
    oiosaml_sp_t       *s, *s1;
    testidp_knobs_t     k;
    oiosaml_pending_t   pending;

    static const testidp_sign_t    signs[] = { TESTIDP_SIGN_ASSERTION,
                                               TESTIDP_SIGN_RESPONSE };
    static const oiosaml_signed_t  where[] = { OIOSAML_SIGNED_ASSERTION,
                                               OIOSAML_SIGNED_RESPONSE };

    t_pending(&pending);

    for (i = 0; i < 2; i++) {
        s = sp_with(where[i], 0);
        s1 = sp_with(where[i], 1);

        t_knobs(&k);
        k.sign = signs[i];
        b64 = t_response(idp, NULL, &k, now);
        t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
        t_expect(s1, b64, &pending, now, OIOSAML_OK, NULL);
        free(b64);

        k.sha1 = 1;
        b64 = t_response(idp, NULL, &k, now);
        t_expect(s, b64, &pending, now, OIOSAML_DENY_SIG_ALGORITHM,
                 "SHA-1");
        t_expect(s1, b64, &pending, now, OIOSAML_OK, NULL);
        free(b64);

        oiosaml_sp_free(s);
        oiosaml_sp_free(s1);
    }
}


/* other algorithms from the allow-list, and one outside it */
static void
test_algorithms(void **state)
{
    xmlDocPtr            doc;
    oiosaml_sp_t        *s;
    const char          *key;
    xmlSecKeyPtr         ec;
    oiosaml_idp_conf_t   ic;

    /* RSA-SHA512 with a SHA-512 digest and inclusive C14N */
    doc = signed_doc(TESTIDP_SIGN_NONE);
    sign_alg(node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                     "Assertion"), idp->signer->xkey,
             xmlSecTransformInclC14NId, xmlSecTransformRsaSha512Id,
             xmlSecTransformSha512Id);
    expect_doc(sp, doc, OIOSAML_OK, NULL);
    xmlFreeDoc(doc);

    /* the same path with RSA-SHA1 */
    doc = signed_doc(TESTIDP_SIGN_NONE);
    sign_alg(node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                     "Assertion"), idp->signer->xkey,
             xmlSecTransformExclC14NId, xmlSecTransformRsaSha1Id,
             xmlSecTransformSha256Id);
    expect_doc(sp, doc, OIOSAML_DENY_SIG_ALGORITHM, "signature algorithm");
    xmlFreeDoc(doc);

    /* ECDSA-SHA256 by an IdP with an EC key */
    key = t_genkey("unit-idp-ec", "ec", NULL);
    ec = xmlSecCryptoAppKeyLoad(key, xmlSecKeyDataFormatPem, NULL, NULL,
                                NULL);
    assert_non_null(ec);
    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.metadata_file = t_idp_metadata("unit-idp-ec.xml", T_IDP,
                                      "build/tmp/unit-idp-ec.crt", NULL);
    s = t_sp(&ic);

    doc = signed_doc(TESTIDP_SIGN_NONE);
    sign_alg(node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                     "Assertion"), ec, xmlSecTransformExclC14NId,
             xmlSecTransformEcdsaSha256Id, xmlSecTransformSha256Id);
    expect_doc(s, doc, OIOSAML_OK, NULL);

    /* ... and the RSA key's signature does not verify with it */
    xmlFreeDoc(doc);
    doc = signed_doc(TESTIDP_SIGN_ASSERTION);
    expect_doc(s, doc, OIOSAML_DENY_SIGNATURE, NULL);
    oiosaml_sp_free(s);

    /* with the EC certificate listed first, the RSA one is still tried */
    ic.metadata_file = t_idp_metadata("unit-idp-ec.xml", T_IDP,
                                      "build/tmp/unit-idp-ec.crt", "idp.crt",
                                      NULL);
    s = t_sp(&ic);
    expect_doc(s, doc, OIOSAML_OK, NULL);
    xmlFreeDoc(doc);

    xmlSecKeyDestroy(ec);
    oiosaml_sp_free(s);
}


/* rules 10 and 14: every signature present must verify */
static void
test_wrong_key_and_tampering(void **state)
{
    char               *b64;
    xmlChar            *v;
    xmlDocPtr           doc;
    xmlNodePtr          root, sv;
    testidp_err_t       terr;
    testidp_knobs_t     k;
    oiosaml_pending_t   pending;

    t_pending(&pending);

    t_knobs(&k);
    b64 = t_response(idp, NULL, &k, now);
    t_expect(sp, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    k.wrong_key = 1;
    b64 = t_response(idp, NULL, &k, now);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_SIGNATURE,
             "does not verify");
    free(b64);

    /* the IdP's "tamper": NameID changed after signing */
    k.wrong_key = 0;
    k.tamper = 1;
    b64 = t_response(idp, NULL, &k, now);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_SIGNATURE, NULL);
    free(b64);

    /* a Response signature by the wrong key, with a good assertion one */
    doc = signed_doc(TESTIDP_SIGN_ASSERTION);
    expect_doc(sp, doc, OIOSAML_OK, NULL);
    root = xmlDocGetRootElement(doc);
    memset(&terr, 0, sizeof(terr));
    v = xmlGetProp(root, BAD_CAST "ID");
    assert_int_equal(testidp_xml_id(root, (const char *) v), 0);
    assert_int_equal(testidp_sign_node(root, (const char *) v, idp->wrong,
                                       0, &terr), 0);
    xmlFree(v);
    expect_doc(sp, doc, OIOSAML_DENY_SIGNATURE, "on Response");
    xmlFreeDoc(doc);

    /* both signed, the Response changed afterwards, assertion policy */
    doc = signed_doc(TESTIDP_SIGN_BOTH);
    expect_doc(sp, doc, OIOSAML_OK, NULL);
    xmlSetProp(xmlDocGetRootElement(doc), BAD_CAST "IssueInstant",
               BAD_CAST "2000-01-01T00:00:00Z");
    expect_doc(sp, doc, OIOSAML_DENY_SIGNATURE, "on Response");
    xmlFreeDoc(doc);

    /* a changed SignatureValue */
    doc = signed_doc(TESTIDP_SIGN_ASSERTION);
    sv = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_DS,
                 "SignatureValue");
    v = xmlNodeGetContent(sv);
    v[3] = (v[3] == 'A') ? 'B' : 'A';
    xmlNodeSetContent(sv, v);
    xmlFree(v);
    expect_doc(sp, doc, OIOSAML_DENY_SIGNATURE, "on Assertion");
    xmlFreeDoc(doc);
}


/* the IdP's next key is trusted once its metadata lists it */
static void
test_key_rollover(void **state)
{
    char                *b64;
    testidp_t           *next;
    oiosaml_sp_t        *s;
    oiosaml_idp_conf_t   ic;
    oiosaml_pending_t    pending;

    next = t_testidp("idp-next", NULL);
    b64 = t_response(next, NULL, NULL, now);
    t_pending(&pending);

    t_expect(sp, b64, &pending, now, OIOSAML_DENY_SIGNATURE,
             "any of the 1 trusted");

    memset(&ic, 0, sizeof(ic));
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.metadata_file = t_idp_metadata("unit-idp2.xml", T_IDP, "idp.crt",
                                      "idp-next.crt", NULL);
    s = t_sp(&ic);
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    /* the current key still works with both listed */
    b64 = t_response(idp, NULL, NULL, now);
    t_expect(s, b64, &pending, now, OIOSAML_OK, NULL);
    free(b64);

    oiosaml_sp_free(s);
    testidp_free(next);
}


/* a certificate is trusted within its validity, plus the skew */
static void
test_certificate_validity(void **state)
{
    char               *b64;
    time_t              nb, na;
    oiosaml_pending_t   pending;

    nb = cert_time("idp.crt", 0);
    na = cert_time("idp.crt", 1);
    t_pending(&pending);

    /* built and checked at the same instant, so only validity changes */
    b64 = t_response(idp, NULL, NULL, nb - T_SKEW);
    t_expect(sp, b64, &pending, nb - T_SKEW, OIOSAML_OK, NULL);
    free(b64);

    b64 = t_response(idp, NULL, NULL, nb - T_SKEW - 1);
    t_expect(sp, b64, &pending, nb - T_SKEW - 1, OIOSAML_DENY_SIGNATURE,
             "is valid now");
    free(b64);

    b64 = t_response(idp, NULL, NULL, na + T_SKEW);
    t_expect(sp, b64, &pending, na + T_SKEW, OIOSAML_OK, NULL);
    free(b64);

    b64 = t_response(idp, NULL, NULL, na + T_SKEW + 1);
    t_expect(sp, b64, &pending, na + T_SKEW + 1, OIOSAML_DENY_SIGNATURE,
             "is valid now");
    free(b64);
}


/* KeyInfo in the message never chooses the key */
static void
test_key_info_ignored(void **state)
{
    xmlDocPtr         doc;
    xmlNodePtr        xc;
    testidp_knobs_t   k;

    /* a good signature with the attacker's certificate in KeyInfo */
    doc = signed_doc(TESTIDP_SIGN_ASSERTION);
    xc = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_DS,
                 "X509Certificate");
    xmlNodeSetContent(xc, BAD_CAST idp->wrong->cert_b64);
    expect_doc(sp, doc, OIOSAML_OK, NULL);
    xmlFreeDoc(doc);

    /* the attacker's signature with the IdP's certificate in KeyInfo */
    t_knobs(&k);
    k.wrong_key = 1;
    doc = t_response_doc(idp, NULL, &k, now);
    xc = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_DS,
                 "X509Certificate");
    xmlNodeSetContent(xc, BAD_CAST idp->signer->cert_b64);
    expect_doc(sp, doc, OIOSAML_DENY_SIGNATURE, "does not verify");
    xmlFreeDoc(doc);
}


/* the shape of SignedInfo, checked before any cryptography */
static void
test_signature_shape(void **state)
{
    size_t        i;
    xmlDocPtr     doc;
    xmlNodePtr    a, sig, si, ref, n, t;

    enum { URI_EMPTY, URI_OTHER, TWO_REFS, TWO_SIGS, NOT_CHILD, XPATH,
           HMAC, MD5, NO_C14N, NO_SIGNED_INFO, NO_ID, NCASES };

    static const oiosaml_status_t  want[NCASES] = {
        OIOSAML_DENY_SIG_REFERENCE, OIOSAML_DENY_SIG_REFERENCE,
        OIOSAML_DENY_SIG_REFERENCE, OIOSAML_DENY_SIG_REFERENCE,
        OIOSAML_DENY_UNSIGNED, OIOSAML_DENY_SIG_ALGORITHM,
        OIOSAML_DENY_SIG_ALGORITHM, OIOSAML_DENY_SIG_ALGORITHM,
        OIOSAML_DENY_SIG_REFERENCE, OIOSAML_DENY_SIG_REFERENCE,
        OIOSAML_DENY_SIG_REFERENCE
    };

    static const char  *text[NCASES] = {
        "Reference URI \"\"", "Reference URI \"#_other\"",
        "exactly one Reference", "2 signatures", "must sign",
        "transform algorithm", "signature algorithm", "digest algorithm",
        "no canonicalization", "start with SignedInfo", "has no ID"
    };

    for (i = 0; i < NCASES; i++) {
        doc = signed_doc(i == NO_ID ? TESTIDP_SIGN_BOTH
                                    : TESTIDP_SIGN_ASSERTION);
        a = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
        sig = oiosaml_xml_child(a, OIOSAML_NS_DS, "Signature");
        si = oiosaml_xml_child(sig, OIOSAML_NS_DS, "SignedInfo");
        ref = oiosaml_xml_child(si, OIOSAML_NS_DS, "Reference");

        switch (i) {
        case URI_EMPTY:
            xmlSetProp(ref, BAD_CAST "URI", BAD_CAST "");
            break;
        case URI_OTHER:
            xmlSetProp(ref, BAD_CAST "URI", BAD_CAST "#_other");
            break;
        case TWO_REFS:
            xmlAddNextSibling(ref, xmlCopyNode(ref, 1));
            break;
        case TWO_SIGS:
            xmlAddNextSibling(sig, xmlCopyNode(sig, 1));
            break;
        case NOT_CHILD:
            xmlUnlinkNode(sig);
            xmlAddChild(node_of(a, OIOSAML_NS_SAML, "Subject"), sig);
            break;
        case XPATH:
            t = node_of(ref, OIOSAML_NS_DS, "Transform");
            n = xmlCopyNode(t, 1);
            xmlSetProp(n, BAD_CAST "Algorithm",
                       BAD_CAST "http://www.w3.org/TR/1999/REC-xpath-"
                       "19991116");
            xmlAddNextSibling(t, n);
            break;
        case HMAC:
            xmlSetProp(oiosaml_xml_child(si, OIOSAML_NS_DS,
                                         "SignatureMethod"),
                       BAD_CAST "Algorithm",
                       BAD_CAST "http://www.w3.org/2001/04/xmldsig-more#"
                       "hmac-sha256");
            break;
        case MD5:
            xmlSetProp(oiosaml_xml_child(ref, OIOSAML_NS_DS,
                                         "DigestMethod"),
                       BAD_CAST "Algorithm",
                       BAD_CAST "http://www.w3.org/2001/04/xmldsig-more#"
                       "md5");
            break;
        case NO_C14N:
            n = oiosaml_xml_child(si, OIOSAML_NS_DS,
                                  "CanonicalizationMethod");
            xmlUnlinkNode(n);
            xmlFreeNode(n);
            break;
        case NO_SIGNED_INFO:
            xmlUnlinkNode(si);
            xmlAddChild(sig, si);
            break;
        case NO_ID:
            /* the Response signature, on a Response without ID */
            xmlUnsetProp(xmlDocGetRootElement(doc), BAD_CAST "ID");
            break;
        }

        expect_doc(sp, doc, want[i], text[i]);
        xmlFreeDoc(doc);
    }

    /* unchanged, the same documents pass */
    doc = signed_doc(TESTIDP_SIGN_BOTH);
    expect_doc(sp, doc, OIOSAML_OK, NULL);
    xmlFreeDoc(doc);
}


/* an assertion without ID under a Response signature (rule 13) */
static void
test_assertion_without_id(void **state)
{
    xmlDocPtr      doc;
    oiosaml_sp_t  *s;

    s = sp_with(OIOSAML_SIGNED_RESPONSE, 0);

    doc = signed_doc(TESTIDP_SIGN_NONE);
    t_sign(idp, xmlDocGetRootElement(doc), 0);
    expect_doc(s, doc, OIOSAML_OK, NULL);
    xmlFreeDoc(doc);

    doc = signed_doc(TESTIDP_SIGN_NONE);
    xmlUnsetProp(node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                         "Assertion"), BAD_CAST "ID");
    t_sign(idp, xmlDocGetRootElement(doc), 0);
    expect_doc(s, doc, OIOSAML_BAD_MESSAGE, "an ID");
    xmlFreeDoc(doc);

    oiosaml_sp_free(s);
}


/* exactly one assertion, none nested or elsewhere (rule 9) */
static void
test_assertion_count(void **state)
{
    char               *b64;
    xmlDocPtr           doc, other;
    xmlNodePtr          root, a, advice;
    testidp_knobs_t     k;
    oiosaml_pending_t   pending;

    t_pending(&pending);
    t_knobs(&k);
    k.assertions = 2;
    b64 = t_response(idp, NULL, &k, now);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_ASSERTION_COUNT,
             "2 assertions (2 at");
    free(b64);

    /* none: a Success without an assertion */
    doc = signed_doc(TESTIDP_SIGN_ASSERTION);
    root = xmlDocGetRootElement(doc);
    a = node_of(root, OIOSAML_NS_SAML, "Assertion");
    xmlUnlinkNode(a);
    expect_doc(sp, doc, OIOSAML_DENY_ASSERTION_COUNT, "0 assertions");

    /* put back: fine; and a copy of it in samlp:Extensions */
    xmlAddChild(root, a);
    expect_doc(sp, doc, OIOSAML_OK, NULL);
    xmlAddChild(extensions(doc), xmlCopyNode(a, 1));
    expect_doc(sp, doc, OIOSAML_DENY_ASSERTION_COUNT, "2 assertions (1 at");
    xmlFreeDoc(doc);

    /* another response's signed assertion in the Advice of a signed one */
    other = signed_doc(TESTIDP_SIGN_ASSERTION);
    doc = signed_doc(TESTIDP_SIGN_NONE);
    a = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
    advice = xmlNewDocNode(doc, a->ns, BAD_CAST "Advice", NULL);
    xmlAddPrevSibling(oiosaml_xml_child(a, OIOSAML_NS_SAML,
                                        "AuthnStatement"), advice);
    xmlAddChild(advice, xmlDocCopyNode(node_of(xmlDocGetRootElement(other),
                                               OIOSAML_NS_SAML, "Assertion"),
                                       doc, 1));
    xmlFreeDoc(other);
    t_sign(idp, a, 0);
    expect_doc(sp, doc, OIOSAML_DENY_ASSERTION_COUNT, "2 assertions (1 at");
    xmlFreeDoc(doc);
}


/*
 * XSW 1: the signed assertion moved into samlp:Extensions, an unsigned
 * copy with another NameID in its place.
 */
static void
test_xsw_extensions(void **state)
{
    xmlDocPtr   doc;
    xmlNodePtr  good, evil, sig;

    doc = signed_doc(TESTIDP_SIGN_ASSERTION);
    good = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
    evil = xmlCopyNode(good, 1);
    set_name_id(evil, "mallory");
    sig = oiosaml_xml_child(evil, OIOSAML_NS_DS, "Signature");
    xmlUnlinkNode(sig);
    xmlFreeNode(sig);

    xmlAddNextSibling(good, evil);
    xmlUnlinkNode(good);
    xmlAddChild(extensions(doc), good);

    expect_xsw(doc, OIOSAML_DENY_ASSERTION_COUNT);
}


/*
 * XSW 2: the evil assertion at the top carries the good one's signature
 * (Reference to the good ID); the good one hides in the signature's
 * ds:Object, or in Extensions, or is gone.
 */
static void
test_xsw_copied_signature(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  good, evil, sig, obj;

    static const oiosaml_status_t  want[] = {
        OIOSAML_DENY_ASSERTION_COUNT,   /* good one in ds:Object */
        OIOSAML_DENY_ASSERTION_COUNT,   /* good one in Extensions */
        OIOSAML_DENY_SIG_REFERENCE,     /* good one removed */
        OIOSAML_DENY_SIGNATURE          /* removed, evil takes its ID */
    };

    for (i = 0; i < 4; i++) {
        doc = signed_doc(TESTIDP_SIGN_ASSERTION);
        good = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                       "Assertion");
        evil = xmlCopyNode(good, 1);
        set_name_id(evil, "mallory");

        if (i != 3) {
            xmlSetProp(evil, BAD_CAST "ID", BAD_CAST "_evil");
        }

        xmlAddNextSibling(good, evil);
        xmlUnlinkNode(good);

        switch (i) {
        case 0:
            sig = oiosaml_xml_child(evil, OIOSAML_NS_DS, "Signature");
            obj = xmlNewDocNode(doc, sig->ns, BAD_CAST "Object", NULL);
            xmlAddChild(sig, obj);
            xmlAddChild(obj, good);
            break;
        case 1:
            xmlAddChild(extensions(doc), good);
            break;
        default:
            xmlFreeNode(good);
            break;
        }

        expect_xsw(doc, want[i]);
    }
}


/* XSW 3: another element carries the signed ID */
static void
test_xsw_duplicate_id(void **state)
{
    size_t      i;
    xmlChar    *id;
    xmlDocPtr   doc;
    xmlNodePtr  root, good, n;

    for (i = 0; i < 3; i++) {
        doc = signed_doc(TESTIDP_SIGN_ASSERTION);
        root = xmlDocGetRootElement(doc);
        good = node_of(root, OIOSAML_NS_SAML, "Assertion");
        id = xmlGetProp(good, BAD_CAST "ID");

        switch (i) {
        case 0:
            /* an element in Extensions */
            n = xmlNewDocNode(doc, NULL, BAD_CAST "Foo", NULL);
            xmlAddChild(extensions(doc), n);
            xmlSetProp(n, BAD_CAST "ID", id);
            break;
        case 1:
            /* the Response itself */
            xmlSetProp(root, BAD_CAST "ID", id);
            break;
        default:
            /* an evil assertion with the same ID; the good one renamed */
            n = xmlCopyNode(good, 1);
            set_name_id(n, "mallory");
            xmlAddNextSibling(good, n);
            xmlUnlinkNode(good);
            xmlNodeSetName(good, BAD_CAST "Kept");
            xmlAddChild(extensions(doc), good);
            break;
        }

        xmlFree(id);
        expect_xsw(doc, OIOSAML_DENY_DUPLICATE_ID);
    }
}


/* XSW 4: xml:id, Id or id decoys with the signed ID value */
static void
test_xsw_id_decoys(void **state)
{
    size_t      i;
    xmlNsPtr    xml;
    xmlChar    *id;
    xmlDocPtr   doc;
    xmlNodePtr  root, good, target;

    for (i = 0; i < 4; i++) {
        doc = signed_doc(TESTIDP_SIGN_ASSERTION);
        root = xmlDocGetRootElement(doc);
        good = node_of(root, OIOSAML_NS_SAML, "Assertion");
        id = xmlGetProp(good, BAD_CAST "ID");
        target = oiosaml_xml_child(root, OIOSAML_NS_SAMLP, "Status");

        switch (i) {
        case 0:
            xml = xmlSearchNs(doc, target, BAD_CAST "xml");
            assert_non_null(xml);
            xmlSetNsProp(target, xml, BAD_CAST "id", id);
            break;
        case 1:
            xmlSetProp(target, BAD_CAST "Id", id);
            break;
        case 2:
            xmlSetProp(target, BAD_CAST "id", id);
            break;
        default:
            /* on the signed assertion itself */
            xml = xmlSearchNs(doc, good, BAD_CAST "xml");
            xmlSetNsProp(good, xml, BAD_CAST "id", id);
            break;
        }

        xmlFree(id);
        expect_xsw(doc, OIOSAML_DENY_DUPLICATE_ID);
    }
}


/*
 * XSW 5: a comment in the signed NameID.  Exclusive C14N drops comments,
 * so the signature still holds; the identity must be the whole text.
 */
static void
test_comment_in_name_id(void **state)
{
    char                *b64;
    xmlChar             *out;
    int                  size;
    xmlDocPtr            doc;
    xmlNodePtr           nid;
    oiosaml_err_t        err;
    testidp_knobs_t      k;
    oiosaml_pending_t    pending;
    oiosaml_identity_t  *id;

    t_knobs(&k);
    k.nameid = "alice.evil";
    doc = t_response_doc(idp, NULL, &k, now);
    expect_doc(sp, doc, OIOSAML_OK, NULL);

    nid = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "NameID");
    xmlNodeSetContent(nid, NULL);
    xmlAddChild(nid, xmlNewDocText(doc, BAD_CAST "alice"));
    xmlAddChild(nid, xmlNewDocComment(doc, BAD_CAST ""));
    xmlAddChild(nid, xmlNewDocText(doc, BAD_CAST ".evil"));

    xmlDocDumpMemory(doc, &out, &size);
    assert_non_null(strstr((char *) out, ">alice<!---->.evil</"));
    xmlFree(out);

    t_pending(&pending);
    b64 = t_doc_b64(doc);
    assert_int_equal(t_verify(sp, b64, &pending, now, NULL, &id, &err),
                     OIOSAML_OK);
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_USER, NULL),
                        "alice.evil");
    oiosaml_identity_free(id);
    free(b64);

    /* the text itself is signed: changing it is refused */
    xmlNodeSetContent(nid->last, BAD_CAST ".EVIL");
    expect_doc(sp, doc, OIOSAML_DENY_SIGNATURE, NULL);
    xmlFreeDoc(doc);
}


/* XSW on a signed Response: content swapped, or the Response wrapped */
static void
test_xsw_response(void **state)
{
    xmlDocPtr      doc, evil;
    xmlNodePtr     root, a, ext;
    oiosaml_sp_t  *s;

    s = sp_with(OIOSAML_SIGNED_RESPONSE, 0);

    doc = signed_doc(TESTIDP_SIGN_RESPONSE);
    expect_doc(s, doc, OIOSAML_OK, NULL);
    a = node_of(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
    set_name_id(a, "mallory");
    expect_doc(s, doc, OIOSAML_DENY_SIGNATURE, "on Response");
    xmlFreeDoc(doc);

    /* an unsigned evil Response holding the signed one in Extensions */
    doc = signed_doc(TESTIDP_SIGN_RESPONSE);
    evil = signed_doc(TESTIDP_SIGN_NONE);
    root = xmlDocGetRootElement(evil);
    set_name_id(node_of(root, OIOSAML_NS_SAML, "Assertion"), "mallory");
    ext = extensions(evil);
    xmlAddChild(ext, xmlDocCopyNode(xmlDocGetRootElement(doc), evil, 1));
    xmlFreeDoc(doc);
    expect_doc(s, evil, OIOSAML_DENY_ASSERTION_COUNT, NULL);
    xmlFreeDoc(evil);

    oiosaml_sp_free(s);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_signed_policy),
        cmocka_unit_test(test_sha1),
        cmocka_unit_test(test_algorithms),
        cmocka_unit_test(test_wrong_key_and_tampering),
        cmocka_unit_test(test_key_rollover),
        cmocka_unit_test(test_certificate_validity),
        cmocka_unit_test(test_key_info_ignored),
        cmocka_unit_test(test_signature_shape),
        cmocka_unit_test(test_assertion_without_id),
        cmocka_unit_test(test_assertion_count),
        cmocka_unit_test(test_xsw_extensions),
        cmocka_unit_test(test_xsw_copied_signature),
        cmocka_unit_test(test_xsw_duplicate_id),
        cmocka_unit_test(test_xsw_id_decoys),
        cmocka_unit_test(test_comment_in_name_id),
        cmocka_unit_test(test_xsw_response),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
