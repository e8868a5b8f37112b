
/*
 * The attack catalogue (docs/security.md), section A: XML signature
 * wrapping, XSW-01 to XSW-16, through oiosaml_response_verify().  Every
 * attack starts from a response the test IdP signed with its real key,
 * changed with libxml2 afterwards and never re-signed unless the attack
 * signs itself (as another trusted IdP).  "Evil edit": the NameID becomes
 * "admin".  Each attack is refused with its named reason and no identity;
 * where the catalogue's recipe meets the assertion count first, a second
 * variant (the hidden copy renamed, so that it is no assertion) shows the
 * next defence.  A variant that may be accepted is checked to give
 * exactly the identity the IdP signed.
 */


#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "oiosaml_internal.h"


#define T_ALICE     "https://data.gov.dk/model/core/eid/professional/uuid/" \
                    "persistent/alice"
#define T_DSIG      "http://www.w3.org/2000/09/xmldsig#"


static void set_id(xmlNodePtr node, const char *id);
static void refused_text(const char *before, const char *after,
    const char *id_from, const char *id_to);


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


static void
set_id(xmlNodePtr node, const char *id)
{
    xmlSetProp(node, BAD_CAST "ID", BAD_CAST id);
}


/*
 * NO-FETCH: a listening socket on 127.0.0.1 that nothing may connect to.
 * Everything the library does is synchronous, so a connection attempt
 * would be waiting in the backlog when t_canary_silent() looks.
 */


/* ---- 0.1: the baselines are accepted --------------------------------- */


static void
test_baselines(void **state)
{
    char                *b64;
    testidp_knobs_t      k;
    oiosaml_err_t        err;
    oiosaml_identity_t  *id;

    /* B1: the Response signed */
    t_expect_user_doc(sp_resp, t_signed_doc(idp, TESTIDP_SIGN_RESPONSE),
                      &pending, T_ALICE);

    /* B2: the Assertion signed */
    t_expect_user_doc(sp, t_signed_doc(idp, TESTIDP_SIGN_ASSERTION),
                      &pending, T_ALICE);

    /* B3: both */
    t_expect_user_doc(sp, t_signed_doc(idp, TESTIDP_SIGN_BOTH), &pending,
                      T_ALICE);
    t_expect_user_doc(sp_resp, t_signed_doc(idp, TESTIDP_SIGN_BOTH),
                      &pending, T_ALICE);

    /* B4: OIOSAML 3, a signed assertion in AES-GCM with RSA-OAEP */
    t_knobs(&k);
    k.encrypt = TESTIDP_ENC_AES256_GCM;
    k.transport = TESTIDP_KT_OAEP11;
    b64 = t_response(idp, NULL, &k, now);
    assert_int_equal(t_verify(sp, b64, &pending, now, NULL, &id, &err),
                     OIOSAML_OK);
    assert_string_equal(oiosaml_identity_get(id, OIOSAML_F_USER, NULL),
                        T_ALICE);
    oiosaml_identity_free(id);
    free(b64);
}


/* ---- A. XML signature wrapping ---------------------------------------- */


/*
 * XSW-01: the evil Response (a new ID) envelops the signed original, its
 * signature removed, as the last child of the original ds:Signature.
 * Without the copy's assertion, the Reference check alone refuses it.
 */
static void
test_xsw01_response_inside_signature(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  root, clone;

    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_RESPONSE);
        root = xmlDocGetRootElement(doc);
        clone = xmlCopyNode(root, 1);
        t_unsign(clone);

        if (i == 1) {
            t_drop(t_need(clone, OIOSAML_NS_SAML, "Assertion"));
        }

        t_evil_edit(t_assertion_of(doc));
        set_id(root, "_evil");
        xmlAddChild(t_signature_of(root), clone);

        t_refused_doc(sp_resp, doc, &pending,
                      i ? OIOSAML_DENY_SIG_REFERENCE
                        : OIOSAML_DENY_ASSERTION_COUNT,
                      NULL);
    }
}


