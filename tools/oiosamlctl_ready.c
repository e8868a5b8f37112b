
/*
 * oiosamlctl sp-metadata CONF --check: is our SP metadata what NemLog-in3
 * and KOMBIT's Context Handler 2 ask for at registration?  One row per
 * requirement (docs/federation.md has the same table with its sources):
 * what the metadata has, and whether each federation requires it.
 */


#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "oiosamlctl.h"


#define OIOSAMLCTL_REQ      "required"
#define OIOSAMLCTL_REC      "recommended"
#define OIOSAMLCTL_NONE     "-"


typedef struct {
    const char  *what;
    const char  *xpath;         /* true when the metadata has it */
    const char  *nemlogin;      /* OIOSAMLCTL_REQ, _REC or _NONE */
    const char  *ch2;
} oiosamlctl_rule_t;


#define OIOSAMLCTL_SSO  "/md:EntityDescriptor/md:SPSSODescriptor"
#define OIOSAMLCTL_RA   OIOSAMLCTL_SSO "/md:AttributeConsumingService/" \
                        "md:RequestedAttribute"
#define OIOSAMLCTL_URI  "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"

#define oiosamlctl_required_attr(name)                                       \
    "boolean(" OIOSAMLCTL_RA "[@Name='" name "' and @isRequired='true'"     \
    " and @NameFormat='" OIOSAMLCTL_URI "'])"


static const oiosamlctl_rule_t  oiosamlctl_rules[] = {
    { "signed (ds:Signature on EntityDescriptor)",
      "boolean(/md:EntityDescriptor/ds:Signature)",
      OIOSAMLCTL_REC, OIOSAMLCTL_REQ },
    { "entityID starts with https://saml.",
      "starts-with(/md:EntityDescriptor/@entityID, 'https://saml.')",
      OIOSAMLCTL_REQ, OIOSAMLCTL_NONE },
    { "validUntil and cacheDuration",
      "boolean(/md:EntityDescriptor/@validUntil"
      " and /md:EntityDescriptor/@cacheDuration)",
      OIOSAMLCTL_REC, OIOSAMLCTL_REC },
    { "AuthnRequestsSigned=\"true\"",
      "boolean(" OIOSAMLCTL_SSO "[@AuthnRequestsSigned='true'])",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REQ },
    { "WantAssertionsSigned=\"true\"",
      "boolean(" OIOSAMLCTL_SSO "[@WantAssertionsSigned='true'])",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REC },
    { "KeyDescriptor use=\"signing\" with a certificate",
      "boolean(" OIOSAMLCTL_SSO "/md:KeyDescriptor[@use='signing']"
      "/ds:KeyInfo/ds:X509Data/ds:X509Certificate)",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REQ },
    { "KeyDescriptor use=\"encryption\" with a certificate",
      "boolean(" OIOSAMLCTL_SSO "/md:KeyDescriptor[@use='encryption']"
      "/ds:KeyInfo/ds:X509Data/ds:X509Certificate)",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REC },
    { "EncryptionMethod on the encryption key, AES-GCM first",
      "boolean(" OIOSAMLCTL_SSO "/md:KeyDescriptor[@use='encryption']"
      "/md:EncryptionMethod[1][contains(@Algorithm, '-gcm')])",
      OIOSAMLCTL_REC, OIOSAMLCTL_REC },
    { "SingleLogoutService, HTTP-Redirect",
      "boolean(" OIOSAMLCTL_SSO "/md:SingleLogoutService[@Binding="
      "'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'])",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REQ },
    { "SingleLogoutService ResponseLocation",
      "boolean(" OIOSAMLCTL_SSO "/md:SingleLogoutService/@ResponseLocation)",
      OIOSAMLCTL_REC, OIOSAMLCTL_REC },
    { "NameIDFormat persistent",
      "boolean(" OIOSAMLCTL_SSO "/md:NameIDFormat[normalize-space()="
      "'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'])",
      OIOSAMLCTL_REQ, OIOSAMLCTL_NONE },
    { "AssertionConsumerService, HTTP-POST, https",
      "boolean(" OIOSAMLCTL_SSO "/md:AssertionConsumerService[@Binding="
      "'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'"
      " and starts-with(@Location, 'https://')])",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REQ },
    { "AttributeConsumingService with a Danish ServiceName",
      "boolean(" OIOSAMLCTL_SSO "/md:AttributeConsumingService"
      "/md:ServiceName[@xml:lang='da'])",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REC },
    { "... and an English ServiceName",
      "boolean(" OIOSAMLCTL_SSO "/md:AttributeConsumingService"
      "/md:ServiceName[@xml:lang='en'])",
      OIOSAMLCTL_REC, OIOSAMLCTL_REC },
    { "RequestedAttribute, NameFormat uri, all of them",
      "boolean(" OIOSAMLCTL_RA ") and not(" OIOSAMLCTL_RA "[@NameFormat!='"
      OIOSAMLCTL_URI "'])",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REC },
    { "required: specVersion",
      oiosamlctl_required_attr("https://data.gov.dk/model/core/specVersion"),
      OIOSAMLCTL_REQ, OIOSAMLCTL_NONE },
    { "required: nsis/loa",
      oiosamlctl_required_attr("https://data.gov.dk/concept/core/nsis/loa"),
      OIOSAMLCTL_REQ, OIOSAMLCTL_NONE },
    { "required: professional/cvr",
      oiosamlctl_required_attr("https://data.gov.dk/model/core/eid/"
                               "professional/cvr"),
      OIOSAMLCTL_REQ, OIOSAMLCTL_NONE },
    { "required: professional/orgName",
      oiosamlctl_required_attr("https://data.gov.dk/model/core/eid/"
                               "professional/orgName"),
      OIOSAMLCTL_REQ, OIOSAMLCTL_NONE },
    { "requested: privilegesIntermediate (roles)",
      "boolean(" OIOSAMLCTL_RA "[@Name='https://data.gov.dk/model/core/eid/"
      "privilegesIntermediate'])",
      OIOSAMLCTL_NONE, OIOSAMLCTL_REC },
    { "Organization: name, display name, URL",
      "boolean(/md:EntityDescriptor/md:Organization/md:OrganizationName"
      " and /md:EntityDescriptor/md:Organization/md:OrganizationDisplayName"
      " and /md:EntityDescriptor/md:Organization/md:OrganizationURL)",
      OIOSAMLCTL_REC, OIOSAMLCTL_REC },
    { "ContactPerson technical, with e-mail",
      "boolean(/md:EntityDescriptor/md:ContactPerson[@contactType="
      "'technical']/md:EmailAddress)",
      OIOSAMLCTL_REQ, OIOSAMLCTL_REC },
    { "ContactPerson administrative, with e-mail",
      "boolean(/md:EntityDescriptor/md:ContactPerson[@contactType="
      "'administrative']/md:EmailAddress)",
      OIOSAMLCTL_REC, OIOSAMLCTL_REC },
    { NULL, NULL, NULL, NULL }
};


