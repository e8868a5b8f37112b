
/*
 * The users file: line based, '#' comments, blank lines ignored.
 *
 *   [alice]
 *   description = Alice Andersen, sagsbehandler
 *   nameid = C=DK,O=12345678,CN=Alice Andersen,Serial=2f3e...
 *   nameid_format = urn:oasis:names:tc:SAML:1.1:nameid-format:...
 *   attr https://data.gov.dk/concept/core/nsis/loa = Substantial
 *
 * "attr" lines may repeat a name for several values.  "nameid" is
 * required; "nameid_format" defaults to persistent.
 *
 * Privileges (OIOBPP) are written as groups, built into the base64
 * privileges attribute when the file is loaded:
 *
 *   group urn:dk:gov:saml:cvrNumberIdentifier:12345678 = ROLE, ROLE
 *   constraint http://sts.kombit.dk/constraints/KLE/1 = 32.30.*
 *   privileges_ns = 1.1          (default 1.2)
 *   privileges_attr = NAME       (default the OIOSAML 3 privilegesIntermediate)
 *
 * A "constraint" belongs to the group above it.
 *
 * For a persona (testidp_persona.c), who the user is, written once and
 * rendered in each IdP's own attribute names:
 *
 *   uuid = 2f3e8a4c-...      cvr = 12345678      rid = 1234
 *   name = Alice Andersen    email = ...         org = Demo Kommune
 *   authority = URL          (CH2's AuthenticatingAuthority)
 *   levels = Low, Substantial    (the levels the user can log in at;
 *                                 default: up to the level attribute,
 *                                 else Low and Substantial)
 *
 * "nameid" may then be left out: a uuid makes one.
 */


#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testidp.h"


#define TESTIDP_USERS_MAX_SIZE  (1024 * 1024)
#define TESTIDP_NAMEID_PERSISTENT                                             \
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


static int testidp_users_line(testidp_users_t *users, char *line,
    const char *name, int lineno, testidp_err_t *err);
static int testidp_users_section(testidp_users_t *users, char *line,
    const char *name, int lineno, testidp_err_t *err);
static int testidp_users_levels(testidp_user_t *user, char *value);
static int testidp_users_check(testidp_users_t *users, const char *name,
    testidp_err_t *err);
static int testidp_users_nameid(testidp_user_t *user);
static void testidp_users_default_levels(testidp_user_t *u);
static int testidp_users_group(testidp_user_t *user, const char *scope,
    char *roles);
static int testidp_users_constraint(testidp_user_t *user, const char *name,
    const char *value);
static int testidp_users_bpp(testidp_user_t *user);
static int testidp_append(char **buf, const char *s, int escape);
static char *testidp_trim(char *s);
static int testidp_set(char **field, const char *value);


int
testidp_users_load(const char *path, testidp_users_t **users,
    testidp_err_t *err)
{
    int      rc;
    FILE    *f;
    char    *buf;
    size_t   n;

    f = fopen(path, "r");

    if (f == NULL) {
        return testidp_err(err, "cannot open users file \"%s\": %s", path,
                           strerror(errno));
    }

    buf = malloc(TESTIDP_USERS_MAX_SIZE + 1);

    if (buf == NULL) {
        fclose(f);
        return testidp_err(err, "out of memory");
    }

    n = fread(buf, 1, TESTIDP_USERS_MAX_SIZE + 1, f);

    if (ferror(f)) {
        fclose(f);
        free(buf);
        return testidp_err(err, "cannot read users file \"%s\"", path);
    }

    fclose(f);

    if (n > TESTIDP_USERS_MAX_SIZE) {
        free(buf);
        return testidp_err(err, "users file \"%s\" is larger than 1 MiB",
                           path);
    }

    rc = testidp_users_parse(buf, n, path, users, err);

    free(buf);

    return rc;
}


int
testidp_users_parse(const char *text, size_t len, const char *name,
    testidp_users_t **users, testidp_err_t *err)
{
    int               lineno;
    char             *copy, *line, *next;
    testidp_users_t  *u;

    if (memchr(text, '\0', len) != NULL) {
        return testidp_err(err, "users file \"%s\" contains a NUL byte",
                           name);
    }

    copy = testidp_strndup(text, len);
    u = calloc(1, sizeof(testidp_users_t));

    if (copy == NULL || u == NULL) {
        free(copy);
        free(u);
        return testidp_err(err, "out of memory");
    }

    lineno = 0;

    for (line = copy; line != NULL; line = next) {
        lineno++;

        next = strchr(line, '\n');

        if (next != NULL) {
            *next++ = '\0';
        }

        if (testidp_users_line(u, line, name, lineno, err) != 0) {
            goto failed;
        }
    }

    if (testidp_users_check(u, name, err) != 0) {
        goto failed;
    }

    free(copy);
    *users = u;

    return 0;

failed:

    free(copy);
    testidp_users_free(u);

    return -1;
}


