"""oiosamlctl, the operator's tool (build/oiosamlctl): the certificate
table and its JSON, IdP metadata verification (signed, unsigned, expired,
broken) and diff, the rollover check at a given instant (an expiring IdP
certificate, next_cert with from=, cert_grace, validUntil, announced
certificates, our own key rollover), SP metadata at a given time, keygen,
the nginx configuration reader (includes with globs, the http-level SP,
errors with file:line, agreement with nginx -t) and the exit codes."""

import datetime
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from harness import BUILD, CERTS, MODULE, Nginx, cert, idp_metadata

CTL = os.path.join(BUILD, "oiosamlctl")
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"
UTC = datetime.timezone.utc

SIGNATURE_TEMPLATE = (
    '<ds:Signature><ds:SignedInfo>'
    '<ds:CanonicalizationMethod '
    'Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    '<ds:SignatureMethod '
    'Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    '<ds:Reference URI="#_md1"><ds:Transforms>'
    '<ds:Transform '
    'Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    '</ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
    '<ds:DigestValue/></ds:Reference></ds:SignedInfo>'
    '<ds:SignatureValue/></ds:Signature>')


def now():
    return datetime.datetime.now(UTC).replace(microsecond=0)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_cert(key_path, crt_path, cn, not_before, not_after):
    """An RSA-2048 key and a self-signed certificate for these times."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    crt = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
           .public_key(key.public_key())
           .serial_number(x509.random_serial_number())
           .not_valid_before(not_before).not_valid_after(not_after)
           .sign(key, hashes.SHA256()))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(crt_path, "wb") as f:
        f.write(crt.public_bytes(serialization.Encoding.PEM))


def fingerprint(path):
    """The SHA-256 fingerprint as the tool prints it: lowercase hex."""
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint",
                          "-sha256", "-in", path], check=True,
                         capture_output=True, text=True).stdout
    return out.split("=", 1)[1].strip().replace(":", "").lower()


def sign_metadata(src, dst, key, crt):
    """Signs IdP metadata (an enveloped signature on EntityDescriptor)."""
    text = open(src).read()
    text = re.sub(r'entityID="([^"]*)">',
                  r'entityID="\1" ID="_md1">' + SIGNATURE_TEMPLATE, text,
                  count=1)
    tmpl = dst + ".tmpl"
    with open(tmpl, "w") as f:
        f.write(text)
    subprocess.run(["xmlsec1", "--sign", "--privkey-pem", f"{key},{crt}",
                    "--id-attr:ID", MD_NS, "--output", dst, tmpl],
                   check=True, capture_output=True)


def xmlsec_verifies(xml_path, crt):
    r = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", crt,
                        "--id-attr:ID", MD_NS, xml_path],
                       capture_output=True, text=True)
    return r.returncode == 0


class CtlTestCase(unittest.TestCase):
    """A temporary directory per test, and the tool."""

    @classmethod
    def setUpClass(cls):
        if not os.access(CTL, os.X_OK):
            raise AssertionError(f"{CTL} is missing: run 'make' first")

    def setUp(self):
        os.makedirs(os.path.join(BUILD, "tmp"), exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="oiosamlctl-",
                                    dir=os.path.join(BUILD, "tmp"))

    def tearDown(self):
        if not os.environ.get("KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def ctl(self, *args, cwd=None):
        return subprocess.run([CTL] + list(args), capture_output=True,
                              text=True, cwd=cwd or self.dir, timeout=60)

    def assertExit(self, r, code):
        self.assertEqual(r.returncode, code,
                         f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")

    def write(self, name, text):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        return p

    def metadata(self, name, certs, entity="https://idp.test/",
                 base="https://idp.test/", valid_until=None):
        p = self.path(name)
        idp_metadata(p, entity, base, certs)
        if valid_until is not None:
            text = open(p).read().replace(
                ' entityID=', f' validUntil="{iso(valid_until)}" entityID=',
                1)
            with open(p, "w") as f:
                f.write(text)
        return p

    def conf(self, idps, keys=None, http="", name="nginx.conf"):
        """An nginx.conf with one server and its SP."""
        if keys is None:
            keys = f"oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;"
        return self.write(name, f"""
