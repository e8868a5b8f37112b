
/*
 * oiosamlctl response check FILE --conf CONF [...]: a SAMLResponse
 * captured from a browser (a SAML tracer: base64, the XML, or the form
 * body), judged by the ACS's own code with the SP built from CONF as the
 * gateway builds it (oiosaml_response_check()), rule group by rule group,
 * and the identity, level and roles the gateway would give.
 */


#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oiosamlctl.h"


#define OIOSAMLCTL_RESPONSE_MAX  (2 * 1024 * 1024)


static int oiosamlctl_response_check(int argc, char **argv);
static int oiosamlctl_response_read(const char *file, char **data,
    size_t *len);
static void oiosamlctl_response_report(const oiosaml_check_t *report);
static void oiosamlctl_response_identity(const oiosaml_identity_t *id);
static int oiosamlctl_response_exit(oiosaml_status_t st);


int
oiosamlctl_response(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "check") == 0) {
        return oiosamlctl_response_check(argc - 1, argv + 1);
    }

    if (argc >= 1) {
        fprintf(stderr, "oiosamlctl response: unknown subcommand \"%s\"\n",
                argv[0]);
    }

    return oiosamlctl_usage_of("response");
}


static int
oiosamlctl_response_check(int argc, char **argv)
{
    int                      rc;
    char                    *pos[OIOSAMLCTL_MAX_ARGS], *data, t[21];
    size_t                   npos, len, i;
    time_t                   now;
    oiosaml_err_t            err;
    oiosaml_check_t         *report;
    oiosamlctl_conf_t       *conf;
    oiosaml_status_t         st;
    oiosaml_identity_t      *identity;
    const oiosamlctl_sp_t   *sp;
    oiosaml_check_params_t   p;

    oiosamlctl_opt_t  opts[] = {
        { "--conf", 1, 0, 0, NULL, { NULL }, 0 },
        { "--idp", 1, 0, 0, NULL, { NULL }, 0 },
        { "--at", 1, 0, 0, NULL, { NULL }, 0 },
        { "--ignore-time", 0, 0, 0, NULL, { NULL }, 0 },
        { "--ignore-in-response-to", 0, 0, 0, NULL, { NULL }, 0 },
        { "--in-response-to", 1, 0, 0, NULL, { NULL }, 0 },
        { "--loa", 1, 0, 0, NULL, { NULL }, 0 },
        { "--server", 1, 0, 0, NULL, { NULL }, 0 },
        { "-p", 1, 0, 0, NULL, { NULL }, 0 },
        { NULL, 0, 0, 0, NULL, { NULL }, 0 }
    };

    if (oiosamlctl_getopt("response check", argc, argv, opts, pos, &npos)
        != OIOSAMLCTL_OK || npos != 1 || !opts[0].set)
    {
        return oiosamlctl_usage_of("response");
    }

    memset(&p, 0, sizeof(p));
    now = time(NULL);
    p.now = now;

    if (opts[2].set && oiosamlctl_parse_at(opts[2].value, now, &p.now) != 0)
    {
        fprintf(stderr, "oiosamlctl response check: invalid TIME \"%s\", "
                "use e.g. 2026-12-01T06:00:00Z, now, -1h\n", opts[2].value);
        return OIOSAMLCTL_USAGE;
    }

    if (opts[2].set && opts[3].set) {
        fprintf(stderr, "oiosamlctl response check: --at and --ignore-time "
                "exclude each other\n");
        return OIOSAMLCTL_USAGE;
    }

    if (opts[4].set && opts[5].set) {
        fprintf(stderr, "oiosamlctl response check: --in-response-to and "
                "--ignore-in-response-to exclude each other\n");
        return OIOSAMLCTL_USAGE;
    }

    if (opts[6].set
        && oiosaml_loa_parse(opts[6].value, strlen(opts[6].value), &p.loa)
           != OIOSAML_OK)
    {
        fprintf(stderr, "oiosamlctl response check: invalid level \"%s\", "
                "use low, substantial, high or nist1 to nist4\n",
                opts[6].value);
        return OIOSAMLCTL_USAGE;
    }

    p.idp = opts[1].value;
    p.request_id = opts[5].value;
    p.flags = (opts[3].set ? OIOSAML_CHECK_IGNORE_TIME : 0)
              | (opts[4].set ? OIOSAML_CHECK_IGNORE_IN_RESPONSE_TO : 0);

    rc = oiosamlctl_init();
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    rc = oiosamlctl_conf_load(opts[0].value, opts[8].value, now, &conf);
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    sp = opts[7].set ? oiosamlctl_find_sp(conf, opts[7].value)
         : oiosamlctl_conf_sp_count(conf) == 1 ? oiosamlctl_conf_sp(conf, 0)
                                               : NULL;

    if (sp == NULL) {
        fprintf(stderr, "oiosamlctl response check: %s; the SPs of %s "
                "are:\n", opts[7].set ? "no such SP (--server)"
                                      : "name the SP with --server ENTITYID",
                opts[0].value);

        for (i = 0; i < oiosamlctl_conf_sp_count(conf); i++) {
            fprintf(stderr, "    %s  (%s)\n",
                    oiosaml_sp_entity_id(oiosamlctl_conf_sp(conf, i)->sp),
                    oiosamlctl_conf_sp(conf, i)->servers);
        }

        oiosamlctl_conf_free(conf);
        return OIOSAMLCTL_USAGE;
    }

    if (p.idp != NULL
        && oiosaml_sp_idp_by_id(sp->sp, p.idp, strlen(p.idp)) == NULL)
    {
        fprintf(stderr, "oiosamlctl response check: the SP %s has no IdP "
                "\"%s\"\n", oiosaml_sp_entity_id(sp->sp), p.idp);
        oiosamlctl_conf_free(conf);
        return OIOSAMLCTL_USAGE;
    }

    if (oiosamlctl_response_read(pos[0], &data, &len) != 0) {
        oiosamlctl_conf_free(conf);
        return OIOSAMLCTL_CONF;
    }

    p.input = data;
    p.input_len = len;

    oiosaml_err_clear(&err);

    st = oiosaml_response_check(sp->sp, &p, &report, &identity, &err);

    free(data);

    if (report == NULL) {
        fprintf(stderr, "oiosamlctl response check: %s\n",
                err.text[0] ? err.text : oiosaml_strerror(st));
        oiosamlctl_conf_free(conf);
        return st == OIOSAML_ERR_ARG ? OIOSAMLCTL_USAGE
                                     : OIOSAMLCTL_CHECK_ERROR;
    }

    printf("response    %s\n", strcmp(pos[0], "-") == 0 ? "(stdin)"
                                                         : pos[0]);
    printf("SP          %s, ACS %s\n", oiosaml_sp_entity_id(sp->sp),
           oiosaml_sp_acs_url(sp->sp));
    printf("clock       %s%s, skew %lds\n",
           oiosamlctl_time(oiosaml_check_time(report), t),
           opts[3].set ? " (the assertion's IssueInstant: --ignore-time)"
           : opts[2].set ? " (--at)" : " (now)",
           (long) sp->conf.skew);
    printf("replay      not checked: this tool keeps no replay cache\n\n");

    oiosamlctl_response_report(report);

    if (st == OIOSAML_OK) {
        printf("\nACCEPTED: the gateway would open a session\n");
        oiosamlctl_response_identity(identity);

    } else {
        printf("\n%s: %s: %s\n", oiosaml_is_bad_input(st) ? "BAD INPUT"
                                                         : "DENIED",
               oiosaml_status_name(st), err.text);

        if (st == OIOSAML_DENY_EXPIRED || st == OIOSAML_DENY_NOT_YET_VALID)
        {
            printf("(captured a while ago?  --ignore-time judges it at its "
                   "IssueInstant)\n");
        }
    }

    oiosaml_identity_free(identity);
    oiosaml_check_free(report);
    oiosamlctl_conf_free(conf);

    return oiosamlctl_response_exit(st);
}


