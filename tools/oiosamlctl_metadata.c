
/*
 * oiosamlctl metadata verify|check FILE [--signer CERT] [--entity ID]:
 * IdP metadata as the gateway loads it.  oiosamlctl metadata diff OLD NEW
 * [--entity ID]: what changed.
 */


#include <stdlib.h>
#include <string.h>

#include "oiosamlctl.h"


static int oiosamlctl_metadata_verify(int argc, char **argv);
static int oiosamlctl_metadata_diff(int argc, char **argv);
static int oiosamlctl_metadata_load(const char *file, const char *signer,
    const char *entity, time_t now, oiosaml_idp_t **idp, FILE *out);
static void oiosamlctl_metadata_cert(const char *mark,
    const oiosaml_cert_info_t *info);
static int oiosamlctl_metadata_field(const char *name, const char *old,
    const char *new);
static int oiosamlctl_metadata_has(const oiosaml_idp_t *idp,
    const char *sha256);


int
oiosamlctl_metadata(int argc, char **argv)
{
    if (argc >= 1
        && (strcmp(argv[0], "verify") == 0 || strcmp(argv[0], "check") == 0))
    {
        return oiosamlctl_metadata_verify(argc - 1, argv + 1);
    }

    if (argc >= 1 && strcmp(argv[0], "diff") == 0) {
        return oiosamlctl_metadata_diff(argc - 1, argv + 1);
    }

    if (argc >= 1 && strcmp(argv[0], "fetch") == 0) {
        return oiosamlctl_fetch(argc - 1, argv + 1);
    }

    if (argc >= 1) {
        fprintf(stderr, "oiosamlctl metadata: unknown subcommand \"%s\"\n",
                argv[0]);
    }

    return oiosamlctl_usage_of("metadata");
}


static int
oiosamlctl_metadata_verify(int argc, char **argv)
{
    int                   rc;
    char                  t[21], *pos[OIOSAMLCTL_MAX_ARGS];
    size_t                npos, i;
    time_t                now, until;
    oiosaml_idp_t        *idp;
    oiosaml_cert_info_t   info;

    oiosamlctl_opt_t  opts[] = {
        { "--signer", 1, 0, 0, NULL, { NULL }, 0 },
        { "--entity", 1, 0, 0, NULL, { NULL }, 0 },
        { NULL, 0, 0, 0, NULL, { NULL }, 0 }
    };

    if (oiosamlctl_getopt("metadata verify", argc, argv, opts, pos, &npos)
        != OIOSAMLCTL_OK || npos != 1)
    {
        return oiosamlctl_usage_of("metadata");
    }

    rc = oiosamlctl_init();
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    now = time(NULL);

    rc = oiosamlctl_metadata_load(pos[0], opts[0].value, opts[1].value, now,
                                  &idp, stdout);
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    until = oiosaml_idp_valid_until(idp);

    printf("file        %s\n", pos[0]);
    printf("entityID    %s\n", oiosaml_idp_entity_id(idp));
    printf("SSO         %s\n", oiosaml_idp_sso_url(idp));
    printf("SLO         %s\n",
           oiosaml_idp_slo_url(idp) ? oiosaml_idp_slo_url(idp) : "-");

    if (until) {
        printf("validUntil  %s (in %ld days)\n", oiosamlctl_time(until, t),
               oiosamlctl_days(until, now));

    } else {
        printf("validUntil  - (none)\n");
    }

    printf("signature   %s%s\n",
           opts[0].set ? "valid, by " : "not checked (no --signer)",
           opts[0].set ? opts[0].value : "");

    for (i = 0; i < oiosaml_idp_cert_count(idp); i++) {
        oiosaml_idp_cert_info(idp, i, &info);
        printf("certificate %s\n", info.subject);
        printf("    sha256  %s\n", info.sha256);
        printf("    valid   %s", oiosamlctl_time(info.not_before, t));
        printf(" to %s (%s%ld days)\n", oiosamlctl_time(info.not_after, t),
               info.not_after < now ? "EXPIRED " : "",
               oiosamlctl_days(info.not_after, now));
    }

    if (!oiosaml_idp_available(idp, now)) {
        printf("FAIL: no signing certificate is valid now: the gateway "
               "loads it, but logins would fail\n");
        oiosaml_idp_free(idp);
        return OIOSAMLCTL_FAIL;
    }

    printf("OK: the gateway would accept this metadata\n");
    oiosaml_idp_free(idp);

    return OIOSAMLCTL_OK;
}


/*
 * Loads metadata as the gateway does.  OIOSAMLCTL_CONF when a file cannot
 * be read, OIOSAMLCTL_FAIL when the gateway would refuse it.
 */
