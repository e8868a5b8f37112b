
/*
 * A small logic-less template language for the pages operators may
 * replace (the IdP choice page):
 *
 *   {{name}}              the variable, HTML-escaped (always)
 *   {{#name}}...{{/name}} a list: once per item; a variable: once if set
 *   {{^name}}...{{/name}} once if the list is empty or the variable unset
 *
 * Names are looked up in the current view, then in the views around it.
 * A template is compiled once (at configuration time, where errors are
 * reported) and rendered per request.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_TEMPLATE_MAX      (256 * 1024)
#define OIOSAML_TEMPLATE_DEPTH    8
#define OIOSAML_TEMPLATE_NAME     32


typedef enum {
    OIOSAML_T_TEXT = 0,
    OIOSAML_T_VAR,
    OIOSAML_T_SECTION,
    OIOSAML_T_INVERTED,
    OIOSAML_T_END
} oiosaml_ttype_t;


typedef struct {
    oiosaml_ttype_t   type;
    const char       *text;
    size_t            len;
    size_t            end;          /* sections: the index of their end */
} oiosaml_token_t;


struct oiosaml_template_s {
    char             *text;
    size_t            ntokens;
    oiosaml_token_t  *tokens;
};


static void oiosaml_template_range(const oiosaml_template_t *t,
    size_t from, size_t to, const oiosaml_tview_t *view, oiosaml_buf_t *out);
static const char *oiosaml_tview_var(const oiosaml_tview_t *view,
    const char *name, size_t len);
static const oiosaml_tlist_t *oiosaml_tview_list(const oiosaml_tview_t *view,
    const char *name, size_t len);


oiosaml_status_t
oiosaml_template_new(const char *text, size_t len, oiosaml_template_t **out,
    oiosaml_err_t *err)
{
    char                *p, *end, *open, *close, *name;
    size_t               n, depth, stack[OIOSAML_TEMPLATE_DEPTH], i, nlen;
    oiosaml_token_t     *tok;
    oiosaml_template_t  *t;

    *out = NULL;

    if (len > OIOSAML_TEMPLATE_MAX) {
        return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                               "template larger than %d bytes",
                               OIOSAML_TEMPLATE_MAX);
    }

    t = calloc(1, sizeof(oiosaml_template_t));
    if (t == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    t->text = oiosaml_strndup(text, len);

    /* at most one text and one tag token per "{{" */
    for (n = 1, p = t->text ? t->text : ""; (p = strstr(p, "{{")); p += 2) {
        n += 2;
    }

    t->tokens = calloc(n, sizeof(oiosaml_token_t));

    if (t->text == NULL || t->tokens == NULL) {
        oiosaml_template_free(t);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    p = t->text;
    end = t->text + len;
    depth = 0;

    while (p < end) {
        open = strstr(p, "{{");

        if (open == NULL) {
            open = end;
        }

        if (open > p) {
            tok = &t->tokens[t->ntokens++];
            tok->type = OIOSAML_T_TEXT;
            tok->text = p;
            tok->len = (size_t) (open - p);
        }

        if (open == end) {
            break;
        }

        close = strstr(open + 2, "}}");
        if (close == NULL) {
            oiosaml_template_free(t);
            return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                   "template: \"{{\" without \"}}\"");
        }

        tok = &t->tokens[t->ntokens];
        name = open + 2;

        switch (*name) {
        case '#':
            tok->type = OIOSAML_T_SECTION;
            name++;
            break;
        case '^':
            tok->type = OIOSAML_T_INVERTED;
            name++;
            break;
        case '/':
            tok->type = OIOSAML_T_END;
            name++;
            break;
        default:
            tok->type = OIOSAML_T_VAR;
            break;
        }

        nlen = (size_t) (close - name);

        for (i = 0; i < nlen; i++) {
            if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '_'
                  || (name[i] >= '0' && name[i] <= '9')))
            {
                break;
            }
        }

        if (nlen == 0 || i != nlen || nlen > OIOSAML_TEMPLATE_NAME) {
            /* the message quotes t->text: free it afterwards */
            oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                            "template: bad tag \"{{%.*s}}\"",
                            (int) (close - open - 2 > 40
                                   ? 40 : close - open - 2),
                            open + 2);
            oiosaml_template_free(t);
            return OIOSAML_ERR_CONFIG;
        }

        tok->text = name;
        tok->len = nlen;

        if (tok->type == OIOSAML_T_SECTION
            || tok->type == OIOSAML_T_INVERTED)
        {
            if (depth == OIOSAML_TEMPLATE_DEPTH) {
                oiosaml_template_free(t);
                return oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                       "template: sections nested deeper "
                                       "than %d", OIOSAML_TEMPLATE_DEPTH);
            }

            /* a list inside itself multiplies: n IdPs to the power d */
            for (i = 0; i < depth; i++) {
                if (t->tokens[stack[i]].type == OIOSAML_T_SECTION
                    && tok->type == OIOSAML_T_SECTION
                    && t->tokens[stack[i]].len == nlen
                    && memcmp(t->tokens[stack[i]].text, name, nlen) == 0)
                {
                    oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                    "template: section \"{{#%.*s}}\" "
                                    "inside itself", (int) nlen, name);
                    oiosaml_template_free(t);
                    return OIOSAML_ERR_CONFIG;
                }
            }

            stack[depth++] = t->ntokens;

        } else if (tok->type == OIOSAML_T_END) {
            if (depth == 0
                || t->tokens[stack[depth - 1]].len != nlen
                || memcmp(t->tokens[stack[depth - 1]].text, name, nlen) != 0)
            {
                oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                                "template: \"{{/%.*s}}\" closes no open "
                                "section", (int) nlen, name);
                oiosaml_template_free(t);
                return OIOSAML_ERR_CONFIG;
            }

            t->tokens[stack[--depth]].end = t->ntokens;
        }

        t->ntokens++;
        p = close + 2;
    }

    if (depth != 0) {
        tok = &t->tokens[stack[depth - 1]];
        oiosaml_err_set(err, OIOSAML_ERR_CONFIG,
                        "template: section \"%.*s\" is not closed",
                        (int) tok->len, tok->text);
        oiosaml_template_free(t);
        return OIOSAML_ERR_CONFIG;
    }

    *out = t;

    return OIOSAML_OK;
}