static int
testidp_users_line(testidp_users_t *users, char *line, const char *name,
    int lineno, testidp_err_t *err)
{
    int              rc;
    char            *key, *value, *eq, *attr;
    testidp_user_t  *user;

    line = testidp_trim(line);

    if (*line == '\0' || *line == '#') {
        return 0;
    }

    if (*line == '[') {
        return testidp_users_section(users, line, name, lineno, err);
    }

    if (users->nusers == 0) {
        return testidp_err(err, "users file \"%s\" line %d: a [user] "
                           "section must come first", name, lineno);
    }

    user = &users->users[users->nusers - 1];

    eq = strchr(line, '=');

    if (eq == NULL) {
        return testidp_err(err, "users file \"%s\" line %d: "
                           "\"name = value\" expected", name, lineno);
    }

    *eq = '\0';
    key = testidp_trim(line);
    value = testidp_trim(eq + 1);

    if (strcmp(key, "attr") == 0) {
        return testidp_err(err, "users file \"%s\" line %d: \"attr NAME = "
                           "VALUE\" expected", name, lineno);
    }

    if (strncmp(key, "attr", 4) == 0 && isspace((unsigned char) key[4])) {
        attr = testidp_trim(key + 4);

        if (*attr == '\0' || strpbrk(attr, " \t") != NULL) {
            return testidp_err(err, "users file \"%s\" line %d: bad "
                               "attribute name", name, lineno);
        }

        rc = testidp_user_attr_add(user, attr, value);

    } else if (strncmp(key, "group", 5) == 0
               && isspace((unsigned char) key[5]))
    {
        rc = testidp_users_group(user, testidp_trim(key + 5), value);

    } else if (strncmp(key, "constraint", 10) == 0
               && isspace((unsigned char) key[10]))
    {
        if (!user->bpp_open) {
            return testidp_err(err, "users file \"%s\" line %d: a "
                               "constraint must follow a group", name,
                               lineno);
        }

        rc = testidp_users_constraint(user, testidp_trim(key + 10), value);

    } else if (strcmp(key, "privileges_ns") == 0) {
        if (strcmp(value, "1.1") != 0 && strcmp(value, "1.2") != 0) {
            return testidp_err(err, "users file \"%s\" line %d: "
                               "privileges_ns is 1.1 or 1.2", name, lineno);
        }

        rc = testidp_set(&user->bpp_ns, value);

    } else if (strcmp(key, "privileges_attr") == 0) {
        rc = testidp_set(&user->bpp_attr, value);

    } else if (strcmp(key, "description") == 0) {
        rc = testidp_set(&user->description, value);

    } else if (strcmp(key, "nameid") == 0) {
        rc = testidp_set(&user->nameid, value);
        user->nameid_explicit = 1;

    } else if (strcmp(key, "uuid") == 0) {
        rc = testidp_set(&user->uuid, value);

    } else if (strcmp(key, "cvr") == 0) {
        rc = testidp_set(&user->cvr, value);

    } else if (strcmp(key, "name") == 0) {
        rc = testidp_set(&user->name, value);

    } else if (strcmp(key, "email") == 0) {
        rc = testidp_set(&user->email, value);

    } else if (strcmp(key, "org") == 0) {
        rc = testidp_set(&user->org, value);

    } else if (strcmp(key, "rid") == 0) {
        rc = testidp_set(&user->rid, value);

    } else if (strcmp(key, "authority") == 0) {
        rc = testidp_set(&user->authority, value);

    } else if (strcmp(key, "levels") == 0) {
        if (testidp_users_levels(user, value) != 0) {
            return testidp_err(err, "users file \"%s\" line %d: levels "
                               "are Low, Substantial, High or 1..4", name,
                               lineno);
        }

        rc = 0;

    } else if (strcmp(key, "nameid_format") == 0) {
        rc = testidp_set(&user->nameid_format, value);

    } else {
        return testidp_err(err, "users file \"%s\" line %d: unknown "
                           "setting \"%s\"", name, lineno, key);
    }

    if (rc != 0) {
        return testidp_err(err, "out of memory");
    }

    return 0;
}