/* FILE, or "-" for stdin; at most OIOSAMLCTL_RESPONSE_MAX bytes */
static int
oiosamlctl_response_read(const char *file, char **data, size_t *len)
{
    FILE    *fp;
    char    *buf;
    size_t   n;

    fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (fp == NULL) {
        fprintf(stderr, "oiosamlctl: cannot read \"%s\": %s\n", file,
                strerror(errno));
        return -1;
    }

    buf = malloc(OIOSAMLCTL_RESPONSE_MAX + 1);
    if (buf == NULL) {
        if (fp != stdin) {
            fclose(fp);
        }

        fprintf(stderr, "oiosamlctl: out of memory\n");
        return -1;
    }

    n = fread(buf, 1, OIOSAMLCTL_RESPONSE_MAX + 1, fp);

    if (fp != stdin) {
        fclose(fp);
    }

    if (n > OIOSAMLCTL_RESPONSE_MAX) {
        free(buf);
        fprintf(stderr, "oiosamlctl: \"%s\" is larger than %d bytes\n", file,
                OIOSAMLCTL_RESPONSE_MAX);
        return -1;
    }

    buf[n] = '\0';
    *data = buf;
    *len = n;

    return 0;
}


/* one line per rule group: name, verdict, the values behind it */
static void
oiosamlctl_response_report(const oiosaml_check_t *report)
{
    const char         *detail;
    oiosaml_rule_t      r;
    oiosaml_verdict_t   v;

    for (r = 0; r < OIOSAML_RULE_MAX; r++) {
        v = oiosaml_check_verdict(report, r, &detail);

        printf("%-16s %-12s %s\n", oiosaml_rule_name(r),
               oiosaml_verdict_name(v), detail);
    }
}


