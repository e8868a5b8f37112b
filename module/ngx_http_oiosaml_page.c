
/*
 * What the user sees when something fails: the map from a library status
 * to an HTTP status, one log line per failure, and a short page in Danish
 * with English, always with a way out.
 */


#include "ngx_http_oiosaml_module.h"


typedef struct {
    oiosaml_status_t   status;
    const char        *da;
} ngx_http_oiosaml_text_t;


static const ngx_http_oiosaml_text_t  ngx_http_oiosaml_texts_da[] = {
    { OIOSAML_DENY_UNKNOWN_IDP,
      "Login-metoden er ikke sat op her." },
    { OIOSAML_DENY_UNSIGNED,
      "Svaret fra login-tjenesten var ikke signeret." },
    { OIOSAML_DENY_SIGNATURE,
      "Signaturen på svaret fra login-tjenesten er ikke gyldig." },
    { OIOSAML_DENY_SIG_ALGORITHM,
      "Svaret fra login-tjenesten bruger en algoritme, der ikke er "
      "tilladt." },
    { OIOSAML_DENY_SIG_REFERENCE,
      "Signaturen dækker ikke svaret fra login-tjenesten." },
    { OIOSAML_DENY_DUPLICATE_ID,
      "Svaret fra login-tjenesten er ugyldigt." },
    { OIOSAML_DENY_ENCRYPTION_REQUIRED,
      "Svaret fra login-tjenesten var ikke krypteret." },
    { OIOSAML_DENY_ENC_ALGORITHM,
      "Svaret fra login-tjenesten bruger en krypteringsalgoritme, der ikke "
      "er tilladt." },
    { OIOSAML_DENY_DECRYPT,
      "Svaret fra login-tjenesten kunne ikke dekrypteres." },
    { OIOSAML_DENY_ASSERTION_COUNT,
      "Svaret fra login-tjenesten er ugyldigt." },
    { OIOSAML_DENY_ISSUER,
      "Svaret kom fra en anden login-tjeneste end forventet." },
    { OIOSAML_DENY_STATUS,
      "Login-tjenesten meldte en fejl." },
    { OIOSAML_DENY_DESTINATION,
      "Svaret fra login-tjenesten var sendt til et andet system." },
    { OIOSAML_DENY_RECIPIENT,
      "Svaret fra login-tjenesten var sendt til et andet system." },
    { OIOSAML_DENY_AUDIENCE,
      "Svaret fra login-tjenesten gælder et andet system." },
    { OIOSAML_DENY_CONDITION,
      "Svaret fra login-tjenesten har en betingelse, som dette system "
      "ikke kender." },
    { OIOSAML_DENY_NOT_YET_VALID,
      "Svaret fra login-tjenesten er endnu ikke gyldigt (forkert ur?)." },
    { OIOSAML_DENY_EXPIRED,
      "Svaret fra login-tjenesten er udløbet." },
    { OIOSAML_DENY_SUBJECT,
      "Svaret fra login-tjenesten angiver ingen bruger." },
    { OIOSAML_DENY_AUTHN_STATEMENT,
      "Svaret fra login-tjenesten er ugyldigt." },
    { OIOSAML_DENY_IN_RESPONSE_TO,
      "Svaret passer ikke til et login startet i denne browser." },
    { OIOSAML_DENY_UNSOLICITED,
      "Login skal startes fra dette system." },
    { OIOSAML_DENY_REPLAY,
      "Svaret fra login-tjenesten er allerede brugt." },
    { OIOSAML_DENY_RETURN_URL,
      "Adressen, der skulle vendes tilbage til, er ikke tilladt." },
    { OIOSAML_DENY_COOKIE_EXPIRED,
      "Login tog for lang tid." },
    { OIOSAML_BAD_COOKIE,
      "Login-oplysningerne i browseren er ugyldige." },
    { OIOSAML_BAD_TOO_LARGE,
      "Forespørgslen er for stor." },
    { OIOSAML_DENY_IDP_UNAVAILABLE,
      "Login-metoden kan ikke bruges lige nu. V\xc3\xa6lg en anden "
      "login-metode, eller pr\xc3\xb8v igen senere." },
    { OIOSAML_DENY_TOO_MANY_LOGINS,
      "Der er startet for mange login p\xc3\xa5 kort tid. Vent et minut, og "
      "pr\xc3\xb8v igen." },
    { OIOSAML_ERR_STORE,
      "Login er midlertidigt utilg\xc3\xa6ngeligt. Pr\xc3\xb8v igen om lidt." },
};