static int
testidp_users_section(testidp_users_t *users, char *line, const char *name,
    int lineno, testidp_err_t *err)
{
    char            *end, *id, *p;
    size_t           i;
    testidp_user_t  *u;

    end = strchr(line, ']');

    if (end == NULL || end[1] != '\0') {
        return testidp_err(err, "users file \"%s\" line %d: \"[name]\" "
                           "expected", name, lineno);
    }

    *end = '\0';
    id = testidp_trim(line + 1);

    if (*id == '\0') {
        return testidp_err(err, "users file \"%s\" line %d: empty user "
                           "name", name, lineno);
    }

    for (p = id; *p; p++) {
        if (!isalnum((unsigned char) *p) && *p != '-' && *p != '_'
            && *p != '.')
        {
            return testidp_err(err, "users file \"%s\" line %d: user names "
                               "may only have letters, digits, \"-\", "
                               "\"_\" and \".\"", name, lineno);
        }
    }

    for (i = 0; i < users->nusers; i++) {
        if (strcmp(users->users[i].id, id) == 0) {
            return testidp_err(err, "users file \"%s\" line %d: user "
                               "\"%s\" is defined twice", name, lineno, id);
        }
    }

    u = realloc(users->users, (users->nusers + 1) * sizeof(testidp_user_t));

    if (u == NULL) {
        return testidp_err(err, "out of memory");
    }

    users->users = u;
    u = &users->users[users->nusers];
    memset(u, 0, sizeof(testidp_user_t));

    u->id = testidp_strdup(id);

    if (u->id == NULL) {
        return testidp_err(err, "out of memory");
    }

    users->nusers++;

    return 0;
}


/* "Low, Substantial": bits 2 and 3 */
static int
testidp_users_levels(testidp_user_t *user, char *value)
{
    int    level;
    char  *p, *next;

    user->levels = 0;

    for (p = value; p != NULL; p = next) {
        next = strpbrk(p, ", \t");

        if (next != NULL) {
            *next++ = '\0';
        }

        if (*p == '\0') {
            continue;
        }

        level = testidp_level_parse(p);

        if (level == 0) {
            return -1;
        }

        user->levels |= 1u << level;
    }

    return user->levels ? 0 : -1;
}


int
testidp_level_parse(const char *s)
{
    if (strcasecmp(s, "Low") == 0) {
        return TESTIDP_LEVEL_LOW;
    }

    if (strcasecmp(s, "Substantial") == 0) {
        return TESTIDP_LEVEL_SUBSTANTIAL;
    }

    if (strcasecmp(s, "High") == 0) {
        return TESTIDP_LEVEL_HIGH;
    }

    if (strncasecmp(s, "nist", 4) == 0) {
        s += 4;
    }

    if (s[0] >= '1' && s[0] <= '4' && s[1] == '\0') {
        return s[0] - '0';
    }

    return 0;
}


const char *
testidp_level_nsis(int level)
{
    static const char  *names[] = { NULL, "Low", "Low", "Substantial",
                                    "High" };

    return (level >= 1 && level <= 4) ? names[level] : NULL;
}


int
testidp_user_max_level(const testidp_user_t *user)
{
    int  level;

    for (level = TESTIDP_LEVEL_HIGH; level > 0; level--) {
        if (user->levels & (1u << level)) {
            return level;
        }
    }

    return 0;
}


int
testidp_user_has_level(const testidp_user_t *user, int level)
{
    return level >= 1 && level <= 4 && (user->levels & (1u << level));
}


/* the levels of a user without a "levels" line: up to the level stated */
static void
testidp_users_default_levels(testidp_user_t *u)
{
    int          max, level;
    const char  *v;

    max = TESTIDP_LEVEL_SUBSTANTIAL;
    v = testidp_user_attr(u, TESTIDP_ATTR_NSIS_LOA);

    if (v == NULL) {
        v = testidp_user_attr(u, TESTIDP_ATTR_NIST_LOA);
    }

    if (v != NULL && testidp_level_parse(v) != 0) {
        max = testidp_level_parse(v);
    }

    for (level = (max == 1) ? 1 : TESTIDP_LEVEL_LOW; level <= max; level++)
    {
        u->levels |= 1u << level;
    }
}


