
/*
 * The attack catalogue (docs/security.md), section B: signature and key
 * handling, SIG-01 to SIG-16, through oiosaml_response_verify() and, for
 * the HTTP-Redirect binding, oiosaml_slo_parse_redirect().  Responses are
 * signed by the test IdP with its real key and changed afterwards; the
 * attacker signs with keys of its own (a fresh RSA key, HMAC keys made
 * from the IdP's public certificate) or with another trusted IdP's.
 * "Evil edit": the NameID becomes "admin".  NO-FETCH cases listen on a
 * loopback port that nothing may connect to.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_ALICE     "https://data.gov.dk/model/core/eid/professional/uuid/" \
                    "persistent/alice"
#define T_DSIG      "http://www.w3.org/2000/09/xmldsig#"
#define T_MORE      "http://www.w3.org/2001/04/xmldsig-more#"


static void sign_with(xmlNodePtr node, xmlSecKeyPtr key,
    xmlSecTransformId sig, int key_value);
static char *evil_copy(xmlDocPtr doc, xmlNodePtr *ref);
static char *clone_cert(EVP_PKEY *attacker);
static xmlDocPtr issued(testidp_t *signer, const char *resp_issuer,
    const char *asrt_issuer, const char *irt);
static unsigned char *hmac_key(size_t which, size_t *len);
static void redirect_hmac_refused(const char *url, const unsigned char *key,
    size_t klen);


static oiosaml_sp_t       *sp;         /* signed=assertion (the default) */
static oiosaml_sp_t       *sp_resp;    /* signed=response */
static testidp_t          *idp;
static time_t              now;
static oiosaml_pending_t   pending;


/*
 * IdPs "test" (T_IDP, idp.crt) and "other" (T_OTHER, idp-wrong.crt), both
 * trusted by the same SP; IdP-initiated login allowed, so that the
 * Issuer alone names the IdP.
 */
static int
setup(void **state)
{
    sp = t_sp(NULL);
    sp_resp = t_sp_signed(OIOSAML_SIGNED_RESPONSE);
    idp = t_testidp(NULL, NULL);
    now = t_now();
    t_pending(&pending);

    return 0;
}


static int
teardown(void **state)
{
    oiosaml_sp_free(sp);
    oiosaml_sp_free(sp_resp);
    testidp_free(idp);

    return 0;
}


/*
 * An enveloped signature of node (after its Issuer) with any key and
 * signature algorithm, SHA-256 digest, exclusive C14N; key_value: with a
 * ds:KeyValue that xmlsec fills from the key.
 */
static void
sign_with(xmlNodePtr node, xmlSecKeyPtr key, xmlSecTransformId sig,
    int key_value)
{
    char              uri[300];
    xmlChar          *id;
    xmlNodePtr        tmpl, ref, ki;
    xmlSecDSigCtxPtr  ctx;

    id = xmlGetProp(node, BAD_CAST "ID");
    assert_non_null(id);
    assert_int_equal(testidp_xml_id(node, (const char *) id), 0);
    snprintf(uri, sizeof(uri), "#%s", (const char *) id);
    xmlFree(id);

    tmpl = xmlSecTmplSignatureCreateNsPref(node->doc,
                                           xmlSecTransformExclC14NId, sig,
                                           NULL, BAD_CAST "ds");
    assert_non_null(tmpl);
    xmlAddNextSibling(t_need(node, OIOSAML_NS_SAML, "Issuer"), tmpl);

    ref = xmlSecTmplSignatureAddReference(tmpl, xmlSecTransformSha256Id,
                                          NULL, BAD_CAST uri, NULL);
    assert_non_null(ref);
    assert_non_null(xmlSecTmplReferenceAddTransform(ref,
                                                xmlSecTransformEnvelopedId));
    assert_non_null(xmlSecTmplReferenceAddTransform(ref,
                                                xmlSecTransformExclC14NId));

    if (key_value) {
        ki = xmlSecTmplSignatureEnsureKeyInfo(tmpl, NULL);
        assert_non_null(ki);
        assert_non_null(xmlSecTmplKeyInfoAddKeyValue(ki));
    }

    ctx = xmlSecDSigCtxCreate(NULL);
    assert_non_null(ctx);
    ctx->signKey = xmlSecKeyDuplicate(key);
    assert_non_null(ctx->signKey);
    assert_int_equal(xmlSecDSigCtxSign(ctx, tmpl), 0);
    xmlSecDSigCtxDestroy(ctx);
}


/*
 * The Reference (with its DigestValue) that a signature over the evil
 * edit of doc's assertion has: made on a copy, re-signed with the IdP's
 * key.  Returns the DigestValue text, *ref the Reference (in the copy,
 * which the caller frees with xmlFreeDoc(ref->doc)).
 */
static char *
evil_copy(xmlDocPtr doc, xmlNodePtr *ref)
{
    char        *digest;
    xmlChar     *v;
    xmlDocPtr    copy;
    xmlNodePtr   a;

    copy = xmlCopyDoc(doc, 1);
    a = t_assertion_of(copy);
    t_evil_edit(a);
    t_unsign(a);
    t_sign(idp, a, 0);

    *ref = t_need(t_signature_of(a), OIOSAML_NS_DS, "Reference");
    v = xmlNodeGetContent(t_need(*ref, OIOSAML_NS_DS, "DigestValue"));
    digest = strdup((char *) v);
    xmlFree(v);

    return digest;
}


