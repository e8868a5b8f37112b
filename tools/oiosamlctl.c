
/*
 * oiosamlctl: the operator's command line tool on liboiosaml.  This file
 * holds main(), the dispatch to the commands and the manual (--help).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oiosamlctl.h"


typedef struct {
    const char   *name;
    int         (*handler)(int argc, char **argv);
    const char   *synopsis;
} oiosamlctl_cmd_t;


static int oiosamlctl_help(FILE *out);
static int oiosamlctl_is_help(const char *arg);


static const oiosamlctl_cmd_t  oiosamlctl_cmds[] = {

    { "certs", oiosamlctl_certs,
      "    oiosamlctl certs CONF [--warn DAYS] [--long] [--json]"
      " [-p PREFIX]\n" },

    { "metadata", oiosamlctl_metadata,
      "    oiosamlctl metadata verify FILE [--signer CERT] [--entity ID]\n"
      "    oiosamlctl metadata check FILE [--signer CERT] [--entity ID]\n"
      "    oiosamlctl metadata diff OLD NEW [--entity ID]\n"
      "    oiosamlctl metadata fetch URL --out FILE [--signer CERT]"
      " [--entity ID]\n"
      "                              [--max-size N] [--timeout S]"
      " [--ca FILE]\n"
      "                              [--connect-timeout S]"
      " [--allow-http]\n"
      "    oiosamlctl metadata fetch --config FILE [--only ID]\n" },

    { "rollover", oiosamlctl_rollover,
      "    oiosamlctl rollover check CONF --at TIME"
      " [--idp-cert ID=CERT ...]\n"
      "                              [-p PREFIX]\n" },

    { "sp-metadata", oiosamlctl_sp_metadata,
      "    oiosamlctl sp-metadata CONF [--server ENTITYID] [--at TIME]"
      " [--check]\n                           [-p PREFIX]\n" },

    { "response", oiosamlctl_response,
      "    oiosamlctl response check FILE --conf CONF [--idp ID] [--at TIME]\n"
      "                              [--ignore-time]"
      " [--ignore-in-response-to]\n"
      "                              [--in-response-to ID] [--loa LEVEL]\n"
      "                              [--server ENTITYID] [-p PREFIX]\n" },

    { "keygen", oiosamlctl_keygen,
      "    oiosamlctl keygen --out KEY --cert CERT [--subject DN]"
      " [--days N]\n"
      "                      [--bits N] [--force]\n" },

    { NULL, NULL, NULL }
};


static const char  oiosamlctl_manual[] =
    "NAME\n"
    "    oiosamlctl - check and maintain the trust of an OIOSAML gateway\n"
    "    (nginx with ngx_http_oiosaml_module)\n"
    "\n"
    "SYNOPSIS\n"
    "%s"
    "    oiosamlctl --help\n"
    "\n"
    "DESCRIPTION\n"
    "    CONF is the nginx configuration, e.g. /etc/nginx/nginx.conf.  It\n"
    "    is read as nginx reads it: include files (with glob patterns),\n"
    "    the http and server blocks, and the directives oiosaml_sp,\n"
    "    oiosaml_sp_key, oiosaml_idp, oiosaml_cookie_secret and\n"
    "    oiosaml_clock_skew; every other directive is ignored.  Relative\n"
    "    paths are relative to the directory of CONF, or to PREFIX with\n"
    "    -p.  Each SP is then built with the library exactly as the\n"
    "    gateway builds it, so what \"nginx -t\" refuses is refused here\n"
    "    too (exit 3), with the file and line.\n"
    "\n"
    "    TIME is an xs:dateTime in UTC (2026-12-01T06:00:00Z), \"now\", or\n"
    "    a time relative to now: +90s, +30m, +1h, +2d, +1w, -1d.\n"
    "\n"
    "    certs CONF\n"
    "        A table of every certificate: the SP (entityID), the IdP,\n"
    "        its use (sp-signing: our key that signs now; sp: our other\n"
    "        keys; signing: in the IdP's metadata; next: the IdP's\n"
    "        next_cert), subject, SHA-256 fingerprint (16 hex digits,\n"
    "        all with --long), not-after and days left.  --json prints\n"
    "        the same as JSON.  Exit 1 when a certificate in use has\n"
    "        expired; a warning on stderr for each that expires within\n"
    "        --warn DAYS (default 30).\n"
    "\n"
    "    metadata verify FILE [--signer CERT] [--entity ID]\n"
    "        Loads IdP metadata as the gateway does (with\n"
    "        metadata_signer=CERT when --signer is given, entity=ID when\n"
    "        --entity is given) and prints its entityID, SSO and SLO\n"
    "        endpoints, validUntil and signing certificates.  An\n"
    "        aggregate (EntitiesDescriptor) of several IdPs needs\n"
    "        --entity; with --signer its signature is checked as a whole\n"
    "        first.  Exit 1 when the gateway would refuse it, or when\n"
    "        none of its certificates is valid now (logins would fail).\n"
    "        \"metadata check\" is the same command.\n"
    "\n"
    "    metadata diff OLD NEW [--entity ID]\n"
    "        What changed between two metadata files: entityID, SSO and\n"
    "        SLO endpoints, validUntil, and the signing certificates\n"
    "        removed (-) and added (+), by fingerprint.  Exit 0 when they\n"
    "        are the same in these respects, 1 when they differ (as\n"
    "        diff(1) does), 3 when a file cannot be read.\n"
    "\n"
    "    metadata fetch URL --out FILE\n"
    "        Downloads IdP metadata (libcurl): https only, the server's\n"
    "        certificate verified with the system's CA store (--ca FILE:\n"
    "        that CA instead); http:// is refused (exit 2) unless\n"
    "        --allow-http is given together with --signer.  Redirects\n"
    "        are followed (at most 5, never from https to http).  The\n"
    "        transfer is stopped beyond --max-size (default 1m, at most\n"
    "        4m; also counted after decompression), --connect-timeout\n"
    "        (default 10s) and --timeout (default 30s, in all).  The\n"
    "        document is then checked by the code the gateway loads\n"
    "        metadata= with: well formed, entity=ID with --entity,\n"
    "        signed by CERT with --signer, not past validUntil, and\n"
    "        refused when none of its signing certificates is valid\n"
    "        now.  Only then it is written: a new file in FILE's\n"
    "        directory, mode 0644, fsync, renamed over FILE.  On any\n"
    "        failure FILE is left as it was, one line on stderr names\n"
    "        the class (exit 10 to 18 below).  On success one line on\n"
    "        stdout; \"unchanged\" when FILE holds the same bytes (it is\n"
    "        then not rewritten).  The gateway re-reads FILE on its\n"
    "        oiosaml_metadata_refresh timer: no reload is needed.\n"
    "\n"
    "    metadata fetch --config FILE [--only ID]\n"
    "        The same for every line \"ID URL FILE [options]\" of FILE\n"
    "        (conf/systemd/fetch.conf); every line is tried, the exit\n"
    "        status is the first failure's.\n"
    "\n"
    "    rollover check CONF --at TIME [--idp-cert ID=CERT ...]\n"
    "        Would logins work at TIME?  For each SP: the key that signs\n"
    "        at TIME must have a certificate valid then; the certificates\n"
    "        published then are listed.  For each IdP: at least one of\n"
    "        its certificates is trusted at TIME (metadata, next_cert\n"
    "        from its from= time, cert_grace), its metadata is not past\n"
    "        validUntil, and for every --idp-cert ID=CERT (the\n"
    "        certificate the IdP announced it will sign with) a\n"
    "        signature by CERT would be accepted.  Exit 1 when anything\n"
    "        would fail.\n"
    "\n"
    "    sp-metadata CONF [--server ENTITYID] [--at TIME] [--check]\n"
    "        Prints our SP metadata as published at TIME (default now),\n"
    "        signed by the key that signs then: the SP with that\n"
    "        entityID, or the only one.  With --check, a table of what\n"
    "        NemLog-in3 and KOMBIT's Context Handler 2 ask of SP\n"
    "        metadata and whether ours has it; exit 1 when something\n"
    "        that either requires is missing (docs/federation.md).\n"
    "\n"
    "    response check FILE --conf CONF\n"
    "        Judges a SAMLResponse captured from a browser (a SAML\n"
    "        tracer) as the gateway's ACS would: FILE (\"-\": stdin) holds\n"
    "        the base64 value, the XML itself, or the form body\n"
    "        \"SAMLResponse=...&RelayState=...\" (percent-decoded when it\n"
    "        holds a '%%').  The SP is built from CONF exactly as the\n"
    "        gateway builds it (--server ENTITYID when CONF has several);\n"
    "        its keys decrypt.  The ACS's own code decides\n"
    "        (oiosaml_response_verify(), which stops at the first\n"
    "        failure, as at the ACS); a line per rule group says ok,\n"
    "        FAIL (with the reason), not checked (after the failure),\n"
    "        skipped or note, with the values the message holds.  When\n"
    "        accepted, the identity, level and roles the gateway would\n"
    "        give.  The IdP is the one the Issuer names, or --idp ID.\n"
    "        Without --in-response-to, the response's own InResponseTo\n"
    "        stands in for the browser's pending login: reported, not\n"
    "        enforced (\"note\"); with it, enforced.  --loa LEVEL: the\n"
    "        level the login asked for (the location's requirement).\n"
    "        --at TIME sets the clock; --ignore-time judges the response\n"
    "        at its assertion's IssueInstant (certificates and validUntil\n"
    "        too); --ignore-in-response-to accepts any InResponseTo or\n"
    "        none.  Replay is never checked: the tool has no replay\n"
    "        cache.  Exit 0 accepted, 1 a named denial, 4 bad input, 3\n"
    "        a configuration error, 5 the check itself failed.\n"
    "\n"
    "    keygen --out KEY --cert CERT\n"
    "        Makes a new RSA key (--bits, default 3072) and a self-signed\n"
    "        certificate (SHA-256, random 128-bit serial, keyUsage\n"
    "        digitalSignature and keyEncipherment, --days, default 1095,\n"
    "        --subject, default \"/C=DK/CN=oiosaml SP\").  The key is\n"
    "        written with mode 0600.  Existing files are kept (exit 1)\n"
    "        unless --force is given.  Prints the fingerprint.\n"
    "\n"
    "EXIT STATUS\n"
    "    0   success\n"
    "    1   the check failed (e.g. logins would fail)\n"
    "    2   usage error\n"
    "    3   the configuration, or a file it names, could not be read\n"
    "    4   response check: bad input (not a SAMLResponse)\n"
    "    5   response check: the check itself failed\n"
    "    metadata fetch, one code per failure class:\n"
    "    10  network or TLS: DNS, connect, certificate, a refused redirect\n"
    "    11  an HTTP status other than 200\n"
    "    12  too large (--max-size)\n"
    "    13  timeout (--connect-timeout, --timeout)\n"
    "    14  not XML, or not IdP metadata\n"
    "    15  signature: not signed by --signer, or it does not verify\n"
    "    16  expired: past validUntil, or no signing certificate valid now\n"
    "    17  wrong entity: --entity not there, or several IdPs without it\n"
    "    18  write error: the new file could not be made or renamed\n"
    "\n"
    "EXAMPLES\n"
    "    Certificates that expire within 60 days:\n"
    "        oiosamlctl certs /etc/nginx/nginx.conf --warn 60\n"
    "\n"
    "    Fetch KOMBIT's metadata, checked with its signing certificate:\n"
    "        oiosamlctl metadata fetch \\\n"
    "            https://n2adgangsstyring.stoettesystemerne.dk/runtime/\\\n"
    "saml2/metadata.idp --out /var/lib/oiosaml/metadata/kombit.xml \\\n"
    "            --signer /etc/oiosaml/kombit-metadata.crt\n"
    "\n"
    "    New metadata from an IdP, before it replaces the old file:\n"
    "        oiosamlctl metadata verify new.xml --signer kombit-md.crt\n"
    "        oiosamlctl metadata diff /etc/oiosaml/kombit.xml new.xml\n"
    "\n"
    "    An IdP switches keys at 06:00; check the instant and an hour\n"
    "    later:\n"
    "        oiosamlctl rollover check /etc/nginx/nginx.conf \\\n"
    "            --at 2026-12-01T06:00:00Z --idp-cert kombit=new.crt\n"
    "        oiosamlctl rollover check /etc/nginx/nginx.conf \\\n"
    "            --at 2026-12-01T07:00:00Z --idp-cert kombit=new.crt\n"
    "\n"
    "    Why was a login refused?  The SAMLResponse from the browser's\n"
    "    SAML tracer, saved to resp.txt:\n"
    "        oiosamlctl response check resp.txt \\\n"
    "            --conf /etc/nginx/nginx.conf\n"
    "        oiosamlctl response check resp.txt \\\n"
    "            --conf /etc/nginx/nginx.conf --ignore-time\n"
    "\n"
    "    Our own key rollover:\n"
    "        oiosamlctl keygen --out /etc/oiosaml/sp-2027.key \\\n"
    "            --cert /etc/oiosaml/sp-2027.crt \\\n"
    "            --subject \"/C=DK/O=Korsbaek Kommune/CN=app SP 2027\"\n"
    "        oiosamlctl sp-metadata /etc/nginx/nginx.conf \\\n"
    "            --at 2027-01-10T06:00:00Z > sp-metadata-2027.xml\n"
    "\n"
    "SEE ALSO\n"
    "    nginx(8); the runbooks certificate-rollover.md, idp-migration.md,\n"
    "    incident-checks.md and metadata-fetch.md in docs/runbooks/\n"
    "    (Debian package: /usr/share/doc/libnginx-mod-http-oiosaml/\n"
    "    runbooks/); the systemd units in conf/systemd/\n";


int
main(int argc, char **argv)
{
    const oiosamlctl_cmd_t  *c;

    if (argc < 2) {
        oiosamlctl_help(stderr);
        return OIOSAMLCTL_USAGE;
    }

    if (oiosamlctl_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        return oiosamlctl_help(stdout);
    }

    for (c = oiosamlctl_cmds; c->name != NULL; c++) {
        if (strcmp(argv[1], c->name) != 0) {
            continue;
        }

        if (argc > 2 && oiosamlctl_is_help(argv[argc - 1])) {
            return oiosamlctl_help(stdout);
        }

        return c->handler(argc - 2, argv + 2);
    }

    fprintf(stderr, "oiosamlctl: unknown command \"%s\"; "
            "see \"oiosamlctl --help\"\n", argv[1]);

    return OIOSAMLCTL_USAGE;
}


static int
oiosamlctl_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}


static int
oiosamlctl_help(FILE *out)
{
    char                     synopsis[2048];
    size_t                   n;
    const oiosamlctl_cmd_t  *c;

    n = 0;
    synopsis[0] = '\0';

    for (c = oiosamlctl_cmds; c->name != NULL; c++) {
        n += snprintf(synopsis + n, sizeof(synopsis) - n, "%s", c->synopsis);

        if (n >= sizeof(synopsis)) {
            break;
        }
    }

    fprintf(out, oiosamlctl_manual, synopsis);

    return OIOSAMLCTL_OK;
}


int
oiosamlctl_usage_of(const char *cmd)
{
    const oiosamlctl_cmd_t  *c;

    for (c = oiosamlctl_cmds; c->name != NULL; c++) {
        if (strcmp(c->name, cmd) == 0) {
            fprintf(stderr, "usage:\n%s", c->synopsis);
            break;
        }
    }

    fprintf(stderr, "see \"oiosamlctl --help\"\n");

    return OIOSAMLCTL_USAGE;
}


int
oiosamlctl_init(void)
{
    oiosaml_err_t  err;

    oiosaml_err_clear(&err);

    if (oiosaml_global_init(&err) != OIOSAML_OK) {
        fprintf(stderr, "oiosamlctl: %s\n", err.text);
        return OIOSAMLCTL_FAIL;
    }

    return OIOSAMLCTL_OK;
}
