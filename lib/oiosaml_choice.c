
/*
 * The IdP choice page: the list of IdPs (sorted once, in Danish order),
 * the filter, unavailable IdPs and their backups, the texts in Danish and
 * English, the built-in template; the remember-my-choice cookie and the
 * form's CSRF token.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_CHOICE_PURPOSE   "choice"
#define OIOSAML_CSRF_PURPOSE     "csrf"
#define OIOSAML_CSRF_LIFETIME    3600
#define OIOSAML_MAX_TEMPLATE     (256 * 1024)
#define OIOSAML_MAX_QUERY        64


typedef struct {
    const char  *name;
    const char  *da;
    const char  *en;
} oiosaml_text_t;


static const oiosaml_text_t  oiosaml_choice_texts[] = {
    { "t_title", "V\xc3\xa6lg login-metode", "Choose how to log in" },
    { "t_intro",
      "V\xc3\xa6lg din kommune eller en anden m\xc3\xa5" "de at logge ind "
      "p\xc3\xa5.",
      "Choose your municipality or another way to log in." },
    { "t_legend", "Login-metoder", "Login methods" },
    { "t_filter", "S\xc3\xb8g efter login-metode",
      "Search for a login method" },
    { "t_filter_button", "S\xc3\xb8g", "Search" },
    { "t_remember", "Husk mit valg p\xc3\xa5 denne enhed",
      "Remember my choice on this device" },
    { "t_submit", "Log ind", "Log in" },
    { "t_unavailable", "ikke tilg\xc3\xa6ngelig lige nu",
      "not available right now" },
    { "t_backup_intro", "Brug i stedet", "Use instead" },
    { "t_none", "Ingen login-metoder passer til s\xc3\xb8gningen.",
      "No login method matches the search." },
    { "t_all", "Vis alle", "Show all" },
};

#define OIOSAML_NTEXTS  (sizeof(oiosaml_choice_texts) \
                         / sizeof(oiosaml_choice_texts[0]))


/* the built-in page; docs/choice-page.md lists the variables */
static const char  oiosaml_choice_default[] =
"<!DOCTYPE html>\n"
"<html lang=\"{{lang}}\">\n"
"<head>\n"
"<meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<title>{{t_title}}</title>\n"
"<style>\n"
"body{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;"
"margin:0;color:#1a1a1a;background:#fff;line-height:1.5}\n"
"header{display:flex;justify-content:flex-end;padding:.5rem 1rem}\n"
"main{max-width:36rem;margin:0 auto;padding:0 1rem 2rem}\n"
"h1{font-size:1.6rem;margin:.5rem 0}\n"
"a{color:#0047a0}\n"
"fieldset{border:0;padding:0;margin:1rem 0}\n"
"legend{font-weight:600;margin-bottom:.25rem}\n"
"ul{list-style:none;padding:0;margin:0}\n"
".idp{display:flex;align-items:center;gap:.6rem;padding:.55rem .75rem;"
"border:1px solid #767676;border-radius:.4rem;margin:.4rem 0}\n"
".idp:hover{background:#f0f4fa}\n"
".idp label{flex:1;cursor:pointer}\n"
"input[type=radio],input[type=checkbox]{width:1.2rem;height:1.2rem}\n"
".backup .idp{border:2px solid #0047a0;background:#eef4fc}\n"
".na{color:#595959}\n"
".notice{border-left:.3rem solid #b35900;background:#fff4e5;"
"padding:.6rem .9rem}\n"
".filter{display:flex;gap:.5rem;flex-wrap:wrap;align-items:flex-end}\n"
".filter label{width:100%}\n"
".filter input{flex:1;min-width:10rem;font-size:1rem;padding:.5rem;"
"border:1px solid #595959;border-radius:.3rem}\n"
"button{font-size:1rem;padding:.6rem 1.4rem;border-radius:.3rem;"
"border:1px solid #003a80;background:#0047a0;color:#fff;cursor:pointer}\n"
".filter button{background:#fff;color:#0047a0}\n"
":focus-visible{outline:3px solid #b35900;outline-offset:2px}\n"
".remember{display:flex;align-items:center;gap:.6rem;margin:1rem 0}\n"
"[hidden]{display:none}\n"
"</style>\n"
"</head>\n"
"<body>\n"
"<header><a href=\"{{lang_url}}\" lang=\"{{other_lang}}\" "
"hreflang=\"{{other_lang}}\">{{other_lang_name}}</a></header>\n"
"<main>\n"
"<h1>{{t_title}}</h1>\n"
"<p>{{t_intro}}</p>\n"
"{{#notice}}<p class=\"notice\" role=\"alert\">{{notice}}</p>{{/notice}}\n"
"<form class=\"filter\" method=\"get\" action=\"{{action}}\" "
"role=\"search\">\n"
"<label for=\"q\">{{t_filter}}</label>\n"
"<input type=\"search\" id=\"q\" name=\"q\" value=\"{{query}}\" "
"autocomplete=\"off\" aria-controls=\"idps\">\n"
"<input type=\"hidden\" name=\"return\" value=\"{{return}}\">\n"
"{{#loa}}<input type=\"hidden\" name=\"loa\" value=\"{{loa}}\">{{/loa}}\n"
"<input type=\"hidden\" name=\"lang\" value=\"{{lang}}\">\n"
"<button type=\"submit\">{{t_filter_button}}</button>\n"
"</form>\n"
"<form method=\"post\" action=\"{{action}}\">\n"
"<input type=\"hidden\" name=\"csrf\" value=\"{{csrf}}\">\n"
"<input type=\"hidden\" name=\"return\" value=\"{{return}}\">\n"
"{{#loa}}<input type=\"hidden\" name=\"loa\" value=\"{{loa}}\">{{/loa}}\n"
"{{#backups}}<fieldset class=\"backup\"><legend>{{t_backup_intro}}"
"</legend>\n"
"<div class=\"idp\"><input type=\"radio\" name=\"idp\" "
"id=\"backup-{{id}}\" value=\"{{id}}\" required>"
"<label for=\"backup-{{id}}\">{{label}}</label></div>\n"
"</fieldset>{{/backups}}\n"
"<fieldset>\n"
"<legend>{{t_legend}}</legend>\n"
"<ul id=\"idps\" aria-live=\"polite\">\n"
"{{#idps}}<li class=\"idp\" data-search=\"{{search}}\">"
"<input type=\"radio\" name=\"idp\" id=\"idp-{{id}}\" value=\"{{id}}\""
"{{#unavailable}} disabled{{/unavailable}} required>"
"<label for=\"idp-{{id}}\">{{label}}{{#unavailable}} "
"<span class=\"na\">({{t_unavailable}})</span>{{/unavailable}}</label>"
"</li>\n{{/idps}}"
"</ul>\n"
"{{^idps}}<p>{{t_none}} <a href=\"{{all_url}}\">{{t_all}}</a></p>"
"{{/idps}}\n"
"<p id=\"none\" hidden>{{t_none}}</p>\n"
"</fieldset>\n"
"<div class=\"remember\"><input type=\"checkbox\" name=\"remember\" "
"id=\"remember\" value=\"1\"><label for=\"remember\">{{t_remember}}"
"</label></div>\n"
"<button type=\"submit\">{{t_submit}}</button>\n"
"</form>\n"
"</main>\n"
"<script>\n"
"(function () {\n"
"  var q = document.getElementById('q'), none = "
"document.getElementById('none');\n"
"  var items = document.querySelectorAll('#idps li');\n"
"  function filter() {\n"
"    var v = q.value.toLowerCase().trim(), shown = 0;\n"
"    for (var i = 0; i < items.length; i++) {\n"
"      var hit = items[i].getAttribute('data-search').indexOf(v) >= 0;\n"
"      items[i].hidden = !hit;\n"
"      if (hit) { shown++; }\n"
"    }\n"
"    none.hidden = shown > 0;\n"
"  }\n"
"  q.addEventListener('input', filter);\n"
"})();\n"
"</script>\n"
"</body>\n"
"</html>\n";