/*
 * NO-FETCH: a listening socket on 127.0.0.1 that nothing may connect to.
 * Everything the library does is synchronous, so a connection attempt
 * would be waiting in the backlog when t_canary_silent() looks.
 */


/* ---- B. Signature and key handling ------------------------------------ */


/* SIG-01: every signature removed, from each baseline */
static void
test_sig01_signature_exclusion(void **state)
{
    char             *b64;
    xmlDocPtr         doc;
    testidp_knobs_t   k;

    doc = t_signed_doc(idp, TESTIDP_SIGN_RESPONSE);
    t_unsign(xmlDocGetRootElement(doc));
    t_refused_doc(sp_resp, doc, &pending, OIOSAML_DENY_UNSIGNED, "must sign");

    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    t_unsign(t_assertion_of(doc));
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_UNSIGNED, "must sign");

    doc = t_signed_doc(idp, TESTIDP_SIGN_BOTH);
    t_unsign(xmlDocGetRootElement(doc));
    t_unsign(t_assertion_of(doc));
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_UNSIGNED, "must sign");

    /* B4: an unsigned assertion, encrypted */
    t_knobs(&k);
    k.sign = TESTIDP_SIGN_NONE;
    k.encrypt = TESTIDP_ENC_AES256_GCM;
    b64 = t_response(idp, NULL, &k, now);
    t_expect(sp, b64, &pending, now, OIOSAML_DENY_UNSIGNED, "must sign");
    t_expect(sp_resp, b64, &pending, now, OIOSAML_DENY_UNSIGNED,
             "must sign");
    free(b64);
}


/*
 * SIG-02: empty or partial signatures: no crash, refused; without KeyInfo
 * (only metadata keys count anyway) accepted.
 */
static void
test_sig02_partial_signatures(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  sig, n;

    static const oiosaml_status_t  want[] = {
        OIOSAML_DENY_SIGNATURE, OIOSAML_DENY_SIG_REFERENCE,
        OIOSAML_DENY_SIG_REFERENCE, OIOSAML_DENY_SIGNATURE,
        OIOSAML_DENY_SIGNATURE, OIOSAML_DENY_SIG_REFERENCE
    };

    for (i = 0; i < 7; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        sig = t_signature_of(t_assertion_of(doc));

        switch (i) {
        case 0:
            /* (a) an empty SignatureValue */
            xmlNodeSetContent(t_need(sig, OIOSAML_NS_DS, "SignatureValue"),
                              NULL);
            break;
        case 1:
            /* (b) SignedInfo without Reference */
            t_drop(t_need(sig, OIOSAML_NS_DS, "Reference"));
            break;
        case 2:
            /* (c) no SignedInfo */
            t_drop(t_need(sig, OIOSAML_NS_DS, "SignedInfo"));
            break;
        case 3:
            /* (d) a SignatureValue that is not base64 */
            xmlNodeSetContent(t_need(sig, OIOSAML_NS_DS, "SignatureValue"),
                              BAD_CAST "!!! not base64 !!!");
            break;
        case 4:
            /* an empty DigestValue */
            xmlNodeSetContent(t_need(sig, OIOSAML_NS_DS, "DigestValue"), NULL);
            break;
        case 5:
            /* an empty Signature element */
            while ((n = sig->children) != NULL) {
                t_drop(n);
            }

            break;
        default:
            /* (e) no KeyInfo: fine */
            t_drop(t_need(sig, OIOSAML_NS_DS, "KeyInfo"));
            t_expect_user_doc(sp, doc, &pending, T_ALICE);
            continue;
        }

        t_refused_doc(sp, doc, &pending, want[i], NULL);
    }
}


/*
 * The IdP's certificate with the attacker's key: subject, issuer, serial
 * and validity copied (SAMLRaider's "clone certificate").
 */
static char *
clone_cert(EVP_PKEY *attacker)
{
    int             n;
    char           *b64;
    X509           *x;
    unsigned char  *der;

    x = X509_dup(idp->signer->cert);
    assert_non_null(x);
    assert_int_equal(X509_set_pubkey(x, attacker), 1);
    assert_true(X509_sign(x, attacker, EVP_sha256()) > 0);

    der = NULL;
    n = i2d_X509(x, &der);
    assert_true(n > 0);
    b64 = t_b64(der, (size_t) n);

    OPENSSL_free(der);
    X509_free(x);

    return b64;
}


/*
 * SIG-03: the evil edit re-signed with the attacker's key, the attacker's
 * certificate in KeyInfo: a fresh one, or a clone of the IdP's.  Only the
 * metadata's keys are tried.
 */
