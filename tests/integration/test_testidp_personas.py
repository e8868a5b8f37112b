"""The test IdP's personas (docs/test-idp.md): NemLog-in3, Context Handler
2, a municipal AD FS with multipleauthn and with the level in the
RelayState, an OIOSAML 2 IdP with NIST levels, and one without levels.
Each logs in through the gateway with the level, identity and roles the
docs promise, and pysaml2 (an SP we did not write) accepts each one's
answers."""

import base64
import os
import re
import urllib.parse
import zlib

from saml2 import BINDING_HTTP_POST
from saml2.client import Saml2Client
from saml2.config import SPConfig

from harness import Browser, CERTS, SpTestCase, cert, idp_metadata

HERE = os.path.dirname(__file__)
USERS = os.path.join(HERE, "users-personas.conf")
NSIS = "https://data.gov.dk/concept/core/nsis/loa/"
MFA = "http://schemas.microsoft.com/claims/multipleauthn"
UUID = "555ed208-2ed1-4739-8d79-11990821931"
ROLE = "http://sagssystem.example.dk/roles/usersystemrole/"

# persona -> the gateway's profile for it, and test IdP parameters
PERSONAS = {
    "nemlogin3": "profile=oiosaml3",
    "context-handler2": "profile=oiosaml3",
    "adfs-multipleauthn": "profile=oiosaml3-adfs-multipleauthn",
    "adfs-relaystate": "profile=oiosaml3-adfs-relaystate",
    "oiosaml2": "profile=oiosaml2",
    "no-loa": "profile=oiosaml2-no-loa",
}
# the Context Handler's sample answer is not encrypted; the others are
ENCRYPTED = ("nemlogin3", "adfs-multipleauthn", "adfs-relaystate",
             "oiosaml2", "no-loa")


def persona_locations(port):
    out = []
    for p in PERSONAS:
        enc = f"encrypt_cert={CERTS}/sp.crt" if p in ENCRYPTED else ""
        out.append(f"""
        location /p/{p}/ {{
            oiosaml_test_idp entity_id=https://{p}.test/ persona={p}
                key={CERTS}/idp.key cert={CERTS}/idp.crt
                sp_cert={CERTS}/sp.crt users={USERS} {enc}
                base_url=https://127.0.0.1:{port}/p/{p}/;
        }}
""")
    return "".join(out)


def authn_request(url):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    xml = zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15)
    return xml.decode(), q.get("RelayState", [""])[0]


