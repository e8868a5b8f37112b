
/*
 * libxml2 tree helpers shared by the messages the IdP builds.
 */


#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/valid.h>

#include "testidp.h"


xmlNodePtr
testidp_xml_child(xmlNodePtr parent, xmlNsPtr ns, const char *name,
    const char *text)
{
    if (parent == NULL) {
        return NULL;
    }

    if (text == NULL) {
        return xmlNewChild(parent, ns, BAD_CAST name, NULL);
    }

    /* xmlNewTextChild() escapes the text, xmlNewChild() would not */
    return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text);
}


int
testidp_xml_prop(xmlNodePtr node, const char *name, const char *value)
{
    if (node == NULL || value == NULL) {
        return -1;
    }

    return xmlSetProp(node, BAD_CAST name, BAD_CAST value) != NULL ? 0 : -1;
}


int
testidp_xml_id(xmlNodePtr node, const char *id)
{
    xmlAttrPtr  attr;

    if (node == NULL) {
        return -1;
    }

    attr = xmlSetProp(node, BAD_CAST "ID", BAD_CAST id);

    if (attr == NULL) {
        return -1;
    }

    if (xmlGetID(node->doc, BAD_CAST id) == NULL
        && xmlAddID(NULL, node->doc, BAD_CAST id, attr) == NULL)
    {
        return -1;
    }

    return 0;
}


xmlNodePtr
testidp_xml_find(xmlNodePtr node, const char *name)
{
    xmlNodePtr  child;

    for (child = node->children; child != NULL; child = child->next) {
        if (child->type == XML_ELEMENT_NODE
            && strcmp((const char *) child->name, name) == 0)
        {
            return child;
        }
    }

    return NULL;
}


int
testidp_xml_dump(xmlDocPtr doc, char **xml, size_t *len, testidp_err_t *err)
{
    int       size;
    xmlChar  *out;

    out = NULL;
    size = 0;

    xmlDocDumpMemoryEnc(doc, &out, &size, "UTF-8");

    if (out == NULL || size <= 0) {
        if (out != NULL) {
            xmlFree(out);
        }

        return testidp_err(err, "cannot serialize the XML");
    }

    *xml = testidp_strndup((const char *) out, (size_t) size);
    xmlFree(out);

    if (*xml == NULL) {
        return testidp_err(err, "out of memory");
    }

    *len = (size_t) size;

    return 0;
}