static void
test_sig03_certificate_in_key_info(void **state)
{
    size_t        i;
    char         *cert;
    EVP_PKEY     *attacker;
    xmlDocPtr     doc;
    xmlNodePtr    a, ki;
    xmlSecKeyPtr  key;

    attacker = EVP_RSA_gen(2048);
    assert_non_null(attacker);
    key = oiosaml_xmlsec_key(attacker);
    assert_non_null(key);

    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        a = t_assertion_of(doc);
        t_evil_edit(a);
        t_unsign(a);
        sign_with(a, key, xmlSecTransformRsaSha256Id, 0);

        cert = (i == 0) ? strdup(idp->wrong->cert_b64) : clone_cert(attacker);
        ki = xmlNewChild(t_signature_of(a), t_signature_of(a)->ns,
                         BAD_CAST "KeyInfo", NULL);
        ki = xmlNewChild(ki, ki->ns, BAD_CAST "X509Data", NULL);
        xmlNewTextChild(ki, ki->ns, BAD_CAST "X509Certificate",
                        BAD_CAST cert);
        free(cert);

        t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE,
                      "does not verify");
    }

    xmlSecKeyDestroy(key);
    EVP_PKEY_free(attacker);
}


/* SIG-04: the attacker's raw key in ds:KeyValue or DEREncodedKeyValue */
static void
test_sig04_raw_key_value(void **state)
{
    int             n;
    char           *b64;
    EVP_PKEY       *attacker;
    xmlDocPtr       doc;
    xmlNodePtr      a, ki;
    xmlSecKeyPtr    key;
    unsigned char  *der;

    attacker = EVP_RSA_gen(2048);
    assert_non_null(attacker);
    key = oiosaml_xmlsec_key(attacker);
    assert_non_null(key);

    /* RSAKeyValue, written by xmlsec from the key */
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    a = t_assertion_of(doc);
    t_evil_edit(a);
    t_unsign(a);
    sign_with(a, key, xmlSecTransformRsaSha256Id, 1);
    assert_non_null(t_find(a, OIOSAML_NS_DS, "RSAKeyValue"));
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE, "does not verify");

    /* DEREncodedKeyValue (XML Signature 1.1) */
    der = NULL;
    n = i2d_PUBKEY(attacker, &der);
    assert_true(n > 0);
    b64 = t_b64(der, (size_t) n);
    OPENSSL_free(der);

    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    a = t_assertion_of(doc);
    t_evil_edit(a);
    t_unsign(a);
    sign_with(a, key, xmlSecTransformRsaSha256Id, 0);
    ki = t_add_xml(t_signature_of(a), "<ds:KeyInfo xmlns:ds=\"" T_DSIG "\">"
                 "<dsig11:DEREncodedKeyValue xmlns:dsig11=\"http://www.w3.org"
                 "/2009/xmldsig11#\">%s</dsig11:DEREncodedKeyValue>"
                 "</ds:KeyInfo>", b64);
    assert_non_null(ki);
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE, "does not verify");

    free(b64);
    xmlSecKeyDestroy(key);
    EVP_PKEY_free(attacker);
}


/*
 * alice's response with these Issuers, InResponseTo as the knob says,
 * the assertion signed by "signer"
 */
static xmlDocPtr
issued(testidp_t *signer, const char *resp_issuer, const char *asrt_issuer,
    const char *irt)
{
    xmlDocPtr         doc;
    xmlNodePtr        a;
    testidp_knobs_t   k;

    t_knobs(&k);
    k.sign = TESTIDP_SIGN_NONE;
    k.in_response_to = irt;
    doc = t_response_doc(idp, NULL, &k, now);
    a = t_assertion_of(doc);

    xmlNodeSetContent(t_need(xmlDocGetRootElement(doc), OIOSAML_NS_SAML,
                           "Issuer"), BAD_CAST resp_issuer);
    xmlNodeSetContent(t_need(a, OIOSAML_NS_SAML, "Issuer"),
                      BAD_CAST asrt_issuer);
    t_sign(signer, a, 0);

    return doc;
}


/*
 * SIG-05: IdP "test" and IdP "other" are both trusted; a response from
 * one signed with the other's real key, or with the Issuers mixed, is
 * refused: keys are those of the IdP the login went to (or, without a
 * login, of the Issuer), for both the Response and the Assertion.
 */
static void
test_sig05_other_idps_key(void **state)
{
    testidp_t          *other;
    oiosaml_sp_t       *two;
    oiosaml_pending_t   p;

    two = t_sp_two_keys();
    other = t_testidp("idp-wrong", NULL);
    t_pending(&p);

    /* control: each IdP's own answer */
    t_expect_user_doc(two, issued(idp, T_IDP, T_IDP, NULL), &p, T_ALICE);
    strcpy(p.idp_id, "other");
    t_expect_user_doc(two, issued(other, T_OTHER, T_OTHER, NULL), &p, T_ALICE);

    /* "test"'s login, answered as "test" with "other"'s key */
    strcpy(p.idp_id, "test");
    t_refused_doc(two, issued(other, T_IDP, T_IDP, NULL), &p,
                  OIOSAML_DENY_SIGNATURE, "does not verify");

    /* the assertion "other"'s, signed by it, in "test"'s Response */
    t_refused_doc(two, issued(other, T_IDP, T_OTHER, NULL), &p,
                  OIOSAML_DENY_ISSUER, "other.test");

    /* "other"'s login answered by "test" */
    strcpy(p.idp_id, "other");
    t_refused_doc(two, issued(idp, T_IDP, T_IDP, NULL), &p, OIOSAML_DENY_ISSUER,
                  NULL);

    /* IdP-initiated: the Issuer chooses the keys, once for both */
    t_refused_doc(two, issued(other, T_IDP, T_OTHER, "omit"), NULL,
                  OIOSAML_DENY_ISSUER, "other.test");
    t_refused_doc(two, issued(idp, T_OTHER, T_OTHER, "omit"), NULL,
                  OIOSAML_DENY_SIGNATURE, "does not verify");
    t_expect_user_doc(two, issued(other, T_OTHER, T_OTHER, "omit"), NULL,
                      T_ALICE);

    testidp_free(other);
    oiosaml_sp_free(two);
}


