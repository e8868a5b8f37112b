
/*
 * OIO Basic Privilege Profile: the privileges attribute (base64 of a
 * bpp:PrivilegeList) parsed once at login into a compact form that the
 * request path checks without XML.
 *
 * Accepted: BPP 1.2 (http://digst.dk/...) and 1.0/1.1 (http://itst.dk/...)
 * namespaces; children unqualified or in the list's namespace, in any
 * order; repeated Constraint names; duplicate groups (merged).
 * Hardened: the XML parser refuses DTDs and entities, and sizes and
 * counts are capped; anything malformed is a named denial, never a crash.
 *
 * The compact form is text, one item per line:
 *
 *     G <scope>            a privilege group
 *     P <privilege>        a privilege of the group above
 *     C <name>\t<value>    a constraint of the group above
 *
 * Values cannot contain a line break (they are checked).
 */


#include <stdlib.h>
#include <string.h>

#include "oiosaml_internal.h"


#define OIOSAML_BPP_NS12      "http://digst.dk/oiosaml/basic_privilege_profile"
#define OIOSAML_BPP_NS11      "http://itst.dk/oiosaml/basic_privilege_profile"
#define OIOSAML_CVR_SCOPE     "urn:dk:gov:saml:cvrNumberIdentifier:"

#define oiosaml_lower(c)  (((c) >= 'A' && (c) <= 'Z') ? (c) | 0x20 : (c))

#define OIOSAML_BPP_MAX_XML        (256 * 1024)
#define OIOSAML_BPP_MAX_GROUPS     1000
#define OIOSAML_BPP_MAX_ITEMS      200       /* per group */
#define OIOSAML_BPP_MAX_VALUE      2048


static int oiosaml_bpp_is(xmlNodePtr n, xmlNodePtr list, const char *name);
static int oiosaml_scope_eq(const char *a, size_t alen, const char *b,
    size_t blen);
static oiosaml_status_t oiosaml_bpp_group(xmlNodePtr g, xmlNodePtr list,
    oiosaml_buf_t *out, oiosaml_err_t *err);
static int oiosaml_bpp_value_ok(const char *s);
static int oiosaml_bpp_seen(const oiosaml_buf_t *out, size_t start);


oiosaml_status_t
oiosaml_privileges_compile(const char *b64, size_t len, char **compiled,
    size_t *clen, oiosaml_err_t *err)
{
    size_t            xlen, ngroups, start;
    xmlDocPtr         doc;
    xmlNodePtr        root, g;
    unsigned char    *xml;
    oiosaml_err_t     e;
    oiosaml_buf_t     out;
    oiosaml_status_t  rc;

    *compiled = NULL;
    *clen = 0;

    if (len > OIOSAML_BPP_MAX_XML * 4 / 3 + 1024) {
        return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                               "the privileges attribute is larger than "
                               "%d bytes", OIOSAML_BPP_MAX_XML);
    }

    if (oiosaml_b64_decode(b64, len, &xml, &xlen) != OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                               "the privileges attribute is not base64");
    }

    oiosaml_err_clear(&e);
    rc = oiosaml_xml_parse((const char *) xml, xlen, &doc, &e);
    free(xml);

    if (rc != OIOSAML_OK) {
        return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                               "the privileges are not well-formed XML: %s",
                               e.text);
    }

    root = xmlDocGetRootElement(doc);

    if (!oiosaml_xml_is(root, OIOSAML_BPP_NS12, "PrivilegeList")
        && !oiosaml_xml_is(root, OIOSAML_BPP_NS11, "PrivilegeList"))
    {
        xmlFreeDoc(doc);
        return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                               "the privileges are not a bpp:PrivilegeList");
    }

    memset(&out, 0, sizeof(out));
    ngroups = 0;
    rc = OIOSAML_OK;

    for (g = oiosaml_xml_first(root); g != NULL; g = oiosaml_xml_next(g)) {

        if (!oiosaml_bpp_is(g, root, "PrivilegeGroup")) {
            rc = oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                                 "unexpected element <%.60s> in the "
                                 "PrivilegeList", g->name);
            break;
        }

        if (++ngroups > OIOSAML_BPP_MAX_GROUPS) {
            rc = oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                                 "more than %d privilege groups",
                                 OIOSAML_BPP_MAX_GROUPS);
            break;
        }

        start = out.len;

        rc = oiosaml_bpp_group(g, root, &out, err);
        if (rc != OIOSAML_OK) {
            break;
        }

        /* an exact duplicate of an earlier group adds nothing */
        if (oiosaml_bpp_seen(&out, start)) {
            out.len = start;
            out.data[start] = '\0';
        }
    }

    xmlFreeDoc(doc);

    if (rc == OIOSAML_OK && out.failed) {
        rc = oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    if (rc != OIOSAML_OK) {
        free(out.data);
        return rc;
    }

    if (out.data == NULL) {
        out.data = oiosaml_strdup("");
        if (out.data == NULL) {
            return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
        }
    }

    *compiled = out.data;
    *clen = out.len;

    return OIOSAML_OK;
}


