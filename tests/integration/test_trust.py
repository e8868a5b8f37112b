"""Certificate rollover and trust: pre-loaded next certificates, a grace
for expired ones, signed metadata, metadata refresh without a restart,
our own key rollover at an instant, and the status endpoint."""

import base64
import datetime
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.parse
import zlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from harness import (CERTS, Browser, SpTestCase, cert, idp_metadata)

SESSION = "__Host-oiosaml"


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def make_cert(key_path, crt_path, days_from, days_to, cn="test"):
    """A key and a certificate valid from/to these days relative to now."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.utcnow()
    crt = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
           .public_key(key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now + datetime.timedelta(days=days_from))
           .not_valid_after(now + datetime.timedelta(days=days_to))
           .sign(key, hashes.SHA256()))
    open(key_path, "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    open(crt_path, "wb").write(crt.public_bytes(serialization.Encoding.PEM))


def idp_location(name, entity, key, crt, port, extra="",
                 sp_cert=f"{CERTS}/sp.crt"):
    return f"""
        location /idp/{name}/ {{
            oiosaml_test_idp entity_id={entity}
                key={key} cert={crt} sp_cert={sp_cert}
                users={os.path.dirname(__file__)}/users.conf
                sp_sls=https://127.0.0.1:{port}/saml/sls {extra};
        }}
"""


class TrustTestCase(SpTestCase):

    def login_at(self, name, **knobs):
        """A login that the test IdP at /idp/<name>/ answers."""
        b = Browser()
        r = b.get(self.url("/saml/login?idp=test&return=/app/x"))
        self.assertEqual(r.status, 302, r.body)
        q = r.location.split("?", 1)[1]
        page = b.get(self.url(f"/idp/{name}/sso?{q}"))
        acs, answer = self.idp_answer(b, page, **knobs)
        return b, b.post(acs, answer)


class NextCertTest(TrustTestCase):
    """The IdP will sign with idp-next: pre-loaded, trusted from= on."""

    idp_template = "profile=oiosaml3 next_cert={c}/idp-next.crt from={f}"
    server_extra = idp_location("next", "https://idp.test/",
                                f"{CERTS}/idp-next.key",
                                f"{CERTS}/idp-next.crt", "$PORT")

    @classmethod
    def http_config(cls):
        cls.idp_options = cls.idp_template.format(c=CERTS,
                                                  f=cls.from_time())
        return super().http_config().replace("$PORT", str(cls.port))

    @classmethod
    def from_time(cls):
        return iso(time.time() - 60)

    def test_both_certificates_are_trusted(self):
        b, r = self.login_at("next", encrypt="none")
        self.assertEqual(r.status, 303, r.body)
        b, r, _ = self.login(encrypt="none")
        self.assertEqual(r.status, 303, r.body)

    def test_next_cert_in_status(self):
        s = json.loads(Browser().get(self.url("/saml/status")).body)
        uses = [c["use"] for c in s["certificates"] if c["idp"] == "test"]
        self.assertEqual(uses, ["signing", "next"])
        idp = [i for i in s["idps"] if i["id"] == "test"][0]
        self.assertEqual(idp["trusted_certificates"], 2)


class NextCertNotYetTest(NextCertTest):
    """from= in the future: the next certificate is not trusted yet."""

    @classmethod
    def from_time(cls):
        return iso(time.time() + 3600)

    def test_both_certificates_are_trusted(self):
        b, r = self.login_at("next", encrypt="none")
        self.assertDenied(r, 403, "deny_signature")
        b, r, _ = self.login(encrypt="none")
        self.assertEqual(r.status, 303, r.body)

    def test_next_cert_in_status(self):
        s = json.loads(Browser().get(self.url("/saml/status")).body)
        idp = [i for i in s["idps"] if i["id"] == "test"][0]
        self.assertEqual(idp["trusted_certificates"], 1)


class GraceTest(TrustTestCase):
    """The IdP's certificate expired yesterday.  "fresh", another IdP
    whose metadata points at the same test IdP, only serves to get an
    AuthnRequest that the test IdP answers."""

    grace = ""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.path.join(CERTS, ".."))
        os.chmod(cls.tmp, 0o755)
        make_cert(cls.tmp + "/old.key", cls.tmp + "/old.crt", -30, -1,
                  "expired IdP")
        cls.idp_certs = (cls.tmp + "/old.crt",)
        cls.server_extra = idp_location("old", "https://idp.test/",
                                        cls.tmp + "/old.key",
                                        cls.tmp + "/old.crt", "$PORT") + f"""
        oiosaml_idp fresh metadata={cls.tmp}/fresh.xml;
        oiosaml_allow_unsolicited on;