# written by test_oiosamlctl.py
user nobody;
events {{ worker_connections 16; }}
http {{
    oiosaml_zone oiosaml:4m;
    include mime.types.missing*;
{http}
    server {{
        listen 127.0.0.1:8443 ssl;
        server_name app.test;
        oiosaml_sp https://sp.test/ url=https://app.test/saml/;
        {keys}
        oiosaml_cookie_secret {CERTS}/cookie.key;
        {idps}
        location /app/ {{
            oiosaml on;
            proxy_pass http://127.0.0.1:8080;
        }}
    }}
}}
""")

    def certs_json(self, conf, *args):
        r = self.ctl("certs", conf, "--json", *args)
        return r, json.loads(r.stdout)


class OiosamlctlUsageTest(CtlTestCase):

    def test_help_is_a_manual(self):
        r = self.ctl("--help")
        self.assertExit(r, 0)
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS",
                        "EXAMPLES"):
            self.assertRegex(r.stdout, rf"(?m)^{section}$")
        for cmd in ("certs CONF", "metadata verify FILE",
                    "metadata check FILE", "metadata diff OLD NEW",
                    "rollover check CONF --at TIME", "sp-metadata CONF",
                    "keygen --out KEY --cert CERT"):
            self.assertIn(cmd, r.stdout)
        self.assertIn("3   the configuration", r.stdout)
        self.assertEqual(self.ctl("certs", "--help").stdout, r.stdout)
        for line in r.stdout.splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_usage_errors_exit_2(self):
        conf = self.conf(f"oiosaml_idp kombit "
                         f"metadata={self.metadata('idp.xml', ['idp.crt'])};")
        for args in ([], ["frob"], ["certs"], ["certs", "a", "b"],
                     ["certs", conf, "--bogus"], ["certs", conf, "--warn"],
                     ["certs", conf, "--warn", "soon"],
                     ["metadata"], ["metadata", "frob", "x"],
                     ["metadata", "verify"], ["metadata", "diff", "x"],
                     ["rollover", "check", conf],
                     ["rollover", "verify", conf, "--at", "now"],
                     ["rollover", "check", conf, "--at", "tomorrow"],
                     ["rollover", "check", conf, "--at", "2026-13-01"],
                     ["rollover", "check", conf, "--at", "now",
                      "--idp-cert", "kombit"],
                     ["rollover", "check", conf, "--at", "now",
                      "--idp-cert", f"nobody={CERTS}/idp.crt"],
                     ["rollover", "check", conf, "--at", "now", "--at",
                      "+1h"],
                     ["sp-metadata", conf, "--at", "+1x"],
                     ["sp-metadata", conf, "--server", "https://other/"],
                     ["keygen"], ["keygen", "--out", self.path("k.key")],
                     ["keygen", "--out", self.path("k.key"), "--cert",
                      self.path("k.crt"), "--bits", "1024"],
                     ["keygen", "--out", self.path("k.key"), "--cert",
                      self.path("k.crt"), "--days", "0"],
                     ["keygen", "--out", self.path("k.key"), "--cert",
                      self.path("k.crt"), "--subject", "CN=no-slash"]):
            with self.subTest(args=args):
                r = self.ctl(*args)
                self.assertExit(r, 2)
                self.assertTrue(r.stderr.strip(), "no message")
        self.assertFalse(os.path.exists(self.path("k.key")))


class OiosamlctlCertsTest(CtlTestCase):

    def rollover_conf(self):
        md = self.metadata("kombit.xml", ["idp.crt"])
        later = iso(now() + datetime.timedelta(days=40))
        return self.conf(
            f"oiosaml_idp kombit metadata={md} next_cert={CERTS}/idp-next.crt"
            f" from={later};",
            keys=f"oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;\n"
                 f"oiosaml_sp_key {CERTS}/sp-next.key {CERTS}/sp-next.crt "
                 f"from={later};")

    def test_table(self):
        r = self.ctl("certs", self.rollover_conf())
        self.assertExit(r, 0)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0].split(),
                         ["SP", "IDP", "USE", "SUBJECT", "SHA256", "NOT",
                          "AFTER", "DAYS", "NOTE"])
        rows = {}
        for line in lines[1:]:
            cols = re.split(r"\s{2,}", line)
            rows[cols[2]] = cols
            self.assertEqual(cols[0], "https://sp.test/")
        self.assertEqual(sorted(rows), ["next", "signing", "sp",
                                        "sp-signing"])
        for use, crt, idp in (("sp-signing", "sp.crt", "-"),
                              ("sp", "sp-next.crt", "-"),
                              ("signing", "idp.crt", "kombit"),
                              ("next", "idp-next.crt", "kombit")):
            cols = rows[use]
            self.assertEqual(cols[1], idp)
            self.assertEqual(cols[4], fingerprint(cert(crt))[:16])
            self.assertRegex(cols[5], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertGreater(int(cols[6]), 300)
        self.assertIn("CN=oiosaml-nginx SP,O=Demo Kommune,C=DK",
                      rows["sp-signing"][3])
        self.assertTrue(rows["next"][7].startswith("from "))
        self.assertEqual(r.stderr, "")

        r = self.ctl("certs", self.path("nginx.conf"), "--long")
        self.assertExit(r, 0)
        self.assertIn(fingerprint(cert("idp-next.crt")), r.stdout)
        self.assertIn("CN=oiosaml-nginx test IdP (next),O=Test IdP,C=DK",
                      r.stdout)

    def test_json(self):
        r, doc = self.certs_json(self.rollover_conf())
        self.assertExit(r, 0)
        self.assertEqual(doc["warn_days"], 30)
        by_use = {c["use"]: c for c in doc["certificates"]}
        self.assertEqual(len(doc["certificates"]), 4)
        self.assertEqual(by_use["sp-signing"]["sha256"],
                         fingerprint(cert("sp.crt")))
        self.assertIsNone(by_use["sp-signing"]["idp"])
        self.assertTrue(by_use["sp-signing"]["in_use"])
        self.assertFalse(by_use["sp"]["in_use"])
        self.assertIsNotNone(by_use["sp"]["from"])
        self.assertEqual(by_use["next"]["idp"], "kombit")
        self.assertFalse(by_use["next"]["in_use"])
        self.assertTrue(by_use["signing"]["in_use"])
        for c in doc["certificates"]:
            self.assertEqual(c["sp"], "https://sp.test/")
            self.assertEqual(c["servers"], "app.test")
            self.assertEqual(c["state"], "ok")
            self.assertIsInstance(c["days_left"], int)

    def test_expired_certificate_in_use_fails(self):
        make_cert(self.path("old.key"), self.path("old.crt"), "old IdP",
                  now() - datetime.timedelta(days=30),
                  now() - datetime.timedelta(days=2))
        md = self.metadata("kombit.xml", [self.path("old.crt")])
        conf = self.conf(f"oiosaml_idp kombit metadata={md};")
        r = self.ctl("certs", conf)
        self.assertExit(r, 1)
        self.assertRegex(r.stdout, r"kombit\s+signing\s+CN=old IdP.*EXPIRED")
        self.assertIn('error: signing certificate "CN=old IdP"', r.stderr)
        self.assertIn("expired 2 days ago", r.stderr)
        r, doc = self.certs_json(conf)
        self.assertExit(r, 1)
        old = [c for c in doc["certificates"] if c["idp"] == "kombit"][0]
        self.assertEqual(old["state"], "expired")
        self.assertEqual(old["days_left"], -2)

    def test_expired_certificate_not_in_use_warns(self):
        make_cert(self.path("old.key"), self.path("old.crt"), "old SP",
                  now() - datetime.timedelta(days=400),
                  now() - datetime.timedelta(days=1))
        md = self.metadata("kombit.xml", ["idp.crt"])
        since = iso(now() - datetime.timedelta(days=20))
        conf = self.conf(
            f"oiosaml_idp kombit metadata={md};",
            keys=f"oiosaml_sp_key {self.path('old.key')} "
                 f"{self.path('old.crt')};\n"
                 f"oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt "
                 f"from={since};")
        r = self.ctl("certs", conf)
        self.assertExit(r, 0)
        self.assertRegex(r.stdout, r"sp-signing\s+CN=oiosaml-nginx SP,")
        self.assertRegex(r.stdout, r"sp\s+CN=old SP.*expired, not in use")
        self.assertIn("(not in use)", r.stderr)

        # the expired key alone signs: that fails
        conf = self.conf(f"oiosaml_idp kombit metadata={md};",
                         keys=f"oiosaml_sp_key {self.path('old.key')} "
                              f"{self.path('old.crt')};", name="only.conf")
        r = self.ctl("certs", conf)
        self.assertExit(r, 1)
        self.assertRegex(r.stdout, r"sp-signing\s+CN=old SP.*EXPIRED")

    def test_warn_days(self):
        make_cert(self.path("soon.key"), self.path("soon.crt"), "soon",
                  now() - datetime.timedelta(days=300),
                  now() + datetime.timedelta(days=10, hours=1))
        md = self.metadata("kombit.xml", [self.path("soon.crt")])
        conf = self.conf(f"oiosaml_idp kombit metadata={md};")
        r = self.ctl("certs", conf)
        self.assertExit(r, 0)
        self.assertIn('warning: signing certificate "CN=soon"', r.stderr)
        self.assertIn('of IdP "kombit"', r.stderr)
        self.assertIn("expires in 10 days", r.stderr)
        self.assertRegex(r.stdout, r"CN=soon.*\s10\s+expires soon")
        r = self.ctl("certs", conf, "--warn", "5")
        self.assertExit(r, 0)
        self.assertEqual(r.stderr, "")
        r, doc = self.certs_json(conf, "--warn", "60")
        self.assertExit(r, 0)
        self.assertEqual(doc["warn_days"], 60)
        states = {c["use"]: c["state"] for c in doc["certificates"]}
        self.assertEqual(states["signing"], "expiring")
        self.assertEqual(states["sp-signing"], "ok")

    def test_include_glob_and_prefix(self):
        """include with a glob, relative to the configuration's directory
        (not the working directory), and -p PREFIX."""
        os.makedirs(self.path("etc", "idps"))
        for name in ("a", "b"):
            self.metadata(os.path.join("etc", name + ".xml"), ["idp.crt"],
                          entity=f"https://{name}.test/")
            self.write(os.path.join("etc", "idps", name + ".conf"),
                       f"# IdP {name}\noiosaml_idp {name} metadata={name}.xml"
                       f' "label=Kommune \\"{name}\\"";\n')
        self.write(os.path.join("etc", "idps", "README"), "not included {")
        conf = self.conf("include idps/*.conf;",
                         name=os.path.join("etc", "nginx.conf"))
        r, doc = self.certs_json(conf)
        self.assertExit(r, 0)
        self.assertEqual(sorted(c["idp"] for c in doc["certificates"]
                                if c["idp"]), ["a", "b"])
        r = self.ctl("certs", "etc/nginx.conf", cwd=self.dir)
        self.assertExit(r, 0)

        # with -p the relative paths are relative to PREFIX
        os.makedirs(self.path("elsewhere"))
        shutil.move(self.path("etc", "idps"), self.path("elsewhere", "idps"))
        for name in ("a", "b"):
            shutil.move(self.path("etc", name + ".xml"),
                        self.path("elsewhere", name + ".xml"))
        r = self.ctl("certs", conf)
        self.assertExit(r, 3)
        self.assertIn("has no oiosaml_idp", r.stderr)
        r = self.ctl("certs", "-p", self.path("elsewhere"), conf)
        self.assertExit(r, 0)
        self.assertRegex(r.stdout, r"\ba\s+signing")
        self.assertRegex(r.stdout, r"\bb\s+signing")

    def test_http_level_sp_is_shared(self):
        md = self.metadata("idp.xml", ["idp.crt"])
        conf = self.write("nginx.conf", f"""
