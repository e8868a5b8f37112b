
/*
 * Writes the key-dependent seeds of the fuzz targets into DIR/<target>/:
 * responses signed and encrypted by the test IdP (tests/idp) with the
 * test keys, in every knob variant, and signature-wrapping shapes made
 * from them; signed SLO query strings; cookies sealed with the test
 * cookie secret; metadata with the test certificates.  The keys are made
 * per machine (certs/make-certs.sh), so these seeds are made again before
 * each replay instead of being committed (tests/fuzz/corpus holds the
 * key-independent seeds).
 *
 *     make_corpus DIR
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "oiosaml_internal.h"
#include "testidp.h"
#include "fuzz_support.h"


typedef struct {
    const char  *name;
    const char  *user;
    const char  *knobs;         /* as the test IdP's form takes them */
} mc_response_t;


static void mc_mkdir(const char *target);
static void mc_write(const char *target, const char *name, int prefix,
    const void *data, size_t len);
static void mc_write_str(const char *target, const char *name,
    const char *s);
static char *mc_response(const char *user, const char *knobs, size_t *len);
static xmlDocPtr mc_parse(const char *xml, size_t len);
static void mc_write_doc(const char *target, const char *name, int prefix,
    xmlDocPtr doc);
static xmlNodePtr mc_find(xmlNodePtr node, const char *ns, const char *name);
static xmlNodePtr mc_extensions(xmlDocPtr doc);
static void mc_set_name_id(xmlNodePtr assertion, const char *name);
static void mc_responses(void);
static void mc_wrapping(void);
static void mc_assertions(void);
static void mc_redirect(void);
static void mc_redirect_xml(const char *name, const char *param,
    const char *xml, const char *relay);
static void mc_redirect_variants(const char *name, const char *query);
static void mc_cookies(void);
static void mc_metadata(void);
static void mc_check(void);


static const char     *mc_out;
static testidp_t      *mc_idp;
static oiosaml_sp_t   *mc_sp;
static time_t          mc_now;

static const char  mc_users[] =
    "[alice]\n"
    "nameid = https://data.gov.dk/model/core/eid/professional/uuid/"
    "persistent/alice\n"
    "attr https://data.gov.dk/concept/core/nsis/loa = Substantial\n"
    "attr https://data.gov.dk/model/core/specVersion = OIO-SAML-3.0\n"
    "attr https://data.gov.dk/model/core/eid/professional/cvr = 12345678\n"
    "attr https://data.gov.dk/model/core/eid/fullName = "
    "Alice \xc3\x86r\xc3\xb8 \xc3\x98sterg\xc3\xa5rd\n"
    "attr https://data.gov.dk/model/core/eid/email = alice@example.dk\n"
    "attr https://data.gov.dk/model/core/eid/professional/orgName = "
    "Demo Kommune\n"
    "attr https://data.gov.dk/model/core/eid/professional/uuid/"
    "persistent = urn:uuid:3a5c5e36-7d2e-4b5a-9f43-2d6f0b1c9e11\n"
    "attr https://data.gov.dk/model/core/eid/professional/rid = 4711\n"
    "attr https://data.gov.dk/model/core/eid/privilegesIntermediate = "
    "PGJwcD48L2JwcD4=\n"
    "attr https://data.gov.dk/model/core/eid/bootstrapToken = c2VjcmV0\n"
    "attr urn:x:role = admin\n"
    "attr urn:x:role = r&d = 1\n"
    "\n"
    "[bob]\n"
    "nameid = C=DK,O=87654321,CN=Bob B\xc3\xa6k,Serial=CVR:87654321-"
    "RID:1234\n"
    "nameid_format = urn:oasis:names:tc:SAML:1.1:nameid-format:"
    "X509SubjectName\n"
    "attr dk:gov:saml:attribute:AssuranceLevel = 3\n"
    "attr dk:gov:saml:attribute:SpecVer = DK-SAML-2.0\n"
    "attr dk:gov:saml:attribute:CvrNumberIdentifier = 87654321\n"
    "attr urn:oid:2.5.4.3 = Bob B\xc3\xa6k\n"
    "attr urn:oid:0.9.2342.19200300.100.1.3 = bob@example.dk\n"
    "attr urn:oid:2.5.4.10 = Demo A/S\n"
    "attr dk:gov:saml:attribute:RidNumberIdentifier = 1234\n"
    "attr dk:gov:saml:attribute:Privileges_intermediate = PGJwcDIvPg==\n";

#define MC_ALICE_PREFIX \
    "https://data.gov.dk/model/core/eid/professional/uuid/persistent/"
#define MC_ALICE  MC_ALICE_PREFIX "alice"

#define MC_STATUS "urn%3Aoasis%3Anames%3Atc%3ASAML%3A2.0%3Astatus%3A"