/* XSW-02: the same, the copy as the preceding sibling of ds:Signature */
static void
test_xsw02_response_before_signature(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  root, clone;

    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_RESPONSE);
        root = xmlDocGetRootElement(doc);
        clone = xmlCopyNode(root, 1);
        t_unsign(clone);

        if (i == 1) {
            t_drop(t_need(clone, OIOSAML_NS_SAML, "Assertion"));
        }

        t_evil_edit(t_assertion_of(doc));
        set_id(root, "_evil");
        xmlAddPrevSibling(t_signature_of(root), clone);

        t_refused_doc(sp_resp, doc, &pending,
                      i ? OIOSAML_DENY_SIG_REFERENCE
                        : OIOSAML_DENY_ASSERTION_COUNT,
                      NULL);
    }
}


/* XSW-03: an unsigned evil assertion before the signed one */
static void
test_xsw03_evil_assertion_first(void **state)
{
    xmlDocPtr   doc;
    xmlNodePtr  good, evil;

    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    good = t_assertion_of(doc);
    evil = xmlCopyNode(good, 1);
    t_evil_edit(evil);
    set_id(evil, "_evil_assertion_ID");
    t_unsign(evil);
    xmlAddPrevSibling(good, evil);

    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_ASSERTION_COUNT,
                  "2 assertions (2 at");
}


/* XSW-04: the signed assertion moved into the evil one */
static void
test_xsw04_original_inside_evil(void **state)
{
    xmlDocPtr   doc;
    xmlNodePtr  good, evil;

    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    good = t_assertion_of(doc);
    evil = xmlCopyNode(good, 1);
    t_evil_edit(evil);
    set_id(evil, "_evil_assertion_ID");
    t_unsign(evil);
    xmlAddChild(xmlDocGetRootElement(doc), evil);
    xmlUnlinkNode(good);
    xmlAddChild(evil, good);

    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_ASSERTION_COUNT,
                  "2 assertions (1 at");
}


/*
 * XSW-05: the signature stays in the evil assertion (new ID); a clean
 * copy with the signed ID is appended to the Response.  Renamed so that
 * it is no assertion, the Reference check refuses the evil one.
 */
static void
test_xsw05_clean_copy_appended(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  good, clean;

    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        good = t_assertion_of(doc);
        clean = xmlCopyNode(good, 1);
        t_unsign(clean);

        if (i == 1) {
            xmlNodeSetName(clean, BAD_CAST "Kept");
        }

        t_evil_edit(good);
        set_id(good, "_evil");
        xmlAddChild(xmlDocGetRootElement(doc), clean);

        t_refused_doc(sp, doc, &pending,
                      i ? OIOSAML_DENY_SIG_REFERENCE
                        : OIOSAML_DENY_ASSERTION_COUNT,
                      NULL);
    }
}


/* XSW-06: the clean copy inside the evil assertion's ds:Signature */
static void
test_xsw06_clean_copy_in_signature(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  good, clean;

    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        good = t_assertion_of(doc);
        clean = xmlCopyNode(good, 1);
        t_unsign(clean);

        if (i == 1) {
            xmlNodeSetName(clean, BAD_CAST "Kept");
        }

        t_evil_edit(good);
        set_id(good, "_evil");
        xmlAddChild(t_signature_of(good), clean);

        t_refused_doc(sp, doc, &pending,
                      i ? OIOSAML_DENY_SIG_REFERENCE
                        : OIOSAML_DENY_ASSERTION_COUNT,
                      NULL);
    }
}


/*
 * XSW-07: an evil copy that keeps the signed ID, unsigned, in Extensions
 * (un-namespaced before the assertion, as SAMLRaider writes it, and the
 * schema's samlp:Extensions); the signed assertion is untouched.  As a
 * non-assertion the copy is still a second carrier of the signed ID.
 */