/*
 * Is n the element "name", unqualified or in the PrivilegeList's own
 * namespace?  Both forms are in use: KOMBIT's samples leave the children
 * unqualified, DIGST's OIOIDWS.Net (and some IdPs) put them in the
 * bpp namespace, as a default xmlns or with a prefix.
 */
static int
oiosaml_bpp_is(xmlNodePtr n, xmlNodePtr list, const char *name)
{
    if (n->ns != NULL
        && (list->ns == NULL || !xmlStrEqual(n->ns->href, list->ns->href)))
    {
        return 0;
    }

    return strcmp((const char *) n->name, name) == 0;
}


static oiosaml_status_t
oiosaml_bpp_group(xmlNodePtr g, xmlNodePtr list, oiosaml_buf_t *out,
    oiosaml_err_t *err)
{
    char         *text;
    size_t        n;
    xmlNodePtr    c;
    const char   *scope, *name;

    scope = oiosaml_xml_attr(g, "Scope");

    if (scope == NULL || scope[0] == '\0' || !oiosaml_bpp_value_ok(scope)) {
        return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                               "a PrivilegeGroup has no valid Scope");
    }

    oiosaml_buf_str(out, "G ");
    oiosaml_buf_str(out, scope);
    oiosaml_buf_str(out, "\n");

    n = 0;

    /* two passes: privileges first, then constraints, whatever the order */
    for (c = oiosaml_xml_first(g); c != NULL; c = oiosaml_xml_next(c)) {
        if (c->ns != NULL
            && !oiosaml_bpp_is(c, list, (const char *) c->name))
        {
            return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                                   "an element of another namespace in a "
                                   "PrivilegeGroup");
        }

        if (!oiosaml_bpp_is(c, list, "Privilege")
            && !oiosaml_bpp_is(c, list, "Constraint"))
        {
            return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                                   "unexpected element <%.60s> in a "
                                   "PrivilegeGroup", c->name);
        }

        if (++n > OIOSAML_BPP_MAX_ITEMS) {
            return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                                   "more than %d items in a privilege group",
                                   OIOSAML_BPP_MAX_ITEMS);
        }

        if (!oiosaml_bpp_is(c, list, "Privilege")) {
            continue;
        }

        text = oiosaml_xml_text(c);
        if (text == NULL) {
            return OIOSAML_ERR_NOMEM;
        }

        if (text[0] == '\0' || !oiosaml_bpp_value_ok(text)) {
            free(text);
            return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                                   "an empty or invalid Privilege");
        }

        oiosaml_buf_str(out, "P ");
        oiosaml_buf_str(out, text);
        oiosaml_buf_str(out, "\n");
        free(text);
    }

    for (c = oiosaml_xml_first(g); c != NULL; c = oiosaml_xml_next(c)) {
        if (!oiosaml_bpp_is(c, list, "Constraint")) {
            continue;
        }

        name = oiosaml_xml_attr(c, "Name");
        text = oiosaml_xml_text(c);

        if (text == NULL) {
            return OIOSAML_ERR_NOMEM;
        }

        if (name == NULL || name[0] == '\0' || !oiosaml_bpp_value_ok(name)
            || strchr(name, '\t') != NULL || !oiosaml_bpp_value_ok(text))
        {
            free(text);
            return oiosaml_err_set(err, OIOSAML_DENY_PRIVILEGES,
                                   "a Constraint without a valid Name or "
                                   "value");
        }

        oiosaml_buf_str(out, "C ");
        oiosaml_buf_str(out, name);
        oiosaml_buf_str(out, "\t");
        oiosaml_buf_str(out, text);
        oiosaml_buf_str(out, "\n");
        free(text);
    }

    return OIOSAML_OK;
}


/* a value fits on its line: no line break, bounded */
static int
oiosaml_bpp_value_ok(const char *s)
{
    size_t  n;

    n = strlen(s);

    return n <= OIOSAML_BPP_MAX_VALUE && strpbrk(s, "\r\n") == NULL;
}


