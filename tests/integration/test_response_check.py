"""oiosamlctl response check: a SAMLResponse captured from a browser (as
base64, the XML, or the form body), judged with the gateway's nginx.conf
by the ACS's own code, rule group by rule group, with the identity the
gateway would give and an exit code per outcome.  Responses come from the
test IdP (good, and broken with its knobs: wrong key, expired, wrong
audience, ...) and from pysaml2, an IdP we did not write; the gateway's
own verdict on the same response is the reference."""

import base64
import os
import re
import subprocess
import tempfile
import urllib.parse

from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import (DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1,
                           SIG_RSA_SHA256)

from harness import BUILD, Browser, SpTestCase, cert, idp_metadata

CTL = os.path.join(BUILD, "oiosamlctl")
ACCEPTED, DENIED, USAGE, CONF, BAD_INPUT = 0, 1, 2, 3, 4

PYSAML2 = "https://pysaml2-idp.test/"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
SPEC = "https://data.gov.dk/model/core/specVersion"
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"


class ResponseCheckTestCase(SpTestCase):

    def capture(self, user="alice", **knobs):
        """A login up to the IdP's answer, which is not posted: the form
        fields, as a SAML tracer shows them."""
        b = Browser()
        page = self.start_login(b)
        acs, answer = self.idp_answer(b, page, user, **knobs)
        return b, acs, answer

    def check(self, text, *args, conf=None):
        with tempfile.NamedTemporaryFile(
                "w", suffix=".txt", dir=os.path.join(BUILD, "tmp"),
                delete=False) as f:
            f.write(text)
            path = f.name
        try:
            r = subprocess.run([CTL, "response", "check", path, "--conf",
                                conf or self.nginx.conf] + list(args),
                               capture_output=True, text=True, timeout=60)
        finally:
            os.unlink(path)
        return r

    def verdicts(self, out):
        """{group: (verdict, detail)} from the report's lines."""
        v = {}
        for line in out.splitlines():
            m = re.match(r"^([a-z_]+) +(ok|FAIL|not checked|skipped|note)"
                         r"(?: +(.*))?$", line)
            if m:
                v[m.group(1)] = (m.group(2), m.group(3) or "")
        return v

    def assertExit(self, r, code):
        self.assertEqual(r.returncode, code,
                         f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")

    def assertVerdicts(self, r, **want):
        got = self.verdicts(r.stdout)
        self.assertEqual(len(got), 19, r.stdout)
        for group, verdict in want.items():
            self.assertEqual(got[group][0], verdict,
                             f"{group}: {got[group]}\n{r.stdout}")
        return got

    def gateway_reason(self, b, acs, answer):
        """The gateway's own verdict on the same response."""
        r = b.post(acs, answer)
        if r.status == 303:
            return "ok"
        log = self.nginx.new_log()
        m = re.search(r"oiosaml: acs: (\w+):", log)
        return m.group(1) if m else f"status {r.status}: {log}"


class ResponseCheckTest(ResponseCheckTestCase):

    def test_good_response_in_every_form(self):
        b, acs, answer = self.capture()
        b64 = answer["SAMLResponse"]
        xml = base64.b64decode(b64).decode()
        forms = {
            "base64": b64,
            "XML": xml,
            "form (percent-encoded)": urllib.parse.urlencode(answer),
            "form (raw)": f"SAMLResponse={b64}&RelayState="
                          f"{answer['RelayState']}",
        }
        for name, text in forms.items():
            r = self.check(text)
            self.assertExit(r, ACCEPTED)
            got = self.assertVerdicts(
                r, input="ok", idp="ok", issuer="ok", destination="ok",
                in_response_to="note", status="ok", assertion_count="ok",
                signature="ok", algorithms="ok", decryption="ok",
                subject="ok", recipient="ok", times="ok", audience="ok",
                unsolicited="ok", authn_statement="ok", loa="ok",
                privileges="ok", replay="not checked")
            self.assertIn("ACCEPTED: the gateway would open a session",
                          r.stdout)
            self.assertRegex(r.stdout, r"(?m)^idp +test$")
            self.assertRegex(r.stdout, r"(?m)^loa +substantial$")
            self.assertRegex(r.stdout, r"(?m)^user +\S")
            self.assertRegex(r.stdout, r"(?m)^roles +")
            self.assertIn("not enforced", got["in_response_to"][1])
            self.assertIn("aes256-gcm", got["algorithms"][1])
            self.assertIn("rsa-sha256", got["algorithms"][1])
            self.assertIn("decrypted with our key", got["decryption"][1])
            self.assertIn("no replay cache", got["replay"][1])

        # the check used nothing up: the gateway takes it afterwards
        self.assertEqual(self.gateway_reason(b, acs, answer), "ok")

    def test_in_response_to_enforced(self):
        b, acs, answer = self.capture()
        xml = base64.b64decode(answer["SAMLResponse"]).decode()
        r = self.check(answer["SAMLResponse"], "--in-response-to",
                       "_ffeeddccbbaa99887766554433221100ffeeddcc")
        self.assertExit(r, DENIED)
        self.assertVerdicts(r, in_response_to="FAIL", audience="not checked")
        self.assertIn("DENIED: deny_in_response_to", r.stdout)
        # the right one: ok, not a note
        irt = re.search(r'InResponseTo="([^"]+)"', xml)
        if irt is None:     # encrypted: ask the report
            irt = re.search(r"Response (_[0-9a-f]+)",
                            self.verdicts(self.check(xml).stdout)
                            ["in_response_to"][1])
        r = self.check(answer["SAMLResponse"], "--in-response-to",
                       irt.group(1))
        self.assertExit(r, ACCEPTED)
        self.assertVerdicts(r, in_response_to="ok")

    def test_wrong_key(self):
        b, acs, answer = self.capture(key="wrong")
        r = self.check(answer["SAMLResponse"])
        self.assertExit(r, DENIED)
        got = self.assertVerdicts(r, input="ok", idp="ok", destination="ok",
                                  status="ok", decryption="ok",
                                  signature="FAIL", subject="not checked",
                                  audience="not checked",
                                  replay="not checked")
        self.assertIn("deny_signature:", got["signature"][1])
        self.assertIn("DENIED: deny_signature", r.stdout)
        self.assertEqual(self.gateway_reason(b, acs, answer),
                         "deny_signature")

    def test_expired_and_ignore_time(self):
        b, acs, answer = self.capture()
        # as if captured two hours ago
        r = self.check(answer["SAMLResponse"], "--at", "+2h")
        self.assertExit(r, DENIED)
        got = self.assertVerdicts(r, times="FAIL", recipient="ok",
                                  audience="not checked")
        self.assertIn("deny_expired:", got["times"][1])
        self.assertIn("ago", got["times"][1])
        self.assertIn("--ignore-time judges it at its IssueInstant",
                      r.stdout)
        r = self.check(answer["SAMLResponse"], "--ignore-time")
        self.assertExit(r, ACCEPTED)
        self.assertVerdicts(r, times="skipped")
        self.assertIn("the assertion's IssueInstant", r.stdout)

        # the IdP's own clock: expired when issued
        b, acs, answer = self.capture(not_on_or_after=-400,
                                      scd_not_on_or_after=-400)
        r = self.check(answer["SAMLResponse"])
        self.assertExit(r, DENIED)
        self.assertVerdicts(r, times="FAIL")
        self.assertEqual(self.gateway_reason(b, acs, answer), "deny_expired")

    def test_wrong_audience(self):
        b, acs, answer = self.capture(audience="https://other-sp.test/")
        r = self.check(answer["SAMLResponse"])
        self.assertExit(r, DENIED)
        got = self.assertVerdicts(r, signature="ok", recipient="ok",
                                  times="ok", audience="FAIL",
                                  unsolicited="not checked")
        self.assertIn("https://other-sp.test/", got["audience"][1])
        self.assertIn("our entityID https://sp.test/", got["audience"][1])
        self.assertEqual(self.gateway_reason(b, acs, answer),
                         "deny_audience")

    def test_destination_and_status(self):
        b, acs, answer = self.capture(
            destination="https://elsewhere.test/saml/acs")
        r = self.check(answer["SAMLResponse"])
        self.assertExit(r, DENIED)
        got = self.assertVerdicts(r, destination="FAIL",
                                  signature="not checked")
        self.assertIn("https://elsewhere.test/saml/acs",
                      got["destination"][1])
        b, acs, answer = self.capture(
            status="urn:oasis:names:tc:SAML:2.0:status:Responder")
        r = self.check(answer["SAMLResponse"])
        self.assertExit(r, DENIED)
        self.assertVerdicts(r, status="FAIL")
        self.assertIn("DENIED: deny_status", r.stdout)

    def test_unsolicited(self):
        b, acs, answer = self.capture(in_response_to="omit")
        r = self.check(answer["SAMLResponse"])
        self.assertExit(r, DENIED)
        self.assertVerdicts(r, unsolicited="FAIL")
        r = self.check(answer["SAMLResponse"], "--ignore-in-response-to")
        self.assertExit(r, ACCEPTED)
        self.assertVerdicts(r, unsolicited="skipped",
                            in_response_to="skipped")

    def test_level_asked_for(self):
        b, acs, answer = self.capture()
        r = self.check(answer["SAMLResponse"], "--loa", "high")
        self.assertExit(r, DENIED)
        self.assertVerdicts(r, loa="FAIL")
        self.assertIn("DENIED: deny_loa", r.stdout)

    def test_bad_input(self):
        for text, reason in (("not base64 !!!", "bad_encoding"),
                             ("PHg+PC94Pg==", "bad_message"),
                             ("<saml", "bad_xml"),
                             ("RelayState=x&foo=1", "bad_message")):
            r = self.check(text)
            self.assertExit(r, BAD_INPUT)
            self.assertVerdicts(r, input="FAIL", idp="not checked")
            self.assertIn(f"BAD INPUT: {reason}", r.stdout)

    def test_usage_and_configuration(self):
        b, acs, answer = self.capture()
        r = self.check(answer["SAMLResponse"], "--idp", "nobody")
        self.assertExit(r, USAGE)
        r = self.check(answer["SAMLResponse"], "--ignore-time", "--at", "now")
        self.assertExit(r, USAGE)
        r = self.check(answer["SAMLResponse"],
                       conf=os.path.join(self.nginx.dir, "missing.conf"))
        self.assertExit(r, CONF)
        r = subprocess.run([CTL, "response", "check", "x"],
                           capture_output=True, text=True)
        self.assertExit(r, USAGE)
        r = subprocess.run([CTL, "--help"], capture_output=True, text=True)
        self.assertIn("response check FILE --conf CONF", r.stdout)
        self.assertIn("4   response check: bad input", r.stdout)

    def test_idp_named(self):
        b, acs, answer = self.capture()
        r = self.check(answer["SAMLResponse"], "--idp", "test")
        self.assertExit(r, ACCEPTED)
        self.assertIn("(--idp)", self.verdicts(r.stdout)["idp"][1])


class ResponseCheckUnsolicitedTest(ResponseCheckTestCase):
    """The SP is built as the gateway builds it: oiosaml_allow_unsolicited
    is read from the configuration."""

    server_extra = """
        oiosaml_allow_unsolicited on;
"""

    def test_idp_initiated_allowed(self):
        b, acs, answer = self.capture(in_response_to="omit")
        r = self.check(answer["SAMLResponse"])
        self.assertExit(r, ACCEPTED)
        got = self.assertVerdicts(r, unsolicited="ok", in_response_to="ok")
        self.assertIn("oiosaml_allow_unsolicited on", got["unsolicited"][1])


class ResponseCheckPysaml2Test(ResponseCheckTestCase):
    """Responses from pysaml2 (python3-pysaml2), an IdP we did not write."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        md = os.path.join(cls.nginx.dir, "pysaml2.xml")
        idp_metadata(md, PYSAML2, cls.base + "/pysaml2/", ["idp-next.crt"])
        cls.nginx.write(cls.http_config().replace(
            "oiosaml_idp test",
            f"oiosaml_idp pysaml2 metadata={md} profile=oiosaml3;\n"
            "        oiosaml_idp test"))
        cls.nginx.reload()
        sp_md = os.path.join(cls.nginx.dir, "sp-metadata.xml")
        with open(sp_md, "w") as f:
            f.write(Browser().get(cls.base + "/saml/metadata").body)
        conf = IdPConfig()
        conf.load({
            "entityid": PYSAML2,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [
                    (cls.base + "/pysaml2/sso", BINDING_HTTP_REDIRECT)]},
                "want_authn_requests_signed": False,
                "policy": {"default": {
                    "lifetime": {"minutes": 5},
                    "attribute_restrictions": None,
                    "name_form": NAME_FORMAT_URI,
                }},
            }},
            "key_file": cert("idp-next.key"),
            "cert_file": cert("idp-next.crt"),
            "encryption_keypairs": [{"key_file": cert("idp-next.key"),
                                     "cert_file": cert("idp-next.crt")}],
            "metadata": {"local": [sp_md]},
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "allow_unknown_attributes": True,
        })
        cls.server = Server(config=conf)

    def pysaml2_answer(self, **kw):
        b = Browser()
        r = b.get(self.url("/saml/login?idp=pysaml2&return=/app/py"))
        query = urllib.parse.urlsplit(r.location).query
        msg = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        req = self.server.parse_authn_request(msg["SAMLRequest"],
                                              BINDING_HTTP_REDIRECT)
        args = dict(
            identity={SPEC: ["OIO-SAML-3.0"], LOA: ["Substantial"],
                      CVR: ["29189846"]},
            in_response_to=req.message.id,
            destination=req.message.assertion_consumer_service_url,
            sp_entity_id=req.message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text="pia-4711"),
            authn={"class_ref":
                   "https://data.gov.dk/concept/core/nsis/loa/Substantial"},
            sign_assertion=True, sign_response=False,
            sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        args.update(kw)
        resp = self.server.create_authn_response(**args)
        form = {"SAMLResponse": base64.b64encode(str(resp).encode()).decode(),
                "RelayState": msg["RelayState"]}
        return b, req.message.assertion_consumer_service_url, form

    def test_pysaml2_accepted(self):
        b, acs, form = self.pysaml2_answer()
        r = self.check(urllib.parse.urlencode(form))
        self.assertExit(r, ACCEPTED)
        got = self.assertVerdicts(r, signature="ok", decryption="ok",
                                  in_response_to="note", loa="ok")
        self.assertIn('"pysaml2" https://pysaml2-idp.test/', got["idp"][1])
        self.assertIn("not encrypted", got["decryption"][1])
        self.assertRegex(r.stdout, r"(?m)^user +pia-4711$")
        self.assertRegex(r.stdout, r"(?m)^cvr +29189846$")
        self.assertRegex(r.stdout, r"(?m)^loa +substantial$")
        self.assertEqual(self.gateway_reason(b, acs, form), "ok")

    def test_pysaml2_sha1_refused(self):
        b, acs, form = self.pysaml2_answer(sign_alg=SIG_RSA_SHA1,
                                           digest_alg=DIGEST_SHA1)
        r = self.check(form["SAMLResponse"])
        self.assertExit(r, DENIED)
        got = self.assertVerdicts(r, algorithms="FAIL",
                                  audience="not checked")
        self.assertIn("deny_sig_algorithm", got["algorithms"][1])
        self.assertIn("rsa-sha1", got["algorithms"][1])
        self.assertEqual(self.gateway_reason(b, acs, form),
                         "deny_sig_algorithm")

    def test_pysaml2_wrong_audience(self):
        b, acs, form = self.pysaml2_answer(sp_entity_id="https://other.test/")
        r = self.check(form["SAMLResponse"])
        self.assertExit(r, DENIED)
        self.assertVerdicts(r, audience="FAIL", signature="ok")
        self.assertEqual(self.gateway_reason(b, acs, form), "deny_audience")