static const mc_response_t  mc_responses_table[] = {
    { "ok-aes256-gcm", "alice", "" },
    { "ok-plain", "alice", "encrypt=none" },
    { "ok-bob-oiosaml2", "bob", "encrypt=none" },
    { "ok-bob-encrypted", "bob", "encrypt=aes128-gcm" },
    { "ok-sign-both", "alice", "sign=both" },
    { "ok-aes128-cbc", "alice", "encrypt=aes128-cbc" },
    { "ok-aes256-cbc", "alice", "encrypt=aes256-cbc&transport=oaep11" },
    { "ok-oaep11", "alice", "transport=oaep11" },
    { "ok-loa-high", "alice", "encrypt=none&loa=High" },
    { "ok-nist4", "bob", "encrypt=none&nist=4" },
    { "ok-multipleauthn", "alice",
      "encrypt=none&classref=http%3A%2F%2Fschemas.microsoft.com%2Fclaims"
      "%2Fmultipleauthn" },
    { "deny-sign-response", "alice", "sign=response&encrypt=none" },
    { "deny-sign-none", "alice", "sign=none" },
    { "deny-sha1", "alice", "alg=sha1&encrypt=none" },
    { "deny-wrong-key", "alice", "key=wrong" },
    { "deny-rsa15", "alice", "transport=rsa15" },
    { "deny-encrypt-to-wrong", "alice", "encrypt_to=wrong" },
    { "deny-status", "alice",
      "status=" MC_STATUS "Responder+" MC_STATUS "AuthnFailed" },
    { "deny-two-assertions", "alice", "assertions=2&encrypt=none" },
    { "deny-no-authn-statement", "alice",
      "authn_statements=0&encrypt=none" },
    { "deny-two-authn-statements", "alice",
      "authn_statements=2&encrypt=none" },
    { "deny-tamper", "alice", "tamper=1&encrypt=none" },
    { "deny-no-audience", "alice", "audience=omit&encrypt=none" },
    { "deny-audience", "alice",
      "audience=https%3A%2F%2Fevil.test%2F&encrypt=none" },
    { "deny-no-destination", "alice", "destination=omit" },
    { "deny-recipient", "alice",
      "recipient=https%3A%2F%2Fevil.test%2Facs&encrypt=none" },
    { "deny-unsolicited", "alice", "in_response_to=omit&encrypt=none" },
    { "deny-in-response-to", "alice", "in_response_to=_evil" },
    { "deny-expired", "alice",
      "not_on_or_after=-600&scd_not_on_or_after=-600&encrypt=none" },
    { "deny-future", "alice",
      "issue_instant=3600&not_before=3600&encrypt=none" },
    { "deny-issuer", "alice",
      "issuer=https%3A%2F%2Fevil.test%2F&encrypt=none" },
    { NULL, NULL, NULL }
};


int
main(int argc, char **argv)
{
    char            users[1024];
    FILE           *f;
    testidp_err_t   err;
    testidp_conf_t  conf;

    if (argc != 2) {
        fprintf(stderr, "usage: make_corpus DIR\n");
        return 2;
    }

    mc_out = argv[1];

    if (mkdir(mc_out, 0755) == -1 && errno != EEXIST) {
        fz_die("mkdir(\"%s\"): %s", mc_out, strerror(errno));
    }

    fz_init();
    mc_now = fz_now();
    mc_sp = fz_sp(NULL, 0);

    snprintf(users, sizeof(users), "%s/users.conf", mc_out);
    f = fopen(users, "w");

    if (f == NULL || fputs(mc_users, f) == EOF || fclose(f) != 0) {
        fz_die("cannot write \"%s\"", users);
    }

    memset(&conf, 0, sizeof(conf));
    conf.entity_id = FZ_IDP;
    conf.key_file = strdup(fz_cert("idp.key"));
    conf.cert_file = strdup(fz_cert("idp.crt"));
    conf.users_file = users;
    conf.sp_cert_file = strdup(fz_cert("sp.crt"));
    conf.wrong_key_file = strdup(fz_cert("idp-wrong.key"));
    conf.wrong_cert_file = strdup(fz_cert("idp-wrong.crt"));
    conf.encrypt_cert_file = strdup(fz_cert("sp.crt"));
    conf.sp_sls = FZ_SLS;
    conf.profile = TESTIDP_PROFILE_OIOSAML3;

    memset(&err, 0, sizeof(err));

    if (testidp_new(&conf, &mc_idp, &err) != 0) {
        fz_die("testidp_new(): %s", err.msg);
    }

    unlink(users);
    free((char *) conf.key_file);
    free((char *) conf.cert_file);
    free((char *) conf.sp_cert_file);
    free((char *) conf.wrong_key_file);
    free((char *) conf.wrong_cert_file);
    free((char *) conf.encrypt_cert_file);

    mc_responses();
    mc_wrapping();
    mc_assertions();
    mc_redirect();
    mc_cookies();
    mc_metadata();
    mc_check();

    testidp_free(mc_idp);
    oiosaml_sp_free(mc_sp);

    return 0;
}


