
/*
 * The bootstrap token (OIO-IDWS): NemLog-in3 and the Context Handler can
 * put one in the assertion, for the application to call web services as
 * the user.  It is several kilobytes and a credential, so it never travels
 * as a header: a location with "oiosaml_bootstrap_token on" gives the
 * application a reference (X-OIOSAML-Bootstrap: a URL with a sealed,
 * short-lived ref), and the application fetches the token from the
 * gateway's bootstrap endpoint, which answers only the addresses of
 * oiosaml_bootstrap_fetch.  The token lives in the session: it is gone
 * with it.  It is never logged and never a variable.
 */


#include "ngx_http_oiosaml_module.h"


#define NGX_HTTP_OIOSAML_BOOTSTRAP_PURPOSE  "bootstrap"
#define NGX_HTTP_OIOSAML_BOOTSTRAP_REF_TTL  60      /* s to fetch it */
#define NGX_HTTP_OIOSAML_BOOTSTRAP_HEADER   "Bootstrap"


static ngx_int_t ngx_http_oiosaml_bootstrap_refuse(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const char *why);


/*
 * Adds X-OIOSAML-Bootstrap (with the configured prefix) for a session
 * that holds a token: the fetch URL with a ref sealed for this session
 * until NGX_HTTP_OIOSAML_BOOTSTRAP_REF_TTL from now.
 */
ngx_int_t
ngx_http_oiosaml_bootstrap_header(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, ngx_http_oiosaml_session_t *s)
{
    u_char           *p, plain[NGX_HTTP_OIOSAML_KEY_LEN + NGX_TIME_T_LEN];
    char             *value;
    size_t            vlen, plen;
    oiosaml_err_t     err;
    ngx_table_elt_t  *h;

    if (s->fields[OIOSAML_F_BOOTSTRAP].len == 0) {
        return NGX_OK;
    }

    p = ngx_cpymem(plain, s->key, NGX_HTTP_OIOSAML_KEY_LEN);
    p = ngx_sprintf(p, "%T", ngx_time() + NGX_HTTP_OIOSAML_BOOTSTRAP_REF_TTL);
    plen = p - plain;

    oiosaml_err_clear(&err);

    if (oiosaml_seal(oscf->sp, NGX_HTTP_OIOSAML_BOOTSTRAP_PURPOSE, plain,
                     plen, &value, &vlen, &err)
        != OIOSAML_OK)
    {
        ngx_explicit_memzero(plain, sizeof(plain));
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "oiosaml: bootstrap: %s", err.text);
        return NGX_ERROR;
    }

    ngx_explicit_memzero(plain, sizeof(plain));

    h = ngx_list_push(&r->headers_in.headers);
    if (h == NULL) {
        oiosaml_free(value);
        return NGX_ERROR;
    }

    h->key.len = oscf->header_prefix.len
                 + sizeof(NGX_HTTP_OIOSAML_BOOTSTRAP_HEADER) - 1;
    h->key.data = ngx_pnalloc(r->pool, h->key.len * 2);
    h->value.data = ngx_pnalloc(r->pool, oscf->origin.len + oscf->prefix.len
                                         + sizeof("bootstrap?ref=") + vlen);

    if (h->key.data == NULL || h->value.data == NULL) {
        oiosaml_free(value);
        return NGX_ERROR;
    }

    p = ngx_cpymem(h->key.data, oscf->header_prefix.data,
                   oscf->header_prefix.len);
    ngx_memcpy(p, NGX_HTTP_OIOSAML_BOOTSTRAP_HEADER,
               sizeof(NGX_HTTP_OIOSAML_BOOTSTRAP_HEADER) - 1);

    h->lowcase_key = h->key.data + h->key.len;
    ngx_strlow(h->lowcase_key, h->key.data, h->key.len);
    h->hash = ngx_hash_key(h->lowcase_key, h->key.len);

    p = ngx_cpymem(h->value.data, oscf->origin.data, oscf->origin.len);
    p = ngx_cpymem(p, oscf->prefix.data, oscf->prefix.len);
    p = ngx_cpymem(p, "bootstrap?ref=", sizeof("bootstrap?ref=") - 1);
    p = ngx_cpymem(p, value, vlen);
    h->value.len = p - h->value.data;

    oiosaml_free(value);

    return NGX_OK;
}