http {{
    oiosaml_sp https://shared.test/ url=https://shared.test/saml/;
    oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
    oiosaml_idp common metadata={md};
    server {{ server_name one.test; }}
    server {{ server_name two.test; location / {{ oiosaml on; }} }}
    server {{
        server_name own.test;
        oiosaml_sp https://own.test/ url=https://own.test/saml/;
        oiosaml_idp mine metadata=idp.xml;
    }}
    server {{ server_name skew.test; oiosaml_clock_skew 5m; }}
}}
stream {{ server {{ listen 12345; }} }}
""")
        r, doc = self.certs_json(conf)
        self.assertExit(r, 0)
        seen = sorted({(c["sp"], c["servers"], c["idp"] or "-")
                       for c in doc["certificates"]})
        self.assertEqual(seen, [
            ("https://own.test/", "own.test", "-"),
            ("https://own.test/", "own.test", "mine"),
            ("https://shared.test/", "one.test, two.test", "-"),
            ("https://shared.test/", "one.test, two.test", "common"),
            ("https://shared.test/", "skew.test", "-"),
            ("https://shared.test/", "skew.test", "common"),
        ])

    def test_configuration_errors_name_file_and_line(self):
        md = self.metadata("idp.xml", ["idp.crt"])
        self.write("idps/good.conf", f"oiosaml_idp good metadata={md};\n")
        self.write("idps/zbad.conf", "# a comment\n\n"
                   "oiosaml_idp bad metadata=idp.xml\n"
                   "    profile=oiosaml4;\n")
        conf = self.conf("include idps/*.conf;")
        r = self.ctl("certs", conf)
        self.assertExit(r, 3)
        self.assertIn('unknown profile "oiosaml4"', r.stderr)
        self.assertIn(self.path("idps", "zbad.conf") + ":4", r.stderr)
        self.assertEqual(r.stdout, "")

        cases = (
            ("oiosaml_idp x metadata=missing.xml;", "missing.xml",
             "nginx.conf:15"),
            ("oiosaml_idp x metadata=idp.xml next_cert=nope.crt;", "nope.crt",
             "nginx.conf:15"),
            ("oiosaml_idp x metadata=idp.xml frobnicate;",
             'unknown oiosaml_idp parameter "frobnicate"', "nginx.conf:15"),
            ("oiosaml_idp x metadata=idp.xml cert_grace=100d;",
             "at most 90d", "nginx.conf:15"),
            ("oiosaml_idp x hidden;", "needs metadata=FILE",
             "nginx.conf:15"),
            ("oiosaml_idp x;", 'invalid number of arguments in "oiosaml_idp"',
             "nginx.conf:15"),
            ("oiosaml_idp x metadata=idp.xml from=2026-12-01T06:00:00Z;",
             "from= belongs to next_cert=", "nginx.conf:15"),
            ("oiosaml_idp x metadata=idp.xml; }", 'unexpected "}"',
             "nginx.conf:21"),
            ('oiosaml_idp x "metadata=idp.xml"z;', 'unexpected "z"',
             "nginx.conf:15"),
            ("include nothere.conf;", "nothere.conf", "nginx.conf:15"),
        )
        for line, message, where in cases:
            with self.subTest(line=line):
                conf = self.conf(line)
                r = self.ctl("certs", conf)
                self.assertExit(r, 3)
                self.assertIn(message, r.stderr)
                self.assertIn(where, r.stderr)

        bad_key = self.conf(f"oiosaml_idp x metadata={md};",
                            keys=f"oiosaml_sp_key {CERTS}/sp.key "
                                 f"{CERTS}/idp.crt;")
        r = self.ctl("certs", bad_key)
        self.assertExit(r, 3)
        self.assertRegex(r.stderr, r'oiosaml_sp_key ".*sp.key": .*'
                                   r'nginx.conf:13')

        r = self.ctl("certs", self.path("nothing.conf"))
        self.assertExit(r, 3)
        self.assertIn("nothing.conf", r.stderr)

        r = self.ctl("certs", self.write("empty.conf", "events {}\n"))
        self.assertExit(r, 3)
        self.assertIn("no SP", r.stderr)

    def test_agrees_with_nginx_t(self):
        """The same configuration: nginx -t and oiosamlctl name the same
        line, and accept the same."""
        n = Nginx("oiosamlctl", "", wrap=False)
        self.addCleanup(n.cleanup)
        md = os.path.join(n.dir, "idp.xml")
        idp_metadata(md, "https://idp.test/", "https://idp.test/",
                     ["idp.crt"])
        conf = f"""