/*
 * Prints the table; OIOSAMLCTL_OK when every row that either federation
 * requires holds, OIOSAMLCTL_FAIL otherwise (or when the XML is not
 * metadata at all).
 */
int
oiosamlctl_ready_check(const char *xml, size_t len, FILE *out)
{
    int                        ok, has, failed;
    const char                *cols[4];
    xmlDocPtr                  doc;
    xmlXPathObjectPtr          res;
    xmlXPathContextPtr         ctx;
    oiosamlctl_table_t         t;
    const oiosamlctl_rule_t   *r;

    doc = xmlReadMemory(xml, (int) len, "metadata.xml", NULL,
                        XML_PARSE_NONET);
    if (doc == NULL) {
        fprintf(stderr, "oiosamlctl: the metadata is not well-formed XML\n");
        return OIOSAMLCTL_FAIL;
    }

    ctx = xmlXPathNewContext(doc);
    if (ctx == NULL) {
        xmlFreeDoc(doc);
        return OIOSAMLCTL_FAIL;
    }

    xmlXPathRegisterNs(ctx, (const xmlChar *) "md",
                       (const xmlChar *) "urn:oasis:names:tc:SAML:2.0:"
                                         "metadata");
    xmlXPathRegisterNs(ctx, (const xmlChar *) "ds",
                       (const xmlChar *) "http://www.w3.org/2000/09/"
                                         "xmldsig#");

    oiosamlctl_table_init(&t, 4);
    cols[0] = "requirement";
    cols[1] = "ours";
    cols[2] = "NemLog-in3";
    cols[3] = "Context Handler 2";
    oiosamlctl_table_row(&t, cols);

    failed = 0;

    for (r = oiosamlctl_rules; r->what != NULL; r++) {
        res = xmlXPathEvalExpression((const xmlChar *) r->xpath, ctx);
        has = res != NULL && xmlXPathCastToBoolean(res);
        xmlXPathFreeObject(res);

        ok = has || (strcmp(r->nemlogin, OIOSAMLCTL_REQ) != 0
                     && strcmp(r->ch2, OIOSAMLCTL_REQ) != 0);

        if (!ok) {
            failed++;
        }

        cols[0] = r->what;
        cols[1] = has ? "yes" : (ok ? "no" : "MISSING");
        cols[2] = r->nemlogin;
        cols[3] = r->ch2;
        oiosamlctl_table_row(&t, cols);
    }

    oiosamlctl_table_print(&t, out);
    oiosamlctl_table_free(&t);

    fprintf(out, "\n%s\n", failed ? "NOT READY: a required element is "
                                    "missing (see MISSING above)"
                                  : "ready: everything that NemLog-in3 and "
                                    "Context Handler 2 require is there");

    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);

    return failed ? OIOSAMLCTL_FAIL : OIOSAMLCTL_OK;
}
