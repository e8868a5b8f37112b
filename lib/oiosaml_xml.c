
/*
 * Hardened XML parsing and namespace-exact tree helpers.
 *
 * Every untrusted document goes through oiosaml_xml_parse(): no network,
 * no DTD (the parser stops at the DOCTYPE, before any entity or subset is
 * read), no entity substitution, no NUL byte, libxml2's default depth and
 * size limits.
 */


#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "oiosaml_internal.h"


static void oiosaml_xml_no_dtd(void *ctx, const xmlChar *name,
    const xmlChar *external_id, const xmlChar *system_id);


#define OIOSAML_XML_OPTIONS \
    (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)


oiosaml_status_t
oiosaml_xml_parse(const char *buf, size_t len, xmlDocPtr *doc,
    oiosaml_err_t *err)
{
    int               dtd;
    xmlDocPtr         d;
    xmlParserCtxtPtr  ctxt;

    *doc = NULL;

    if (len == 0 || len > (size_t) 0x7fffffff) {
        return oiosaml_err_set(err, OIOSAML_BAD_XML, "empty or huge XML");
    }

    /*
     * libxml2 takes a NUL after the root element for the end of the input
     * and ignores the rest; so no NUL byte (which also rules out UTF-16)
     */
    if (memchr(buf, '\0', len) != NULL) {
        return oiosaml_err_set(err, OIOSAML_BAD_XML,
                               "XML with a NUL byte (or in UTF-16)");
    }

    oiosaml_lib_error_clear();

    ctxt = xmlCreateMemoryParserCtxt(buf, (int) len);
    if (ctxt == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM,
                               "xmlCreateMemoryParserCtxt() failed");
    }

    xmlCtxtUseOptions(ctxt, OIOSAML_XML_OPTIONS);

    ctxt->sax->internalSubset = oiosaml_xml_no_dtd;
    ctxt->sax->externalSubset = NULL;
    ctxt->_private = NULL;

    xmlParseDocument(ctxt);

    dtd = (ctxt->_private != NULL);
    d = ctxt->myDoc;
    ctxt->myDoc = NULL;

    if (dtd || !ctxt->wellFormed || !ctxt->nsWellFormed || d == NULL
        || xmlDocGetRootElement(d) == NULL)
    {
        xmlFreeParserCtxt(ctxt);

        if (d != NULL) {
            xmlFreeDoc(d);
        }

        if (dtd) {
            return oiosaml_err_set(err, OIOSAML_BAD_XML,
                                   "XML with a DOCTYPE is not accepted");
        }

        return oiosaml_err_xml(err, OIOSAML_BAD_XML, "malformed XML");
    }

    xmlFreeParserCtxt(ctxt);

    *doc = d;

    return OIOSAML_OK;
}


static void
oiosaml_xml_no_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
    const xmlChar *system_id)
{
    xmlParserCtxtPtr  ctxt = ctx;

    (void) name;
    (void) external_id;
    (void) system_id;

    ctxt->_private = ctxt;
    xmlStopParser(ctxt);
}


int
oiosaml_xml_is(const xmlNode *node, const char *ns, const char *name)
{
    return node != NULL
           && node->type == XML_ELEMENT_NODE
           && node->ns != NULL
           && node->ns->href != NULL
           && strcmp((const char *) node->ns->href, ns) == 0
           && strcmp((const char *) node->name, name) == 0;
}


xmlNodePtr
oiosaml_xml_first(const xmlNode *parent)
{
    xmlNodePtr  n;

    for (n = parent->children; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            return n;
        }
    }

    return NULL;
}


xmlNodePtr
oiosaml_xml_next(const xmlNode *node)
{
    xmlNodePtr  n;

    for (n = node->next; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            return n;
        }
    }

    return NULL;
}


xmlNodePtr
oiosaml_xml_child(const xmlNode *parent, const char *ns, const char *name)
{
    xmlNodePtr  n;

    for (n = oiosaml_xml_first(parent); n != NULL; n = oiosaml_xml_next(n)) {
        if (oiosaml_xml_is(n, ns, name)) {
            return n;
        }
    }

    return NULL;
}


size_t
oiosaml_xml_count(const xmlNode *parent, const char *ns, const char *name)
{
    size_t      count;
    xmlNodePtr  n;

    count = 0;

    for (n = oiosaml_xml_first(parent); n != NULL; n = oiosaml_xml_next(n)) {
        if (oiosaml_xml_is(n, ns, name)) {
            count++;
        }
    }

    return count;
}


const char *
oiosaml_xml_attr(const xmlNode *node, const char *name)
{
    xmlAttrPtr  a;

    for (a = node->properties; a != NULL; a = a->next) {
        if (a->ns == NULL && strcmp((const char *) a->name, name) == 0) {
            if (a->children == NULL) {
                return "";
            }

            if (a->children->type != XML_TEXT_NODE
                || a->children->next != NULL)
            {
                return NULL;
            }

            return (const char *) a->children->content;
        }
    }

    return NULL;
}


char *
oiosaml_xml_text(const xmlNode *node)
{
    xmlChar  *c;
    char     *s;

    c = xmlNodeGetContent(node);
    if (c == NULL) {
        return oiosaml_strdup("");
    }

    s = oiosaml_strdup((const char *) c);
    xmlFree(c);

    return s;
}


char *
oiosaml_xml_dump(xmlDocPtr doc, size_t *len)
{
    int       n;
    char     *s;
    xmlChar  *buf;

    xmlDocDumpMemoryEnc(doc, &buf, &n, "UTF-8");
    if (buf == NULL) {
        return NULL;
    }

    s = oiosaml_strndup((const char *) buf, (size_t) n);
    xmlFree(buf);

    if (s != NULL && len != NULL) {
        *len = (size_t) n;
    }

    return s;
}
