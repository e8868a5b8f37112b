
/*
 * Status names, human sentences and the error sink.
 */


#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "oiosaml_internal.h"


typedef struct {
    oiosaml_status_t   status;
    const char        *name;
    const char        *text;
} oiosaml_status_info_t;


static const oiosaml_status_info_t  oiosaml_statuses[] = {
    { OIOSAML_OK, "ok", "success" },
    { OIOSAML_ERR_NOMEM, "err_nomem", "out of memory" },
    { OIOSAML_ERR_ARG, "err_arg", "invalid argument" },
    { OIOSAML_ERR_INTERNAL, "err_internal", "internal error" },
    { OIOSAML_ERR_CONFIG, "err_config", "invalid configuration" },
    { OIOSAML_ERR_IO, "err_io", "file cannot be read" },
    { OIOSAML_ERR_UNSAFE_ENV, "err_unsafe_env",
      "unsafe environment (LASSO_FLAG is set)" },
    { OIOSAML_ERR_STORE, "err_store",
      "login is temporarily unavailable (the session store cannot answer)" },

    { OIOSAML_BAD_ENCODING, "bad_encoding", "invalid encoding" },
    { OIOSAML_BAD_XML, "bad_xml", "malformed XML" },
    { OIOSAML_BAD_MESSAGE, "bad_message", "not a valid SAML message" },
    { OIOSAML_BAD_TOO_LARGE, "bad_too_large", "message too large" },
    { OIOSAML_BAD_COOKIE, "bad_cookie", "invalid cookie" },

    { OIOSAML_DENY_UNKNOWN_IDP, "deny_unknown_idp",
      "the identity provider is not configured" },
    { OIOSAML_DENY_UNSIGNED, "deny_unsigned",
      "the required signature is missing" },
    { OIOSAML_DENY_SIGNATURE, "deny_signature",
      "the signature is not valid for a trusted key" },
    { OIOSAML_DENY_SIG_ALGORITHM, "deny_sig_algorithm",
      "the signature algorithm is not allowed" },
    { OIOSAML_DENY_SIG_REFERENCE, "deny_sig_reference",
      "the signature does not cover the signed element" },
    { OIOSAML_DENY_DUPLICATE_ID, "deny_duplicate_id",
      "an ID occurs more than once" },
    { OIOSAML_DENY_ENCRYPTION_REQUIRED, "deny_encryption_required",
      "the assertion is not encrypted" },
    { OIOSAML_DENY_ENC_ALGORITHM, "deny_enc_algorithm",
      "the encryption algorithm is not allowed" },
    { OIOSAML_DENY_DECRYPT, "deny_decrypt",
      "the assertion cannot be decrypted" },
    { OIOSAML_DENY_ASSERTION_COUNT, "deny_assertion_count",
      "the response must hold exactly one assertion" },
    { OIOSAML_DENY_ISSUER, "deny_issuer", "unexpected issuer" },
    { OIOSAML_DENY_STATUS, "deny_status",
      "the identity provider reported a failure" },
    { OIOSAML_DENY_DESTINATION, "deny_destination",
      "the response is addressed elsewhere" },
    { OIOSAML_DENY_RECIPIENT, "deny_recipient",
      "the assertion is addressed elsewhere" },
    { OIOSAML_DENY_AUDIENCE, "deny_audience",
      "the assertion is for another audience" },
    { OIOSAML_DENY_NOT_YET_VALID, "deny_not_yet_valid",
      "the assertion is not yet valid" },
    { OIOSAML_DENY_EXPIRED, "deny_expired", "the assertion has expired" },
    { OIOSAML_DENY_SUBJECT, "deny_subject",
      "the assertion has no usable subject" },
    { OIOSAML_DENY_AUTHN_STATEMENT, "deny_authn_statement",
      "the assertion must hold exactly one authentication statement" },
    { OIOSAML_DENY_IN_RESPONSE_TO, "deny_in_response_to",
      "the response answers no pending request of this browser" },
    { OIOSAML_DENY_UNSOLICITED, "deny_unsolicited",
      "unsolicited responses are not accepted" },
    { OIOSAML_DENY_REPLAY, "deny_replay",
      "the assertion has been used before" },
    { OIOSAML_DENY_RETURN_URL, "deny_return_url",
      "the return address is not a local path" },
    { OIOSAML_DENY_COOKIE_EXPIRED, "deny_cookie_expired",
      "the login took too long" },
    { OIOSAML_DENY_LOA, "deny_loa", "the assurance level is too low" },
    { OIOSAML_DENY_ROLE, "deny_role", "a required role is missing" },
    { OIOSAML_DENY_PRIVILEGES, "deny_privileges",
      "the privileges attribute is malformed" },
    { OIOSAML_DENY_TOO_MANY_LOGINS, "deny_too_many_logins",
      "too many logins in a short time" },
    { OIOSAML_DENY_IDP_UNAVAILABLE, "deny_idp_unavailable",
      "the identity provider is unavailable" },
    { OIOSAML_DENY_CSRF, "deny_csrf",
      "the form was not sent from this site, or is too old" },
    { OIOSAML_DENY_CONDITION, "deny_condition",
      "the assertion has a condition this service does not know" },
};