int
testidp_user_attr_add(testidp_user_t *user, const char *attr,
    const char *value)
{
    char            **v;
    size_t            i;
    testidp_attr_t   *a;

    a = NULL;

    for (i = 0; i < user->nattrs; i++) {
        if (strcmp(user->attrs[i].name, attr) == 0) {
            a = &user->attrs[i];
            break;
        }
    }

    if (a == NULL) {
        a = realloc(user->attrs, (user->nattrs + 1) * sizeof(testidp_attr_t));

        if (a == NULL) {
            return -1;
        }

        user->attrs = a;
        a = &user->attrs[user->nattrs];
        memset(a, 0, sizeof(testidp_attr_t));

        a->name = testidp_strdup(attr);

        if (a->name == NULL) {
            return -1;
        }

        user->nattrs++;
    }

    v = realloc(a->values, (a->nvalues + 1) * sizeof(char *));

    if (v == NULL) {
        return -1;
    }

    a->values = v;
    a->values[a->nvalues] = testidp_strdup(value);

    if (a->values[a->nvalues] == NULL) {
        return -1;
    }

    a->nvalues++;

    return 0;
}


static int
testidp_users_check(testidp_users_t *users, const char *name,
    testidp_err_t *err)
{
    size_t           i;
    testidp_user_t  *u;

    if (users->nusers == 0) {
        return testidp_err(err, "users file \"%s\" defines no users", name);
    }

    for (i = 0; i < users->nusers; i++) {
        u = &users->users[i];

        if ((u->nameid == NULL || u->nameid[0] == '\0') && u->uuid != NULL
            && testidp_users_nameid(u) != 0)
        {
            return testidp_err(err, "out of memory");
        }

        if (u->nameid == NULL || u->nameid[0] == '\0') {
            return testidp_err(err, "users file \"%s\": user \"%s\" has no "
                               "nameid (and no uuid)", name, u->id);
        }

        if (u->levels == 0) {
            testidp_users_default_levels(u);
        }

        if (u->nameid_format == NULL
            && testidp_set(&u->nameid_format, TESTIDP_NAMEID_PERSISTENT)
               != 0)
        {
            return testidp_err(err, "out of memory");
        }

        if (u->description == NULL
            && testidp_set(&u->description, u->id) != 0)
        {
            return testidp_err(err, "out of memory");
        }

        if (u->bpp != NULL && testidp_users_bpp(u) != 0) {
            return testidp_err(err, "out of memory");
        }
    }

    return 0;
}


void
testidp_users_free(testidp_users_t *users)
{
    size_t  i;

    if (users == NULL) {
        return;
    }

    for (i = 0; i < users->nusers; i++) {
        testidp_user_clear(&users->users[i]);
    }

    free(users->users);
    free(users);
}


void
testidp_user_clear(testidp_user_t *u)
{
    size_t  j, k;

    for (j = 0; j < u->nattrs; j++) {
        for (k = 0; k < u->attrs[j].nvalues; k++) {
            free(u->attrs[j].values[k]);
        }

        free(u->attrs[j].values);
        free(u->attrs[j].name);
    }

    free(u->attrs);
    free(u->id);
    free(u->description);
    free(u->nameid);
    free(u->nameid_format);
    free(u->bpp);
    free(u->bpp_ns);
    free(u->bpp_attr);
    free(u->uuid);
    free(u->cvr);
    free(u->name);
    free(u->email);
    free(u->org);
    free(u->rid);
    free(u->authority);
    memset(u, 0, sizeof(testidp_user_t));
}


/* a NemLog-in style NameID from the uuid */
static int
testidp_users_nameid(testidp_user_t *user)
{
    char  *p;

    p = NULL;

    if (testidp_append(&p, "https://data.gov.dk/model/core/eid/"
                       "professional/uuid/", 0) != 0
        || testidp_append(&p, user->uuid, 0) != 0)
    {
        free(p);
        return -1;
    }

    free(user->nameid);
    user->nameid = p;

    return 0;
}


const testidp_user_t *
testidp_users_find(const testidp_users_t *users, const char *id)
{
    size_t  i;

    for (i = 0; i < users->nusers; i++) {
        if (strcmp(users->users[i].id, id) == 0) {
            return &users->users[i];
        }
    }

    return NULL;
}


const testidp_user_t *
testidp_users_find_nameid(const testidp_users_t *users, const char *nameid)
{
    size_t  i;

    for (i = 0; i < users->nusers; i++) {
        if (strcmp(users->users[i].nameid, nameid) == 0) {
            return &users->users[i];
        }
    }

    return NULL;
}


const char *
testidp_user_attr(const testidp_user_t *user, const char *name)
{
    size_t  i;

    for (i = 0; i < user->nattrs; i++) {
        if (strcmp(user->attrs[i].name, name) == 0
            && user->attrs[i].nvalues > 0)
        {
            return user->attrs[i].values[0];
        }
    }

    return NULL;
}