"""
        cls.idp_options = "profile=oiosaml3 " + cls.grace
        super().setUpClass()

    @classmethod
    def http_config(cls):
        idp_metadata(cls.tmp + "/fresh.xml", "https://fresh.test/",
                     f"https://127.0.0.1:{cls.port}/idp/old/", ["idp.crt"])
        return super().http_config().replace("$PORT", str(cls.port))

    def test_expired_certificate(self):
        # no login starts where no answer could be trusted
        r = Browser().get(self.url("/saml/login?idp=test&return=/app/x"))
        self.assertDenied(r, 503, "deny_idp_unavailable")
        # and an answer signed with the expired key is refused
        b = Browser()
        r = b.get(self.url("/saml/login?idp=fresh&return=/app/x"))
        self.assertEqual(r.status, 302, r.body)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page, encrypt="none",
                                      in_response_to="omit")
        answer.pop("RelayState", None)
        self.assertDenied(Browser().post(acs, answer), 403,
                          "deny_signature")
        time.sleep(1.2)
        self.assertIn("expired 1 days ago", self.nginx.log())


class GraceAllowedTest(GraceTest):

    grace = "cert_grace=7d"

    def test_expired_certificate(self):
        b, r = self.login_at("old", encrypt="none")
        self.assertEqual(r.status, 303, r.body)
        self.assertIn("signed with an EXPIRED certificate",
                      self.nginx.new_log())


class RefreshTest(TrustTestCase):
    """The IdP switches keys and publishes new metadata: no restart."""

    http_extra = ""
    server_extra = idp_location("next", "https://idp.test/",
                                f"{CERTS}/idp-next.key",
                                f"{CERTS}/idp-next.crt", "$PORT") + """
        oiosaml_metadata_refresh 1s;
