
/*
 * Run-time switches: the scenarios an operator flips through the admin
 * endpoint (a signing key rotation at an instant, down, slow, an error
 * status, a wrong audience, an expired assertion, a replay), and how
 * each is seen: in the answers, in the metadata and as JSON.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testidp.h"


/* the longest wait "slow" takes, in seconds */
#define TESTIDP_SLOW_MAX        600
#define TESTIDP_STATUS_CHARS    "abcdefghijklmnopqrstuvwxyz"                 \
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:. "


static int testidp_switch_time(const char *v, time_t now, time_t *t);
static int testidp_switch_onoff(const char *v, int *on);
static void testidp_json_time(testidp_str_t *s, const char *name, time_t t);


int
testidp_switch_set(const testidp_t *idp, testidp_switches_t *sw,
    const testidp_form_t *form, time_t now, testidp_err_t *err)
{
    char         *end;
    long          n;
    const char   *name, *v;

    name = testidp_form_get(form, "switch");
    v = testidp_form_get(form, "value");

    if (name == NULL || name[0] == '\0') {
        return testidp_err(err, "admin: no \"switch\" field");
    }

    if (v != NULL && v[0] == '\0') {
        v = NULL;
    }

    if (strcmp(name, "reset") == 0) {
        memset(sw, 0, sizeof(testidp_switches_t) - sizeof(sw->changes));

    } else if (strcmp(name, "rotate") == 0) {
        if (idp->next == NULL) {
            return testidp_err(err, "admin: rotate needs next_key= and "
                               "next_cert= in the configuration");
        }

        if (v == NULL) {
            return testidp_err(err, "admin: rotate needs value=TIME, "
                               "+SECONDS or off");
        }

        if (strcmp(v, "off") == 0) {
            sw->rotate_at = 0;

        } else if (testidp_switch_time(v, now, &sw->rotate_at) != 0) {
            return testidp_err(err, "admin: bad time \"%.40s\"", v);
        }

    } else if (strcmp(name, "down") == 0) {
        if (v != NULL && strcmp(v, "off") == 0) {
            sw->down_at = 0;

        } else if (testidp_switch_time(v ? v : "now", now, &sw->down_at)
                   != 0)
        {
            return testidp_err(err, "admin: bad time \"%.40s\"", v);
        }

    } else if (strcmp(name, "up") == 0) {
        sw->down_at = 0;

    } else if (strcmp(name, "slow") == 0) {
        n = v ? strtol(v, &end, 10) : -1;

        if (v == NULL || *end != '\0' || n < 0 || n > TESTIDP_SLOW_MAX) {
            return testidp_err(err, "admin: slow needs value=SECONDS "
                               "(0 to %d)", TESTIDP_SLOW_MAX);
        }

        sw->slow = (unsigned) n;

    } else if (strcmp(name, "error") == 0) {
        if (v != NULL && strcmp(v, "off") == 0) {
            sw->error[0] = '\0';

        } else if (v != NULL
                   && strncmp(v, TESTIDP_STATUS_PREFIX,
                              sizeof(TESTIDP_STATUS_PREFIX) - 1) != 0)
        {
            return testidp_err(err, "admin: error needs a status "
                               "(" TESTIDP_STATUS_PREFIX "...) or off");

        } else if (v != NULL && (strlen(v) >= sizeof(sw->error)
                                 || strspn(v, TESTIDP_STATUS_CHARS)
                                    != strlen(v)))
        {
            return testidp_err(err, "admin: a status is at most %d "
                               "letters, digits, \":\", \".\" and spaces",
                               (int) sizeof(sw->error) - 1);

        } else {
            snprintf(sw->error, sizeof(sw->error), "%s",
                     v ? v : TESTIDP_ERROR_DEFAULT);
        }

    } else if (strcmp(name, "audience") == 0) {
        if (testidp_switch_onoff(v, &sw->audience) != 0) {
            return testidp_err(err, "admin: value is on or off");
        }

    } else if (strcmp(name, "expired") == 0) {
        if (testidp_switch_onoff(v, &sw->expired) != 0) {
            return testidp_err(err, "admin: value is on or off");
        }

    } else if (strcmp(name, "replay") == 0) {
        if (testidp_switch_onoff(v, &sw->replay) != 0) {
            return testidp_err(err, "admin: value is on or off");
        }

    } else {
        return testidp_err(err, "admin: unknown switch \"%.40s\" (rotate, "
                           "down, up, slow, error, audience, expired, "
                           "replay, reset)", name);
    }

    sw->changes++;

    return 0;
}


