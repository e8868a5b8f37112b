
/*
 * oiosamlctl: the operator's command line tool on liboiosaml.
 *
 * Exit codes: 0 success, 1 the check failed, 2 usage error.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oiosaml.h>


#define OIOSAMLCTL_OK       0
#define OIOSAMLCTL_FAIL     1
#define OIOSAMLCTL_USAGE    2


static int oiosamlctl_usage(FILE *out);
static int oiosamlctl_metadata(int argc, char **argv);


int
main(int argc, char **argv)
{
    oiosaml_err_t  err;

    if (argc < 2 || strcmp(argv[1], "--help") == 0
        || strcmp(argv[1], "-h") == 0)
    {
        return oiosamlctl_usage(argc < 2 ? stderr : stdout)
               + (argc < 2 ? OIOSAMLCTL_USAGE : 0);
    }

    oiosaml_err_clear(&err);

    if (oiosaml_global_init(&err) != OIOSAML_OK) {
        fprintf(stderr, "oiosamlctl: %s\n", err.text);
        return OIOSAMLCTL_FAIL;
    }

    if (strcmp(argv[1], "metadata") == 0) {
        return oiosamlctl_metadata(argc - 2, argv + 2);
    }

    fprintf(stderr, "oiosamlctl: unknown command \"%s\"\n", argv[1]);

    return OIOSAMLCTL_USAGE;
}


static int
oiosamlctl_usage(FILE *out)
{
    fputs("NAME\n"
          "    oiosamlctl - check OIOSAML gateway configuration\n"
          "\n"
          "SYNOPSIS\n"
          "    oiosamlctl metadata check FILE\n"
          "\n"
          "DESCRIPTION\n"
          "    metadata check FILE\n"
          "        Loads IdP metadata as the gateway does and prints its\n"
          "        entityID and endpoints.  Exit 1 when the gateway would\n"
          "        refuse it.\n"
          "\n"
          "EXIT STATUS\n"
          "    0 success, 1 the check failed, 2 usage error.\n", out);

    return OIOSAMLCTL_OK;
}


static int
oiosamlctl_metadata(int argc, char **argv)
{
    oiosaml_err_t        err;
    oiosaml_idp_t       *idp;
    oiosaml_idp_conf_t   ic;

    if (argc != 2 || strcmp(argv[0], "check") != 0) {
        fprintf(stderr, "usage: oiosamlctl metadata check FILE\n");
        return OIOSAMLCTL_USAGE;
    }

    memset(&ic, 0, sizeof(ic));
    ic.id = "check";
    ic.metadata_file = argv[1];
    oiosaml_err_clear(&err);

    if (oiosaml_idp_new(&ic, time(NULL), &idp, &err) != OIOSAML_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.text);
        return OIOSAMLCTL_FAIL;
    }

    printf("entityID  %s\nSSO       %s\nSLO       %s\n",
           oiosaml_idp_entity_id(idp), oiosaml_idp_sso_url(idp),
           oiosaml_idp_slo_url(idp) ? oiosaml_idp_slo_url(idp) : "-");

    oiosaml_idp_free(idp);

    return OIOSAMLCTL_OK;
}