/* ---- files ----------------------------------------------------------- */

static void
mc_mkdir(const char *target)
{
    char  dir[1024];

    snprintf(dir, sizeof(dir), "%s/%s", mc_out, target);

    if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
        fz_die("mkdir(\"%s\"): %s", dir, strerror(errno));
    }
}


/* DIR/target/name, the content preceded by a mode byte unless prefix 0 */
static void
mc_write(const char *target, const char *name, int prefix, const void *data,
    size_t len)
{
    char   path[1024];
    FILE  *f;

    mc_mkdir(target);
    snprintf(path, sizeof(path), "%s/%s/%s", mc_out, target, name);

    f = fopen(path, "wb");

    if (f == NULL
        || (prefix != 0 && fputc(prefix, f) == EOF)
        || fwrite(data, 1, len, f) != len
        || fclose(f) != 0)
    {
        fz_die("cannot write \"%s\"", path);
    }
}


static void
mc_write_str(const char *target, const char *name, const char *s)
{
    mc_write(target, name, 0, s, strlen(s));
}


/* ---- responses ------------------------------------------------------- */

static char *
mc_response(const char *user, const char *knobs, size_t *len)
{
    char                  *xml;
    testidp_err_t          err;
    testidp_form_t        *form;
    testidp_knobs_t        k;
    testidp_request_t      req;
    const testidp_user_t  *u;

    memset(&err, 0, sizeof(err));

    if (testidp_form_parse(knobs, strlen(knobs), &form, &err) != 0
        || testidp_knobs_parse(form, &k, &err) != 0)
    {
        fz_die("knobs \"%s\": %s", knobs, err.msg);
    }

    u = testidp_users_find(mc_idp->users, user);
    if (u == NULL) {
        fz_die("no user \"%s\"", user);
    }

    memset(&req, 0, sizeof(req));
    req.id = (char *) FZ_REQ_ID;
    req.issuer = (char *) FZ_SP;
    req.acs_url = (char *) FZ_ACS;
    req.destination = (char *) FZ_IDP "sso";

    if (testidp_response_build(mc_idp, &req, u, &k, mc_now, &xml, len, &err)
        != 0)
    {
        fz_die("testidp_response_build(%s): %s", knobs, err.msg);
    }

    testidp_form_free(form);

    return xml;
}


static xmlDocPtr
mc_parse(const char *xml, size_t len)
{
    xmlDocPtr  doc;

    doc = xmlReadMemory(xml, (int) len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR
                        | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        fz_die("cannot parse the test IdP's XML");
    }

    return doc;
}


static void
mc_write_doc(const char *target, const char *name, int prefix, xmlDocPtr doc)
{
    int       size;
    xmlChar  *out;

    out = NULL;
    xmlDocDumpMemoryEnc(doc, &out, &size, "UTF-8");

    if (out == NULL) {
        fz_die("xmlDocDumpMemoryEnc() failed");
    }

    mc_write(target, name, prefix, out, (size_t) size);
    xmlFree(out);
}


static xmlNodePtr
mc_find(xmlNodePtr node, const char *ns, const char *name)
{
    xmlNodePtr  c, found;

    if (node == NULL) {
        return NULL;
    }

    if (oiosaml_xml_is(node, ns, name)) {
        return node;
    }

    for (c = node->children; c != NULL; c = c->next) {
        found = mc_find(c, ns, name);

        if (found != NULL) {
            return found;
        }
    }

    return NULL;
}


/* samlp:Extensions, made after the Issuer when there is none */
static xmlNodePtr
mc_extensions(xmlDocPtr doc)
{
    xmlNodePtr  root, ext, issuer;

    root = xmlDocGetRootElement(doc);
    ext = oiosaml_xml_child(root, OIOSAML_NS_SAMLP, "Extensions");

    if (ext != NULL) {
        return ext;
    }

    ext = xmlNewDocNode(doc, root->ns, BAD_CAST "Extensions", NULL);
    issuer = oiosaml_xml_child(root, OIOSAML_NS_SAML, "Issuer");

    if (issuer != NULL) {
        xmlAddNextSibling(issuer, ext);

    } else {
        xmlAddPrevSibling(root->children, ext);
    }

    return ext;
}


static void
mc_set_name_id(xmlNodePtr assertion, const char *name)
{
    xmlNodePtr  nid;

    nid = mc_find(assertion, OIOSAML_NS_SAML, "NameID");

    if (nid != NULL) {
        xmlNodeSetContent(nid, BAD_CAST name);
    }
}