/* the IdP's public certificate as HMAC key material: PEM, DER, SPKI */
static unsigned char *
hmac_key(size_t which, size_t *len)
{
    int             n;
    FILE           *f;
    unsigned char  *buf, *der;

    switch (which) {
    case 0:
        buf = malloc(8192);
        f = fopen(t_cert("idp.crt"), "r");
        assert_non_null(f);
        *len = fread(buf, 1, 8192, f);
        fclose(f);
        return buf;

    case 1:
        buf = testidp_b64_decode(idp->signer->cert_b64,
                                 strlen(idp->signer->cert_b64), len);
        assert_non_null(buf);
        return buf;

    default:
        der = NULL;
        n = i2d_PUBKEY(X509_get0_pubkey(idp->signer->cert), &der);
        assert_true(n > 0);
        buf = malloc((size_t) n);
        memcpy(buf, der, (size_t) n);
        OPENSSL_free(der);
        *len = (size_t) n;
        return buf;
    }
}


/* a redirect URL re-signed with HMAC-SHA256 under key */
static void
redirect_hmac_refused(const char *url, const unsigned char *key,
    size_t klen)
{
    char            *q, *b64, *enc;
    size_t           n;
    unsigned int     maclen;
    oiosaml_err_t    err;
    oiosaml_slo_t    slo;
    unsigned char    mac[EVP_MAX_MD_SIZE];

    q = malloc(strlen(url) + 1024);
    strcpy(q, strchr(url, '?') + 1);
    n = (size_t) (strstr(q, "&SigAlg=") - q);
    strcpy(q + n, "&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2F"
           "xmldsig-more%23hmac-sha256");

    assert_non_null(HMAC(EVP_sha256(), key, (int) klen,
                         (unsigned char *) q, strlen(q), mac, &maclen));
    b64 = t_b64(mac, maclen);
    enc = testidp_url_encode(b64, strlen(b64));
    strcat(q, "&Signature=");
    strcat(q, enc);

    oiosaml_err_clear(&err);
    assert_int_equal(oiosaml_slo_parse_redirect(sp, q, strlen(q), now, &slo,
                                                &err),
                     OIOSAML_DENY_SIG_ALGORITHM);
    assert_non_null(strstr(err.text, "hmac-sha256"));

    free(enc);
    free(b64);
    free(q);
}


/*
 * SIG-06 (CVE-2018-7644): HMAC keyed with the IdP's public certificate
 * (PEM text, DER, SubjectPublicKeyInfo), in an XML signature and as the
 * SigAlg of an HTTP-Redirect LogoutRequest and LogoutResponse.  No HMAC
 * algorithm is accepted from an IdP.
 */
static void
test_sig06_hmac_with_public_key(void **state)
{
    char               *url[2];
    size_t              i, j, klen;
    xmlDocPtr           doc;
    xmlNodePtr          a;
    xmlSecKeyPtr        key;
    testidp_err_t       terr;
    oiosaml_err_t       err;
    oiosaml_slo_t       slo;
    unsigned char      *kb;
    testidp_request_t   req;

    static xmlSecTransformId  algs[2];

    algs[0] = xmlSecTransformHmacSha1Id;
    algs[1] = xmlSecTransformHmacSha256Id;

    memset(&terr, 0, sizeof(terr));
    assert_int_equal(testidp_logout_request(idp, T_ALICE, NULL, now, &url[0],
                                            &terr), 0);
    memset(&req, 0, sizeof(req));
    req.id = (char *) "_0123456789abcdef";
    assert_int_equal(testidp_logout_response(idp, &req, now, &url[1], &terr),
                     0);

    for (j = 0; j < 2; j++) {
        /* control: the IdP's RSA signature is accepted */
        oiosaml_err_clear(&err);
        assert_int_equal(oiosaml_slo_parse_redirect(sp,
                             strchr(url[j], '?') + 1,
                             strlen(strchr(url[j], '?') + 1), now, &slo,
                             &err), OIOSAML_OK);
    }

    for (i = 0; i < 3; i++) {
        kb = hmac_key(i, &klen);

        for (j = 0; j < 2; j++) {
            key = xmlSecKeyReadMemory(xmlSecKeyDataHmacId, kb, klen);
            assert_non_null(key);
            doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
            a = t_assertion_of(doc);
            t_evil_edit(a);
            t_unsign(a);
            sign_with(a, key, algs[j], 0);
            xmlSecKeyDestroy(key);
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_ALGORITHM,
                          "signature algorithm");

            redirect_hmac_refused(url[j], kb, klen);
        }

        free(kb);
    }

    free(url[0]);
    free(url[1]);
}