/* a PrivilegeGroup with its privileges (comma-separated) */
static int
testidp_users_group(testidp_user_t *user, const char *scope, char *roles)
{
    char  *role, *next;

    if ((user->bpp_open && testidp_append(&user->bpp, "</PrivilegeGroup>", 0))
        || testidp_append(&user->bpp, "<PrivilegeGroup Scope=\"", 0)
        || testidp_append(&user->bpp, scope, 1)
        || testidp_append(&user->bpp, "\">", 0))
    {
        return -1;
    }

    user->bpp_open = 1;

    for (role = roles; role != NULL; role = next) {
        next = strchr(role, ',');

        if (next != NULL) {
            *next++ = '\0';
        }

        role = testidp_trim(role);

        if (*role == '\0') {
            continue;
        }

        if (testidp_append(&user->bpp, "<Privilege>", 0)
            || testidp_append(&user->bpp, role, 1)
            || testidp_append(&user->bpp, "</Privilege>", 0))
        {
            return -1;
        }
    }

    return 0;
}


static int
testidp_users_constraint(testidp_user_t *user, const char *name,
    const char *value)
{
    if (testidp_append(&user->bpp, "<Constraint Name=\"", 0)
        || testidp_append(&user->bpp, name, 1)
        || testidp_append(&user->bpp, "\">", 0)
        || testidp_append(&user->bpp, value, 1)
        || testidp_append(&user->bpp, "</Constraint>", 0))
    {
        return -1;
    }

    return 0;
}


/* the whole list, base64, as the privileges attribute */
static int
testidp_users_bpp(testidp_user_t *user)
{
    int    rc;
    char  *b64;

    if (user->bpp_open
        && testidp_append(&user->bpp, "</PrivilegeGroup>", 0) != 0)
    {
        return -1;
    }

    user->bpp_open = 0;

    b64 = testidp_user_privileges(user, user->bpp_ns != NULL
                                        && strcmp(user->bpp_ns, "1.1") == 0);

    if (b64 == NULL) {
        return -1;
    }

    rc = testidp_user_attr_add(user, user->bpp_attr ? user->bpp_attr
                               : "https://data.gov.dk/model/core/eid/"
                                 "privilegesIntermediate", b64);
    free(b64);

    return rc;
}


char *
testidp_user_privileges(const testidp_user_t *user, int bpp11)
{
    char  *xml, *b64;

    xml = NULL;

    if (user->bpp == NULL
        || testidp_append(&xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                          "\n<bpp:PrivilegeList xmlns:bpp=\"", 0)
        || testidp_append(&xml, bpp11
                          ? "http://itst.dk/oiosaml/basic_privilege_profile"
                          : "http://digst.dk/oiosaml/basic_privilege_profile",
                          0)
        || testidp_append(&xml, "\" xmlns:xsi=\"http://www.w3.org/2001/"
                          "XMLSchema-instance\">", 0)
        || testidp_append(&xml, user->bpp, 0)
        || testidp_append(&xml, "</bpp:PrivilegeList>", 0))
    {
        free(xml);
        return NULL;
    }

    b64 = testidp_b64_encode((const unsigned char *) xml, strlen(xml));
    free(xml);

    return b64;
}


/* appends s to a growing string, XML-escaped if asked */
static int
testidp_append(char **buf, const char *s, int escape)
{
    char        *p;
    size_t       len, add;
    const char  *c;

    len = (*buf != NULL) ? strlen(*buf) : 0;
    add = strlen(s) * (escape ? 6 : 1);

    p = realloc(*buf, len + add + 1);
    if (p == NULL) {
        return -1;
    }

    *buf = p;
    p += len;

    for (c = s; *c; c++) {
        switch (escape ? *c : 0) {
        case '&':
            memcpy(p, "&amp;", 5);
            p += 5;
            break;
        case '<':
            memcpy(p, "&lt;", 4);
            p += 4;
            break;
        case '>':
            memcpy(p, "&gt;", 4);
            p += 4;
            break;
        case '"':
            memcpy(p, "&quot;", 6);
            p += 6;
            break;
        default:
            *p++ = *c;
        }
    }

    *p = '\0';

    return 0;
}


static char *
testidp_trim(char *s)
{
    char  *end;

    while (isspace((unsigned char) *s)) {
        s++;
    }

    end = s + strlen(s);

    while (end > s && isspace((unsigned char) end[-1])) {
        end--;
    }

    *end = '\0';

    return s;
}


static int
testidp_set(char **field, const char *value)
{
    char  *p;

    p = testidp_strdup(value);

    if (p == NULL) {
        return -1;
    }

    free(*field);
    *field = p;

    return 0;
}
