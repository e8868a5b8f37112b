
/*
 * The HTML pages: the login page with the test users (and the test knobs
 * folded away), and the auto-submitting HTTP-POST binding form.
 */


#include <stdlib.h>
#include <string.h>

#include "testidp.h"


static void testidp_page_head(testidp_str_t *s);
static void testidp_page_users(testidp_str_t *s, const testidp_t *idp);
static void testidp_page_knobs(testidp_str_t *s);
static void testidp_page_level(testidp_str_t *s, const testidp_t *idp,
    const testidp_request_t *req);
static void testidp_page_levels(testidp_str_t *s, const testidp_t *idp,
    const testidp_user_t *u);
static void testidp_page_hidden(testidp_str_t *s, const char *name,
    const char *value);
static const char *testidp_user_level(const testidp_t *idp,
    const testidp_user_t *user);


typedef struct {
    const char  *name;
    const char  *label;
    const char  *options;   /* '|'-separated; empty first means default */
} testidp_knob_ui_t;


static const testidp_knob_ui_t  testidp_knob_selects[] = {
    { "sign", "Signature on", "|assertion|response|both|none" },
    { "alg", "Signature algorithm", "|sha256|sha1" },
    { "key", "Signing key", "|good|wrong" },
    { "encrypt", "Encryption",
      "|none|aes128-gcm|aes256-gcm|aes128-cbc|aes256-cbc" },
    { "transport", "Key transport", "|oaep|oaep11|rsa15" },
    { "encrypt_to", "Encrypt to", "|good|wrong" },
    { "assertions", "Assertions", "|1|2" },
    { "authn_statements", "AuthnStatements", "|0|1|2" },
    { "tamper", "Tamper with NameID after signing", "|1" },
    { NULL, NULL, NULL }
};

static const char *const  testidp_knob_texts[] = {
    "status", "issuer", "audience", "destination", "recipient",
    "in_response_to", "not_before", "not_on_or_after",
    "scd_not_on_or_after", "issue_instant", "loa", "nist", "nameid",
    "classref", "acs", NULL
};


int
testidp_page_login(const testidp_t *idp, const testidp_request_t *req,
    char **html, size_t *len, testidp_err_t *err)
{
    size_t         i;
    testidp_str_t  s;

    memset(&s, 0, sizeof(testidp_str_t));

    testidp_page_head(&s);

    testidp_str_cat(&s, "<h1>Test-IdP</h1>\n");

    if (idp->persona != NULL) {
        testidp_str_cat(&s, "<p class=\"persona\">Svarer som / answers as "
                        "<b>");
        testidp_str_html(&s, idp->persona->title);
        testidp_str_cat(&s, "</b> (<code>persona=");
        testidp_str_html(&s, idp->persona->name);
        testidp_str_cat(&s, "</code>)</p>\n");
    }

    testidp_str_cat(&s, "<p>V&aelig;lg en testbruger at logge ind som. "
                    "<span lang=\"en\">Choose a test user to log in as; "
                    "this identity provider is for tests only.</span></p>\n"
                    "<dl>\n<dt>Tjenesteudbyder / Service provider</dt><dd>"
                    "<code>");
    testidp_str_html(&s, req->issuer);
    testidp_str_cat(&s, "</code></dd>\n<dt>Krav til sikringsniveau / "
                    "Requested AuthnContextClassRef</dt>\n<dd>");

    if (req->nclassrefs == 0) {
        testidp_str_cat(&s, "(ingen / none)");

    } else {
        testidp_str_cat(&s, "Comparison: <code>");
        testidp_str_html(&s, req->comparison ? req->comparison : "exact");
        testidp_str_cat(&s, "</code><ul class=\"classrefs\">\n");

        for (i = 0; i < req->nclassrefs; i++) {
            testidp_str_cat(&s, "<li><code class=\"classref\">");
            testidp_str_html(&s, req->classrefs[i]);
            testidp_str_cat(&s, "</code></li>\n");
        }

        testidp_str_cat(&s, "</ul>");
    }

    testidp_str_cat(&s, "</dd>\n</dl>\n"
                    "<form method=\"post\" action=\"login\">\n");

    testidp_page_hidden(&s, "SAMLRequest", req->saml_request);

    if (req->relay_state != NULL) {
        testidp_page_hidden(&s, "RelayState", req->relay_state);
    }

    testidp_page_users(&s, idp);

    if (idp->persona != NULL) {
        testidp_page_level(&s, idp, req);
    }

    testidp_page_knobs(&s);

    testidp_str_cat(&s, "<p><button type=\"submit\">Log ind / Log in"
                    "</button></p>\n</form>\n</body>\n</html>\n");

    *html = testidp_str_done(&s, len);

    if (*html == NULL) {
        return testidp_err(err, "out of memory");
    }

    return 0;
}