static void
test_xsw07_evil_copy_in_extensions(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  good, evil, ext;

    for (i = 0; i < 3; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        good = t_assertion_of(doc);
        evil = xmlCopyNode(good, 1);
        t_evil_edit(evil);
        t_unsign(evil);

        if (i == 0) {
            ext = xmlNewDocNode(doc, NULL, BAD_CAST "Extensions", NULL);
            xmlAddPrevSibling(good, ext);

        } else {
            ext = t_extensions(doc);
        }

        if (i == 2) {
            xmlNodeSetName(evil, BAD_CAST "Kept");
        }

        xmlAddChild(ext, evil);

        t_refused_doc(sp, doc, &pending,
                      i == 2 ? OIOSAML_DENY_DUPLICATE_ID
                             : OIOSAML_DENY_ASSERTION_COUNT, NULL);
    }
}


/*
 * XSW-08: the evil edit in place (signed ID and signature kept), a clean
 * copy in a ds:Object (or an un-namespaced Object) of that signature.
 */
static void
test_xsw08_clean_copy_in_object(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  good, clean, sig, obj;

    for (i = 0; i < 3; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        good = t_assertion_of(doc);
        clean = xmlCopyNode(good, 1);
        t_unsign(clean);
        t_evil_edit(good);

        sig = t_signature_of(good);
        obj = xmlNewDocNode(doc, i == 1 ? NULL : sig->ns, BAD_CAST "Object",
                            NULL);
        xmlAddChild(sig, obj);

        if (i == 2) {
            xmlNodeSetName(clean, BAD_CAST "Kept");
        }

        xmlAddChild(obj, clean);

        t_refused_doc(sp, doc, &pending,
                      i == 2 ? OIOSAML_DENY_DUPLICATE_ID
                             : OIOSAML_DENY_ASSERTION_COUNT, NULL);
    }
}


/* XSW-09: as XSW-05, the clean copy in a foreign wrapper element */
static void
test_xsw09_clean_copy_in_wrapper(void **state)
{
    size_t      i;
    xmlDocPtr   doc;
    xmlNodePtr  good, clean, wrapper;

    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        good = t_assertion_of(doc);
        clean = xmlCopyNode(good, 1);
        t_unsign(clean);

        if (i == 1) {
            xmlNodeSetName(clean, BAD_CAST "Kept");
        }

        t_evil_edit(good);
        set_id(good, "_evil");
        wrapper = xmlNewDocNode(doc, NULL, BAD_CAST "xsw_wrapper", NULL);
        xmlAddChild(xmlDocGetRootElement(doc), wrapper);
        xmlAddChild(wrapper, clean);

        t_refused_doc(sp, doc, &pending,
                      i ? OIOSAML_DENY_SIG_REFERENCE
                        : OIOSAML_DENY_ASSERTION_COUNT,
                      NULL);
    }
}


/*
 * XSW-10 (lasso CVE-2021-28091, CVE-2022-41912): a second assertion
 * beside the signed one: unsigned before or after it, signed by another
 * trusted IdP, or both covered by a Response signature.  lasso would use
 * the last one; here there must be exactly one.
 */
static void
test_xsw10_appended_assertion(void **state)
{
    size_t           i;
    xmlDocPtr        doc;
    xmlNodePtr       good, evil, root;
    testidp_t       *other;
    oiosaml_sp_t    *two;

    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        good = t_assertion_of(doc);
        evil = xmlCopyNode(good, 1);
        t_evil_edit(evil);
        set_id(evil, "_attack");
        t_unsign(evil);

        if (i == 0) {
            xmlAddPrevSibling(good, evil);

        } else {
            xmlAddNextSibling(good, evil);
        }

        t_refused_doc(sp, doc, &pending, OIOSAML_DENY_ASSERTION_COUNT, NULL);
    }

    /* signed by the other trusted IdP, with its own Issuer */
    two = t_sp_two_keys();
    other = t_testidp("idp-wrong", NULL);
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    good = t_assertion_of(doc);
    evil = xmlCopyNode(good, 1);
    t_unsign(evil);
    t_evil_edit(evil);
    set_id(evil, "_attack");
    xmlNodeSetContent(t_need(evil, OIOSAML_NS_SAML, "Issuer"),
                      BAD_CAST T_OTHER);
    xmlAddNextSibling(good, evil);
    t_sign(other, evil, 0);
    t_refused_doc(two, doc, &pending, OIOSAML_DENY_ASSERTION_COUNT, NULL);
    testidp_free(other);
    oiosaml_sp_free(two);

    /* B3: both assertions under one valid Response signature */
    doc = t_signed_doc(idp, TESTIDP_SIGN_NONE);
    root = xmlDocGetRootElement(doc);
    good = t_assertion_of(doc);
    evil = xmlCopyNode(good, 1);
    t_evil_edit(evil);
    set_id(evil, "_attack");
    xmlAddNextSibling(good, evil);
    t_sign(idp, good, 0);
    t_sign(idp, root, 0);
    t_refused_doc(sp_resp, doc, &pending, OIOSAML_DENY_ASSERTION_COUNT, NULL);
}