"""

    @classmethod
    def http_config(cls):
        return super().http_config().replace("$PORT", str(cls.port))

    allowed_errors = ("rejected, keeping the last good copy",)

    def write_metadata(self, text):
        tmp = self.metadata + ".new"
        open(tmp, "w").write(text)
        os.utime(tmp, (time.time() + self.bump, time.time() + self.bump))
        os.rename(tmp, self.metadata)
        RefreshTest.bump += 2

    bump = 2

    def logins(self, name, n=6):
        return [self.login_at(name, encrypt="none")[1].status
                for _ in range(n)]

    def test_a_copy_taken_after_its_valid_until(self):
        """A worker that takes a refreshed copy only after its validUntil
        takes it all the same (the IdP is unavailable, as in the worker
        that checked it), and never keeps serving the older copy."""
        original = open(self.metadata).read()
        until = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                              time.gmtime(time.time() + 3))
        self.write_metadata(original.replace(
            'entityID="https://idp.test/"',
            f'entityID="https://idp.test/" validUntil="{until}"'))
        # no request until the copy has expired: no worker has taken it
        time.sleep(4.5)
        statuses = [Browser().get(self.url("/saml/login?idp=test")).status
                    for _ in range(12)]
        self.assertEqual(statuses, [503] * 12)
        self.write_metadata(original)
        time.sleep(2.5)
        self.assertEqual(self.logins("", 2), [303, 303])
        self.nginx.new_log()

    def test_refresh_keep_last_good_and_recover(self):
        self.assertEqual(self.logins("next", 2), [403, 403])
        self.nginx.new_log()

        # the new metadata: only the new key
        idp_metadata(self.metadata + ".tmp", "https://idp.test/",
                     self.base + "/idp/", ["idp-next.crt"])
        new = open(self.metadata + ".tmp").read()
        self.write_metadata(new)
        time.sleep(2.5)
        log = self.nginx.new_log()
        self.assertEqual(log.count("refreshed from"), 1, log)
        # every worker trusts the new key, none the old one
        self.assertEqual(self.logins("next"), [303] * 6)
        self.assertEqual(self.logins("", 4), [403] * 4)
        self.nginx.new_log()

        # a broken copy is rejected once; the last good one stays
        self.write_metadata("<md:EntityDescriptor broken")
        time.sleep(3.5)
        log = self.nginx.new_log()
        self.assertEqual(log.count("rejected, keeping the last good copy"),
                         1, log)
        self.assertEqual(self.logins("next", 4), [303] * 4)

        # past validUntil, or another entityID: rejected too
        self.write_metadata(new.replace(
            'entityID="https://idp.test/"',
            'entityID="https://idp.test/" validUntil="2020-01-01T00:00:00Z"'))
        time.sleep(2.5)
        self.write_metadata(new.replace("https://idp.test/",
                                        "https://other.test/"))
        time.sleep(2.5)
        log = self.nginx.new_log()
        self.assertIn("metadata expired", log)
        self.assertIn("names entityID \"https://other.test/\"", log)
        self.assertEqual(self.logins("next", 2), [303, 303])

        # and a good one again
        idp_metadata(self.metadata + ".tmp", "https://idp.test/",
                     self.base + "/idp/", ["idp.crt", "idp-next.crt"])
        self.write_metadata(open(self.metadata + ".tmp").read())
        time.sleep(2.5)
        self.assertEqual(self.logins("", 2) + self.logins("next", 2),
                         [303] * 4)
        self.nginx.new_log()

    def login_at(self, name, **knobs):
        if name == "":
            b, r, _ = self.login(**knobs)
            return b, r
        return super().login_at(name, **knobs)


class SignedMetadataTest(TrustTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def sign(self, src, dst):
        text = open(src).read().replace(
            'entityID="https://idp.test/">',
            'entityID="https://idp.test/" ID="_md1"><ds:Signature xmlns:ds='
            '"http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
            '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/'
            '10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3'
            '.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_md1"'
            '><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/'
            '09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http:'
            '//www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:Digest'
            'Method Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:'
            'DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>'
            '</ds:Signature>', 1)
        open(dst + ".tpl", "w").write(text)
        r = subprocess.run(["xmlsec1", "--sign", "--privkey-pem",
                            cert("idp-next.key"), "--id-attr:ID",
                            "urn:oasis:names:tc:SAML:2.0:metadata:"
                            "EntityDescriptor", "--output", dst,
                            dst + ".tpl"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def check(self, md, signer="idp-next.crt"):
        conf = self.http_config().replace(
            f"oiosaml_idp test metadata={self.nginx.dir}/idp.xml",
            f"oiosaml_idp test metadata={md} "
            f"metadata_signer={cert(signer)}")
        self.nginx.write(conf)
        return self.nginx.check()

    def test_signed_metadata(self):
        d = self.nginx.dir
        self.sign(self.metadata, d + "/signed.xml")
        rc, out = self.check(d + "/signed.xml")
        self.assertEqual(rc, 0, out)
        rc, out = self.check(d + "/signed.xml", signer="idp.crt")
        self.assertNotEqual(rc, 0)
        self.assertIn("metadata_signer: signature on EntityDescriptor does "
                      "not verify", out)
        rc, out = self.check(self.metadata)
        self.assertIn("metadata_signer: the metadata is not signed", out)
        text = open(d + "/signed.xml").read().replace(
            "/idp/sso", "/evil/sso")
        open(d + "/tampered.xml", "w").write(text)
        rc, out = self.check(d + "/tampered.xml")
        self.assertIn("metadata_signer: signature on EntityDescriptor does "
                      "not verify", out)
        self.nginx.write(self.http_config())


class SpKeyRolloverTest(TrustTestCase):
    """Our next key, active in a few seconds, without a reload."""

    allowed_errors = ("query signature does not verify with the SP",)

    idp_extra = "encrypt_cert={certs}/sp-next.crt"
    # the IdP has our new metadata: it checks requests with sp-next.crt
    server_extra = idp_location("spnext", "https://idp.test/",
                                f"{CERTS}/idp.key", f"{CERTS}/idp.crt",
                                "$PORT", f"encrypt_cert={CERTS}/sp-next.crt",
                                sp_cert=f"{CERTS}/sp-next.crt")

    @classmethod
    def setUpClass(cls):
        cls.switch = time.time() + 6
        super().setUpClass()

    @classmethod
    def http_config(cls):
        return super().http_config().replace("$PORT", str(cls.port)).replace(
            f"oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;",
            f"oiosaml_sp_key {CERTS}/sp.key {CERTS}/sp.crt;\n"
            f"        oiosaml_sp_key {CERTS}/sp-next.key {CERTS}/sp-next.crt"
            f" from={iso(cls.switch)};")

    def signed_by(self, query):
        params = dict(p.split("=", 1) for p in query.split("&"))
        signed = "SAMLRequest=%s&RelayState=%s&SigAlg=%s" % (
            params["SAMLRequest"], params["RelayState"], params["SigAlg"])
        sig = base64.b64decode(urllib.parse.unquote(params["Signature"]))
        for name in ("sp.crt", "sp-next.crt"):
            with tempfile.TemporaryDirectory() as d:
                open(d + "/data", "w").write(signed)
                open(d + "/sig", "wb").write(sig)
                pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout",
                                      "-in", cert(name)],
                                     capture_output=True, text=True).stdout
                open(d + "/pub", "w").write(pub)
                if subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                                   d + "/pub", "-signature", d + "/sig",
                                   d + "/data"],
                                  capture_output=True).returncode == 0:
                    return name
        return None

    def metadata_signer(self):
        md = Browser().get(self.url("/saml/metadata")).body
        with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
            f.write(md)
            f.flush()
            for name in ("sp.crt", "sp-next.crt"):
                if subprocess.run(
                        ["xmlsec1", "--verify", "--id-attr:ID",
                         "urn:oasis:names:tc:SAML:2.0:metadata:"
                         "EntityDescriptor", "--pubkey-cert-pem", cert(name),
                         f.name], capture_output=True).returncode == 0:
                    return name, md
        return None, md

    def test_switch_at_the_instant(self):
        # before: both published, the current key signs, both decrypt
        name, md = self.metadata_signer()
        self.assertEqual(name, "sp.crt")
        self.assertEqual(md.count('use="signing"'), 2)
        self.assertEqual(md.count('use="encryption"'), 2)
        r = Browser().get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(self.signed_by(r.location.split("?", 1)[1]),
                         "sp.crt")
        b, r, _ = self.login(encrypt="aes256-gcm")     # to sp-next.crt
        self.assertEqual(r.status, 303, r.body)
        s = json.loads(Browser().get(self.url("/saml/status")).body)
        uses = [c["use"] for c in s["certificates"] if c["idp"] == ""]
        self.assertEqual(uses, ["sp-signing", "sp"])

        time.sleep(max(0, self.switch - time.time()) + 1.5)

        # after: the next key signs requests and metadata; no reload
        r = Browser().get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(self.signed_by(r.location.split("?", 1)[1]),
                         "sp-next.crt")
        name, md = self.metadata_signer()
        self.assertEqual(name, "sp-next.crt")
        b, r = self.login_at("spnext", encrypt="aes256-gcm")
        self.assertEqual(r.status, 303, r.body)
        # an IdP still on our old certificate refuses the new signature
        r = Browser().get(self.url("/saml/login?return=/app/x"))
        q = r.location.split("?", 1)[1]
        self.assertEqual(Browser().get(self.url("/idp/sso?" + q)).status,
                         400)


class StatusTest(TrustTestCase):

    def test_json_and_prometheus(self):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303)
        b, r, _ = self.login(audience="https://other.test/")
        self.assertEqual(r.status, 403)
        self.nginx.new_log()

        r = Browser().get(self.url("/saml/status"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "application/json")
        s = json.loads(r.body)
        self.assertEqual(s["sp"], "https://sp.test/")
        self.assertGreaterEqual(s["sessions"], 1)
        self.assertEqual(s["sessions_evicted"], 0)
        # the harness's oiosaml_zone oiosaml:4m, partly in use
        self.assertEqual(s["zone_bytes"], 4 * 1024 * 1024)
        self.assertGreater(s["zone_free_bytes"], 0)
        self.assertLess(s["zone_free_bytes"], s["zone_bytes"])
        c = [c for c in s["certificates"] if c["idp"] == "test"][0]
        self.assertEqual(c["use"], "signing")
        self.assertIn("CN=oiosaml-nginx test IdP", c["subject"])
        self.assertRegex(c["sha256"], r"^[0-9a-f]{64}$")
        self.assertRegex(c["not_after"], r"^\d{4}-\d\d-\d\dT")
        self.assertGreater(c["days_left"], 300)
        idp = s["idps"][0]
        self.assertEqual(idp["id"], "test")
        self.assertTrue(idp["available"])
        self.assertEqual(idp["logins"], 1)
        self.assertEqual(idp["denials"], {"deny_audience": 1})

        r = Browser().get(self.url("/saml/status?format=prometheus"))
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("content-type").startswith("text/plain"))
        self.assertRegex(r.body, r'oiosaml_cert_expiry_seconds\{idp="test",'
                                 r'use="signing",sha256="[0-9a-f]{64}"\} '
                                 r'\d+\n')
        self.assertRegex(r.body, r'oiosaml_cert_expiry_seconds\{idp="",'
                                 r'use="sp-signing",')
        self.assertIn('oiosaml_logins_total{idp="test"} 1\n', r.body)
        self.assertIn('oiosaml_denials_total{idp="test",'
                      'reason="deny_audience"} 1\n', r.body)
        self.assertIn('oiosaml_idp_available{idp="test"} 1\n', r.body)
        self.assertIn("oiosaml_zone_bytes 4194304\n", r.body)
        self.assertRegex(r.body, r"oiosaml_zone_free_bytes \d+\n")
        self.assertIn("oiosaml_sessions_evicted_total 0\n", r.body)


class StatusOffTest(TrustTestCase):

    server_extra = "        oiosaml_status off;\n"

    def test_off(self):
        self.assertEqual(Browser().get(self.url("/saml/status")).status, 404)


class ExpiryWarningTest(TrustTestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.path.join(CERTS, ".."))
        os.chmod(cls.tmp, 0o755)
        make_cert(cls.tmp + "/soon.key", cls.tmp + "/soon.crt", -300, 10,
                  "expires soon")
        cls.idp_certs = ("idp.crt", cls.tmp + "/soon.crt")
        super().setUpClass()

    def test_warned_at_start_and_by_the_daily_check(self):
        time.sleep(1.5)
        log = self.nginx.log()
        self.assertRegex(log, r'\[warn\].*signing certificate "CN=expires '
                              r'soon" \(sha256 [0-9a-f]{16}\) of test '
                              r'expires in (9|10) days')


CTL = os.path.join(os.path.dirname(CERTS), "oiosamlctl")


class SwitchWindowTest(TrustTestCase):
    """An announced switch: the IdP signs with idp-next from an instant a
    few seconds into the run, and publishes metadata with only the new
    certificate a little later.  With the next certificate pre-loaded, no
    login fails before, during or after; oiosamlctl predicted it."""

    preload = True
    allowed_errors = ()

    server_extra = idp_location("next", "https://idp.test/",
                                f"{CERTS}/idp-next.key",
                                f"{CERTS}/idp-next.crt", "$PORT") + """
        oiosaml_metadata_refresh 1s;