int
testidp_page_post(const char *action, const char *saml_response,
    const char *relay_state, char **html, size_t *len, testidp_err_t *err)
{
    testidp_str_t  s;

    memset(&s, 0, sizeof(testidp_str_t));

    testidp_page_head(&s);

    testidp_str_cat(&s, "<h1>Test-IdP</h1>\n<p>Sender dig tilbage til "
                    "tjenesten. <span lang=\"en\">Taking you back to the "
                    "service.</span></p>\n<form method=\"post\" action=\"");
    testidp_str_html(&s, action);
    testidp_str_cat(&s, "\">\n");

    testidp_page_hidden(&s, "SAMLResponse", saml_response);

    if (relay_state != NULL && relay_state[0] != '\0') {
        testidp_page_hidden(&s, "RelayState", relay_state);
    }

    testidp_str_cat(&s, "<noscript><p>JavaScript er sl&aring;et fra: tryk "
                    "p&aring; knappen. <span lang=\"en\">JavaScript is "
                    "off: press the button.</span></p></noscript>\n"
                    "<p><button type=\"submit\">Forts&aelig;t / Continue"
                    "</button></p>\n</form>\n"
                    "<script>document.forms[0].submit();</script>\n"
                    "</body>\n</html>\n");

    *html = testidp_str_done(&s, len);

    if (*html == NULL) {
        return testidp_err(err, "out of memory");
    }

    return 0;
}


static void
testidp_page_head(testidp_str_t *s)
{
    testidp_str_cat(s, "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n"
                    "<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n"
                    "<title>Test-IdP</title>\n"
                    "<style>\n"
                    "body { font-family: sans-serif; max-width: 48em; "
                    "margin: 2em auto; padding: 0 1em; color: #222; }\n"
                    "h1 { border-bottom: 4px solid #c8102e; }\n"
                    "fieldset { margin: 1em 0; }\n"
                    "label.user { display: block; margin: .4em 0; }\n"
                    ".level { color: #555; }\n"
                    "details label { display: inline-block; "
                    "min-width: 16em; }\n"
                    "button { font-size: 1.1em; padding: .3em 1.2em; }\n"
                    "</style>\n</head>\n<body>\n");
}


static void
testidp_page_users(testidp_str_t *s, const testidp_t *idp)
{
    size_t                 i;
    const char            *level;
    const testidp_user_t  *u;

    testidp_str_cat(s, "<fieldset>\n<legend>Testbrugere / Test users"
                    "</legend>\n");

    for (i = 0; i < idp->users->nusers; i++) {
        u = &idp->users->users[i];
        level = testidp_user_level(idp, u);

        testidp_str_cat(s, "<label class=\"user\"><input type=\"radio\" "
                        "name=\"user\" value=\"");
        testidp_str_html(s, u->id);
        testidp_str_cat(s, i == 0 ? "\" checked> <b>" : "\"> <b>");
        testidp_str_html(s, u->id);
        testidp_str_cat(s, "</b> &ndash; ");
        testidp_str_html(s, u->description);
        testidp_str_cat(s, " <span class=\"level\">(niveau / level: ");

        if (idp->persona != NULL) {
            testidp_page_levels(s, idp, u);

        } else {
            testidp_str_html(s, level ? level : "-");
        }

        testidp_str_cat(s, ")</span></label>\n");
    }

    testidp_str_cat(s, "</fieldset>\n");
}


static void
testidp_page_knobs(testidp_str_t *s)
{
    size_t                    i;
    const char               *p, *bar;
    const testidp_knob_ui_t  *k;

    testidp_str_cat(s, "<details>\n<summary>Test knobs (misbehave on "
                    "purpose)</summary>\n");

    for (k = testidp_knob_selects; k->name != NULL; k++) {
        testidp_str_printf(s, "<p><label for=\"k-%s\">%s</label> "
                           "<select id=\"k-%s\" name=\"%s\">", k->name,
                           k->label, k->name, k->name);

        for (p = k->options; p != NULL; p = bar ? bar + 1 : NULL) {
            bar = strchr(p, '|');
            i = bar ? (size_t) (bar - p) : strlen(p);

            if (i == 0) {
                testidp_str_cat(s, "<option value=\"\">(default)</option>");
                continue;
            }

            testidp_str_printf(s, "<option>%.*s</option>", (int) i, p);
        }

        testidp_str_cat(s, "</select></p>\n");
    }

    for (i = 0; testidp_knob_texts[i] != NULL; i++) {
        testidp_str_printf(s, "<p><label for=\"k-%s\">%s</label> "
                           "<input id=\"k-%s\" name=\"%s\" size=\"40\">"
                           "</p>\n", testidp_knob_texts[i],
                           testidp_knob_texts[i], testidp_knob_texts[i],
                           testidp_knob_texts[i]);
    }

    testidp_str_cat(s, "</details>\n");
}