void
oiosaml_template_free(oiosaml_template_t *t)
{
    if (t != NULL) {
        free(t->text);
        free(t->tokens);
        free(t);
    }
}


void
oiosaml_template_render(const oiosaml_template_t *t,
    const oiosaml_tview_t *view, oiosaml_buf_t *out)
{
    oiosaml_template_range(t, 0, t->ntokens, view, out);
}


static void
oiosaml_template_range(const oiosaml_template_t *t, size_t from, size_t to,
    const oiosaml_tview_t *view, oiosaml_buf_t *out)
{
    size_t                  i, k;
    const char             *v;
    oiosaml_tview_t         item;
    const oiosaml_tlist_t  *list;
    const oiosaml_token_t  *tok;

    for (i = from; i < to; i++) {
        tok = &t->tokens[i];

        switch (tok->type) {

        case OIOSAML_T_TEXT:
            oiosaml_buf_add(out, tok->text, tok->len);
            break;

        case OIOSAML_T_VAR:
            v = oiosaml_tview_var(view, tok->text, tok->len);
            if (v != NULL) {
                oiosaml_buf_html(out, v, strlen(v));
            }

            break;

        case OIOSAML_T_SECTION:
        case OIOSAML_T_INVERTED:
            list = oiosaml_tview_list(view, tok->text, tok->len);

            if (list != NULL && tok->type == OIOSAML_T_SECTION) {
                for (k = 0; k < list->nitems; k++) {
                    item = list->items[k];
                    item.parent = view;
                    oiosaml_template_range(t, i + 1, tok->end, &item, out);
                }

            } else if (list != NULL) {
                if (list->nitems == 0) {
                    oiosaml_template_range(t, i + 1, tok->end, view, out);
                }

            } else {
                v = oiosaml_tview_var(view, tok->text, tok->len);

                if ((v != NULL && v[0] != '\0')
                    == (tok->type == OIOSAML_T_SECTION))
                {
                    oiosaml_template_range(t, i + 1, tok->end, view, out);
                }
            }

            i = tok->end;
            break;

        case OIOSAML_T_END:
            break;
        }
    }
}


static const char *
oiosaml_tview_var(const oiosaml_tview_t *view, const char *name, size_t len)
{
    size_t  i;

    for ( /* void */ ; view != NULL; view = view->parent) {
        for (i = 0; i < view->nvars; i++) {
            if (strncmp(view->names[i], name, len) == 0
                && view->names[i][len] == '\0')
            {
                return view->values[i];
            }
        }
    }

    return NULL;
}


static const oiosaml_tlist_t *
oiosaml_tview_list(const oiosaml_tview_t *view, const char *name, size_t len)
{
    size_t  i;

    for ( /* void */ ; view != NULL; view = view->parent) {
        for (i = 0; i < view->nlists; i++) {
            if (strncmp(view->lists[i].name, name, len) == 0
                && view->lists[i].name[len] == '\0')
            {
                return &view->lists[i];
            }
        }
    }

    return NULL;
}