/*
 * XSW-11: an evil outer Response reusing the signed Response's ID, the
 * original hidden in samlp:StatusDetail.
 */
static void
test_xsw11_original_in_status_detail(void **state)
{
    size_t      i;
    xmlChar    *rid;
    xmlDocPtr   doc, evil;
    xmlNodePtr  copy;

    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_RESPONSE);
        evil = t_signed_doc(idp, TESTIDP_SIGN_NONE);
        t_evil_edit(t_assertion_of(evil));

        rid = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "ID");
        set_id(xmlDocGetRootElement(evil), (const char *) rid);
        xmlFree(rid);

        copy = xmlDocCopyNode(xmlDocGetRootElement(doc), evil, 1);
        xmlFreeDoc(doc);

        if (i == 1) {
            t_drop(t_need(copy, OIOSAML_NS_SAML, "Assertion"));
        }

        xmlAddChild(t_status_detail(evil), copy);

        t_refused_doc(sp_resp, evil, &pending,
                      i ? OIOSAML_DENY_UNSIGNED : OIOSAML_DENY_ASSERTION_COUNT,
                      NULL);
    }
}


/*
 * XSW-12 (GHES CVE-2024-6800): another document signed by the IdP's key
 * (here an md:EntityDescriptor) inside the evil Response.  Its signature
 * left in place signs nothing we read; moved to the Response it names
 * another element; with the Response given the same ID, the ID is no
 * longer unique.
 */
static void
test_xsw12_signed_foreign_document(void **state)
{
    size_t      i;
    xmlNsPtr    md;
    xmlDocPtr   doc;
    xmlNodePtr  root, ed, sig;

    static const oiosaml_status_t  want[] = {
        OIOSAML_DENY_UNSIGNED, OIOSAML_DENY_SIG_REFERENCE,
        OIOSAML_DENY_DUPLICATE_ID
    };

    for (i = 0; i < 3; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_NONE);
        root = xmlDocGetRootElement(doc);
        t_evil_edit(t_assertion_of(doc));

        ed = xmlNewDocNode(doc, NULL, BAD_CAST "EntityDescriptor", NULL);
        md = xmlNewNs(ed, BAD_CAST OIOSAML_NS_MD, BAD_CAST "md");
        xmlSetNs(ed, md);
        set_id(ed, "_md1");
        xmlSetProp(ed, BAD_CAST "entityID", BAD_CAST T_IDP);
        xmlNewChild(ed, md, BAD_CAST "IDPSSODescriptor", NULL);
        xmlAddChild(t_extensions(doc), ed);
        t_sign(idp, ed, 0);

        if (i > 0) {
            sig = t_signature_of(ed);
            xmlUnlinkNode(sig);
            xmlAddNextSibling(t_need(root, OIOSAML_NS_SAML, "Issuer"), sig);
        }

        if (i == 2) {
            set_id(root, "_md1");
        }

        t_refused_doc(i == 0 ? sp : sp_resp, doc, &pending, want[i], NULL);
    }
}


/*
 * XSW-13: the signed ID carried by another element before the assertion:
 * an xml:id (which libxml2 registers as an ID while parsing), a second
 * ID, an ID in a foreign namespace.  With white space around the value
 * the decoy is a different ID, and the signed assertion is what is read.
 */