static void
testidp_page_hidden(testidp_str_t *s, const char *name, const char *value)
{
    testidp_str_printf(s, "<input type=\"hidden\" name=\"%s\" value=\"",
                       name);
    testidp_str_html(s, value);
    testidp_str_cat(s, "\">\n");
}


/* the user's level of assurance as the profile names it, or NULL */
static const char *
testidp_user_level(const testidp_t *idp, const testidp_user_t *user)
{
    const char  *nsis, *nist;

    nsis = testidp_user_attr(user, TESTIDP_ATTR_NSIS_LOA);
    nist = testidp_user_attr(user, TESTIDP_ATTR_NIST_LOA);

    if (idp->profile == TESTIDP_PROFILE_OIOSAML2) {
        return nist ? nist : nsis;
    }

    return nsis ? nsis : nist;
}


/* the level select of a persona: the default reaches the level asked for */
static void
testidp_page_level(testidp_str_t *s, const testidp_t *idp,
    const testidp_request_t *req)
{
    int          level, asked;
    const char  *word;

    if (idp->persona->level == TESTIDP_STATE_NONE) {
        testidp_str_cat(s, "<p>Denne IdP oplyser intet niveau. <span "
                        "lang=\"en\">This IdP states no level.</span></p>\n");
        return;
    }

    asked = testidp_request_level(idp, req);

    testidp_str_cat(s, "<p><label for=\"level\">Niveau / level</label> "
                    "<select id=\"level\" name=\"level\">"
                    "<option value=\"\">");

    if (asked) {
        testidp_str_printf(s, "som bedt om / as asked: %s",
                           testidp_level_nsis(asked));

    } else {
        testidp_str_cat(s, "brugerens h&oslash;jeste / the user's highest");
    }

    testidp_str_cat(s, "</option>");

    level = (idp->persona->level == TESTIDP_STATE_NIST) ? 1
                                                         : TESTIDP_LEVEL_LOW;

    for ( /* void */ ; level <= TESTIDP_LEVEL_HIGH; level++) {
        word = testidp_level_nsis(level);

        if (idp->persona->level == TESTIDP_STATE_NIST) {
            testidp_str_printf(s, "<option value=\"%d\">NIST %d (%s)"
                               "</option>", level, level, word);

        } else if (idp->persona->level == TESTIDP_STATE_ADFS) {
            testidp_str_printf(s, "<option value=\"%s\">%s</option>", word,
                               level >= TESTIDP_LEVEL_SUBSTANTIAL
                               ? "to faktorer / two factors (multipleauthn)"
                               : "en faktor / one factor");

            if (level == TESTIDP_LEVEL_SUBSTANTIAL) {
                break;
            }

        } else {
            testidp_str_printf(s, "<option>%s</option>", word);
        }
    }

    testidp_str_cat(s, "</select></p>\n");
}


/* "Low, Substantial" */
static void
testidp_page_levels(testidp_str_t *s, const testidp_t *idp,
    const testidp_user_t *u)
{
    int  level, first;

    first = 1;

    for (level = 1; level <= TESTIDP_LEVEL_HIGH; level++) {
        if (!testidp_user_has_level(u, level)) {
            continue;
        }

        if (idp->persona->level == TESTIDP_STATE_NIST) {
            testidp_str_printf(s, "%sNIST %d", first ? "" : ", ", level);

        } else {
            testidp_str_printf(s, "%s%s", first ? "" : ", ",
                               testidp_level_nsis(level));
        }

        first = 0;
    }
}


int
testidp_page_down(const testidp_t *idp, char **html, size_t *len,
    testidp_err_t *err)
{
    testidp_str_t  s;

    memset(&s, 0, sizeof(testidp_str_t));

    testidp_page_head(&s);

    testidp_str_cat(&s, "<h1>Test-IdP</h1>\n<p>Login-tjenesten er nede "
                    "(testscenarie). <span lang=\"en\">The login service "
                    "is down (a test scenario).</span></p>\n<p><code>");
    testidp_str_html(&s, idp->entity_id);
    testidp_str_cat(&s, "</code></p>\n</body>\n</html>\n");

    *html = testidp_str_done(&s, len);

    if (*html == NULL) {
        return testidp_err(err, "out of memory");
    }

    return 0;
}