/* SIG-07 (CVE-2009-0217): HMAC truncated by HMACOutputLength */
static void
test_sig07_hmac_output_length(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  sm;

    static const char  *lengths[] = { "0", "8", "40", "80", "160", "512" };

    for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        sm = t_need(t_assertion_of(doc), OIOSAML_NS_DS, "SignatureMethod");
        xmlSetProp(sm, BAD_CAST "Algorithm", BAD_CAST T_DSIG "hmac-sha1");
        xmlNewTextChild(sm, sm->ns, BAD_CAST "HMACOutputLength",
                        BAD_CAST lengths[i]);
        xmlNodeSetContent(t_need(t_assertion_of(doc), OIOSAML_NS_DS,
                               "SignatureValue"), BAD_CAST "AAAAAA==");
        t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_ALGORITHM,
                      "hmac-sha1");
    }
}


/*
 * SIG-08: weak and unknown algorithms are refused before any
 * cryptography; an allowed ECDSA URI on an RSA signature does not verify;
 * an RSA key under 2048 bits is refused when the metadata is loaded.
 */
static void
test_sig08_weak_algorithms(void **state)
{
    size_t               i;
    xmlDocPtr            doc;
    oiosaml_err_t        err;
    oiosaml_idp_t       *i1024;
    oiosaml_idp_conf_t   ic;

    static const char  *sigs[] = {
        T_DSIG "dsa-sha1", T_MORE "rsa-md5", T_MORE "rsa-ripemd160",
        T_MORE "ecdsa-sha1", T_MORE "rsa-sha224", T_DSIG "rsa-sha1",
        "http://www.w3.org/2009/xmldsig11#dsa-sha256", "urn:x:unknown", ""
    };

    static const char  *digests[] = {
        T_DSIG "sha1", T_MORE "md5", "http://www.w3.org/2001/04/xmlenc#"
        "ripemd160", T_MORE "sha224", "urn:x:unknown"
    };

    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        xmlSetProp(t_need(t_assertion_of(doc), OIOSAML_NS_DS,
                          "SignatureMethod"),
                   BAD_CAST "Algorithm", BAD_CAST sigs[i]);
        t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_ALGORITHM, NULL);
    }

    for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        xmlSetProp(t_need(t_assertion_of(doc), OIOSAML_NS_DS, "DigestMethod"),
                   BAD_CAST "Algorithm", BAD_CAST digests[i]);
        t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_ALGORITHM,
                      "digest algorithm");
    }

    /* the key type must fit the algorithm */
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    xmlSetProp(t_need(t_assertion_of(doc), OIOSAML_NS_DS, "SignatureMethod"),
               BAD_CAST "Algorithm", BAD_CAST T_MORE "ecdsa-sha256");
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE, NULL);

    /* RSA-1024 in the metadata */
    t_genkey("unit-atk-1024", "rsa1024", NULL);
    memset(&ic, 0, sizeof(ic));
    ic.id = "weak";
    ic.profile = OIOSAML_PROFILE_OIOSAML3;
    ic.metadata_file = t_idp_metadata("unit-atk-1024.xml", T_IDP,
                                      "build/tmp/unit-atk-1024.crt", NULL);
    oiosaml_err_clear(&err);
    assert_int_not_equal(oiosaml_idp_new(&ic, T_NOW, &i1024, &err),
                         OIOSAML_OK);
    assert_non_null(strstr(err.text, "2048"));
}


/*
 * SIG-09: References other than "#" + the signed element's ID: to the
 * Response from the assertion, to other documents (nothing is fetched),
 * XPointer.
 */
static void
test_sig09_reference_manipulation(void **state)
{
    int          fd, port;
    char         uri[300];
    size_t       i;
    xmlChar     *rid, *aid;
    xmlDocPtr    doc;
    xmlNodePtr   ref;

    fd = t_canary_open(&port);

    for (i = 0; i < 6; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        rid = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "ID");
        aid = xmlGetProp(t_assertion_of(doc), BAD_CAST "ID");
        ref = t_need(t_signature_of(t_assertion_of(doc)), OIOSAML_NS_DS,
                   "Reference");

        switch (i) {
        case 0:
            snprintf(uri, sizeof(uri), "#%s", (char *) rid);
            break;
        case 1:
            snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/x", port);
            break;
        case 2:
            snprintf(uri, sizeof(uri), "file:///etc/passwd");
            break;
        case 3:
            snprintf(uri, sizeof(uri), "#xpointer(/)");
            break;
        case 4:
            snprintf(uri, sizeof(uri), "#xpointer(id('%s'))", (char *) aid);
            break;
        default:
            snprintf(uri, sizeof(uri), "%s", "");
            break;
        }

        xmlFree(rid);
        xmlFree(aid);
        xmlSetProp(ref, BAD_CAST "URI", BAD_CAST uri);
        t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_REFERENCE,
                      "Reference URI");
    }

    t_canary_silent(fd);
}


/*
 * SIG-10: transforms beyond enveloped-signature and C14N (XSLT that
 * would fetch, XPath, XPath Filter 2, XPointer, Base64, unknown) are
 * refused before any is run, and nothing is fetched.  Allowed ones added
 * (C14N three times, enveloped twice) change SignedInfo: refused.
 */