static void
mc_responses(void)
{
    int                   n;
    char                 *xml, *b64, name[128];
    size_t                len;
    const mc_response_t  *r;

    for (r = mc_responses_table; r->name != NULL; r++) {
        xml = mc_response(r->user, r->knobs, &len);
        snprintf(name, sizeof(name), "%s.xml", r->name);
        mc_write("fuzz_response", name, 0, xml, len);
        free(xml);
    }

    /* the raw form value: one line, and wrapped at 76 as some IdPs do */
    xml = mc_response("alice", "", &len);
    b64 = malloc((len + 2) / 3 * 4 + 1);
    n = EVP_EncodeBlock((unsigned char *) b64, (unsigned char *) xml,
                        (int) len);
    mc_write("fuzz_response", "raw-ok-aes256-gcm.b64", '!', b64, (size_t) n);
    free(b64);
    free(xml);

    xml = mc_response("alice", "encrypt=none", &len);
    b64 = (char *) testidp_b64_encode((unsigned char *) xml, len);
    mc_write("fuzz_response", "raw-ok-plain.b64", '!', b64, strlen(b64));
    free(b64);
    free(xml);

    /* the SP that takes either signature and IdP-initiated logins */
    xml = mc_response("alice",
                      "sign=response&encrypt=none&in_response_to=omit",
                      &len);
    mc_write("fuzz_response", "either-ok-response-signed.xml", '?', xml,
             len);
    free(xml);

    xml = mc_response("alice", "sign=both&alg=sha1&in_response_to=omit",
                      &len);
    mc_write("fuzz_response", "either-ok-sha1.xml", '?', xml, len);
    free(xml);

    xml = mc_response("bob", "sign=none&encrypt=none", &len);
    mc_write("fuzz_response", "either-deny-unsigned.xml", '?', xml, len);
    free(xml);

    /* unsigned, for the target to sign ('$'), with this clock's times */
    xml = mc_response("alice", "sign=none&encrypt=none", &len);
    mc_write("fuzz_response", "sign-here-alice.xml", '$', xml, len);
    free(xml);

    xml = mc_response("bob", "sign=none&encrypt=none&nist=2", &len);
    mc_write("fuzz_response", "sign-here-bob.xml", '$', xml, len);
    free(xml);

    xml = mc_response("alice", "sign=none&encrypt=none&assertions=2", &len);
    mc_write("fuzz_response", "sign-here-two.xml", '$', xml, len);
    free(xml);
}