static int oiosaml_choice_cmp(const void *a, const void *b);
static void oiosaml_fold(const char *s, char *out, size_t size);
static int oiosaml_collate(const char *a, const char *b);


oiosaml_status_t
oiosaml_sp_set_choice_template(oiosaml_sp_t *sp, const char *file,
    oiosaml_err_t *err)
{
    size_t               len;
    unsigned char       *data;
    oiosaml_status_t     rc;
    oiosaml_template_t  *t;

    rc = oiosaml_read_file(file, OIOSAML_MAX_TEMPLATE, &data, &len, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    rc = oiosaml_template_new((const char *) data, len, &t, err);
    free(data);

    if (rc != OIOSAML_OK) {
        return rc;
    }

    oiosaml_template_free(sp->choice_template);
    sp->choice_template = t;

    return OIOSAML_OK;
}


oiosaml_status_t
oiosaml_choice_finish(oiosaml_sp_t *sp, oiosaml_err_t *err)
{
    oiosaml_status_t  rc;

    if (sp->choice_template == NULL) {
        rc = oiosaml_template_new(oiosaml_choice_default,
                                  sizeof(oiosaml_choice_default) - 1,
                                  &sp->choice_template, err);
        if (rc != OIOSAML_OK) {
            return rc;
        }
    }

    sp->sorted = malloc(sp->nidps * sizeof(oiosaml_idp_t *));
    if (sp->sorted == NULL) {
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    memcpy(sp->sorted, sp->idps, sp->nidps * sizeof(oiosaml_idp_t *));
    qsort(sp->sorted, sp->nidps, sizeof(oiosaml_idp_t *), oiosaml_choice_cmp);

    return OIOSAML_OK;
}


static int
oiosaml_choice_cmp(const void *a, const void *b)
{
    const oiosaml_idp_t  *x = *(const oiosaml_idp_t *const *) a;
    const oiosaml_idp_t  *y = *(const oiosaml_idp_t *const *) b;

    return oiosaml_collate(x->label, y->label);
}


/* scratch space for one rendering: the views of the two lists */
typedef struct {
    oiosaml_tview_t   *items;
    const char       **ivals;       /* 4 per item */
    char              *search;      /* OIOSAML_FOLD bytes per item */
    size_t             n;
    oiosaml_tview_t   *backups;
    const char       **bvals;       /* 2 per backup */
    size_t             nb;
} oiosaml_choice_lists_t;

#define OIOSAML_FOLD  256

static const char  *oiosaml_item_names[] = { "id", "label", "search",
                                             "unavailable" };


static void
oiosaml_choice_backup(oiosaml_choice_lists_t *l, const oiosaml_idp_t *b)
{
    size_t  k;

    for (k = 0; k < l->nb; k++) {
        if (l->bvals[k * 2] == b->id) {
            return;
        }
    }

    l->bvals[l->nb * 2] = b->id;
    l->bvals[l->nb * 2 + 1] = b->label;
    l->backups[l->nb].names = oiosaml_item_names;
    l->backups[l->nb].values = &l->bvals[l->nb * 2];
    l->backups[l->nb].nvars = 2;
    l->nb++;
}


/* the visible IdPs that match the filter; unavailable ones' backups */
static void
oiosaml_choice_lists(const oiosaml_sp_t *sp, const oiosaml_choice_t *c,
    const char *query, oiosaml_choice_lists_t *l)
{
    char                  fold[OIOSAML_FOLD], *search;
    size_t                i;
    const char          **v;
    const oiosaml_idp_t  *idp, *b;

    for (i = 0; i < sp->nidps; i++) {
        idp = sp->sorted[i];

        if (idp->hidden) {
            continue;
        }

        search = l->search + l->n * OIOSAML_FOLD;
        oiosaml_fold(idp->label, search, OIOSAML_FOLD);

        if (query[0] != '\0' && strstr(search, query) == NULL) {
            oiosaml_fold(idp->id, fold, sizeof(fold));

            if (strstr(fold, query) == NULL) {
                continue;
            }
        }

        v = &l->ivals[l->n * 4];
        v[0] = idp->id;
        v[1] = idp->label;
        v[2] = search;
        v[3] = oiosaml_idp_available(idp, c->now) ? NULL : "1";

        l->items[l->n].names = oiosaml_item_names;
        l->items[l->n].values = v;
        l->items[l->n].nvars = 4;
        l->n++;

        b = oiosaml_idp_backup(sp, idp);

        if (v[3] != NULL && b != NULL && oiosaml_idp_available(b, c->now)) {
            oiosaml_choice_backup(l, b);
        }
    }

    if (c->unavailable != NULL) {
        b = oiosaml_idp_backup(sp, c->unavailable);

        if (b != NULL && oiosaml_idp_available(b, c->now)) {
            oiosaml_choice_backup(l, b);
        }
    }
}


/* a link back to the page, keeping the return address and the level */
static void
oiosaml_choice_link(const oiosaml_sp_t *sp, const oiosaml_choice_t *c,
    const char *lang, oiosaml_buf_t *u)
{
    oiosaml_buf_str(u, sp->prefix);
    oiosaml_buf_str(u, "choose?lang=");
    oiosaml_buf_str(u, lang);
    oiosaml_buf_str(u, "&return=");
    oiosaml_buf_url(u, c->return_url, strlen(c->return_url));

    if (c->loa != NULL) {
        oiosaml_buf_str(u, "&loa=");
        oiosaml_buf_url(u, c->loa, strlen(c->loa));
    }
}


oiosaml_status_t
oiosaml_choice_render(const oiosaml_sp_t *sp, const oiosaml_choice_t *c,
    char **html, size_t *len, oiosaml_err_t *err)
{
    char                    query[OIOSAML_FOLD], notice[512], action[1100];
    size_t                  i, k;
    const char             *names[OIOSAML_NTEXTS + 16];
    const char             *values[OIOSAML_NTEXTS + 16];
    oiosaml_buf_t           buf, other, same;
    oiosaml_tview_t         view;
    oiosaml_tlist_t         lists[2];
    oiosaml_choice_lists_t  l;

    *html = NULL;
    *len = 0;

    memset(&buf, 0, sizeof(buf));
    memset(&other, 0, sizeof(other));
    memset(&same, 0, sizeof(same));
    memset(&l, 0, sizeof(l));

    query[0] = '\0';

    if (c->query != NULL && strlen(c->query) <= OIOSAML_MAX_QUERY) {
        oiosaml_fold(c->query, query, sizeof(query));
    }

    l.items = calloc(sp->nidps + 1, sizeof(oiosaml_tview_t));
    l.backups = calloc(sp->nidps + 1, sizeof(oiosaml_tview_t));
    l.ivals = calloc(sp->nidps * 4 + 1, sizeof(char *));
    l.bvals = calloc(sp->nidps * 2 + 2, sizeof(char *));
    l.search = malloc((sp->nidps + 1) * OIOSAML_FOLD);

    if (l.items == NULL || l.backups == NULL || l.ivals == NULL
        || l.bvals == NULL || l.search == NULL)
    {
        goto nomem;
    }

    oiosaml_choice_lists(sp, c, query, &l);

    lists[0].name = "idps";
    lists[0].items = l.items;
    lists[0].nitems = l.n;
    lists[1].name = "backups";
    lists[1].items = l.backups;
    lists[1].nitems = l.nb;

    oiosaml_choice_link(sp, c, c->english ? "da" : "en", &other);
    oiosaml_choice_link(sp, c, c->english ? "en" : "da", &same);

    if (other.failed || same.failed) {
        goto nomem;
    }

    notice[0] = '\0';

    if (c->unavailable != NULL) {
        snprintf(notice, sizeof(notice),
                 c->english ? "%s is not available right now."
                            : "%s er ikke tilg\xc3\xa6ngelig lige nu.",
                 c->unavailable->label);

    } else if (c->gone) {
        snprintf(notice, sizeof(notice), "%s",
                 c->english ? "The login method you chose before is no "
                              "longer offered. Please choose again."
                            : "Den login-metode, du valgte sidst, findes "
                              "ikke l\xc3\xa6ngere. V\xc3\xa6lg igen.");
    }

    snprintf(action, sizeof(action), "%schoose", sp->prefix);

    k = 0;

    for (i = 0; i < OIOSAML_NTEXTS; i++) {
        names[k] = oiosaml_choice_texts[i].name;
        values[k++] = c->english ? oiosaml_choice_texts[i].en
                                 : oiosaml_choice_texts[i].da;
    }

#define oiosaml_var(n, v)  names[k] = (n); values[k++] = (v)

    oiosaml_var("lang", c->english ? "en" : "da");
    oiosaml_var("other_lang", c->english ? "da" : "en");
    oiosaml_var("other_lang_name", c->english ? "Dansk" : "English");
    oiosaml_var("lang_url", other.data);
    oiosaml_var("all_url", same.data);
    oiosaml_var("action", action);
    oiosaml_var("return", c->return_url);
    oiosaml_var("loa", c->loa);
    oiosaml_var("csrf", c->csrf);
    oiosaml_var("query", c->query ? c->query : "");
    oiosaml_var("notice", notice);

#undef oiosaml_var

    view.names = names;
    view.values = values;
    view.nvars = k;
    view.lists = lists;
    view.nlists = 2;
    view.parent = NULL;

    oiosaml_template_render(sp->choice_template, &view, &buf);

    if (buf.failed || buf.data == NULL) {
        goto nomem;
    }

    *html = buf.data;
    *len = buf.len;
    buf.data = NULL;

nomem:

    free(l.items);
    free(l.backups);
    free(l.ivals);
    free(l.bvals);
    free(l.search);
    free(other.data);
    free(same.data);

    if (buf.data != NULL || *html == NULL) {
        free(buf.data);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    return OIOSAML_OK;
}


/*
 * Lower case for search: ASCII, and the Danish capitals Æ Ø Å (UTF-8).
 * Other bytes are kept.
 */
static void
oiosaml_fold(const char *s, char *out, size_t size)
{
    size_t  i;

    for (i = 0; *s != '\0' && i + 2 < size; s++) {
        unsigned char  c = (unsigned char) *s;

        if (c >= 'A' && c <= 'Z') {
            out[i++] = (char) (c + 32);

        } else if (c == 0xc3 && (s[1] == '\x86' || s[1] == '\x98'
                                 || s[1] == '\x85'))
        {
            out[i++] = (char) c;
            out[i++] = (char) (s[1] + 0x20);
            s++;

        } else {
            out[i++] = (char) c;
        }
    }

    out[i] = '\0';
}


/* the Danish alphabet ends with æ, ø, å (UTF-8 c3 a6, c3 b8, c3 a5) */
static int
oiosaml_collate_key(const unsigned char **s)
{
    unsigned char  c = **s;

    if (c == 0xc3 && (*s)[1] != '\0') {
        unsigned char  d = (*s)[1] | 0x20;

        (*s) += 2;

        switch (d) {
        case 0xa6:
            return 'z' + 1;
        case 0xb8:
            return 'z' + 2;
        case 0xa5:
            return 'z' + 3;
        default:
            return 0x100 + d;
        }
    }

    (*s)++;

    if (c >= 'A' && c <= 'Z') {
        return c + 32;
    }

    return c;
}


static int
oiosaml_collate(const char *a, const char *b)
{
    int                   x, y;
    const unsigned char  *p = (const unsigned char *) a;
    const unsigned char  *q = (const unsigned char *) b;

    while (*p != '\0' && *q != '\0') {
        x = oiosaml_collate_key(&p);
        y = oiosaml_collate_key(&q);

        if (x != y) {
            return x - y;
        }
    }

    return (int) *p - (int) *q;
}


/* the remember-my-choice cookie */

oiosaml_status_t
oiosaml_choice_seal(const oiosaml_sp_t *sp, const char *idp_id, time_t now,
    char **value, size_t *len, oiosaml_err_t *err)
{
    int   n;
    char  plain[128];

    n = snprintf(plain, sizeof(plain), "1\n%lld\n%s", (long long) now,
                 idp_id);

    if (n < 0 || (size_t) n >= sizeof(plain)) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG, "IdP id too long");
    }

    return oiosaml_seal(sp, OIOSAML_CHOICE_PURPOSE, (unsigned char *) plain,
                        (size_t) n, value, len, err);
}


oiosaml_status_t
oiosaml_choice_open(const oiosaml_sp_t *sp, const char *value, size_t len,
    time_t now, time_t lifetime, char *idp_id, oiosaml_err_t *err)
{
    char             *nl, *id;
    size_t            plen;
    long long         t;
    unsigned char    *plain;
    oiosaml_status_t  rc;

    idp_id[0] = '\0';

    rc = oiosaml_unseal(sp, OIOSAML_CHOICE_PURPOSE, value, len, &plain,
                        &plen, err);
    if (rc != OIOSAML_OK) {
        return rc;
    }

    /* plain + 2 is past the end of a shorter plaintext */
    nl = (plen >= 2) ? strchr((char *) plain + 2, '\n') : NULL;

    if (strncmp((char *) plain, "1\n", 2) != 0 || nl == NULL
        || sscanf((char *) plain + 2, "%lld", &t) != 1
        || strlen(nl + 1) == 0 || strlen(nl + 1) > 63)
    {
        free(plain);
        return oiosaml_err_set(err, OIOSAML_BAD_COOKIE,
                               "choice cookie is malformed");
    }

    id = nl + 1;

    if ((time_t) t > now + 300 || (time_t) t + lifetime < now) {
        free(plain);
        return oiosaml_err_set(err, OIOSAML_DENY_COOKIE_EXPIRED,
                               "the remembered choice has expired");
    }

    strcpy(idp_id, id);
    free(plain);

    return OIOSAML_OK;
}


/* CSRF: the token seals the browser's nonce and the time */

oiosaml_status_t
oiosaml_csrf_token(const oiosaml_sp_t *sp, const char *nonce,
    size_t nonce_len, time_t now, char **token, size_t *len,
    oiosaml_err_t *err)
{
    int   n;
    char  plain[160];

    if (nonce_len > 64) {
        return oiosaml_err_set(err, OIOSAML_ERR_ARG, "nonce too long");
    }

    n = snprintf(plain, sizeof(plain), "%lld\n%.*s", (long long) now,
                 (int) nonce_len, nonce);

    return oiosaml_seal(sp, OIOSAML_CSRF_PURPOSE, (unsigned char *) plain,
                        (size_t) n, token, len, err);
}


oiosaml_status_t
oiosaml_csrf_check(const oiosaml_sp_t *sp, const char *token, size_t len,
    const char *nonce, size_t nonce_len, time_t now, oiosaml_err_t *err)
{
    char             *nl;
    size_t            plen;
    long long         t;
    unsigned char    *plain;
    oiosaml_err_t     e;

    oiosaml_err_clear(&e);

    if (nonce_len == 0
        || oiosaml_unseal(sp, OIOSAML_CSRF_PURPOSE, token, len, &plain,
                          &plen, &e) != OIOSAML_OK)
    {
        return oiosaml_err_set(err, OIOSAML_DENY_CSRF,
                               "the form's token is missing or not ours");
    }

    nl = strchr((char *) plain, '\n');

    if (nl == NULL || sscanf((char *) plain, "%lld", &t) != 1
        || strlen(nl + 1) != nonce_len
        || !oiosaml_memeq(nl + 1, nonce, nonce_len))
    {
        free(plain);
        return oiosaml_err_set(err, OIOSAML_DENY_CSRF,
                               "the form's token belongs to another "
                               "browser");
    }

    free(plain);

    if ((time_t) t > now + 60 || (time_t) t + OIOSAML_CSRF_LIFETIME < now) {
        return oiosaml_err_set(err, OIOSAML_DENY_CSRF,
                               "the form is more than an hour old");
    }

    return OIOSAML_OK;
}