static void
test_sig10_transform_injection(void **state)
{
    int          fd, port;
    size_t       i;
    xmlDocPtr    doc;
    xmlNodePtr   tr, t;

    static const char  *algs[] = {
        "http://www.w3.org/TR/1999/REC-xslt-19991116",
        "http://www.w3.org/TR/1999/REC-xpath-19991116",
        "http://www.w3.org/2002/06/xmldsig-filter2",
        "http://www.w3.org/2001/04/xmldsig-more/xptr",
        T_DSIG "base64",
        "urn:x:unknown"
    };

    fd = t_canary_open(&port);

    for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        tr = t_need(t_assertion_of(doc), OIOSAML_NS_DS, "Transforms");
        t = t_add_xml(tr, "<ds:Transform xmlns:ds=\"" T_DSIG "\" Algorithm="
                    "\"%s\"><xsl:stylesheet xmlns:xsl=\"http://www.w3.org/"
                    "1999/XSL/Transform\" version=\"1.0\"><xsl:template "
                    "match=\"/\"><xsl:copy-of select=\"document('http://"
                    "127.0.0.1:%d/xslt')\"/></xsl:template></xsl:stylesheet>"
                    "</ds:Transform>", algs[i], port);

        if (i % 2) {
            /* first, before the enveloped transform */
            xmlUnlinkNode(t);
            xmlAddPrevSibling(oiosaml_xml_first(tr), t);
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_ALGORITHM,
                          "transform algorithm");

        } else {
            /* last: nothing may follow the canonicalization */
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_REFERENCE,
                          "after canonicalization");
        }
    }

    t_canary_silent(fd);

    /*
     * Allowed ones added, out of SAML's shape (enveloped, then one
     * canonicalization): refused before xmlsec runs the chain, which
     * for [enveloped, c14n, enveloped] leaks in xmlsec 1.2.37.
     */
    for (i = 0; i < 3; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        tr = t_need(t_assertion_of(doc), OIOSAML_NS_DS, "Transforms");
        t = oiosaml_xml_first(tr);

        if (i == 0) {
            xmlAddChild(tr, xmlCopyNode(oiosaml_xml_next(t), 1));
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_REFERENCE,
                          "after canonicalization");

        } else if (i == 1) {
            xmlAddPrevSibling(t, xmlCopyNode(t, 1));
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_REFERENCE,
                          "two enveloped-signature transforms");

        } else {
            xmlAddChild(tr, xmlCopyNode(t, 1));
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_REFERENCE,
                          "after canonicalization");
        }
    }
}


/*
 * SIG-11 (xml-crypto CVE-2025-29774): two SignedInfo in one Signature,
 * side by side, or the second wrapped in a foreign element.
 */
static void
test_sig11_two_signed_info(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  sig, si, copy, w;

    static const oiosaml_status_t  want[] = {
        OIOSAML_DENY_SIGNATURE, OIOSAML_DENY_SIGNATURE,
        OIOSAML_DENY_SIG_REFERENCE
    };

    for (i = 0; i < 3; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        sig = t_signature_of(t_assertion_of(doc));
        si = t_need(sig, OIOSAML_NS_DS, "SignedInfo");
        copy = xmlCopyNode(si, 1);
        xmlSetProp(t_need(copy, OIOSAML_NS_DS, "Reference"), BAD_CAST "URI",
                   BAD_CAST "#_evil");

        switch (i) {
        case 0:
            xmlAddNextSibling(si, copy);
            break;
        case 1:
            w = xmlNewDocNode(doc, NULL, BAD_CAST "Wrapper", NULL);
            xmlAddChild(sig, w);
            xmlAddChild(w, copy);
            break;
        default:
            w = xmlNewDocNode(doc, NULL, BAD_CAST "Wrapper", NULL);
            xmlAddPrevSibling(si, w);
            xmlAddChild(w, copy);
            break;
        }

        t_evil_edit(t_assertion_of(doc));
        t_refused_doc(sp, doc, &pending, want[i], NULL);
    }
}


/*
 * SIG-12 (xml-crypto CVE-2025-29775): comments in DigestValue.  The
 * value is the text of the SignedInfo that was verified, comments left
 * out on both sides: a comment changes nothing, hiding the real or the
 * evil digest in one does not help.
 */