/*
 * GET <prefix>bootstrap?ref=...: the token of the session the ref names,
 * as the XML it is (application/samlassertion+xml).  Only for the
 * addresses of oiosaml_bootstrap_fetch; 404 for everything else.
 */
ngx_int_t
ngx_http_oiosaml_bootstrap(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf)
{
    size_t                         plen;
    time_t                         expires;
    ngx_int_t                      rc;
    ngx_str_t                      ref, token, *b64;
    oiosaml_err_t                  err;
    unsigned char                 *plain;
    ngx_http_oiosaml_ctx_t        *ctx;
    ngx_http_oiosaml_session_t    *s;

    if (ngx_http_oiosaml_addr_allowed(r, oscf->bootstrap) != NGX_OK) {
        return ngx_http_oiosaml_bootstrap_refuse(r, oscf, "client not in "
                                                 "oiosaml_bootstrap_fetch");
    }

    if (ngx_http_arg(r, (u_char *) "ref", 3, &ref) != NGX_OK
        || ref.len == 0 || ref.len > 256)
    {
        return ngx_http_oiosaml_bootstrap_refuse(r, oscf, "no ref");
    }

    oiosaml_err_clear(&err);

    if (oiosaml_unseal(oscf->sp, NGX_HTTP_OIOSAML_BOOTSTRAP_PURPOSE,
                       (char *) ref.data, ref.len, &plain, &plen, &err)
        != OIOSAML_OK)
    {
        return ngx_http_oiosaml_bootstrap_refuse(r, oscf, "the ref is not "
                                                 "ours");
    }

    expires = (plen > NGX_HTTP_OIOSAML_KEY_LEN)
              ? ngx_atotm(plain + NGX_HTTP_OIOSAML_KEY_LEN,
                          plen - NGX_HTTP_OIOSAML_KEY_LEN)
              : NGX_ERROR;

    if (expires == NGX_ERROR || expires < ngx_time()) {
        ngx_explicit_memzero(plain, plen);
        oiosaml_free(plain);
        return ngx_http_oiosaml_bootstrap_refuse(r, oscf, "the ref has "
                                                 "expired");
    }

    /* the store may answer later: this runs again */
    rc = ngx_http_oiosaml_store_find(r, plain, ngx_http_oiosaml_store_rerun);

    ngx_explicit_memzero(plain, plen);
    oiosaml_free(plain);

    if (rc == NGX_AGAIN) {
        return NGX_DONE;
    }

    if (rc == NGX_ERROR) {
        return ngx_http_oiosaml_store_down(r, oscf);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_oiosaml_module);
    s = ctx->session;

    if (rc != NGX_OK || s->fields[OIOSAML_F_BOOTSTRAP].len == 0) {
        return ngx_http_oiosaml_bootstrap_refuse(r, oscf, "the session has "
                                                 "ended");
    }

    b64 = &s->fields[OIOSAML_F_BOOTSTRAP];

    token.data = ngx_pnalloc(r->pool, ngx_base64_decoded_length(b64->len));
    if (token.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_decode_base64(&token, b64) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "oiosaml: bootstrap: the token from IdP \"%V\" is not "
                      "base64", &s->fields[OIOSAML_F_IDP]);
        return NGX_HTTP_BAD_GATEWAY;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "oiosaml: bootstrap: token of user=\"%V\" idp=\"%V\" "
                  "fetched", &s->fields[OIOSAML_F_USER],
                  &s->fields[OIOSAML_F_IDP]);

    return ngx_http_oiosaml_send(r, NGX_HTTP_OK,
                                 "application/samlassertion+xml",
                                 token.data, token.len);
}


static ngx_int_t
ngx_http_oiosaml_bootstrap_refuse(ngx_http_request_t *r,
    ngx_http_oiosaml_srv_conf_t *oscf, const char *why)
{
    static u_char  body[] = "no such bootstrap token\n";

    ngx_log_error(oscf->log_level, r->connection->log, 0,
                  "oiosaml: bootstrap: refused: %s", why);

    return ngx_http_oiosaml_send(r, NGX_HTTP_NOT_FOUND, "text/plain", body,
                                 sizeof(body) - 1);
}
