
/*
 * Single logout: the LogoutResponse to an SP's LogoutRequest and an
 * IdP-initiated LogoutRequest, both sent with the HTTP-Redirect binding.
 */


#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "testidp.h"


#define TESTIDP_IDP_INITIATED   "idp-initiated"


static xmlNodePtr testidp_logout_message(const testidp_t *idp,
    xmlDocPtr doc, const char *name, time_t now, xmlNsPtr *samlp,
    xmlNsPtr *saml);
static int testidp_logout_send(const testidp_t *idp, xmlDocPtr doc,
    const char *param, const char *relay, char **url, testidp_err_t *err);


int
testidp_logout_response(const testidp_t *idp, const testidp_request_t *req,
    time_t now, char **url, testidp_err_t *err)
{
    int         rc;
    xmlNsPtr    samlp, saml;
    xmlDocPtr   doc;
    xmlNodePtr  root, status;

    if (idp->sp_sls == NULL) {
        return testidp_err(err, "no sp_sls= configured");
    }

    doc = xmlNewDoc(BAD_CAST "1.0");

    if (doc == NULL) {
        return testidp_err(err, "out of memory");
    }

    root = testidp_logout_message(idp, doc, "LogoutResponse", now, &samlp,
                                  &saml);

    status = root ? testidp_xml_child(root, samlp, "Status", NULL) : NULL;

    if (root == NULL
        || testidp_xml_prop(root, "InResponseTo", req->id) != 0
        || testidp_xml_prop(testidp_xml_child(status, samlp, "StatusCode",
                                              NULL),
                            "Value", TESTIDP_STATUS_SUCCESS) != 0)
    {
        xmlFreeDoc(doc);
        return testidp_err(err, "out of memory");
    }

    rc = testidp_logout_send(idp, doc, "SAMLResponse", req->relay_state,
                             url, err);

    xmlFreeDoc(doc);

    return rc;
}


int
testidp_logout_request(const testidp_t *idp, const char *nameid,
    const char *session_index, time_t now, char **url, testidp_err_t *err)
{
    int                    rc;
    xmlNsPtr               samlp, saml;
    xmlDocPtr              doc;
    xmlNodePtr             root, node;
    const testidp_user_t  *user;

    if (idp->sp_sls == NULL) {
        return testidp_err(err, "no sp_sls= configured");
    }

    if (nameid == NULL || nameid[0] == '\0') {
        return testidp_err(err, "no nameid parameter");
    }

    doc = xmlNewDoc(BAD_CAST "1.0");

    if (doc == NULL) {
        return testidp_err(err, "out of memory");
    }

    root = testidp_logout_message(idp, doc, "LogoutRequest", now, &samlp,
                                  &saml);

    node = root ? testidp_xml_child(root, saml, "NameID", nameid) : NULL;
    user = testidp_users_find_nameid(idp->users, nameid);

    if (node == NULL
        || (user != NULL
            && testidp_xml_prop(node, "Format", user->nameid_format) != 0)
        || (session_index != NULL && session_index[0] != '\0'
            && testidp_xml_child(root, samlp, "SessionIndex",
                                 session_index) == NULL))
    {
        xmlFreeDoc(doc);
        return testidp_err(err, "out of memory");
    }

    rc = testidp_logout_send(idp, doc, "SAMLRequest", TESTIDP_IDP_INITIATED,
                             url, err);

    xmlFreeDoc(doc);

    return rc;
}


/* the root element with ID, Version, IssueInstant, Destination, Issuer */
static xmlNodePtr
testidp_logout_message(const testidp_t *idp, xmlDocPtr doc,
    const char *name, time_t now, xmlNsPtr *samlp, xmlNsPtr *saml)
{
    char        id[42], tbuf[40];
    xmlNodePtr  root;

    root = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);

    if (root == NULL) {
        return NULL;
    }

    xmlDocSetRootElement(doc, root);

    *samlp = xmlNewNs(root, BAD_CAST TESTIDP_NS_SAMLP, BAD_CAST "samlp");
    *saml = xmlNewNs(root, BAD_CAST TESTIDP_NS_SAML, BAD_CAST "saml");

    if (*samlp == NULL || *saml == NULL) {
        return NULL;
    }

    xmlSetNs(root, *samlp);

    if (testidp_random_id(id, NULL) != 0
        || testidp_xml_id(root, id) != 0
        || testidp_xml_prop(root, "Version", "2.0") != 0
        || testidp_time_format(now, 0, tbuf, sizeof(tbuf)) != 0
        || testidp_xml_prop(root, "IssueInstant", tbuf) != 0
        || testidp_xml_prop(root, "Destination", idp->sp_sls) != 0
        || testidp_xml_child(root, *saml, "Issuer", idp->entity_id) == NULL)
    {
        return NULL;
    }

    return root;
}


static int
testidp_logout_send(const testidp_t *idp, xmlDocPtr doc, const char *param,
    const char *relay, char **url, testidp_err_t *err)
{
    int      rc;
    char    *xml;
    size_t   len;

    if (testidp_xml_dump(doc, &xml, &len, err) != 0) {
        return -1;
    }

    rc = testidp_redirect_url(idp, idp->sp_sls, param, xml, len, relay, url,
                              err);

    free(xml);

    return rc;
}