load_module {MODULE};
error_log {n.error_log};
pid {n.pid_file};
events {{ worker_connections 16; }}
http {{
    oiosaml_zone oiosaml:4m;
    server {{
        listen 127.0.0.1:1;
        oiosaml_sp https://sp.test/ url=https://sp.test/saml/;
        oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
        oiosaml_idp kombit metadata=idp.xml %s;
    }}
}}
"""
        n.write(conf % "", wrap=False)
        rc, out = n.check()
        self.assertEqual(rc, 0, out)
        self.assertExit(self.ctl("certs", n.conf), 0)

        n.write(conf % "next_cert=next.crt", wrap=False)
        rc, out = n.check()
        self.assertNotEqual(rc, 0)
        line = re.search(r"nginx.conf:(\d+)", out).group(1)
        r = self.ctl("certs", n.conf)
        self.assertExit(r, 3)
        self.assertIn(f"nginx.conf:{line}", r.stderr)
        self.assertIn("next.crt", r.stderr)


class OiosamlctlMetadataTest(CtlTestCase):

    def test_verify_good(self):
        md = self.metadata("idp.xml", ["idp.crt", "idp-next.crt"])
        for sub in ("verify", "check"):
            r = self.ctl("metadata", sub, md)
            self.assertExit(r, 0)
            self.assertRegex(r.stdout, r"entityID\s+https://idp.test/")
            self.assertRegex(r.stdout, r"SSO\s+https://idp.test/sso")
            self.assertRegex(r.stdout, r"SLO\s+https://idp.test/slo")
            self.assertRegex(r.stdout, r"validUntil\s+- \(none\)")
            self.assertIn(fingerprint(cert("idp.crt")), r.stdout)
            self.assertIn(fingerprint(cert("idp-next.crt")), r.stdout)
            self.assertIn("CN=oiosaml-nginx test IdP,O=Test IdP,C=DK",
                          r.stdout)
            self.assertIn("OK: the gateway would accept", r.stdout)

        later = now() + datetime.timedelta(days=5)
        md = self.metadata("until.xml", ["idp.crt"], valid_until=later)
        r = self.ctl("metadata", "verify", md)
        self.assertExit(r, 0)
        self.assertRegex(r.stdout, rf"validUntil  {iso(later)} \(in [45] "
                                   r"days\)")

    def test_verify_refused(self):
        md = self.metadata("idp.xml", ["idp.crt"])
        text = open(md).read()
        cases = {
            "broken.xml": text[:200],
            "sp.xml": text.replace("IDPSSODescriptor", "SPSSODescriptor"),
            "nosso.xml": text.replace("HTTP-Redirect\"\n        Location="
                                      "\"https://idp.test/sso",
                                      "HTTP-POST\"\n        Location="
                                      "\"https://idp.test/sso"),
            "nokeys.xml": re.sub(r"<md:KeyDescriptor.*?</md:KeyDescriptor>",
                                 "", text, flags=re.S),
            "doctype.xml": text.replace(
                "<md:EntityDescriptor",
                '<!DOCTYPE x [<!ENTITY e "x">]><md:EntityDescriptor', 1),
        }
        for name, body in cases.items():
            with self.subTest(name=name):
                r = self.ctl("metadata", "verify", self.write(name, body))
                self.assertExit(r, 1)
                self.assertIn("the gateway would refuse it", r.stdout)

    def test_verify_expired(self):
        md = self.metadata("old.xml", ["idp.crt"],
                           valid_until=now() - datetime.timedelta(hours=1))
        r = self.ctl("metadata", "verify", md)
        self.assertExit(r, 1)
        self.assertIn("validUntil", r.stdout)

        make_cert(self.path("old.key"), self.path("old.crt"), "old",
                  now() - datetime.timedelta(days=30),
                  now() - datetime.timedelta(days=1))
        md = self.metadata("oldcert.xml", [self.path("old.crt")])
        r = self.ctl("metadata", "verify", md)
        self.assertExit(r, 1)
        self.assertIn("EXPIRED", r.stdout)
        self.assertIn("logins would fail", r.stdout)

    def test_verify_signer(self):
        md = self.metadata("idp.xml", ["idp.crt"])
        signed = self.path("signed.xml")
        sign_metadata(md, signed, cert("idp.key"), cert("idp.crt"))

        r = self.ctl("metadata", "verify", signed, "--signer",
                     cert("idp.crt"))
        self.assertExit(r, 0)
        self.assertIn("signature   valid, by", r.stdout)

        r = self.ctl("metadata", "verify", signed, "--signer",
                     cert("idp-wrong.crt"))
        self.assertExit(r, 1)
        self.assertIn("metadata_signer", r.stdout)

        r = self.ctl("metadata", "verify", md, "--signer", cert("idp.crt"))
        self.assertExit(r, 1)

        tampered = self.write("tampered.xml", open(signed).read().replace(
            "https://idp.test/sso", "https://evil.test/sso"))
        r = self.ctl("metadata", "verify", tampered, "--signer",
                     cert("idp.crt"))
        self.assertExit(r, 1)

        # the signature is not checked without --signer
        r = self.ctl("metadata", "verify", tampered)
        self.assertExit(r, 0)
        self.assertIn("not checked", r.stdout)

        r = self.ctl("metadata", "verify", signed, "--signer",
                     self.path("missing.crt"))
        self.assertExit(r, 3)

    def test_verify_unreadable(self):
        r = self.ctl("metadata", "verify", self.path("missing.xml"))
        self.assertExit(r, 3)
        self.assertIn("missing.xml", r.stderr)

    def test_diff_identical(self):
        a = self.metadata("a.xml", ["idp.crt", "idp-next.crt"])
        b = self.path("b.xml")
        sign_metadata(a, b, cert("idp.key"), cert("idp.crt"))
        r = self.ctl("metadata", "diff", a, b)
        self.assertExit(r, 0)
        self.assertIn("the same entityID, endpoints, validUntil and keys",
                      r.stdout)
        self.assertNotRegex(r.stdout, r"(?m)^[-+] ")

    def test_diff_different(self):
        old = self.metadata("old.xml", ["idp.crt"])
        until = now() + datetime.timedelta(days=100)
        new = self.metadata("new.xml", ["idp-next.crt"],
                            entity="https://idp2.test/",
                            base="https://login.idp.test/",
                            valid_until=until)
        r = self.ctl("metadata", "diff", old, new)
        self.assertExit(r, 1)
        out = r.stdout
        self.assertIn("- entityID    https://idp.test/", out)
        self.assertIn("+ entityID    https://idp2.test/", out)
        self.assertIn("- SSO         https://idp.test/sso", out)
        self.assertIn("+ SSO         https://login.idp.test/sso", out)
        self.assertIn("+ SLO         https://login.idp.test/slo", out)
        self.assertIn(f"+ validUntil  {iso(until)}", out)
        self.assertRegex(out, r"(?m)^- key\s+%s\s+CN=oiosaml-nginx test IdP,"
                         % fingerprint(cert("idp.crt")))
        self.assertRegex(out, r"(?m)^\+ key\s+%s\s+CN=oiosaml-nginx test IdP "
                         r"\(next\)" % fingerprint(cert("idp-next.crt")))
        self.assertIn("6 changes", out)

        # a key added, one kept
        both = self.metadata("both.xml", ["idp.crt", "idp-next.crt"])
        r = self.ctl("metadata", "diff", old, both)
        self.assertExit(r, 1)
        self.assertRegex(r.stdout, r"(?m)^  key\s+%s"
                         % fingerprint(cert("idp.crt")))
        self.assertRegex(r.stdout, r"(?m)^\+ key\s+%s"
                         % fingerprint(cert("idp-next.crt")))
        self.assertIn("1 change\n", r.stdout)

    def test_diff_unreadable(self):
        a = self.metadata("a.xml", ["idp.crt"])
        r = self.ctl("metadata", "diff", a, self.path("missing.xml"))
        self.assertExit(r, 3)
        r = self.ctl("metadata", "diff", self.write("bad.xml", "<x"), a)
        self.assertExit(r, 3)
        # expired metadata is still compared: it is a file like any other
        old = self.metadata("old.xml", ["idp.crt"],
                            valid_until=now() - datetime.timedelta(days=1))
        r = self.ctl("metadata", "diff", old, a)
        self.assertExit(r, 1)
        self.assertIn("+ validUntil  -", r.stdout)


class OiosamlctlRolloverTest(CtlTestCase):
    """An IdP whose certificate expires in 10 days, and what saves it."""

    def setUp(self):
        super().setUp()
        self.t0 = now()
        make_cert(self.path("old.key"), self.path("old.crt"), "kombit 2023",
                  self.t0 - datetime.timedelta(days=300),
                  self.t0 + datetime.timedelta(days=10))
        self.md = self.metadata("kombit.xml", [self.path("old.crt")])
        self.new = cert("idp-next.crt")

    def check(self, conf, at, *args):
        if isinstance(at, datetime.datetime):
            at = iso(at)
        return self.ctl("rollover", "check", conf, "--at", at, *args)

    def idp_row(self, out, idp="kombit"):
        m = re.search(rf"(?m)^  {idp}\s+(OK|FAIL)\s+(.*)$", out)
        self.assertIsNotNone(m, out)
        return m.group(1), m.group(2)

    def test_expiring_certificate_fails_after_it_expires(self):
        conf = self.conf(f"oiosaml_idp kombit metadata={self.md};")
        r = self.check(conf, self.t0 + datetime.timedelta(days=9))
        self.assertExit(r, 0)
        self.assertEqual(self.idp_row(r.stdout),
                         ("OK", "1 of 1 certificates trusted"))
        self.assertIn("OK: logins would work at", r.stdout)

        r = self.check(conf, self.t0 + datetime.timedelta(days=11))
        self.assertExit(r, 1)
        result, reason = self.idp_row(r.stdout)
        self.assertEqual(result, "FAIL")
        self.assertIn("none of its 1 certificates is trusted then", reason)
        self.assertIn("FAIL: logins would fail at", r.stdout)

    def test_next_cert_from_before_at_passes(self):
        switch = self.t0 + datetime.timedelta(days=5)
        conf = self.conf(f"oiosaml_idp kombit metadata={self.md} "
                         f"next_cert={self.new} from={iso(switch)};")
        at = self.t0 + datetime.timedelta(days=11)
        r = self.check(conf, at)
        self.assertExit(r, 0)
        self.assertEqual(self.idp_row(r.stdout),
                         ("OK", "1 of 2 certificates trusted"))

        # next_from= is the same as from=
        conf = self.conf(f"oiosaml_idp kombit metadata={self.md} "
                         f"next_cert={self.new} next_from={iso(switch)};",
                         name="next_from.conf")
        self.assertExit(self.check(conf, at), 0)

        # a switch announced for after the old certificate expires: a gap
        late = self.t0 + datetime.timedelta(days=12)
        conf = self.conf(f"oiosaml_idp kombit metadata={self.md} "
                         f"next_cert={self.new} from={iso(late)};",
                         name="late.conf")
        r = self.check(conf, at)
        self.assertExit(r, 1)
        self.assertIn("none of its 2 certificates", r.stdout)

    def test_announced_certificate(self):
        """--idp-cert: the IdP will sign with this certificate."""
        switch = self.t0 + datetime.timedelta(days=5)
        idp_cert = f"kombit={self.new}"

        conf = self.conf(f"oiosaml_idp kombit metadata={self.md};")
        r = self.check(conf, switch, "--idp-cert", idp_cert)
        self.assertExit(r, 1)
        result, reason = self.idp_row(r.stdout)
        self.assertEqual(result, "FAIL")
        self.assertIn(f"{self.new} would NOT be accepted", reason)
        self.assertIn("1 of 1 certificates trusted", reason)

        conf = self.conf(f"oiosaml_idp kombit metadata={self.md} "
                         f"next_cert={self.new} from={iso(switch)};",
                         name="next.conf")
        # at the switch instant and an hour later
        for at in (switch, switch + datetime.timedelta(hours=1)):
            r = self.check(conf, at, "--idp-cert", idp_cert)
            self.assertExit(r, 0)
            result, reason = self.idp_row(r.stdout)
            self.assertEqual(result, "OK")
            self.assertIn(f"{self.new} would be accepted", reason)
            self.assertIn("2 of 2 certificates trusted", reason)
        # a second before
        r = self.check(conf, switch - datetime.timedelta(seconds=1),
                       "--idp-cert", idp_cert)
        self.assertExit(r, 1)

        # the old certificate at once, and a relative time
        r = self.check(conf, "now", "--idp-cert",
                       f"kombit={self.path('old.crt')}")
        self.assertExit(r, 0)
        r = self.check(conf, "+6d", "--idp-cert", idp_cert)
        self.assertExit(r, 0)
        r = self.check(conf, "+4d", "--idp-cert", idp_cert)
        self.assertExit(r, 1)

        r = self.check(conf, "now", "--idp-cert",
                       f"kombit={self.path('missing.crt')}")
        self.assertExit(r, 3)

    def test_cert_grace(self):
        make_cert(self.path("gone.key"), self.path("gone.crt"), "gone",
                  self.t0 - datetime.timedelta(days=300),
                  self.t0 - datetime.timedelta(days=2))
        md = self.metadata("gone.xml", [self.path("gone.crt")])
        conf = self.conf(f"oiosaml_idp kombit metadata={md} cert_grace=7d;")
        r = self.check(conf, "now")
        self.assertExit(r, 0)
        result, reason = self.idp_row(r.stdout)
        self.assertEqual(result, "OK")
        self.assertIn("1 of them expired, trusted only by cert_grace",
                      reason)
        r = self.check(conf, "+6d")
        self.assertExit(r, 1)

        conf = self.conf(f"oiosaml_idp kombit metadata={md};",
                         name="nograce.conf")
        self.assertExit(self.check(conf, "now"), 1)

    def test_valid_until(self):
        md = self.metadata("until.xml", ["idp.crt"],
                           entity="https://until.test/",
                           valid_until=self.t0 + datetime.timedelta(days=2))
        conf = self.conf(f"oiosaml_idp kombit metadata={md};\n"
                         f"oiosaml_idp other metadata={self.md};")
        r = self.check(conf, "+1d")
        self.assertExit(r, 0)
        self.assertIn("metadata valid until", self.idp_row(r.stdout)[1])
        r = self.check(conf, "+3d")
        self.assertExit(r, 1)
        result, reason = self.idp_row(r.stdout)
        self.assertEqual(result, "FAIL")
        self.assertIn("metadata validUntil", reason)
        self.assertIn("has passed", reason)
        self.assertEqual(self.idp_row(r.stdout, "other")[0], "OK")

    def test_our_key_rollover(self):
        switch = self.t0 + datetime.timedelta(days=20)
        md = self.metadata("i.xml", ["idp.crt"])
        conf = self.conf(
            f"oiosaml_idp kombit metadata={md};",
            keys=f"oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;\n"
                 f"oiosaml_sp_key {CERTS}/sp-next.key {CERTS}/sp-next.crt "
                 f"from={iso(switch)};")

        def keys(out):
            rows = {}
            for line in out.splitlines():
                m = re.match(r"^  (CN=oiosaml-nginx SP[^,]*),.*?"
                             r"  ([0-9a-f]{16})  .*?Z  .*?Z  (.*)$", line)
                if m:
                    rows[m.group(1)] = m.group(3)
            return rows

        r = self.check(conf, switch - datetime.timedelta(hours=1))
        self.assertExit(r, 0)
        rows = keys(r.stdout)
        self.assertRegex(rows["CN=oiosaml-nginx SP"], r"^signs.*OK$")
        self.assertEqual(rows["CN=oiosaml-nginx SP (next)"],
                         f"published, signs from {iso(switch)}")

        r = self.check(conf, switch)
        self.assertExit(r, 0)
        rows = keys(r.stdout)
        self.assertEqual(rows["CN=oiosaml-nginx SP"], "published")
        self.assertRegex(rows["CN=oiosaml-nginx SP (next)"], r"^signs.*OK$")

        # years later our signing key has expired
        r = self.check(conf, "+2000d")
        self.assertExit(r, 1)
        self.assertIn("FAIL: not valid then", r.stdout)
        self.assertIn("expired, not published", r.stdout)


class OiosamlctlSpMetadataTest(CtlTestCase):

    def test_signed_by_the_key_of_the_time(self):
        switch = now() + datetime.timedelta(days=20)
        md = self.metadata("idp.xml", ["idp.crt"])
        conf = self.conf(
            f"oiosaml_idp kombit metadata={md};",
            keys=f"oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;\n"
                 f"oiosaml_sp_key {CERTS}/sp-next.key {CERTS}/sp-next.crt "
                 f"from={iso(switch)};")
        for at, signer, other in (
                (iso(switch - datetime.timedelta(hours=1)), "sp.crt",
                 "sp-next.crt"),
                (None, "sp.crt", "sp-next.crt"),
                (iso(switch), "sp-next.crt", "sp.crt"),
                ("+21d", "sp-next.crt", "sp.crt")):
            with self.subTest(at=at):
                args = ["sp-metadata", conf] + (["--at", at] if at else [])
                r = self.ctl(*args)
                self.assertExit(r, 0)
                self.assertIn('entityID="https://sp.test/"', r.stdout)
                out = self.write("sp.xml", r.stdout)
                self.assertTrue(xmlsec_verifies(out, cert(signer)))
                self.assertFalse(xmlsec_verifies(out, cert(other)))
                # both certificates are published, for signing and
                # encryption
                self.assertEqual(r.stdout.count("<ds:X509Certificate>"), 4)

    def test_several_sps(self):
        md = self.metadata("idp.xml", ["idp.crt"])
        conf = self.write("nginx.conf", f"""