static void
test_xsw13_preregistered_id(void **state)
{
    char        buf[300];
    size_t      i;
    xmlNsPtr    ns;
    xmlChar    *aid;
    xmlDocPtr   doc;
    xmlNodePtr  good, decoy;

    for (i = 0; i < 6; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        good = t_assertion_of(doc);
        aid = xmlGetProp(good, BAD_CAST "ID");
        decoy = xmlNewDocNode(doc, NULL, BAD_CAST "Foo", NULL);
        xmlAddChild(t_extensions(doc), decoy);

        switch (i) {
        case 0:
            ns = xmlSearchNs(doc, decoy, BAD_CAST "xml");
            assert_non_null(ns);
            xmlSetNsProp(decoy, ns, BAD_CAST "id", aid);
            break;
        case 1:
            set_id(decoy, (const char *) aid);
            break;
        case 2:
            ns = xmlNewNs(decoy, BAD_CAST "urn:x", BAD_CAST "x");
            xmlSetNsProp(decoy, ns, BAD_CAST "ID", aid);
            break;
        case 3:
            snprintf(buf, sizeof(buf), " %s", (const char *) aid);
            set_id(decoy, buf);
            break;
        case 4:
            snprintf(buf, sizeof(buf), "%s ", (const char *) aid);
            set_id(decoy, buf);
            break;
        default:
            /* a white-space decoy that is an evil assertion */
            xmlUnlinkNode(decoy);
            xmlFreeNode(decoy);
            decoy = xmlCopyNode(good, 1);
            t_unsign(decoy);
            t_evil_edit(decoy);
            snprintf(buf, sizeof(buf), " %s ", (const char *) aid);
            set_id(decoy, buf);
            xmlAddPrevSibling(good, decoy);
            break;
        }

        xmlFree(aid);

        if (i == 3 || i == 4) {
            t_expect_user_doc(sp, doc, &pending, T_ALICE);

        } else {
            t_refused_doc(sp, doc, &pending,
                          i == 5 ? OIOSAML_DENY_ASSERTION_COUNT
                                 : OIOSAML_DENY_DUPLICATE_ID, NULL);
        }
    }
}


/* the serialized document with a DOCTYPE (and more) around it */
static void
refused_text(const char *before, const char *after, const char *id_from,
    const char *id_to)
{
    char    *xml, *out, *p, *b64;
    size_t   len, n;

    xml = t_response_xml(idp, NULL, NULL, now, &len);
    out = malloc(len + strlen(before) + strlen(after) + 1024);
    assert_non_null(out);

    p = strstr(xml, "?>");
    assert_non_null(p);
    p += 2;
    n = (size_t) (p - xml);

    memcpy(out, xml, n);
    strcpy(out + n, before);
    strcat(out, p);
    strcat(out, after);

    if (id_from != NULL) {
        p = strstr(out, id_from);
        assert_non_null(p);
        memmove(p + strlen(id_to), p + strlen(id_from),
                strlen(p + strlen(id_from)) + 1);
        memcpy(p, id_to, strlen(id_to));
    }

    b64 = t_b64(out, strlen(out));
    t_expect(sp, b64, &pending, now, OIOSAML_BAD_XML, "DOCTYPE");

    free(b64);
    free(out);
    free(xml);
}


/*
 * XSW-14 (SAMLRaider XSW10, GHES CVE-2025-23369): IDs made of entities
 * declared in an internal subset.  Refused at the DOCTYPE, before any
 * entity is declared or any signature looked at.
 */
static void
test_xsw14_entity_ids(void **state)
{
    refused_text("<!DOCTYPE samlp:Response [<!ENTITY idViaEntity \"_x\">"
                 "<!ENTITY BypassIDUniqueness \"&#x41;\">]>", "",
                 "ID=\"_", "ID=\"&BypassIDUniqueness;_");
}


/* XSW-15 (ruby-saml CVE-2025-25291): a parser-differential DOCTYPE */
static void
test_xsw15_parser_differential(void **state)
{
    refused_text("<!DOCTYPE response SYSTEM 'x\"><!--'>",
                 "<!--]]>-->", NULL, NULL);
    refused_text("<!DOCTYPE x [ <!NOTATION x SYSTEM 'x\">]><!--'> ]>",
                 "<!--]]>-->", NULL, NULL);
}