/* the group that starts at "start" equals an earlier one */
static int
oiosaml_bpp_seen(const oiosaml_buf_t *out, size_t start)
{
    size_t       glen, i, j;
    const char  *g;

    if (out->data == NULL || start == 0) {
        return 0;
    }

    g = out->data + start;
    glen = out->len - start;

    for (i = 0; i < start; i = j) {
        /* the extent of the group at i */
        for (j = i + 1; j < start; j++) {
            if (out->data[j - 1] == '\n' && out->data[j] == 'G') {
                break;
            }
        }

        if (j - i == glen && memcmp(out->data + i, g, glen) == 0) {
            return 1;
        }
    }

    return 0;
}


/* ---- the policy, on the compact form ------------------------------------ */


typedef struct {
    const char   *scope;
    size_t        scope_len;
    const char   *body;         /* the group's P and C lines */
    size_t        body_len;
} oiosaml_grant_t;


static const char *oiosaml_line(const char *p, const char *end,
    const char **line, size_t *len);
static int oiosaml_group_next(const char **p, const char *end,
    oiosaml_grant_t *g);
static int oiosaml_grant_has(const oiosaml_grant_t *g, const char *role);
static int oiosaml_grant_scope_ok(const oiosaml_grant_t *g,
    const oiosaml_policy_t *policy, const char *cvr, size_t cvr_len);
static int oiosaml_grant_constraints_ok(const oiosaml_grant_t *g,
    const oiosaml_policy_t *policy);
static int oiosaml_constraint_covers(const char *have, size_t len,
    const char *want);


static const char *
oiosaml_line(const char *p, const char *end, const char **line, size_t *len)
{
    const char  *nl;

    nl = memchr(p, '\n', (size_t) (end - p));
    if (nl == NULL) {
        nl = end;
    }

    *line = p;
    *len = (size_t) (nl - p);

    return (nl < end) ? nl + 1 : end;
}


/* the next group of the compact form; 0 at the end */
static int
oiosaml_group_next(const char **p, const char *end, oiosaml_grant_t *g)
{
    size_t       len;
    const char  *line, *q;

    while (*p < end) {
        q = oiosaml_line(*p, end, &line, &len);
        *p = q;

        if (len < 2 || line[0] != 'G') {
            continue;
        }

        g->scope = line + 2;
        g->scope_len = len - 2;
        g->body = q;

        while (*p < end && **p != 'G') {
            *p = oiosaml_line(*p, end, &line, &len);
        }

        g->body_len = (size_t) (*p - g->body);

        return 1;
    }

    return 0;
}