static void
oiosamlctl_response_identity(const oiosaml_identity_t *id)
{
    size_t          len;
    const char     *v;
    oiosaml_field_t f;

    static const oiosaml_field_t  shown[] = {
        OIOSAML_F_USER, OIOSAML_F_NAMEID_FORMAT, OIOSAML_F_IDP,
        OIOSAML_F_LOA, OIOSAML_F_CVR, OIOSAML_F_NAME, OIOSAML_F_EMAIL,
        OIOSAML_F_ORG, OIOSAML_F_UUID, OIOSAML_F_RID, OIOSAML_F_SPEC,
        OIOSAML_F_SESSION_INDEX, OIOSAML_F_ROLES, OIOSAML_F_CONSTRAINTS,
        OIOSAML_F_ATTRIBUTES
    };

    for (len = 0; len < sizeof(shown) / sizeof(shown[0]); len++) {
        size_t  n;

        f = shown[len];
        v = oiosaml_identity_get(id, f, &n);

        if (n == 0 && f != OIOSAML_F_ROLES) {
            continue;
        }

        printf("%-16s %.*s\n", oiosaml_field_name(f), (int) n,
               n ? v : "(none)");
    }

    if (oiosaml_identity_expired_cert(id)) {
        printf("warning          signed with an EXPIRED certificate, "
               "trusted only by cert_grace\n");
    }
}


/*
 * 0 accepted, 1 a named denial, 4 bad input, 3 a configuration error
 * found on the way, 5 the check failed.
 */
static int
oiosamlctl_response_exit(oiosaml_status_t st)
{
    if (st == OIOSAML_OK) {
        return OIOSAMLCTL_OK;
    }

    if (oiosaml_is_denial(st)) {
        return OIOSAMLCTL_FAIL;
    }

    if (oiosaml_is_bad_input(st)) {
        return OIOSAMLCTL_BAD_INPUT;
    }

    return st == OIOSAML_ERR_CONFIG ? OIOSAMLCTL_CONF
                                    : OIOSAMLCTL_CHECK_ERROR;
}