/*
 * XSW-16 (ruby-saml CVE-2025-25292): namespace confusion.  With a DTD
 * that defaults xmlns on Signature: refused at the DOCTYPE.  Without a
 * DTD, prefixes re-bound to other namespaces: elements are matched by
 * namespace URI, so a ds:Signature in another namespace is no signature,
 * a saml:Assertion in another namespace is no assertion (and never read).
 */
static void
test_xsw16_namespace_confusion(void **state)
{
    size_t      i;
    xmlNsPtr    ns;
    xmlDocPtr   doc;
    xmlNodePtr  good, evil, sig;

    refused_text("<!DOCTYPE Response [<!ATTLIST Signature xmlns CDATA "
                 "#FIXED \"http://www.w3.org/2000/09/xmldsig#\">]>", "",
                 NULL, NULL);

    /* the signature's ds prefix bound to another URI */
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    sig = t_signature_of(t_assertion_of(doc));
    ns = xmlNewNs(sig, BAD_CAST "http://evil.test/xmldsig#", BAD_CAST "ds");
    xmlSetNs(sig, ns);
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_UNSIGNED, "must sign");

    /* the assertion's saml prefix bound to another URI */
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    good = t_assertion_of(doc);
    ns = xmlNewNs(good, BAD_CAST "urn:evil:assertion", BAD_CAST "saml");
    xmlSetNs(good, ns);
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_ASSERTION_COUNT,
                  "0 assertions");

    /*
     * an evil "saml:Assertion" in another namespace before the real one:
     * never read; with the signed ID it is a second carrier of that ID
     */
    for (i = 0; i < 2; i++) {
        doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
        good = t_assertion_of(doc);
        evil = xmlCopyNode(good, 1);
        t_unsign(evil);
        t_evil_edit(evil);
        ns = xmlNewNs(evil, BAD_CAST "urn:evil:assertion", BAD_CAST "saml");
        xmlSetNs(evil, ns);
        xmlAddPrevSibling(good, evil);

        if (i == 0) {
            set_id(evil, "_evil");
            t_expect_user_doc(sp, doc, &pending, T_ALICE);

        } else {
            t_refused_doc(sp, doc, &pending, OIOSAML_DENY_DUPLICATE_ID, NULL);
        }
    }

    /* a copy of the real signature, unprefixed, in StatusDetail */
    doc = t_signed_doc(idp, TESTIDP_SIGN_ASSERTION);
    good = t_assertion_of(doc);
    sig = xmlCopyNode(t_signature_of(good), 1);
    xmlSetNs(sig, xmlNewNs(sig, BAD_CAST T_DSIG, NULL));
    xmlAddChild(t_status_detail(doc), sig);
    t_evil_edit(good);
    t_refused_doc(sp, doc, &pending, OIOSAML_DENY_SIGNATURE, NULL);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_baselines),
        cmocka_unit_test(test_xsw01_response_inside_signature),
        cmocka_unit_test(test_xsw02_response_before_signature),
        cmocka_unit_test(test_xsw03_evil_assertion_first),
        cmocka_unit_test(test_xsw04_original_inside_evil),
        cmocka_unit_test(test_xsw05_clean_copy_appended),
        cmocka_unit_test(test_xsw06_clean_copy_in_signature),
        cmocka_unit_test(test_xsw07_evil_copy_in_extensions),
        cmocka_unit_test(test_xsw08_clean_copy_in_object),
        cmocka_unit_test(test_xsw09_clean_copy_in_wrapper),
        cmocka_unit_test(test_xsw10_appended_assertion),
        cmocka_unit_test(test_xsw11_original_in_status_detail),
        cmocka_unit_test(test_xsw12_signed_foreign_document),
        cmocka_unit_test(test_xsw13_preregistered_id),
        cmocka_unit_test(test_xsw14_entity_ids),
        cmocka_unit_test(test_xsw15_parser_differential),
        cmocka_unit_test(test_xsw16_namespace_confusion),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