static int
oiosamlctl_metadata_load(const char *file, const char *signer,
    const char *entity, time_t now, oiosaml_idp_t **idp, FILE *out)
{
    oiosaml_err_t        err;
    oiosaml_status_t     rc;
    oiosaml_idp_conf_t   ic;

    memset(&ic, 0, sizeof(ic));
    ic.id = "metadata";
    ic.metadata_file = file;
    ic.metadata_signer = signer;
    ic.entity = entity;

    oiosaml_err_clear(&err);

    rc = oiosaml_idp_new(&ic, now, idp, &err);

    if (rc == OIOSAML_ERR_IO) {
        fprintf(stderr, "oiosamlctl: %s\n", err.text);
        return OIOSAMLCTL_CONF;
    }

    if (rc != OIOSAML_OK) {
        fprintf(out, "FAIL: %s: the gateway would refuse it: %s\n", file,
                err.text[0] ? err.text : oiosaml_strerror(rc));
        return OIOSAMLCTL_FAIL;
    }

    return OIOSAMLCTL_OK;
}


static int
oiosamlctl_metadata_diff(int argc, char **argv)
{
    int                   rc, changes;
    char                  t1[21], t2[21], *pos[OIOSAMLCTL_MAX_ARGS];
    size_t                npos, i;
    oiosaml_idp_t        *old, *new;
    oiosaml_cert_info_t   info;

    oiosamlctl_opt_t  opts[] = {
        { "--entity", 1, 0, 0, NULL, { NULL }, 0 },
        { NULL, 0, 0, 0, NULL, { NULL }, 0 }
    };

    if (oiosamlctl_getopt("metadata diff", argc, argv, opts, pos, &npos)
        != OIOSAMLCTL_OK || npos != 2)
    {
        return oiosamlctl_usage_of("metadata");
    }

    rc = oiosamlctl_init();
    if (rc != OIOSAMLCTL_OK) {
        return rc;
    }

    /* compared as files: validUntil is not checked against the clock */
    old = NULL;
    new = NULL;

    if (oiosamlctl_metadata_load(pos[0], NULL, opts[0].value, 0, &old,
                                 stderr) != OIOSAMLCTL_OK
        || oiosamlctl_metadata_load(pos[1], NULL, opts[0].value, 0, &new,
                                    stderr) != OIOSAMLCTL_OK)
    {
        oiosaml_idp_free(old);
        return OIOSAMLCTL_CONF;
    }

    printf("--- %s\n+++ %s\n", pos[0], pos[1]);

    changes = oiosamlctl_metadata_field("entityID",
                                        oiosaml_idp_entity_id(old),
                                        oiosaml_idp_entity_id(new));
    changes += oiosamlctl_metadata_field("SSO", oiosaml_idp_sso_url(old),
                                         oiosaml_idp_sso_url(new));
    changes += oiosamlctl_metadata_field("SLO", oiosaml_idp_slo_url(old),
                                         oiosaml_idp_slo_url(new));
    changes += oiosamlctl_metadata_field("validUntil",
                   oiosamlctl_time(oiosaml_idp_valid_until(old), t1),
                   oiosamlctl_time(oiosaml_idp_valid_until(new), t2));

    for (i = 0; i < oiosaml_idp_cert_count(old); i++) {
        oiosaml_idp_cert_info(old, i, &info);

        if (oiosamlctl_metadata_has(new, info.sha256)) {
            oiosamlctl_metadata_cert(" ", &info);

        } else {
            oiosamlctl_metadata_cert("-", &info);
            changes++;
        }
    }

    for (i = 0; i < oiosaml_idp_cert_count(new); i++) {
        oiosaml_idp_cert_info(new, i, &info);

        if (!oiosamlctl_metadata_has(old, info.sha256)) {
            oiosamlctl_metadata_cert("+", &info);
            changes++;
        }
    }

    if (changes) {
        printf("%d change%s\n", changes, changes == 1 ? "" : "s");

    } else {
        printf("the same entityID, endpoints, validUntil and keys\n");
    }

    oiosaml_idp_free(old);
    oiosaml_idp_free(new);

    return changes ? OIOSAMLCTL_FAIL : OIOSAMLCTL_OK;
}


static int
oiosamlctl_metadata_field(const char *name, const char *old,
    const char *new)
{
    if (old == NULL) {
        old = "-";
    }

    if (new == NULL) {
        new = "-";
    }

    if (strcmp(old, new) == 0) {
        printf("  %-10s  %s\n", name, old);
        return 0;
    }

    printf("- %-10s  %s\n+ %-10s  %s\n", name, old, name, new);

    return 1;
}


static void
oiosamlctl_metadata_cert(const char *mark, const oiosaml_cert_info_t *info)
{
    char  t1[21], t2[21];

    printf("%s key         %s  %s  valid %s to %s\n", mark, info->sha256,
           info->subject, oiosamlctl_time(info->not_before, t1),
           oiosamlctl_time(info->not_after, t2));
}


static int
oiosamlctl_metadata_has(const oiosaml_idp_t *idp, const char *sha256)
{
    size_t               i;
    oiosaml_cert_info_t  info;

    for (i = 0; i < oiosaml_idp_cert_count(idp); i++) {
        oiosaml_idp_cert_info(idp, i, &info);

        if (strcmp(info.sha256, sha256) == 0) {
            return 1;
        }
    }

    return 0;
}
