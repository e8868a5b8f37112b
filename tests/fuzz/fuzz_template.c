
/*
 * Page templates: oiosaml_template_new() on the input, then rendering
 * with a small fixed view (variables with characters to escape, set,
 * empty and unset; lists with zero, one and two items, nested) and as the
 * IdP choice page (oiosaml_choice_render() with the input as template).
 * Operators supply templates, so they are semi-trusted.  Every variable
 * is HTML-escaped: a character that must be escaped and is not in the
 * template text cannot be in the output.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"
#include "fuzz_support.h"


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_render_view(const oiosaml_template_t *t, const char *text,
    size_t size);
static void fz_render_choice(oiosaml_template_t *t, const char *text,
    size_t size);
static void fz_escaped(const char *text, size_t size, const char *out,
    size_t len);


static oiosaml_sp_t  *fz_sp_a;


/* the fixed view */

static const char *const  fz_names[] = {
    "lang", "title", "empty", "unset", "evil", "id", "label"
};

static const char *const  fz_values[] = {
    "da", "V\xc3\xa6lg", "", NULL, "<script>\"'&amp;</script>", "top", "Top"
};

static const char *const  fz_item_names[] = { "id", "label", "unavailable" };

static const char *const  fz_item1[] = { "a", "Alpha <1>", NULL };
static const char *const  fz_item2[] = { "b", "\xc3\x86r\xc3\xb8", "1" };
static const char *const  fz_tag[] = { "t", "tag & co", "" };

static const oiosaml_tview_t  fz_tags[] = {
    { fz_item_names, fz_tag, 3, NULL, 0, NULL }
};

static const oiosaml_tlist_t  fz_item_lists[] = {
    { "tags", fz_tags, 1 }
};

static const oiosaml_tview_t  fz_items[] = {
    { fz_item_names, fz_item1, 3, fz_item_lists, 1, NULL },
    { fz_item_names, fz_item2, 3, NULL, 0, NULL }
};

static const oiosaml_tlist_t  fz_lists[] = {
    { "idps", fz_items, 2 },
    { "backups", fz_items + 1, 1 },
    { "none", NULL, 0 }
};

static const oiosaml_tview_t  fz_view = {
    fz_names, fz_values, sizeof(fz_names) / sizeof(fz_names[0]),
    fz_lists, sizeof(fz_lists) / sizeof(fz_lists[0]), NULL
};


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;

    fz_sp_a = fz_sp(NULL, 0);

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    oiosaml_err_t        err;
    oiosaml_status_t     rc;
    oiosaml_template_t  *t;

    oiosaml_err_clear(&err);

    rc = oiosaml_template_new((const char *) data, size, &t, &err);
    fz_report("template", rc, &err);

    if (rc != OIOSAML_OK) {
        fz_assert(t == NULL && err.status == rc);
        return 0;
    }

    fz_render_view(t, (const char *) data, size);
    fz_render_choice(t, (const char *) data, size);

    oiosaml_template_free(t);

    return 0;
}


/* every '<', '>', '"' and '\'' of the output is the template's own */
static void
fz_escaped(const char *text, size_t size, const char *out, size_t len)
{
    size_t  i;

    for (i = 0; i < 4; i++) {
        if (memchr(text, "<>\"'"[i], size) == NULL) {
            fz_assert(memchr(out, "<>\"'"[i], len) == NULL);
        }
    }
}


static void
fz_render_view(const oiosaml_template_t *t, const char *text, size_t size)
{
    oiosaml_buf_t  out;

    memset(&out, 0, sizeof(out));

    oiosaml_template_render(t, &fz_view, &out);

    fz_assert(!out.failed);
    fz_assert(out.data == NULL || out.data[out.len] == '\0');

    if (out.data != NULL) {
        fz_escaped(text, size, out.data, out.len);
    }

    free(out.data);
}


/* the choice page with this template in place of the built-in one */
static void
fz_render_choice(oiosaml_template_t *t, const char *text, size_t size)
{
    char                *html;
    size_t               len;
    oiosaml_sp_t        *sp;
    oiosaml_err_t        err;
    oiosaml_choice_t     c;
    oiosaml_template_t  *builtin;

    sp = fz_sp_a;
    builtin = sp->choice_template;
    sp->choice_template = t;

    memset(&c, 0, sizeof(c));
    c.return_url = "/app?x=<1>&y=\"2\"";
    c.loa = "substantial";
    c.csrf = "csrf-token";
    c.query = "te";
    c.now = fz_now();

    oiosaml_err_clear(&err);

    if (oiosaml_choice_render(sp, &c, &html, &len, &err) == OIOSAML_OK) {
        fz_assert(html != NULL && html[len] == '\0');
        fz_escaped(text, size, html, len);
        oiosaml_free(html);
    }

    sp->choice_template = builtin;
}