/* signature wrapping and other tampering with a signed response */
static void
mc_wrapping(void)
{
    char        *xml, *dtd;
    size_t       len, i;
    xmlChar     *id;
    xmlNsPtr     ns;
    xmlDocPtr    doc;
    xmlNodePtr   root, good, evil, sig, obj, n;

    static const char  *names[] = {
        "xsw-extensions.xml", "xsw-signature-object.xml",
        "xsw-copied-signature.xml", "xsw-evil-takes-id.xml",
        "xsw-duplicate-id.xml", "xsw-response-id.xml", "xsw-xml-id.xml",
        "xsw-comment-in-nameid.xml", "xsw-assertion-outside.xml"
    };

    xml = mc_response("alice", "encrypt=none", &len);

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        doc = mc_parse(xml, len);
        root = xmlDocGetRootElement(doc);
        good = mc_find(root, OIOSAML_NS_SAML, "Assertion");
        id = xmlGetProp(good, BAD_CAST "ID");

        evil = xmlCopyNode(good, 1);
        mc_set_name_id(evil, "mallory");

        switch (i) {
        case 0:
            /* the signed one in Extensions, an unsigned copy in its place */
            sig = oiosaml_xml_child(evil, OIOSAML_NS_DS, "Signature");
            xmlUnlinkNode(sig);
            xmlFreeNode(sig);
            xmlAddNextSibling(good, evil);
            xmlUnlinkNode(good);
            xmlAddChild(mc_extensions(doc), good);
            break;

        case 1:
            /* the signed one inside the evil one's ds:Object */
            xmlSetProp(evil, BAD_CAST "ID", BAD_CAST "_evil");
            xmlAddNextSibling(good, evil);
            xmlUnlinkNode(good);
            sig = oiosaml_xml_child(evil, OIOSAML_NS_DS, "Signature");
            obj = xmlNewDocNode(doc, sig->ns, BAD_CAST "Object", NULL);
            xmlAddChild(sig, obj);
            xmlAddChild(obj, good);
            break;

        case 2:
            /* the evil one carries the signature, the good one is gone */
            xmlSetProp(evil, BAD_CAST "ID", BAD_CAST "_evil");
            xmlAddNextSibling(good, evil);
            xmlUnlinkNode(good);
            xmlFreeNode(good);
            break;

        case 3:
            /* the same, with the good one's ID */
            xmlAddNextSibling(good, evil);
            xmlUnlinkNode(good);
            xmlFreeNode(good);
            break;

        case 4:
            /* the evil one with the same ID; the good one kept aside */
            xmlAddNextSibling(good, evil);
            xmlUnlinkNode(good);
            xmlNodeSetName(good, BAD_CAST "Kept");
            xmlAddChild(mc_extensions(doc), good);
            break;

        case 5:
            /* the Response carries the assertion's ID */
            xmlSetProp(root, BAD_CAST "ID", id);
            xmlFreeNode(evil);
            break;

        case 6:
            /* an xml:id decoy on the Status */
            n = oiosaml_xml_child(root, OIOSAML_NS_SAMLP, "Status");
            ns = xmlSearchNs(doc, n, BAD_CAST "xml");
            xmlSetNsProp(n, ns, BAD_CAST "id", id);
            xmlFreeNode(evil);
            break;

        case 7:
            /* a comment in the signed NameID (C14N drops it) */
            n = mc_find(good, OIOSAML_NS_SAML, "NameID");
            xmlNodeSetContent(n, NULL);
            xmlAddChild(n, xmlNewDocText(doc, BAD_CAST MC_ALICE_PREFIX));
            xmlAddChild(n, xmlNewDocComment(doc, BAD_CAST ""));
            xmlAddChild(n, xmlNewDocText(doc, BAD_CAST "alice"));
            xmlFreeNode(evil);
            break;

        default:
            /* an unsigned assertion beside an EncryptedAssertion shape */
            xmlSetProp(evil, BAD_CAST "ID", BAD_CAST "_evil");
            n = xmlNewDocNode(doc, good->ns, BAD_CAST "EncryptedAssertion",
                              NULL);
            xmlAddNextSibling(good, n);
            xmlAddChild(n, evil);
            break;
        }

        xmlFree(id);
        mc_write_doc("fuzz_response", names[i], 0, doc);
        xmlFreeDoc(doc);
    }

    /*
     * EncryptedData without its CipherValue: xmlsec followed the
     * reference or took the whole document (and leaked; found by
     * fuzz_response)
     */
    free(xml);
    xml = mc_response("alice", "encrypt=aes256-cbc", &len);

    for (i = 0; i < 3; i++) {
        doc = mc_parse(xml, len);
        n = mc_find(xmlDocGetRootElement(doc), OIOSAML_NS_XENC,
                    "EncryptedData");
        n = oiosaml_xml_child(n, OIOSAML_NS_XENC, "CipherData");
        good = oiosaml_xml_first(n);
        xmlUnlinkNode(good);
        xmlFreeNode(good);

        if (i > 0) {
            evil = xmlNewChild(n, n->ns, BAD_CAST "CipherReference", NULL);
            xmlSetProp(evil, BAD_CAST "URI", BAD_CAST (i == 1 ? "" : "#_x"));
        }

        mc_write_doc("fuzz_response", i == 0 ? "enc-no-ciphervalue.xml"
                                    : i == 1 ? "enc-cipher-reference.xml"
                                             : "enc-cipher-reference-id.xml",
                     0, doc);
        xmlFreeDoc(doc);
    }

    free(xml);
    xml = mc_response("alice", "encrypt=none", &len);

    /* a DOCTYPE with an entity in front of a signed response */
    dtd = NULL;

    if (asprintf(&dtd, "<?xml version=\"1.0\"?>\n<!DOCTYPE samlp:Response "
                 "[<!ENTITY who \"mallory\">]>\n%s",
                 strstr(xml, "<samlp:Response") ? strstr(xml,
                                                         "<samlp:Response")
                                                : xml) < 0)
    {
        fz_die("out of memory");
    }

    mc_write_str("fuzz_response", "dtd-signed.xml", dtd);
    free(dtd);
    free(xml);
}


/* assertions alone, for the identity mode ('@') */
static void
mc_assertions(void)
{
    char        *xml, name[64];
    size_t       len, i;
    xmlDocPtr    doc, out;
    xmlNodePtr   a;

    static const char  *users[] = { "alice", "bob" };

    for (i = 0; i < 2; i++) {
        xml = mc_response(users[i], "encrypt=none&classref=urn%3Ax", &len);
        doc = mc_parse(xml, len);
        free(xml);

        a = mc_find(xmlDocGetRootElement(doc), OIOSAML_NS_SAML, "Assertion");
        out = xmlNewDoc(BAD_CAST "1.0");
        xmlDocSetRootElement(out, xmlDocCopyNode(a, out, 1));

        snprintf(name, sizeof(name), "assertion-%s.xml", users[i]);
        mc_write_doc("fuzz_response", name, '@', out);

        xmlFreeDoc(out);
        xmlFreeDoc(doc);
    }
}


/* ---- SLO over HTTP-Redirect ------------------------------------------ */