"""

    @classmethod
    def http_config(cls):
        cls.switch = time.time() + 4
        cls.idp_options = "profile=oiosaml3"
        if cls.preload:
            cls.idp_options += (f" next_cert={CERTS}/idp-next.crt "
                                f"from={iso(cls.switch)}")
        return super().http_config().replace("$PORT", str(cls.port))

    def rollover_check(self, at):
        return subprocess.run([CTL, "rollover", "check", self.nginx.conf,
                               "--at", iso(at), "--idp-cert",
                               f"test={CERTS}/idp-next.crt"],
                              capture_output=True, text=True)

    def signer(self):
        """The key the IdP signs with now."""
        return "next" if time.time() >= self.switch + 1 else ""

    def login_now(self):
        name = self.signer()
        if name == "":
            return self.login(encrypt="none")[1]
        return self.login_at(name, encrypt="none")[1]

    def test_switch_window(self):
        # the operator's check before the window, for the instant and later
        for at in (self.switch + 1, self.switch + 3600):
            r = self.rollover_check(at)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("OK: logins would work at", r.stdout)

        statuses = []
        while time.time() < self.switch + 3:
            statuses.append((self.signer(), self.login_now().status))
        self.assertIn(("", 303), statuses)
        self.assertIn(("next", 303), statuses)

        # mid-window the IdP publishes metadata with only the new key
        idp_metadata(self.metadata + ".tmp", "https://idp.test/",
                     self.base + "/idp/", ["idp-next.crt"])
        os.utime(self.metadata + ".tmp",
                 (time.time() + 5, time.time() + 5))
        os.rename(self.metadata + ".tmp", self.metadata)
        deadline = time.time() + 4
        while time.time() < deadline:
            statuses.append((self.signer(), self.login_now().status))
        self.assertIn("refreshed from", self.nginx.log())

        failed = [s for s in statuses if s[1] != 303]
        self.assertEqual(failed, [], statuses)


class SwitchWindowUnpreparedTest(SwitchWindowTest):
    """The same switch without next_cert: logins fail from the instant,
    with a named denial, as oiosamlctl predicted."""

    preload = False
    allowed_errors = ("deny_signature",)

    def test_switch_window(self):
        r = self.rollover_check(self.switch + 1)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("FAIL: logins would fail at", r.stdout)
        self.assertIn("would NOT be accepted", r.stdout)

        r = self.login_now()
        self.assertEqual(r.status, 303, r.body)
        time.sleep(max(0, self.switch + 1 - time.time()))
        self.nginx.new_log()
        r = self.login_now()
        line = self.assertDenied(r, 403, "deny_signature")
        self.assertIn("(idp \"test\")", line)