/* an xs:dateTime in UTC, "now", or "+SECONDS" from now */
static int
testidp_switch_time(const char *v, time_t now, time_t *t)
{
    int        n;
    char      *end;
    long       secs;
    struct tm  tm;

    if (strcmp(v, "now") == 0) {
        *t = now;
        return 0;
    }

    if (v[0] == '+') {
        secs = strtol(v + 1, &end, 10);

        if (end == v + 1 || *end != '\0' || secs < 0 || secs > 86400 * 366) {
            return -1;
        }

        *t = now + secs;
        return 0;
    }

    memset(&tm, 0, sizeof(struct tm));
    n = 0;

    if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6
        || n == 0 || v[n] != '\0')
    {
        return -1;
    }

    tm.tm_year -= 1900;
    tm.tm_mon -= 1;

    *t = timegm(&tm);

    return (*t == (time_t) -1) ? -1 : 0;
}


static int
testidp_switch_onoff(const char *v, int *on)
{
    if (v == NULL || strcmp(v, "on") == 0) {
        *on = 1;
        return 0;
    }

    if (strcmp(v, "off") == 0) {
        *on = 0;
        return 0;
    }

    return -1;
}


const testidp_signer_t *
testidp_switch_signer(const testidp_t *idp, const testidp_switches_t *sw,
    time_t now)
{
    if (sw->rotate_at != 0 && idp->next != NULL && now >= sw->rotate_at) {
        return idp->next;
    }

    return idp->signer;
}


int
testidp_switch_down(const testidp_switches_t *sw, time_t now)
{
    return sw->down_at != 0 && now >= sw->down_at;
}


char *
testidp_switch_summary(const testidp_switches_t *sw, time_t now)
{
    char           tbuf[40], *sum;
    testidp_str_t  s;

    memset(&s, 0, sizeof(testidp_str_t));
    testidp_str_cat(&s, "");

    if (sw->rotate_at != 0) {
        testidp_time_format(sw->rotate_at, 0, tbuf, sizeof(tbuf));
        testidp_str_printf(&s, " signing key rotation at %s (%s);", tbuf,
                           now >= sw->rotate_at ? "done" : "next key "
                           "published");
    }

    if (sw->down_at != 0) {
        testidp_time_format(sw->down_at, 0, tbuf, sizeof(tbuf));
        testidp_str_printf(&s, " down from %s;", tbuf);
    }

    if (sw->slow) {
        testidp_str_printf(&s, " slow %us;", sw->slow);
    }

    if (sw->error[0]) {
        testidp_str_printf(&s, " error %s;", sw->error);
    }

    testidp_str_cat(&s, sw->audience ? " wrong audience;" : "");
    testidp_str_cat(&s, sw->expired ? " expired assertions;" : "");
    testidp_str_cat(&s, sw->replay ? " replayed assertion IDs;" : "");

    if (s.failed || s.len == 0) {
        return testidp_str_done(&s, NULL);
    }

    /* "oiosaml test IdP switches: down from ...; slow 5s; " */
    s.data[s.len - 1] = ' ';
    sum = testidp_str_done(&s, NULL);

    if (sum == NULL) {
        return NULL;
    }

    memset(&s, 0, sizeof(testidp_str_t));
    testidp_str_printf(&s, " oiosaml test IdP switches:%s", sum);
    free(sum);

    return testidp_str_done(&s, NULL);
}


char *
testidp_switch_json(const testidp_t *idp, const testidp_switches_t *sw,
    time_t now, size_t *len)
{
    testidp_str_t  s;

    memset(&s, 0, sizeof(testidp_str_t));

    testidp_str_cat(&s, "{\"entity_id\": \"");
    testidp_str_html(&s, idp->entity_id);
    testidp_str_printf(&s, "\", \"persona\": \"%s\", \"signing\": \"%s\", "
                       "\"next_key\": %s, ",
                       idp->persona ? idp->persona->name : "",
                       testidp_switch_signer(idp, sw, now) == idp->signer
                       ? "key" : "next_key",
                       idp->next ? "true" : "false");
    testidp_json_time(&s, "rotate_at", sw->rotate_at);
    testidp_json_time(&s, "down_at", sw->down_at);
    testidp_str_printf(&s, "\"down\": %s, \"slow\": %u, \"error\": \"%s\", "
                       "\"audience\": %s, \"expired\": %s, "
                       "\"replay\": %s, \"changes\": %lu}\n",
                       testidp_switch_down(sw, now) ? "true" : "false",
                       sw->slow, sw->error,
                       sw->audience ? "true" : "false",
                       sw->expired ? "true" : "false",
                       sw->replay ? "true" : "false", sw->changes);

    return testidp_str_done(&s, len);
}


static void
testidp_json_time(testidp_str_t *s, const char *name, time_t t)
{
    char  tbuf[40];

    if (t == 0 || testidp_time_format(t, 0, tbuf, sizeof(tbuf)) != 0) {
        testidp_str_printf(s, "\"%s\": null, ", name);
        return;
    }

    testidp_str_printf(s, "\"%s\": \"%s\", ", name, tbuf);
}