static void
mc_redirect_variants(const char *name, const char *query)
{
    char        *q, *p, file[128];
    size_t       len, n;
    const char  *s;

    snprintf(file, sizeof(file), "%s.txt", name);
    mc_write_str("fuzz_redirect", file, query);

    /* the message value alone, for oiosaml_redirect_inflate() */
    s = strchr(query, '=');
    len = strcspn(s + 1, "&");
    q = strndup(s + 1, len);
    n = oiosaml_url_decode(q, len);
    snprintf(file, sizeof(file), "%s.b64", name);
    mc_write("fuzz_redirect", file, 0, q, n);
    free(q);

    /* unsigned */
    s = strstr(query, "&Signature=");
    snprintf(file, sizeof(file), "%s-unsigned.txt", name);
    mc_write("fuzz_redirect", file, 0, query, (size_t) (s - query));

    /* a broken signature */
    q = strdup(query);
    p = q + (s - query) + sizeof("&Signature=") + 3;
    *p = (*p == 'A') ? 'B' : 'A';
    snprintf(file, sizeof(file), "%s-badsig.txt", name);
    mc_write_str("fuzz_redirect", file, q);
    free(q);

    /* SHA-1 claimed */
    q = strdup(query);
    p = strstr(q, "rsa-sha256");

    if (p != NULL) {
        memcpy(p, "rsa-sha1\0\0", 10);
        memmove(p + 8, p + 10, strlen(p + 10) + 1);
        snprintf(file, sizeof(file), "%s-sha1.txt", name);
        mc_write_str("fuzz_redirect", file, q);
    }

    free(q);
}


/* any XML, deflated and signed by the IdP as a redirect to our SLS */
static void
mc_redirect_xml(const char *name, const char *param, const char *xml,
    const char *relay)
{
    char           *url;
    testidp_err_t   err;

    memset(&err, 0, sizeof(err));

    if (testidp_redirect_url(mc_idp, FZ_SLS, param, xml, strlen(xml), relay,
                             &url, &err) != 0)
    {
        fz_die("testidp_redirect_url(): %s", err.msg);
    }

    mc_redirect_variants(name, strchr(url, '?') + 1);
    free(url);
}