static int
oiosaml_grant_has(const oiosaml_grant_t *g, const char *role)
{
    size_t       len, rlen;
    const char  *p, *end, *line;

    rlen = strlen(role);
    p = g->body;
    end = g->body + g->body_len;

    while (p < end) {
        p = oiosaml_line(p, end, &line, &len);

        if (len == rlen + 2 && line[0] == 'P'
            && memcmp(line + 2, role, rlen) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static int
oiosaml_grant_scope_ok(const oiosaml_grant_t *g,
    const oiosaml_policy_t *policy, const char *cvr, size_t cvr_len)
{
    size_t  n;

    switch (policy->scope) {

    case OIOSAML_SCOPE_ANY:
        return 1;

    case OIOSAML_SCOPE_FIXED:
        return oiosaml_scope_eq(g->scope, g->scope_len, policy->scope_value,
                                strlen(policy->scope_value));

    default:    /* the user's own CVR */
        n = sizeof(OIOSAML_CVR_SCOPE) - 1;

        return cvr_len > 0 && g->scope_len == n + cvr_len
               && oiosaml_scope_eq(g->scope, n, OIOSAML_CVR_SCOPE, n)
               && memcmp(g->scope + n, cvr, cvr_len) == 0;
    }
}


/*
 * Two scope URNs are the same when the part up to the last ':' matches in
 * any case ("urn:dk:gov:saml:CvrNumberIdentifier:" is written both ways
 * in the field) and the value after it matches exactly.
 */
static int
oiosaml_scope_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t  i, p;

    if (alen != blen) {
        return 0;
    }

    for (p = alen; p > 0 && a[p - 1] != ':'; p--) { /* void */ }

    for (i = 0; i < alen; i++) {
        if (i < p ? oiosaml_lower(a[i]) != oiosaml_lower(b[i])
                  : a[i] != b[i])
        {
            return 0;
        }
    }

    return 1;
}


/* every required constraint is met by one of the group's values */
static int
oiosaml_grant_constraints_ok(const oiosaml_grant_t *g,
    const oiosaml_policy_t *policy)
{
    size_t       i, len, nlen;
    const char  *p, *end, *line, *tab;
    int          ok;

    for (i = 0; i < policy->nconstraints; i++) {
        nlen = strlen(policy->constraints[i].name);
        ok = 0;
        p = g->body;
        end = g->body + g->body_len;

        while (p < end && !ok) {
            p = oiosaml_line(p, end, &line, &len);

            if (len < 2 || line[0] != 'C') {
                continue;
            }

            tab = memchr(line + 2, '\t', len - 2);

            if (tab == NULL || (size_t) (tab - line - 2) != nlen
                || memcmp(line + 2, policy->constraints[i].name, nlen) != 0)
            {
                continue;
            }

            ok = oiosaml_constraint_covers(tab + 1,
                                           (size_t) (line + len - tab - 1),
                                           policy->constraints[i].value);
        }

        if (!ok) {
            return 0;
        }
    }

    return 1;
}


/*
 * Does a constraint value (possibly a comma-separated list, KOMBIT style)
 * cover the required value?  "32.30.*" and "32.*" cover "32.30" and
 * "32.30.05"; "32.30.05" covers only itself; "*" covers everything.
 */
static int
oiosaml_constraint_covers(const char *have, size_t len, const char *want)
{
    size_t       n, wlen;
    const char  *p, *end, *comma;

    wlen = strlen(want);
    end = have + len;

    for (p = have; p < end; p = comma + 1) {
        comma = memchr(p, ',', (size_t) (end - p));
        if (comma == NULL) {
            comma = end;
        }

        while (p < comma && *p == ' ') {
            p++;
        }

        n = (size_t) (comma - p);

        while (n > 0 && p[n - 1] == ' ') {
            n--;
        }

        if (n == wlen && memcmp(p, want, n) == 0) {
            return 1;
        }

        if (n > 0 && p[n - 1] == '*') {
            n--;

            if (n > 0 && p[n - 1] == '.') {
                n--;
            }

            if (n == 0 || (wlen >= n && memcmp(p, want, n) == 0
                           && (wlen == n || want[n] == '.')))
            {
                return 1;
            }
        }

        if (comma == end) {
            break;
        }
    }

    return 0;
}


oiosaml_decision_t
oiosaml_policy_check(const oiosaml_policy_t *policy, const char *compiled,
    size_t len, const char *cvr, size_t cvr_len, const oiosaml_idp_t *idp,
    oiosaml_loa_t loa, oiosaml_access_t *result)
{
    int               found, enough;
    size_t            i, k;
    const char       *p, *end;
    oiosaml_loa_t     need;
    oiosaml_grant_t   g;

    memset(result, 0, sizeof(*result));

    if (policy->nroles == 0) {
        result->decision = OIOSAML_ACCESS_ALLOW;
        return result->decision;
    }

    if (compiled == NULL || len == 0) {
        /* no privileges at all */
        compiled = "";
        len = 0;

    } else if (compiled[0] == '!') {
        result->decision = OIOSAML_ACCESS_MALFORMED;
        return result->decision;
    }

    end = compiled + len;

    for (i = 0; i < policy->nroles; i++) {

        /* the level this role needs, if any */
        need = OIOSAML_LOA_NONE;

        for (k = 0; k < policy->nrole_loas; k++) {
            if (strcmp(policy->role_loas[k].role, policy->roles[i]) == 0) {
                need = policy->role_loas[k].loa;
            }
        }

        found = 0;
        p = compiled;

        while (!found && oiosaml_group_next(&p, end, &g)) {
            found = oiosaml_grant_has(&g, policy->roles[i])
                    && oiosaml_grant_scope_ok(&g, policy, cvr, cvr_len)
                    && oiosaml_grant_constraints_ok(&g, policy);
        }

        enough = (need == OIOSAML_LOA_NONE
                  || oiosaml_loa_satisfies(idp, loa, need));

        if (found && enough) {
            if (!policy->all) {
                result->decision = OIOSAML_ACCESS_ALLOW;
                result->role = policy->roles[i];
                return result->decision;
            }

            continue;
        }

        if (found) {
            /* held, at too low a level: ask for the level first */
            if (result->step_up == OIOSAML_LOA_NONE
                || oiosaml_loa_cmp(need, result->step_up) > 0)
            {
                result->step_up = need;
                result->role = policy->roles[i];
            }

            continue;
        }

        if (result->missing == NULL) {
            result->missing = policy->roles[i];
        }
    }

    if (policy->all) {
        if (result->missing != NULL) {
            result->decision = OIOSAML_ACCESS_DENY;

        } else if (result->step_up != OIOSAML_LOA_NONE) {
            result->decision = OIOSAML_ACCESS_STEP_UP;

        } else {
            result->decision = OIOSAML_ACCESS_ALLOW;
        }

        return result->decision;
    }

    /* "any": none held at the level; a step-up can still get one */
    if (result->step_up != OIOSAML_LOA_NONE) {
        result->decision = OIOSAML_ACCESS_STEP_UP;
        result->missing = NULL;
        return result->decision;
    }

    result->decision = OIOSAML_ACCESS_DENY;
    result->missing = policy->roles[0];

    return result->decision;
}


/* ---- the headers: JSON ------------------------------------------------ */


static void
oiosaml_json_u(oiosaml_buf_t *b, unsigned int u)
{
    char               esc[6];
    static const char  hex[] = "0123456789abcdef";

    esc[0] = '\\';
    esc[1] = 'u';
    esc[2] = hex[(u >> 12) & 0xf];
    esc[3] = hex[(u >> 8) & 0xf];
    esc[4] = hex[(u >> 4) & 0xf];
    esc[5] = hex[u & 0xf];
    oiosaml_buf_add(b, esc, 6);
}


/* the UTF-8 sequence at s (len bytes left): its code point and length */
static size_t
oiosaml_utf8(const unsigned char *s, size_t len, unsigned int *cp)
{
    size_t        n, i;
    unsigned int  u, min;

    if (s[0] < 0xc2 || s[0] > 0xf4) {
        return 0;
    }

    if (s[0] < 0xe0) {
        n = 2;
        u = s[0] & 0x1f;
        min = 0x80;

    } else if (s[0] < 0xf0) {
        n = 3;
        u = s[0] & 0x0f;
        min = 0x800;

    } else {
        n = 4;
        u = s[0] & 0x07;
        min = 0x10000;
    }

    if (len < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }

        u = (u << 6) | (s[i] & 0x3f);
    }

    if (u < min || u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff)) {
        return 0;
    }

    *cp = u;

    return n;
}


