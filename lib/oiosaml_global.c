
/*
 * Process-wide initialisation: libxml2, xmlsec with OpenSSL, lasso, and
 * error hooks that keep library chatter out of stderr.
 */


#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <lasso/lasso.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>

#include "oiosaml_internal.h"


static void oiosaml_xmlsec_error(const char *file, int line, const char *func,
    const char *object, const char *subject, int reason, const char *msg);
static void oiosaml_xml_error(void *data, xmlErrorPtr error);
static void oiosaml_glib_log(const gchar *domain, GLogLevelFlags level,
    const gchar *message, gpointer data);


static int  oiosaml_initialized;


oiosaml_status_t
oiosaml_global_init(oiosaml_err_t *err)
{
    const char  *flag;

    flag = getenv("LASSO_FLAG");

    if (flag != NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_UNSAFE_ENV,
                               "LASSO_FLAG=\"%s\" is set in the environment; "
                               "it can turn off signature checks in lasso, "
                               "so the gateway refuses to start", flag);
    }

    if (oiosaml_initialized) {
        return OIOSAML_OK;
    }

    xmlInitParser();

    /* lasso_init() also initialises xmlsec and its OpenSSL backend */
    if (lasso_init() != 0) {
        return oiosaml_err_set(err, OIOSAML_ERR_INTERNAL,
                               "lasso_init() failed");
    }

    if (xmlSecCheckVersion() != 1) {
        return oiosaml_err_set(err, OIOSAML_ERR_INTERNAL,
                               "xmlsec library version mismatch");
    }

    xmlSecErrorsSetCallback(oiosaml_xmlsec_error);
    xmlSetStructuredErrorFunc(NULL, oiosaml_xml_error);
    g_log_set_handler("Lasso", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL
                      | G_LOG_FLAG_RECURSION, oiosaml_glib_log, NULL);

    oiosaml_initialized = 1;

    return OIOSAML_OK;
}


static void
oiosaml_xmlsec_error(const char *file, int line, const char *func,
    const char *object, const char *subject, int reason, const char *msg)
{
    (void) file;
    (void) line;
    (void) object;
    (void) reason;

    oiosaml_lib_error_set("xmlsec %s: %s%s%s", func ? func : "?",
                          subject ? subject : "",
                          (subject && msg) ? ": " : "", msg ? msg : "");
}


static void
oiosaml_xml_error(void *data, xmlErrorPtr error)
{
    (void) data;

    if (error == NULL || error->level == XML_ERR_WARNING) {
        return;
    }

    oiosaml_lib_error_set("libxml2 line %d: %s", error->line,
                          error->message ? error->message : "?");
}


static void
oiosaml_glib_log(const gchar *domain, GLogLevelFlags level,
    const gchar *message, gpointer data)
{
    (void) domain;
    (void) data;

    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL
                 | G_LOG_LEVEL_WARNING))
    {
        oiosaml_lib_error_set("lasso: %s", message ? message : "?");
    }
}