static void
mc_redirect(void)
{
    int                 i;
    char               *url, *xml, big[700], t[32];
    testidp_err_t       err;
    testidp_request_t   req;

    static const char  *shapes[] = {
        "no-nameid",
        "<samlp:LogoutRequest xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
        "xmlns:saml=\"" OIOSAML_NS_SAML "\" ID=\"_x1\" Version=\"2.0\" "
        "IssueInstant=\"%s\" Destination=\"" FZ_SLS "\"><saml:Issuer>"
        FZ_IDP "</saml:Issuer></samlp:LogoutRequest>",

        "long-values",
        "<samlp:LogoutRequest xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
        "xmlns:saml=\"" OIOSAML_NS_SAML "\" ID=\"_x2%s\" Version=\"2.0\" "
        "Destination=\"" FZ_SLS "\"><saml:Issuer>" FZ_IDP "</saml:Issuer>"
        "<saml:NameID>%s</saml:NameID><samlp:SessionIndex>%s"
        "</samlp:SessionIndex></samlp:LogoutRequest>",

        "response-failed",
        "<samlp:LogoutResponse xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
        "xmlns:saml=\"" OIOSAML_NS_SAML "\" ID=\"_x3\" Version=\"2.0\" "
        "InResponseTo=\"_r%s\" IssueInstant=\"%s\"><saml:Issuer>" FZ_IDP
        "</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"urn:oasis:"
        "names:tc:SAML:2.0:status:Requester\"/></samlp:Status>"
        "</samlp:LogoutResponse>",

        "wrong-destination",
        "<samlp:LogoutRequest xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
        "xmlns:saml=\"" OIOSAML_NS_SAML "\" ID=\"_x4\" Version=\"2.0\" "
        "IssueInstant=\"%s\" Destination=\"https://evil.test/sls\">"
        "<saml:Issuer>" FZ_IDP "</saml:Issuer><saml:NameID>alice"
        "</saml:NameID></samlp:LogoutRequest>",

        "no-id",
        "<samlp:LogoutRequest xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
        "xmlns:saml=\"" OIOSAML_NS_SAML "\" Version=\"2.0\" IssueInstant="
        "\"%s\"><saml:Issuer>" FZ_IDP "</saml:Issuer><saml:NameID>alice"
        "</saml:NameID></samlp:LogoutRequest>",

        "authn-request",
        "<samlp:AuthnRequest xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
        "xmlns:saml=\"" OIOSAML_NS_SAML "\" ID=\"_x6\" Version=\"2.0\" "
        "IssueInstant=\"%s\"><saml:Issuer>" FZ_IDP "</saml:Issuer>"
        "</samlp:AuthnRequest>",

        "doctype",
        "<!DOCTYPE x [<!ENTITY a \"alice\">]><samlp:LogoutRequest "
        "xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" xmlns:saml=\"" OIOSAML_NS_SAML
        "\" ID=\"_x7\" Version=\"2.0\" IssueInstant=\"%s\"><saml:Issuer>"
        FZ_IDP "</saml:Issuer><saml:NameID>&a;</saml:NameID>"
        "</samlp:LogoutRequest>",

        "unknown-issuer",
        "<samlp:LogoutRequest xmlns:samlp=\"" OIOSAML_NS_SAMLP "\" "
        "xmlns:saml=\"" OIOSAML_NS_SAML "\" ID=\"_x8\" Version=\"2.0\" "
        "IssueInstant=\"%s\"><saml:Issuer>https://evil.test/"
        "</saml:Issuer><saml:NameID>alice</saml:NameID>"
        "</samlp:LogoutRequest>",
    };

    /* the test IdP's own messages */
    memset(&err, 0, sizeof(err));

    if (testidp_logout_request(mc_idp, MC_ALICE, "session-1", mc_now, &url,
                               &err) != 0)
    {
        fz_die("testidp_logout_request(): %s", err.msg);
    }

    mc_redirect_variants("logout-request", strchr(url, '?') + 1);
    free(url);

    memset(&req, 0, sizeof(req));
    req.id = (char *) "_0123456789abcdef0123456789abcdef01234567";
    req.relay_state = (char *) FZ_RELAY;

    if (testidp_logout_response(mc_idp, &req, mc_now, &url, &err) != 0) {
        fz_die("testidp_logout_response(): %s", err.msg);
    }

    mc_redirect_variants("logout-response", strchr(url, '?') + 1);
    free(url);

    /* a RelayState longer than we keep */
    memset(big, 'R', 120);
    big[120] = '\0';
    req.relay_state = big;

    if (testidp_logout_response(mc_idp, &req, mc_now, &url, &err) != 0) {
        fz_die("testidp_logout_response(): %s", err.msg);
    }

    mc_redirect_variants("logout-response-long-relay", strchr(url, '?') + 1);
    free(url);

    /* odd messages, validly signed */
    if (testidp_time_format(mc_now, 0, t, sizeof(t)) != 0) {
        fz_die("testidp_time_format()");
    }

    memset(big, 'n', 600);
    big[600] = '\0';

    for (i = 0; i < (int) (sizeof(shapes) / sizeof(shapes[0])); i += 2) {
        if (i == 2) {
            if (asprintf(&xml, shapes[i + 1], big + 400, big, big + 200)
                < 0)
            {
                fz_die("out of memory");
            }

        } else if (i == 4) {
            if (asprintf(&xml, shapes[i + 1], big + 400, t) < 0) {
                fz_die("out of memory");
            }

        } else if (asprintf(&xml, shapes[i + 1], t) < 0) {
            fz_die("out of memory");
        }

        mc_redirect_xml(shapes[i], i == 4 ? "SAMLResponse" : "SAMLRequest",
                        xml, i == 6 ? FZ_RELAY : NULL);
        free(xml);
    }
}


/* ---- cookies --------------------------------------------------------- */