static ngx_uint_t ngx_http_oiosaml_http_status(oiosaml_status_t st);
static ngx_uint_t ngx_http_oiosaml_opaque(const char *what,
    oiosaml_status_t st);
static u_char *ngx_http_oiosaml_escape(ngx_http_request_t *r, ngx_str_t *s,
    size_t *len);
static const char *ngx_http_oiosaml_text_da(oiosaml_status_t status);


static ngx_uint_t
ngx_http_oiosaml_http_status(oiosaml_status_t st)
{
    ngx_uint_t  status;

    if (st == OIOSAML_BAD_TOO_LARGE) {
        status = NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;

    } else if (oiosaml_is_bad_input(st) || st == OIOSAML_DENY_RETURN_URL) {
        status = NGX_HTTP_BAD_REQUEST;

    } else if (st == OIOSAML_DENY_TOO_MANY_LOGINS) {
        status = NGX_HTTP_TOO_MANY_REQUESTS;

    } else if (st == OIOSAML_DENY_IDP_UNAVAILABLE
               || st == OIOSAML_ERR_STORE)
    {
        status = NGX_HTTP_SERVICE_UNAVAILABLE;

    } else if (oiosaml_is_denial(st)) {
        status = NGX_HTTP_FORBIDDEN;

    } else {
        status = NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return status;
}


/* one log line for a failed request, then the page */
ngx_int_t
ngx_http_oiosaml_fail(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const char *what, oiosaml_err_t *err)
{
    ngx_str_t         da, en;
    ngx_uint_t        level;
    oiosaml_status_t  st;

    st = err->status;
    /* a named denial (an IdP marked down: 503) is no server error */
    level = (ngx_http_oiosaml_http_status(st) >= 500 && !oiosaml_is_denial(st))
            ? NGX_LOG_ERR : oscf->log_level;

    /* the text quotes the message (a NameID, an ID): one line, always */
    ngx_log_error(level, r->connection->log, 0,
                  "oiosaml: %s: %s: %s (ref %uA-%ui)", what,
                  oiosaml_status_name(st),
                  err->text[0] ? ngx_http_oiosaml_log_text(r->pool, err->text)
                               : (u_char *) oiosaml_strerror(st),
                  r->connection->number, r->connection->requests);

    if (ngx_http_oiosaml_opaque(what, st)) {
        ngx_str_set(&da, "Svaret fra login-tjenesten kunne ikke godkendes.");
        ngx_str_set(&en, "The answer from the login service could not be "
                         "accepted.");

        return ngx_http_oiosaml_page(r, oscf, NGX_HTTP_FORBIDDEN,
                                     "Login mislykkedes", "Login failed",
                                     &da, &en);
    }

    return ngx_http_oiosaml_fail_quiet(r, oscf, err);
}


/*
 * The ACS outcomes that can follow the decryption of an assertion before
 * its signature is known good.  With AES-CBC the ciphertext has no
 * integrity of its own, so telling "does not decrypt or parse" apart from
 * "parses, but is no valid signed assertion" would be a decryption oracle
 * (Jager and Somorovsky, "How to Break XML Encryption"): these share one
 * status and one page; the log line keeps the reason.
 */
static ngx_uint_t
ngx_http_oiosaml_opaque(const char *what, oiosaml_status_t st)
{
    if (ngx_strcmp(what, "acs") != 0) {
        return 0;
    }

    switch (st) {
    case OIOSAML_BAD_MESSAGE:
    case OIOSAML_DENY_DECRYPT:
    case OIOSAML_DENY_ASSERTION_COUNT:
    case OIOSAML_DENY_ISSUER:
    case OIOSAML_DENY_UNSIGNED:
    case OIOSAML_DENY_SIGNATURE:
    case OIOSAML_DENY_SIG_ALGORITHM:
    case OIOSAML_DENY_SIG_REFERENCE:
    case OIOSAML_DENY_DUPLICATE_ID:
        return 1;

    default:
        return 0;
    }
}


/* the page without the log line (already logged, e.g. once per window) */
ngx_int_t
ngx_http_oiosaml_fail_quiet(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_err_t *err)
{
    ngx_str_t         da, en;
    ngx_uint_t        status;
    oiosaml_status_t  st;

    st = err->status;
    status = ngx_http_oiosaml_http_status(st);

    if (st == OIOSAML_DENY_LOA) {
        return ngx_http_oiosaml_loa_page(r, oscf, err->loa_required,
                                         err->loa_achieved);
    }

    da.data = (u_char *) ngx_http_oiosaml_text_da(st);
    da.len = ngx_strlen(da.data);
    en.data = (u_char *) oiosaml_strerror(st);
    en.len = ngx_strlen(en.data);

    return ngx_http_oiosaml_page(r, oscf, status, "Login mislykkedes",
                                 "Login failed", &da, &en);
}


/*
 * The level shortfall: what the system needs, what the user got, and who
 * can fix it.  achieved NONE: the login method cannot deliver the level.
 */
ngx_int_t
ngx_http_oiosaml_loa_page(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, oiosaml_loa_t required,
    oiosaml_loa_t achieved)
{
    size_t     len;
    ngx_str_t  da, en;

    len = 1024;
    da.data = ngx_pnalloc(r->pool, len);
    en.data = ngx_pnalloc(r->pool, len);

    if (da.data == NULL || en.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (achieved == OIOSAML_LOA_NONE) {
        da.len = ngx_snprintf(da.data, len,
            "Dette system kr\xc3\xa6ver %s. Den valgte login-metode kan ikke "
            "give dette niveau. V\xc3\xa6lg en anden login-metode, eller "
            "kontakt din kommunes IT-afdeling.",
            oiosaml_loa_text(required, 1)) - da.data;
        en.len = ngx_snprintf(en.data, len,
            "This system requires %s. The chosen login method cannot "
            "provide that level. Choose another login method, or contact "
            "your municipality's IT department.",
            oiosaml_loa_text(required, 0)) - en.data;

    } else {
        da.len = ngx_snprintf(da.data, len,
            "Dette system kr\xc3\xa6ver %s. Du er logget ind med %s. Du skal "
            "logge ind med to faktorer, f.eks. MitID. Kontakt din kommunes "
            "IT-afdeling: de skal give dig adgang til to-faktor-login.",
            oiosaml_loa_text(required, 1),
            oiosaml_loa_text(achieved, 1)) - da.data;
        en.len = ngx_snprintf(en.data, len,
            "This system requires %s. You logged in with %s. You need to "
            "log in with two factors, such as MitID. Contact your "
            "municipality's IT department: they must enroll you for "
            "two-factor login.",
            oiosaml_loa_text(required, 0),
            oiosaml_loa_text(achieved, 0)) - en.data;
    }

    return ngx_http_oiosaml_page(r, oscf, NGX_HTTP_FORBIDDEN,
                                 "H\xc3\xb8jere sikringsniveau kr\xc3\xa6vet",
                                 "A higher assurance level is required",
                                 &da, &en);
}


ngx_int_t
ngx_http_oiosaml_page(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_uint_t status,
    const char *title_da, const char *title_en, ngx_str_t *text_da,
    ngx_str_t *text_en)
{
    u_char  *body, *p, *da, *en;
    size_t   len, dalen, enlen;

    da = ngx_http_oiosaml_escape(r, text_da, &dalen);
    en = ngx_http_oiosaml_escape(r, text_en, &enlen);

    if (da == NULL || en == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = 2048 + ngx_strlen(title_da) * 2 + ngx_strlen(title_en) + dalen
          + enlen + oscf->prefix.len * 2;

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_snprintf(body, len,
        "<!DOCTYPE html>\n"
        "<html lang=\"da\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\"><title>%s</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:40rem;"
        "margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}"
        "h1{font-size:1.4rem}h2{font-size:1.1rem}"
        ".en{color:#333;border-top:1px solid #bbb;margin-top:1.5rem}"
        "a{color:#0050b3}</style></head>\n"
        "<body><main>\n<h1>%s</h1>\n<p>%*s</p>\n"
        "<p><a href=\"%Vforget\">V&aelig;lg en anden login-metode</a></p>\n"
        "<div class=\"en\" lang=\"en\"><h2>%s</h2>\n<p>%*s</p>\n"
        "<p><a href=\"%Vforget\">Choose another login method</a></p></div>\n"
        "<p><small>Reference: %uA-%ui</small></p>\n"
        "</main></body></html>\n",
        title_da, title_da, dalen, da, &oscf->prefix, title_en, enlen, en,
        &oscf->prefix, r->connection->number, r->connection->requests);

    return ngx_http_oiosaml_send(r, status, "text/html; charset=utf-8", body,
                                 p - body);
}


/*
 * A denial in the access phase ends the request there, like "deny all":
 * rc is what sending the page returned.  No later phase (try_files, a
 * content handler, error_page for our status) can serve the request
 * instead.
 */
ngx_int_t
ngx_http_oiosaml_deny(ngx_http_request_t *r, ngx_int_t rc)
{
    r->write_event_handler = ngx_http_request_empty_handler;

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


ngx_int_t
ngx_http_oiosaml_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, u_char *body, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   out;

    if (r->method != NGX_HTTP_HEAD && r->request_body == NULL) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    if (ngx_http_oiosaml_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only || len == 0) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = body;
    b->last = body + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_http_oiosaml_redirect(ngx_http_request_t *r, ngx_uint_t status,
    u_char *location, size_t len)
{
    ngx_table_elt_t  *h;

    if (r->request_body == NULL
        && ngx_http_discard_request_body(r) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value.data = location;
    h->value.len = len;

    if (ngx_http_oiosaml_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = status;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


/*
 * A value for a log line: bytes outside printable ASCII (a line break in
 * a NameID) percent-encoded, as in the headers, so that no value can
 * start a log line of its own.  NUL-terminated; "" without memory.
 */
u_char *
ngx_http_oiosaml_log_text(ngx_pool_t *pool, const char *s)
{
    u_char  *p;
    size_t   len;

    len = ngx_strlen(s);

    p = ngx_pnalloc(pool, oiosaml_header_escape(NULL, s, len) + 1);
    if (p == NULL) {
        return (u_char *) "";
    }

    p[oiosaml_header_escape((char *) p, s, len)] = '\0';

    return p;
}


ngx_int_t
ngx_http_oiosaml_no_store(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Cache-Control");
    ngx_str_set(&h->value, "no-store");

    return NGX_OK;
}


static u_char *
ngx_http_oiosaml_escape(ngx_http_request_t *r, ngx_str_t *s, size_t *len)
{
    u_char  *p;

    *len = s->len + ngx_escape_html(NULL, s->data, s->len);

    p = ngx_pnalloc(r->pool, *len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_escape_html(p, s->data, s->len);

    return p;
}


static const char *
ngx_http_oiosaml_text_da(oiosaml_status_t status)
{
    ngx_uint_t  i;

    for (i = 0; i < sizeof(ngx_http_oiosaml_texts_da)
                    / sizeof(ngx_http_oiosaml_texts_da[0]); i++)
    {
        if (ngx_http_oiosaml_texts_da[i].status == status) {
            return ngx_http_oiosaml_texts_da[i].da;
        }
    }

    return "Der opstod en fejl under login.";
}


/*
 * 403 for a missing role: names the role (its label when configured) and,
 * for privileges that could not be read, says so without the details,
 * which are in the error log.
 */
ngx_int_t
ngx_http_oiosaml_role_page(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_loc_conf_t *olcf,
    oiosaml_access_t *access)
{
    size_t                          len;
    ngx_str_t                       da, en, name;
    ngx_uint_t                      i;
    ngx_http_oiosaml_role_label_t  *l;

    name.data = (u_char *) (access->missing ? access->missing : "");
    name.len = ngx_strlen(name.data);

    if (olcf->labels != NULL) {
        l = olcf->labels->elts;

        for (i = 0; i < olcf->labels->nelts; i++) {
            if (l[i].role.len == name.len
                && ngx_strncmp(l[i].role.data, name.data, name.len) == 0)
            {
                name = l[i].label;
                break;
            }
        }
    }

    len = 1024 + name.len * 2;
    da.data = ngx_pnalloc(r->pool, len);
    en.data = ngx_pnalloc(r->pool, len);

    if (da.data == NULL || en.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (access->decision == OIOSAML_ACCESS_MALFORMED) {
        da.len = ngx_snprintf(da.data, len,
            "Dine rettigheder fra login kunne ikke l\xc3\xa6ses, s\xc3\xa5 "
            "adgangen kan ikke gives. Kontakt din kommunes IT-afdeling "
            "og opgiv referencen nedenfor.") - da.data;
        en.len = ngx_snprintf(en.data, len,
            "Your privileges from the login could not be read, so access "
            "cannot be given. Contact your municipality's IT department "
            "and quote the reference below.") - en.data;

    } else {
        da.len = ngx_snprintf(da.data, len,
            "Du har ikke den rolle, der kr\xc3\xa6ves her: \xe2\x80\x9c%V"
            "\xe2\x80\x9d. Roller tildeles af din kommune; kontakt din "
            "kommunes IT-afdeling eller brugeradministrator.", &name)
            - da.data;
        en.len = ngx_snprintf(en.data, len,
            "You do not have the role this page requires: \xe2\x80\x9c%V"
            "\xe2\x80\x9d. Your municipality assigns roles; contact its IT "
            "department or user administrator.", &name) - en.data;
    }

    return ngx_http_oiosaml_page(r, oscf, NGX_HTTP_FORBIDDEN,
                                 "Adgang n\xc3\xa6gtet", "Access denied",
                                 &da, &en);
}