/* the last libxml2 / xmlsec / lasso message, filled by the error hooks */
static char  oiosaml_lib_err[256];


static const oiosaml_status_info_t *
oiosaml_status_find(oiosaml_status_t status)
{
    size_t  i;

    for (i = 0; i < sizeof(oiosaml_statuses) / sizeof(oiosaml_statuses[0]);
         i++)
    {
        if (oiosaml_statuses[i].status == status) {
            return &oiosaml_statuses[i];
        }
    }

    return NULL;
}


const char *
oiosaml_status_name(oiosaml_status_t status)
{
    const oiosaml_status_info_t  *info;

    info = oiosaml_status_find(status);

    return info ? info->name : "unknown";
}


const char *
oiosaml_strerror(oiosaml_status_t status)
{
    const oiosaml_status_info_t  *info;

    info = oiosaml_status_find(status);

    return info ? info->text : "unknown status";
}


void
oiosaml_err_clear(oiosaml_err_t *err)
{
    if (err != NULL) {
        err->status = OIOSAML_OK;
        err->text[0] = '\0';
    }
}


oiosaml_status_t
oiosaml_err_set(oiosaml_err_t *err, oiosaml_status_t status,
    const char *fmt, ...)
{
    va_list  args;

    if (err == NULL || err->status != OIOSAML_OK) {
        return status;
    }

    err->status = status;

    va_start(args, fmt);
    vsnprintf(err->text, sizeof(err->text), fmt, args);
    va_end(args);

    return status;
}


oiosaml_status_t
oiosaml_err_openssl(oiosaml_err_t *err, oiosaml_status_t status,
    const char *what)
{
    char           detail[256];
    unsigned long  e;

    e = ERR_peek_last_error();

    if (e != 0) {
        ERR_error_string_n(e, detail, sizeof(detail));

    } else {
        detail[0] = '\0';
    }

    ERR_clear_error();

    if (detail[0] == '\0') {
        return oiosaml_err_set(err, status, "%s", what);
    }

    return oiosaml_err_set(err, status, "%s (%s)", what, detail);
}


oiosaml_status_t
oiosaml_err_xml(oiosaml_err_t *err, oiosaml_status_t status, const char *what)
{
    if (oiosaml_lib_err[0] == '\0') {
        return oiosaml_err_set(err, status, "%s", what);
    }

    return oiosaml_err_set(err, status, "%s (%s)", what, oiosaml_lib_err);
}


void
oiosaml_lib_error_clear(void)
{
    oiosaml_lib_err[0] = '\0';
}


const char *
oiosaml_lib_error(void)
{
    return oiosaml_lib_err;
}


void
oiosaml_lib_error_set(const char *fmt, ...)
{
    size_t   n;
    va_list  args;

    /* the first message of an operation names the root cause */
    if (oiosaml_lib_err[0] != '\0') {
        return;
    }

    va_start(args, fmt);
    vsnprintf(oiosaml_lib_err, sizeof(oiosaml_lib_err), fmt, args);
    va_end(args);

    n = strlen(oiosaml_lib_err);

    while (n > 0 && (oiosaml_lib_err[n - 1] == '\n'
                     || oiosaml_lib_err[n - 1] == ' '))
    {
        oiosaml_lib_err[--n] = '\0';
    }
}