static void
mc_cookies(void)
{
    char               *v, name[64];
    size_t              len, i;
    oiosaml_err_t       err;
    oiosaml_pending_t   p;

    static const struct {
        const char  *name;
        time_t       age;
        int          loa;
        const char  *relay;
        const char  *ret;
    } pendings[] = {
        { "pending", 0, OIOSAML_LOA_NONE, FZ_RELAY, "/" },
        { "pending-loa", 10, OIOSAML_LOA_HIGH, FZ_RELAY, "/app?x=1&y=%2F" },
        { "pending-expired", 3600, OIOSAML_LOA_NONE, FZ_RELAY, "/" },
        { "pending-future", -3600, OIOSAML_LOA_NONE, FZ_RELAY, "/" },
        { "pending-other-relay", 0, OIOSAML_LOA_NONE,
          "OtherOtherOtherOther01", "/" },
    };

    static const struct {
        const char  *name;
        const char  *purpose;
        const char  *plain;
    } sealed[] = {
        { "sealed-choice-empty", FZ_PURPOSE_CHOICE, "" },
        { "sealed-choice-1", FZ_PURPOSE_CHOICE, "1" },
        { "sealed-choice-no-id", FZ_PURPOSE_CHOICE, "1\n123\n" },
        { "sealed-csrf-empty", FZ_PURPOSE_CSRF, "" },
        { "sealed-pending-short", FZ_PURPOSE_PENDING, "1\n2\n3\n4\n5" },
        { "sealed-pending-bad-loa", FZ_PURPOSE_PENDING,
          "1\n0\n99\n_id\ntest\n/" },
    };

    oiosaml_err_clear(&err);

    for (i = 0; i < sizeof(pendings) / sizeof(pendings[0]); i++) {
        fz_pending(&p);
        p.created = mc_now - pendings[i].age;
        p.loa = (oiosaml_loa_t) pendings[i].loa;
        strcpy(p.return_url, pendings[i].ret);

        if (oiosaml_pending_seal(mc_sp, &p, pendings[i].relay, &v, &len,
                                 &err)
            != OIOSAML_OK)
        {
            fz_die("oiosaml_pending_seal(): %s", err.text);
        }

        snprintf(name, sizeof(name), "%s.txt", pendings[i].name);
        mc_write("fuzz_cookies", name, 0, v, len);
        free(v);
    }

    for (i = 0; i < 3; i++) {
        if (oiosaml_choice_seal(mc_sp, i == 2 ? "other-idp" : "test",
                                mc_now - (i == 1 ? 500 * 86400 : 0), &v,
                                &len, &err)
            != OIOSAML_OK)
        {
            fz_die("oiosaml_choice_seal(): %s", err.text);
        }

        snprintf(name, sizeof(name), "choice-%zu.txt", i);
        mc_write("fuzz_cookies", name, 0, v, len);
        free(v);
    }

    for (i = 0; i < 3; i++) {
        if (oiosaml_csrf_token(mc_sp, i == 1 ? "another-nonce" : FZ_NONCE,
                               i == 1 ? 13 : sizeof(FZ_NONCE) - 1,
                               mc_now - (i == 2 ? 7200 : 0), &v, &len, &err)
            != OIOSAML_OK)
        {
            fz_die("oiosaml_csrf_token(): %s", err.text);
        }

        snprintf(name, sizeof(name), "csrf-%zu.txt", i);
        mc_write("fuzz_cookies", name, 0, v, len);
        free(v);
    }

    for (i = 0; i < sizeof(sealed) / sizeof(sealed[0]); i++) {
        if (oiosaml_seal(mc_sp, sealed[i].purpose,
                         (const unsigned char *) sealed[i].plain,
                         strlen(sealed[i].plain), &v, &len, &err)
            != OIOSAML_OK)
        {
            fz_die("oiosaml_seal(): %s", err.text);
        }

        snprintf(name, sizeof(name), "%s.txt", sealed[i].name);
        mc_write("fuzz_cookies", name, 0, v, len);
        free(v);
    }
}


/* ---- metadata -------------------------------------------------------- */

static void
mc_metadata(void)
{
    char    *md, *two, *p;
    size_t   len;

    md = fz_idp_metadata(FZ_IDP, fz_cert("idp.crt"), &len);
    mc_write("fuzz_metadata", "idp.xml", 0, md, len);

    /* two KeyDescriptors, inside an EntitiesDescriptor */
    p = strstr(md, "<md:KeyDescriptor");
    two = NULL;

    if (p != NULL
        && asprintf(&two, "<md:EntitiesDescriptor xmlns:md=\"" OIOSAML_NS_MD
                    "\" validUntil=\"2099-01-01T00:00:00Z\">%.*s%.*s%s"
                    "</md:EntitiesDescriptor>",
                    (int) (p - md), md,
                    (int) (strstr(p, "</md:KeyDescriptor>") - p
                           + sizeof("</md:KeyDescriptor>") - 1), p, p) < 0)
    {
        fz_die("out of memory");
    }

    if (two != NULL) {
        mc_write_str("fuzz_metadata", "idp-two-keydescriptors.xml", two);
        free(two);
    }

    free(md);

    md = fz_idp_metadata("https://next.test/", fz_cert("idp-next.crt"), &len);
    mc_write("fuzz_metadata", "idp-next.xml", 0, md, len);
    free(md);
}


/* ---- response check: a signed response as a SAML tracer shows it ----- */

static void
mc_check(void)
{
    char    *xml, *b64, *form, *p;
    size_t   len, i;

    xml = mc_response("alice", "", &len);
    b64 = (char *) testidp_b64_encode((unsigned char *) xml, len);
    form = malloc(3 * strlen(b64) + 64);

    if (b64 == NULL || form == NULL) {
        fz_die("out of memory");
    }

    mc_write("fuzz_check", "ok-aes256-gcm.xml", 0, xml, len);
    mc_write_str("fuzz_check", "ok-aes256-gcm.b64", b64);

    p = form + sprintf(form, "RelayState=RelayRelayRelayRelay01"
                       "&SAMLResponse=");

    for (i = 0; b64[i] != '\0'; i++) {
        p += (b64[i] == '+' || b64[i] == '/' || b64[i] == '=')
             ? sprintf(p, "%%%02X", (unsigned char) b64[i])
             : sprintf(p, "%c", b64[i]);
    }

    mc_write_str("fuzz_check", "ok-form-body.txt", form);

    free(form);
    free(b64);
    free(xml);

    xml = mc_response("bob", "encrypt=none&audience=https://other.test/",
                      &len);
    mc_write("fuzz_check", "deny-audience.xml", 0, xml, len);
    free(xml);
}