/* a JSON string, ASCII only: other characters as \uXXXX (UTF-16) */
static void
oiosaml_json_str(oiosaml_buf_t *b, const char *s, size_t len)
{
    char                  esc[2];
    size_t                i, n;
    unsigned int          u;
    const unsigned char  *p = (const unsigned char *) s;

    oiosaml_buf_add(b, "\"", 1);

    for (i = 0; i < len; i += n) {
        n = 1;

        if (p[i] == '"' || p[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char) p[i];
            oiosaml_buf_add(b, esc, 2);

        } else if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '<'
                   && p[i] != '>' && p[i] != '&')
        {
            oiosaml_buf_add(b, (const char *) &p[i], 1);

        } else if (p[i] < 0x80) {
            /* controls, and <>& so that the JSON is safe inside HTML */
            oiosaml_json_u(b, p[i]);

        } else {
            n = oiosaml_utf8(p + i, len - i, &u);

            if (n == 0) {
                /* not UTF-8: the replacement character */
                n = 1;
                u = 0xfffd;
            }

            if (u >= 0x10000) {
                u -= 0x10000;
                oiosaml_json_u(b, 0xd800 | (u >> 10));
                oiosaml_json_u(b, 0xdc00 | (u & 0x3ff));

            } else {
                oiosaml_json_u(b, u);
            }
        }
    }

    oiosaml_buf_add(b, "\"", 1);
}


