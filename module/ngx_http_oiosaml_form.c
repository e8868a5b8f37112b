
/*
 * Request bodies and forms: the whole body in one buffer, and fields of
 * an application/x-www-form-urlencoded body.
 */


#include "ngx_http_oiosaml_module.h"


/*
 * The whole body in one buffer, wherever nginx keeps it (memory or a
 * temporary file).  NGX_DECLINED: too large.
 */
ngx_int_t
ngx_http_oiosaml_read_body(ngx_http_request_t *r, ngx_str_t *body)
{
    u_char       *p;
    off_t         len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    ngx_str_null(body);

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (len > NGX_HTTP_OIOSAML_MAX_BODY) {
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(r->pool, (size_t) len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    body->data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, (size_t) (b->file_last
                                                    - b->file_pos),
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                return NGX_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    body->len = p - body->data;
    *p = '\0';

    return NGX_OK;
}


/*
 * A form field, decoded (application/x-www-form-urlencoded).  NGX_BUSY:
 * the field is there more than once, so that no two readers of the same
 * body can take different values.
 */
ngx_int_t
ngx_http_oiosaml_form_get(ngx_http_request_t *r, ngx_str_t *body,
    const char *name, ngx_str_t *value)
{
    u_char  *p, *end, *amp, *eq, *src, *dst, *v, *v_end;
    size_t   nlen;

    nlen = ngx_strlen(name);
    p = body->data;
    end = body->data + body->len;
    v = NULL;
    v_end = NULL;

    while (p < end) {
        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        eq = ngx_strlchr(p, amp, '=');

        if (eq != NULL && (size_t) (eq - p) == nlen
            && ngx_strncmp(p, name, nlen) == 0)
        {
            if (v != NULL) {
                return NGX_BUSY;
            }

            v = eq + 1;
            v_end = amp;
        }

        p = amp + 1;
    }

    if (v == NULL) {
        return NGX_DECLINED;
    }

    /* one more byte: the value is NUL-terminated */
    value->data = ngx_pnalloc(r->pool, v_end - v + 1);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    /* '+' is a space in forms; base64 has its '+' as %2B */
    for (src = v; src < v_end; src++) {
        if (*src == '+') {
            *src = ' ';
        }
    }

    dst = value->data;
    src = v;
    ngx_unescape_uri(&dst, &src, v_end - v, 0);
    *dst = '\0';
    value->len = dst - value->data;

    return NGX_OK;
}