static void
test_sig12_comment_in_digest_value(void **state)
{
    char        *evil, *real;
    size_t       i, n;
    xmlChar     *v;
    xmlDocPtr    doc;
    xmlNodePtr   dv, ref;

    for (i = 0; i < 3; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        evil = evil_copy(doc, &ref);
        xmlFreeDoc(ref->doc);

        dv = t_need(t_assertion_of(doc), OIOSAML_NS_DS, "DigestValue");
        v = xmlNodeGetContent(dv);
        real = strdup((char *) v);
        xmlFree(v);
        xmlNodeSetContent(dv, NULL);

        switch (i) {
        case 0:
            /* control: the real digest split by a comment */
            n = strlen(real) / 2;
            xmlAddChild(dv, xmlNewDocTextLen(doc, BAD_CAST real, (int) n));
            xmlAddChild(dv, xmlNewDocComment(doc, BAD_CAST "x"));
            xmlAddChild(dv, xmlNewDocText(doc, BAD_CAST real + n));
            t_expect_user_doc(sp, doc, &pending, T_ALICE);
            break;
        case 1:
            xmlAddChild(dv, xmlNewDocComment(doc, BAD_CAST real));
            xmlAddChild(dv, xmlNewDocText(doc, BAD_CAST evil));
            t_evil_edit(t_assertion_of(doc));
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE, NULL);
            break;
        default:
            xmlAddChild(dv, xmlNewDocText(doc, BAD_CAST real));
            xmlAddChild(dv, xmlNewDocComment(doc, BAD_CAST evil));
            t_evil_edit(t_assertion_of(doc));
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE, NULL);
            break;
        }

        free(real);
        free(evil);
    }
}


/*
 * SIG-13 (ruby-saml CVE-2024-45409): the evil assertion's Reference (a
 * correct digest of it) placed outside the verified SignedInfo: in
 * samlp:Extensions, samlp:StatusDetail, or a ds:Object.
 */
static void
test_sig13_reference_outside_signed_info(void **state)
{
    char        *evil;
    size_t       i;
    xmlDocPtr    doc;
    xmlNodePtr   ref, copy, sig, obj;

    for (i = 0; i < 3; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        evil = evil_copy(doc, &ref);
        free(evil);
        copy = xmlDocCopyNode(ref, doc, 1);
        xmlFreeDoc(ref->doc);

        switch (i) {
        case 0:
            xmlAddChild(t_extensions(doc), copy);
            break;
        case 1:
            xmlAddChild(t_status_detail(doc), copy);
            break;
        default:
            sig = t_signature_of(t_assertion_of(doc));
            obj = xmlNewDocNode(doc, sig->ns, BAD_CAST "Object", NULL);
            xmlAddChild(sig, obj);
            xmlAddChild(obj, copy);
            break;
        }

        t_evil_edit(t_assertion_of(doc));
        t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE, NULL);
    }
}


/*
 * SIG-14: a signature that is not a direct child of what it signs counts
 * as none; a second one (the Response's moved in) is refused.  Moved to
 * the end of the same assertion it still covers exactly that element:
 * accepted.
 */
static void
test_sig14_misplaced_signature(void **state)
{
    xmlDocPtr   doc;
    xmlNodePtr  a, sig;

    /* the assertion's signature in Extensions */
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    sig = t_signature_of(t_assertion_of(doc));
    xmlUnlinkNode(sig);
    xmlAddChild(t_extensions(doc), sig);
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_UNSIGNED, "must sign");

    /* ... in the Subject */
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    a = t_assertion_of(doc);
    sig = t_signature_of(a);
    xmlUnlinkNode(sig);
    xmlAddChild(t_need(a, OIOSAML_NS_SAML, "Subject"), sig);
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_UNSIGNED, "must sign");

    /* the Response's signature inside the signed assertion */
    doc = t_signed_doc(idp, TESTIDP_SIGN_BOTH);
    sig = t_signature_of(xmlDocGetRootElement(doc));
    xmlUnlinkNode(sig);
    xmlAddChild(t_assertion_of(doc), sig);
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIG_REFERENCE,
                  "2 signatures");

    /* ... inside an unsigned assertion, Response policy */
    doc = t_signed_doc(idp, TESTIDP_SIGN_RESPONSE);
    sig = t_signature_of(xmlDocGetRootElement(doc));
    xmlUnlinkNode(sig);
    xmlAddChild(t_assertion_of(doc), sig);
    t_refused_doc(sp_resp, doc, &pending, OIOSAML_DENY_SIG_REFERENCE,
                  "Reference URI");

    /* after the AttributeStatement, still the assertion's child */
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    a = t_assertion_of(doc);
    sig = t_signature_of(a);
    xmlUnlinkNode(sig);
    xmlAddChild(a, sig);
    t_expect_user_doc(sp, doc, &pending, T_ALICE);
}


/*
 * SIG-15: KeyInfo with RetrievalMethod (remote, local file, with an XSLT
 * transform) is never read: accepted, nothing fetched.  A ds:Manifest
 * pointing elsewhere is refused before anything is fetched.
 */