/* roles: {"scope":["privilege",...],...}, each scope once, no repeats */
static void
oiosaml_json_roles(const char *compiled, size_t len, oiosaml_buf_t *r)
{
    size_t            llen, k, n;
    const char       *p, *q, *end, *line;
    oiosaml_grant_t   g, h;
    int               first_scope, first;

    struct {
        const char  *s;
        size_t       len;
    } seen[OIOSAML_BPP_MAX_ITEMS];

    end = compiled + len;
    p = compiled;
    first_scope = 1;

    oiosaml_buf_add(r, "{", 1);

    while (oiosaml_group_next(&p, end, &g)) {

        /* a scope is written at its first group */
        q = compiled;

        while (oiosaml_group_next(&q, end, &h) && h.scope != g.scope) {
            if (h.scope_len == g.scope_len
                && memcmp(h.scope, g.scope, g.scope_len) == 0)
            {
                break;
            }
        }

        if (h.scope != g.scope) {
            continue;
        }

        if (!first_scope) {
            oiosaml_buf_add(r, ",", 1);
        }

        oiosaml_json_str(r, g.scope, g.scope_len);
        oiosaml_buf_add(r, ":[", 2);
        first_scope = 0;
        first = 1;
        n = 0;

        /* the privileges of every group with this scope */
        q = g.scope - 2;

        while (oiosaml_group_next(&q, end, &h)) {
            const char  *b;

            if (h.scope_len != g.scope_len
                || memcmp(h.scope, g.scope, g.scope_len) != 0)
            {
                continue;
            }

            for (b = h.body; b < h.body + h.body_len; ) {
                b = oiosaml_line(b, h.body + h.body_len, &line, &llen);

                if (llen < 2 || line[0] != 'P') {
                    continue;
                }

                for (k = 0; k < n; k++) {
                    if (seen[k].len == llen - 2
                        && memcmp(seen[k].s, line + 2, llen - 2) == 0)
                    {
                        break;
                    }
                }

                if (k < n) {
                    continue;
                }

                if (n < OIOSAML_BPP_MAX_ITEMS) {
                    seen[n].s = line + 2;
                    seen[n].len = llen - 2;
                    n++;
                }

                if (!first) {
                    oiosaml_buf_add(r, ",", 1);
                }

                oiosaml_json_str(r, line + 2, llen - 2);
                first = 0;
            }
        }

        oiosaml_buf_add(r, "]", 1);
    }

    oiosaml_buf_add(r, "}", 1);
}


/* groups: [{"scope":"...","privileges":[...],"constraints":[[n,v],...]}] */
static void
oiosaml_json_groups(const char *compiled, size_t len, oiosaml_buf_t *gr)
{
    size_t            llen;
    const char       *p, *q, *end, *line, *tab;
    oiosaml_grant_t   g;
    int               first_g, first;

    end = compiled + len;
    p = compiled;
    first_g = 1;

    oiosaml_buf_add(gr, "[", 1);

    while (oiosaml_group_next(&p, end, &g)) {
        oiosaml_buf_str(gr, first_g ? "{\"scope\":" : ",{\"scope\":");
        oiosaml_json_str(gr, g.scope, g.scope_len);
        oiosaml_buf_str(gr, ",\"privileges\":[");
        first = 1;

        for (q = g.body; q < g.body + g.body_len; ) {
            q = oiosaml_line(q, g.body + g.body_len, &line, &llen);

            if (llen >= 2 && line[0] == 'P') {
                if (!first) {
                    oiosaml_buf_add(gr, ",", 1);
                }

                oiosaml_json_str(gr, line + 2, llen - 2);
                first = 0;
            }
        }

        oiosaml_buf_str(gr, "],\"constraints\":[");
        first = 1;

        for (q = g.body; q < g.body + g.body_len; ) {
            q = oiosaml_line(q, g.body + g.body_len, &line, &llen);

            if (llen < 2 || line[0] != 'C') {
                continue;
            }

            tab = memchr(line + 2, '\t', llen - 2);
            if (tab == NULL) {
                continue;
            }

            oiosaml_buf_str(gr, first ? "[" : ",[");
            oiosaml_json_str(gr, line + 2, (size_t) (tab - line - 2));
            oiosaml_buf_add(gr, ",", 1);
            oiosaml_json_str(gr, tab + 1, (size_t) (line + llen - tab - 1));
            oiosaml_buf_add(gr, "]", 1);
            first = 0;
        }

        oiosaml_buf_str(gr, "]}");
        first_g = 0;
    }

    oiosaml_buf_add(gr, "]", 1);
}


oiosaml_status_t
oiosaml_privileges_json(const char *compiled, size_t len, char **roles,
    char **groups, oiosaml_err_t *err)
{
    oiosaml_buf_t  r, gr;

    memset(&r, 0, sizeof(r));
    memset(&gr, 0, sizeof(gr));

    oiosaml_json_roles(compiled, len, &r);
    oiosaml_json_groups(compiled, len, &gr);

    if (r.failed || gr.failed) {
        free(r.data);
        free(gr.data);
        return oiosaml_err_set(err, OIOSAML_ERR_NOMEM, "out of memory");
    }

    *roles = r.data;
    *groups = gr.data;

    return OIOSAML_OK;
}