http {{
    oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;
    oiosaml_idp kombit metadata={md};
    server {{
        server_name a.test;
        oiosaml_sp https://a.test/ url=https://a.test/saml/;
    }}
    server {{
        server_name b.test;
        oiosaml_sp https://b.test/ url=https://b.test/saml/;
        oiosaml_sp_key {CERTS}/sp-next.key {CERTS}/sp-next.crt;
    }}
}}
""")
        r = self.ctl("sp-metadata", conf)
        self.assertExit(r, 2)
        self.assertIn("https://a.test/  (a.test)", r.stderr)
        self.assertIn("https://b.test/  (b.test)", r.stderr)
        self.assertEqual(r.stdout, "")

        r = self.ctl("sp-metadata", conf, "--server", "https://b.test/")
        self.assertExit(r, 0)
        self.assertIn('entityID="https://b.test/"', r.stdout)
        out = self.write("b.xml", r.stdout)
        self.assertTrue(xmlsec_verifies(out, cert("sp-next.crt")))

        r = self.ctl("sp-metadata", conf, "--server", "a.test")
        self.assertExit(r, 0)
        self.assertIn('entityID="https://a.test/"', r.stdout)
        self.assertIn("https://a.test/saml/acs", r.stdout)


class OiosamlctlKeygenTest(CtlTestCase):

    def keygen(self, *args):
        return self.ctl("keygen", "--out", self.path("sp.key"), "--cert",
                        self.path("sp.crt"), *args)

    def text(self, crt):
        return subprocess.run(["openssl", "x509", "-noout", "-text", "-in",
                               crt], check=True, capture_output=True,
                              text=True).stdout

    def test_keygen(self):
        r = self.keygen("--subject", "/C=DK/O=Korsbæk Kommune/CN=app SP")
        self.assertExit(r, 0)
        key, crt = self.path("sp.key"), self.path("sp.crt")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        text = self.text(crt)
        self.assertIn("Public-Key: (3072 bit)", text)
        self.assertIn("sha256WithRSAEncryption", text)
        self.assertRegex(text, r"X509v3 Key Usage: critical\s+"
                               r"Digital Signature, Key Encipherment\n")
        self.assertIn("CA:FALSE", text)
        self.assertIn("CN = app SP", text)
        self.assertIn("Version: 3", text)
        serial = re.search(r"Serial Number:\s*\n?\s*([0-9a-f:]+)",
                           text).group(1).replace(":", "")
        self.assertEqual(len(serial), 32)
        dates = subprocess.run(["openssl", "x509", "-noout", "-startdate",
                                "-enddate", "-in", crt], check=True,
                               capture_output=True, text=True).stdout
        start = re.search(r"notBefore=(.*)", dates).group(1)
        end = re.search(r"notAfter=(.*)", dates).group(1)
        fmt = "%b %d %H:%M:%S %Y GMT"
        days = (datetime.datetime.strptime(end, fmt)
                - datetime.datetime.strptime(start, fmt)).days
        self.assertEqual(days, 1095)
        self.assertIn(f"sha256       {fingerprint(crt)}", r.stdout)
        self.assertIn("subject      CN=app SP,O=Korsbæk Kommune,C=DK",
                      r.stdout)

        # the key matches the certificate, and the gateway can use it
        pub_key = subprocess.run(["openssl", "pkey", "-in", key, "-pubout"],
                                 check=True, capture_output=True).stdout
        pub_crt = subprocess.run(["openssl", "x509", "-in", crt, "-noout",
                                  "-pubkey"], check=True,
                                 capture_output=True).stdout
        self.assertEqual(pub_key, pub_crt)
        md = self.metadata("idp.xml", ["idp.crt"])
        conf = self.conf(f"oiosaml_idp kombit metadata={md};",
                         keys=f"oiosaml_sp_key {key} {crt};")
        r, doc = self.certs_json(conf)
        self.assertExit(r, 0)
        self.assertEqual(doc["certificates"][0]["sha256"], fingerprint(crt))
        self.assertEqual(doc["certificates"][0]["use"], "sp-signing")

    def test_refuses_to_overwrite(self):
        self.assertExit(self.keygen("--bits", "2048"), 0)
        before = fingerprint(self.path("sp.crt"))
        key = open(self.path("sp.key")).read()

        r = self.keygen("--bits", "2048")
        self.assertExit(r, 1)
        self.assertIn("exists", r.stderr)
        self.assertIn("--force", r.stderr)
        self.assertEqual(fingerprint(self.path("sp.crt")), before)
        self.assertEqual(open(self.path("sp.key")).read(), key)

        # only the certificate exists: still refused, nothing written
        os.unlink(self.path("sp.key"))
        self.assertExit(self.keygen("--bits", "2048"), 1)
        self.assertFalse(os.path.exists(self.path("sp.key")))

        os.chmod(self.path("sp.crt"), 0o600)
        with open(self.path("sp.key"), "w") as f:
            f.write("old")
        os.chmod(self.path("sp.key"), 0o644)
        r = self.keygen("--bits", "2048", "--days", "30", "--force")
        self.assertExit(r, 0)
        self.assertNotEqual(fingerprint(self.path("sp.crt")), before)
        self.assertEqual(
            stat.S_IMODE(os.stat(self.path("sp.key")).st_mode), 0o600)
        self.assertIn("Public-Key: (2048 bit)",
                      self.text(self.path("sp.crt")))
        self.assertIn("CN = oiosaml SP", self.text(self.path("sp.crt")))


if __name__ == "__main__":
    unittest.main()