static void
test_sig15_remote_key_info(void **state)
{
    int          fd, port;
    size_t       i;
    xmlDocPtr    doc;
    xmlNodePtr   sig;

    fd = t_canary_open(&port);

    for (i = 0; i < 3; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        sig = t_signature_of(t_assertion_of(doc));
        t_drop(t_need(sig, OIOSAML_NS_DS, "KeyInfo"));

        if (i == 0) {
            t_add_xml(sig, "<ds:KeyInfo xmlns:ds=\"" T_DSIG "\"><ds:Retrieval"
                    "Method URI=\"http://127.0.0.1:%d/key\" Type=\"" T_DSIG
                    "X509Data\"/></ds:KeyInfo>", port);

        } else if (i == 1) {
            t_add_xml(sig, "<ds:KeyInfo xmlns:ds=\"" T_DSIG "\"><ds:Retrieval"
                    "Method URI=\"file:///etc/passwd\"/></ds:KeyInfo>");

        } else {
            t_add_xml(sig, "<ds:KeyInfo xmlns:ds=\"" T_DSIG "\"><ds:Retrieval"
                    "Method URI=\"#x\"><ds:Transforms><ds:Transform "
                    "Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116"
                    "\"><xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/"
                    "XSL/Transform\" version=\"1.0\"><xsl:template match="
                    "\"/\"><xsl:copy-of select=\"document('http://127.0.0.1:"
                    "%d/xslt')\"/></xsl:template></xsl:stylesheet>"
                    "</ds:Transform></ds:Transforms></ds:RetrievalMethod>"
                    "</ds:KeyInfo>", port);
        }

        t_expect_user_doc(sp, doc, &pending, T_ALICE);
    }

    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    sig = t_signature_of(t_assertion_of(doc));
    t_add_xml(sig, "<ds:Object xmlns:ds=\"" T_DSIG "\"><ds:Manifest>"
            "<ds:Reference URI=\"http://127.0.0.1:%d/manifest\">"
            "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#"
            "sha256\"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>"
            "</ds:Manifest></ds:Object>", port);
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE, NULL);

    t_canary_silent(fd);
}


/*
 * SIG-16: KeyInfo bombs and malformed certificates (never read, as
 * KeyInfo is): a 200 KB X509Certificate, 1000 X509Data, invalid and
 * empty DER, 1000 KeyNames, a huge X509SerialNumber.  Accepted, quickly.
 */
static void
test_sig16_key_info_bombs(void **state)
{
    char        *big;
    size_t       i, j;
    time_t       start;
    xmlDocPtr    doc;
    xmlNodePtr   ki, n;

    big = malloc(200 * 1024 + 1);
    assert_non_null(big);
    memset(big, 'A', 200 * 1024);
    big[200 * 1024] = '\0';

    start = time(NULL);

    for (i = 0; i < 6; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        ki = t_need(t_assertion_of(doc), OIOSAML_NS_DS, "KeyInfo");

        while ((n = ki->children) != NULL) {
            t_drop(n);
        }

        switch (i) {
        case 0:
            n = xmlNewChild(ki, ki->ns, BAD_CAST "X509Data", NULL);
            xmlNewTextChild(n, ki->ns, BAD_CAST "X509Certificate",
                            BAD_CAST big);
            break;
        case 1:
            /* (1000 real certificates would pass the size limit) */
            for (j = 0; j < 1000; j++) {
                n = xmlNewChild(ki, ki->ns, BAD_CAST "X509Data", NULL);
                xmlNewTextChild(n, ki->ns, BAD_CAST "X509Certificate",
                                BAD_CAST (j < 100 ? idp->wrong->cert_b64
                                                  : "MIIBAAAA"));
            }

            break;
        case 2:
            n = xmlNewChild(ki, ki->ns, BAD_CAST "X509Data", NULL);
            xmlNewTextChild(n, ki->ns, BAD_CAST "X509Certificate",
                            BAD_CAST "MIIBAAAA////");
            break;
        case 3:
            n = xmlNewChild(ki, ki->ns, BAD_CAST "X509Data", NULL);
            xmlNewTextChild(n, ki->ns, BAD_CAST "X509Certificate", NULL);
            break;
        case 4:
            for (j = 0; j < 1000; j++) {
                xmlNewTextChild(ki, ki->ns, BAD_CAST "KeyName",
                                BAD_CAST "k");
            }

            break;
        default:
            n = xmlNewChild(ki, ki->ns, BAD_CAST "X509Data", NULL);
            n = xmlNewChild(n, ki->ns, BAD_CAST "X509IssuerSerial", NULL);
            xmlNewTextChild(n, ki->ns, BAD_CAST "X509IssuerName",
                            BAD_CAST "CN=x");
            memset(big, '9', 100000);
            big[100000] = '\0';
            xmlNewTextChild(n, ki->ns, BAD_CAST "X509SerialNumber",
                            BAD_CAST big);
            break;
        }

        t_expect_user_doc(sp, doc, &pending, T_ALICE);
    }

    /* BOUNDED: generous for sanitizer and valgrind runs */
    assert_true(time(NULL) - start < 60);

    free(big);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_sig01_signature_exclusion),
        cmocka_unit_test(test_sig02_partial_signatures),
        cmocka_unit_test(test_sig03_certificate_in_key_info),
        cmocka_unit_test(test_sig04_raw_key_value),
        cmocka_unit_test(test_sig05_other_idps_key),
        cmocka_unit_test(test_sig06_hmac_with_public_key),
        cmocka_unit_test(test_sig07_hmac_output_length),
        cmocka_unit_test(test_sig08_weak_algorithms),
        cmocka_unit_test(test_sig09_reference_manipulation),
        cmocka_unit_test(test_sig10_transform_injection),
        cmocka_unit_test(test_sig11_two_signed_info),
        cmocka_unit_test(test_sig12_comment_in_digest_value),
        cmocka_unit_test(test_sig13_reference_outside_signed_info),
        cmocka_unit_test(test_sig14_misplaced_signature),
        cmocka_unit_test(test_sig15_remote_key_info),
        cmocka_unit_test(test_sig16_key_info_bombs),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
