
/*
 * Decoding and parsing of the SP's AuthnRequest and LogoutRequest.
 */


#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "testidp.h"


static int testidp_request_fill(testidp_request_t *req, xmlNodePtr root,
    testidp_err_t *err);
static int testidp_request_classrefs(testidp_request_t *req, xmlNodePtr rac,
    testidp_err_t *err);
static int testidp_is(xmlNodePtr node, const char *ns, const char *name);
static char *testidp_prop(xmlNodePtr node, const char *name);
static char *testidp_text(xmlNodePtr node);


int
testidp_request_decode(const char *b64, size_t len, const char *root,
    testidp_request_t **req, testidp_err_t *err)
{
    int                 rc;
    char               *xml;
    size_t              dlen, xml_len;
    unsigned char      *deflated;
    testidp_request_t  *r;

    deflated = testidp_b64_decode(b64, len, &dlen);

    if (deflated == NULL || dlen == 0) {
        free(deflated);
        return testidp_err(err, "SAMLRequest is not base64");
    }

    rc = testidp_inflate(deflated, dlen, TESTIDP_INFLATE_MAX,
                         (unsigned char **) &xml, &xml_len, err);
    free(deflated);

    if (rc != 0) {
        return -1;
    }

    rc = testidp_request_parse(xml, xml_len, root, &r, err);
    free(xml);

    if (rc != 0) {
        return -1;
    }

    r->saml_request = testidp_strndup(b64, len);

    if (r->saml_request == NULL) {
        testidp_request_free(r);
        return testidp_err(err, "out of memory");
    }

    *req = r;

    return 0;
}


int
testidp_request_parse(const char *xml, size_t len, const char *root,
    testidp_request_t **req, testidp_err_t *err)
{
    xmlDocPtr           doc;
    xmlNodePtr          node;
    testidp_request_t  *r;

    if (len > 0x7fffffff) {
        return testidp_err(err, "request too large");
    }

    doc = xmlReadMemory(xml, (int) len, "request.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOWARNING
                        | XML_PARSE_NOERROR);

    if (doc == NULL) {
        return testidp_err(err, "%s is not well-formed XML", root);
    }

    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        xmlFreeDoc(doc);
        return testidp_err(err, "%s has a DTD", root);
    }

    node = xmlDocGetRootElement(doc);

    if (node == NULL || !testidp_is(node, TESTIDP_NS_SAMLP, root)) {
        xmlFreeDoc(doc);
        return testidp_err(err, "the message is not a samlp:%s", root);
    }

    r = calloc(1, sizeof(testidp_request_t));

    if (r == NULL) {
        xmlFreeDoc(doc);
        return testidp_err(err, "out of memory");
    }

    if (testidp_request_fill(r, node, err) != 0) {
        xmlFreeDoc(doc);
        testidp_request_free(r);
        return -1;
    }

    xmlFreeDoc(doc);

    if (r->id == NULL || r->id[0] == '\0') {
        testidp_request_free(r);
        return testidp_err(err, "%s has no ID", root);
    }

    if (r->issuer == NULL || r->issuer[0] == '\0') {
        testidp_request_free(r);
        return testidp_err(err, "%s has no Issuer", root);
    }

    if (strcmp(root, TESTIDP_LOGOUT_REQUEST) == 0
        && (r->nameid == NULL || r->nameid[0] == '\0'))
    {
        testidp_request_free(r);
        return testidp_err(err, "LogoutRequest has no NameID");
    }

    *req = r;

    return 0;
}


static int
testidp_request_fill(testidp_request_t *req, xmlNodePtr root,
    testidp_err_t *err)
{
    xmlNodePtr  node;

    req->id = testidp_prop(root, "ID");
    req->acs_url = testidp_prop(root, "AssertionConsumerServiceURL");
    req->destination = testidp_prop(root, "Destination");

    for (node = root->children; node != NULL; node = node->next) {

        if (node->type != XML_ELEMENT_NODE) {
            continue;
        }

        if (testidp_is(node, TESTIDP_NS_SAML, "Issuer")
            && req->issuer == NULL)
        {
            req->issuer = testidp_text(node);

        } else if (testidp_is(node, TESTIDP_NS_SAML, "NameID")
                   && req->nameid == NULL)
        {
            req->nameid = testidp_text(node);

        } else if (testidp_is(node, TESTIDP_NS_SAMLP, "SessionIndex")
                   && req->session_index == NULL)
        {
            req->session_index = testidp_text(node);

        } else if (testidp_is(node, TESTIDP_NS_SAMLP,
                              "RequestedAuthnContext"))
        {
            if (req->comparison != NULL) {
                return testidp_err(err, "more than one "
                                   "RequestedAuthnContext");
            }

            if (testidp_request_classrefs(req, node, err) != 0) {
                return -1;
            }
        }
    }

    return 0;
}


static int
testidp_request_classrefs(testidp_request_t *req, xmlNodePtr rac,
    testidp_err_t *err)
{
    char       **p;
    xmlNodePtr   node;

    req->comparison = testidp_prop(rac, "Comparison");

    if (req->comparison == NULL) {
        req->comparison = testidp_strdup("exact");

        if (req->comparison == NULL) {
            return testidp_err(err, "out of memory");
        }
    }

    for (node = rac->children; node != NULL; node = node->next) {

        if (node->type != XML_ELEMENT_NODE
            || !testidp_is(node, TESTIDP_NS_SAML, "AuthnContextClassRef"))
        {
            continue;
        }

        p = realloc(req->classrefs, (req->nclassrefs + 1) * sizeof(char *));

        if (p == NULL) {
            return testidp_err(err, "out of memory");
        }

        req->classrefs = p;
        req->classrefs[req->nclassrefs] = testidp_text(node);

        if (req->classrefs[req->nclassrefs] == NULL) {
            return testidp_err(err, "out of memory");
        }

        req->nclassrefs++;
    }

    return 0;
}


void
testidp_request_free(testidp_request_t *req)
{
    size_t  i;

    if (req == NULL) {
        return;
    }

    for (i = 0; i < req->nclassrefs; i++) {
        free(req->classrefs[i]);
    }

    free(req->classrefs);
    free(req->id);
    free(req->issuer);
    free(req->acs_url);
    free(req->destination);
    free(req->comparison);
    free(req->nameid);
    free(req->session_index);
    free(req->saml_request);
    free(req->relay_state);
    free(req);
}


static int
testidp_is(xmlNodePtr node, const char *ns, const char *name)
{
    return node->ns != NULL && node->ns->href != NULL
           && strcmp((const char *) node->ns->href, ns) == 0
           && strcmp((const char *) node->name, name) == 0;
}


/* a malloc()ed copy of an attribute without namespace, or NULL */
static char *
testidp_prop(xmlNodePtr node, const char *name)
{
    char     *s;
    xmlChar  *v;

    v = xmlGetNoNsProp(node, BAD_CAST name);

    if (v == NULL) {
        return NULL;
    }

    s = testidp_strdup((const char *) v);
    xmlFree(v);

    return s;
}


/* the text content, trimmed, malloc()ed */
static char *
testidp_text(xmlNodePtr node)
{
    char     *s;
    size_t    len;
    xmlChar  *v, *p;

    v = xmlNodeGetContent(node);

    if (v == NULL) {
        return testidp_strdup("");
    }

    p = v;

    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        p++;
    }

    len = strlen((const char *) p);

    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'
                       || p[len - 1] == '\r' || p[len - 1] == '\n'))
    {
        len--;
    }

    s = testidp_strndup((const char *) p, len);
    xmlFree(v);

    return s;
}