class PersonaTestCase(SpTestCase):

    allowed_errors = ("cannot log in at level",)

    server_extra = """
        location /secure/ {
            oiosaml on;
            oiosaml_require_loa substantial;
            proxy_pass http://127.0.0.1:$UP;
        }

        location /high/ {
            oiosaml on;
            oiosaml_require_loa high;
            proxy_pass http://127.0.0.1:$UP;
        }

        location /sag/ {
            oiosaml_require_role $ROLEsagsbehandler/1;
            proxy_pass http://127.0.0.1:$UP;
        }

        location /leder/ {
            oiosaml_require_role $ROLEleder/1;
            proxy_pass http://127.0.0.1:$UP;
        }
"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        idps = []
        for p, options in PERSONAS.items():
            md = os.path.join(cls.nginx.dir, f"{p}.xml")
            idp_metadata(md, f"https://{p}.test/", cls.base + f"/p/{p}/",
                         ["idp.crt"])
            idps.append(f"oiosaml_idp {p} metadata={md} {options};")
        conf = cls.http_config().replace(
            "oiosaml_idp test", "\n        ".join(idps)
            + "\n        oiosaml_idp test")
        cls.nginx.write(conf)
        cls.nginx.reload()

    @classmethod
    def http_config(cls):
        return (super().http_config()
                .replace("$UP", str(cls.up_port))
                .replace("$ROLE", ROLE)
                .replace("location /idp/ {",
                         persona_locations(cls.port) + "\n"
                         "        location /idp/ {"))

    def to_persona(self, b, persona, path):
        """A protected path -> our login at that IdP -> its login page."""
        r = b.get(self.url(path))
        self.assertEqual(r.status, 302, r.body)
        r = b.get(r.location + "&idp=" + persona)
        self.assertEqual(r.status, 302, r.body)
        self.assertIn(f"/p/{persona}/sso?", r.location)
        return r.location, b.get(r.location)

    def persona_login(self, persona, path, user="karen", **knobs):
        """(browser, ACS response, posted answer, AuthnRequest XML)."""
        b = Browser()
        to_idp, page = self.to_persona(b, persona, path)
        acs, answer = self.idp_answer(b, page, user, **knobs)
        r = b.post(acs, answer)
        return b, r, answer, authn_request(to_idp)

    def response_xml(self, answer):
        return base64.b64decode(answer["SAMLResponse"]).decode()

    def app(self, b, path):
        r = b.get(self.url(path))
        self.assertEqual(r.status, 200, r.body[:300])
        return self.echo(r.body)


class PersonasTest(PersonaTestCase):

    def test_login_page_offers_users_and_levels(self):
        _, page = self.to_persona(Browser(), "nemlogin3", "/secure/x")
        self.assertIn("NemLog-in3 (OIOSAML 3)", page.body)
        self.assertIn('name="level"', page.body)
        self.assertIn("som bedt om / as asked: Substantial", page.body)
        self.assertIn("Karen Jensen", page.body)
        self.assertIn("(niveau / level: Low, Substantial, High)", page.body)
        _, page = self.to_persona(Browser(), "oiosaml2", "/secure/x")
        self.assertIn("NIST 3 (Substantial)", page.body)
        _, page = self.to_persona(Browser(), "no-loa", "/app/x")
        self.assertIn("This IdP states no level", page.body)

    def test_nemlogin3(self):
        b, r, answer, (req, _) = self.persona_login("nemlogin3", "/secure/x")
        self.assertIn(NSIS + "Substantial", req)
        self.assertEqual(r.status, 303, r.body)
        xml = self.response_xml(answer)
        # OIOSAML 3: one encrypted assertion, AES-256-GCM, Response unsigned
        self.assertIn("xmlenc11#aes256-gcm", xml)
        self.assertIn("xmlenc#rsa-oaep-mgf1p", xml)
        self.assertNotIn("<saml:Assertion", xml)
        self.assertEqual(xml.count("EncryptedAssertion>"), 2)
        e = self.app(b, "/secure/x")
        self.assertEqual(e["User"], "https://data.gov.dk/model/core/eid/"
                         "professional/uuid/" + UUID + "1")
        self.assertEqual(e["LoA"], "substantial")
        self.assertEqual(e["CVR"], "12345678")
        self.assertEqual(e["Name"], "Karen Jensen")
        self.assertEqual(e["Org"], "Demo Kommune")
        self.assertEqual(e["Spec"], "OIO-SAML-3.0")
        self.assertEqual(e["UUID"], UUID + "1")
        # the bootstrap token is never passed on (pysaml2 sees it below)
        self.assertNotIn("bootstrapToken", e["Attributes"])
        self.assertIn("nsis%2Fial=Substantial", e["Attributes"])

    def test_nemlogin3_levels_per_user(self):
        # karen has no High: a named denial, as from the real IdP
        b, r, _, (req, _) = self.persona_login("nemlogin3", "/high/x")
        self.assertIn(NSIS + "High", req)
        self.assertDenied(r, 403, "deny_loa")
        # hanne has
        b, r, _, _ = self.persona_login("nemlogin3", "/high/x", "hanne")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(self.app(b, "/high/x")["LoA"], "high")
        # the tester picks a lower level than asked
        b, r, _, _ = self.persona_login("nemlogin3", "/secure/x",
                                        level="Low")
        self.assertDenied(r, 403, "deny_loa")
        # a level the user does not have is not given
        b = Browser()
        _, page = self.to_persona(b, "nemlogin3", "/secure/x")
        fields = {"SAMLRequest": re.search(
            r'name="SAMLRequest" value="([^"]*)"', page.body).group(1),
            "user": "lars", "level": "Substantial"}
        r = b.post(self.url("/p/nemlogin3/login"), fields)
        self.assertEqual(r.status, 400)
        self.assertIn('"lars" cannot log in at level 3', r.body)
        self.nginx.new_log()

    def test_context_handler2(self):
        b, r, answer, _ = self.persona_login("context-handler2", "/sag/x")
        self.assertEqual(r.status, 303, r.body)
        xml = self.response_xml(answer)
        # KOMBIT's sample: default namespace, Consent, a signed assertion
        # in the clear, the upstream IdP named, KombitSpecVer 2.0
        self.assertIn("Consent=", xml)
        self.assertIn('<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:'
                      'assertion"', xml)
        self.assertNotIn("EncryptedAssertion", xml)
        self.assertIn('<Attribute Name="dk:gov:saml:attribute:KombitSpecVer"'
                      ' NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-'
                      'format:uri"><AttributeValue>2.0<', xml)
        self.assertIn("<AuthenticatingAuthority>https://adfs.demo-kommune.dk"
                      "/adfs/services/trust</AuthenticatingAuthority>", xml)
        # /sag/ asks for no level: the lowest the user has
        self.assertIn(NSIS + "Low</AuthnContextClassRef>", xml)
        bpp = re.search(r'privilegesIntermediate"[^>]*>\s*<AttributeValue>'
                        r'([^<]*)<', xml).group(1)
        self.assertIn(b'xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_'
                      b'profile"', base64.b64decode(bpp))
        e = self.app(b, "/sag/x")
        self.assertEqual(e["User"], "C=DK,O=12345678,CN=Karen Jensen,"
                         "Serial=" + UUID + "1")
        self.assertEqual(e["LoA"], "low")
        self.assertIn(ROLE + "sagsbehandler/1", e["Roles"])
        self.assertEqual(b.get(self.url("/leder/x")).status, 403)
        self.nginx.new_log()

    def test_context_handler2_bpp11(self):
        # hanne's roles are in the BPP 1.1 namespace: read the same way
        b, r, answer, _ = self.persona_login("context-handler2", "/leder/x",
                                             "hanne")
        self.assertEqual(r.status, 303, r.body)
        self.assertIn(b"http://itst.dk/oiosaml/basic_privilege_profile",
                      base64.b64decode(re.search(
                          r'privilegesIntermediate"[^>]*>\s*<AttributeValue>'
                          r'([^<]*)<', self.response_xml(answer)).group(1)))
        e = self.app(b, "/leder/x")
        self.assertIn(ROLE + "leder/1", e["Roles"])

    def test_adfs_multipleauthn(self):
        b, r, answer, (req, _) = self.persona_login("adfs-multipleauthn",
                                                    "/secure/x")
        self.assertIn(MFA, req)
        self.assertEqual(r.status, 303, r.body)
        xml = self.response_xml(answer)
        self.assertIn("xmlenc#aes256-cbc", xml)
        self.assertIn("Consent=", xml)
        e = self.app(b, "/secure/x")
        self.assertEqual(e["LoA"], "substantial")
        self.assertEqual(e["User"], "C=DK,O=12345678,CN=Karen Jensen,"
                         "Serial=" + UUID + "1")
        # no MFA asked for a Low location: one factor, Low
        b, r, _, (req, _) = self.persona_login("adfs-multipleauthn",
                                               "/app/x")
        self.assertNotIn("RequestedAuthnContext", req)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(self.app(b, "/app/x")["LoA"], "low")
        # lars cannot do two factors: the one-factor class is refused
        b, r, _, _ = self.persona_login("adfs-multipleauthn", "/secure/x",
                                        "lars")
        self.assertDenied(r, 403, "deny_loa")

    def test_adfs_relaystate(self):
        b, r, answer, (req, relay) = self.persona_login("adfs-relaystate",
                                                        "/secure/x")
        self.assertIn(MFA, req)
        self.assertTrue(relay.endswith(".Substantial"), relay)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(answer["RelayState"], relay)
        self.assertEqual(self.app(b, "/secure/x")["LoA"], "substantial")
        # the level read from the RelayState: High for hanne
        b, r, _, (req, relay) = self.persona_login("adfs-relaystate",
                                                   "/high/x", "hanne")
        self.assertTrue(relay.endswith(".High"), relay)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(self.app(b, "/high/x")["LoA"], "high")

    def test_oiosaml2(self):
        b, r, answer, (req, _) = self.persona_login("oiosaml2", "/secure/x")
        self.assertIn("urn:dk:gov:saml:attribute:AssuranceLevel:3", req)
        self.assertEqual(r.status, 303, r.body)
        e = self.app(b, "/secure/x")
        self.assertEqual(e["LoA"], "nist3")
        self.assertEqual(e["Spec"], "DK-SAML-2.0")
        self.assertEqual(e["CVR"], "12345678")
        self.assertEqual(e["RID"], "4711")
        self.assertEqual(e["User"], "C=DK,O=12345678,CN=Karen Jensen,"
                         "Serial=CVR:12345678-RID:4711")
        self.assertIn(ROLE + "sagsbehandler/1", self.app(b, "/sag/x")["Roles"])
        # NIST 2 picked: below the location's NIST 3
        b, r, _, _ = self.persona_login("oiosaml2", "/secure/x", level="2")
        self.assertDenied(r, 403, "deny_loa")

    def test_no_loa(self):
        b, r, answer, (req, _) = self.persona_login("no-loa", "/app/x")
        self.assertNotIn("RequestedAuthnContext", req)
        self.assertEqual(r.status, 303, r.body)
        e = self.app(b, "/app/x")
        self.assertEqual(e["LoA"], "nist2")
        self.assertNotIn("AssuranceLevel", e["Attributes"])
        # the gateway never sends a login that needs more to this IdP
        b = Browser()
        r = b.get(self.url("/secure/x"))
        r = b.get(r.location + "&idp=no-loa")
        self.assertEqual(r.status, 403)
        self.nginx.new_log()


class PersonasPysaml2Test(PersonaTestCase):
    """pysaml2's SP, configured as our gateway (entityID, ACS, keys),
    reads each persona's answer: signature, decryption, conditions."""

    def pysaml2_sp(self, persona):
        md = os.path.join(self.nginx.dir, f"pysaml2-{persona}.xml")
        with open(md, "w") as f:
            f.write(Browser().get(self.url(f"/p/{persona}/metadata")).body)
        conf = SPConfig()
        conf.load({
            "entityid": "https://sp.test/",
            "service": {"sp": {
                "endpoints": {"assertion_consumer_service": [
                    (self.url("/saml/acs"), BINDING_HTTP_POST)]},
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
            }},
            "key_file": cert("sp.key"),
            "cert_file": cert("sp.crt"),
            "encryption_keypairs": [{"key_file": cert("sp.key"),
                                     "cert_file": cert("sp.crt")}],
            "metadata": {"local": [md]},
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "allow_unknown_attributes": True,
        })
        return Saml2Client(conf)

    def pysaml2_reads(self, persona, path, user="karen"):
        b = Browser()
        to_idp, page = self.to_persona(b, persona, path)
        req, _ = authn_request(to_idp)
        req_id = re.search(r' ID="([^"]+)"', req).group(1)
        _, answer = self.idp_answer(b, page, user)
        sp = self.pysaml2_sp(persona)
        resp = sp.parse_authn_request_response(
            answer["SAMLResponse"], BINDING_HTTP_POST,
            outstanding={req_id: path})
        self.assertIsNotNone(resp)
        return resp

    def test_nemlogin3(self):
        resp = self.pysaml2_reads("nemlogin3", "/secure/x")
        self.assertTrue(resp.name_id.text.endswith(UUID + "1"))
        ava = resp.get_identity()
        self.assertEqual(ava[NSIS[:-1]], ["Substantial"])
        self.assertIn(NSIS + "Substantial", str(resp.authn_info()))
        token = base64.b64decode(ava["https://data.gov.dk/model/core/eid/"
                                     "bootstrapToken"][0])
        self.assertIn(b"<saml:Assertion", token)

    def test_context_handler2(self):
        resp = self.pysaml2_reads("context-handler2", "/sag/x")
        self.assertIn("CN=Karen Jensen", resp.name_id.text)
        ava = resp.get_identity()
        self.assertEqual(ava["dk:gov:saml:attribute:KombitSpecVer"], ["2.0"])

    def test_adfs_multipleauthn(self):
        resp = self.pysaml2_reads("adfs-multipleauthn", "/secure/x")
        self.assertIn(MFA, str(resp.authn_info()))

    def test_adfs_relaystate(self):
        resp = self.pysaml2_reads("adfs-relaystate", "/secure/x")
        self.assertEqual(resp.get_identity()[NSIS[:-1]], ["Substantial"])

    def test_oiosaml2(self):
        resp = self.pysaml2_reads("oiosaml2", "/secure/x")
        ava = resp.get_identity()
        self.assertEqual(ava["dk:gov:saml:attribute:AssuranceLevel"], ["3"])
        self.assertEqual(ava["dk:gov:saml:attribute:SpecVer"],
                         ["DK-SAML-2.0"])

    def test_no_loa(self):
        resp = self.pysaml2_reads("no-loa", "/app/x")
        self.assertNotIn("dk:gov:saml:attribute:AssuranceLevel",
                         resp.get_identity())
