"""Real-world inputs against a real gateway (tests/data/SOURCES.md).

The IdPs' own signatures can no longer be checked (we hold none of their
keys, and the certificates have expired), so each answer is the real
content re-signed with the test IdP's key, after setting what names our
SP: Destination, Recipient, Audience, InResponseTo (from a real login
here), and the times.  The IdPs are configured under their real
entityIDs, with the test IdP's certificate in place of theirs.

- OIOSAML 2: DIGST's OIOSAML.Java test assertion (tests/data/responses).
- KOMBIT Context Handler 2 to a user-facing system, shaped like KOMBIT's
  published sample (not kept here: it carries no licence): an X509
  subject NameID "C = DK, O = ..., CN = ..., Serial = ...", the
  AuthenticatingAuthority, KombitSpecVer 2.0, a BPP 1.2 privilege list
  with duplicate groups, repeated constraints and groups scoped to other
  municipalities than the user's own.
- NemLog-in3: the OIOSAML 3 attributes NemLog-in's metadata declares
  (tests/data/metadata), a persistent professional NameID, the NSIS level
  as the attribute, encrypted to our key as NemLog-in does.

Also the real metadata files as oiosamlctl reads them, and an IdP whose
real metadata carries only an expired certificate.
"""

import base64
import datetime
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import uuid
import urllib.parse
import zlib

from harness import (CERTS, ROOT, SpTestCase, Browser, HTML, cert,
                     idp_metadata)

DATA = os.path.join(ROOT, "tests", "data")
CTL = os.path.join(ROOT, "build", "oiosamlctl")

NS_P = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_A = "urn:oasis:names:tc:SAML:2.0:assertion"
URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
CVR = "urn:dk:gov:saml:cvrNumberIdentifier:"
NL3 = "https://saml.test-nemlog-in.dk/"
CH2 = "https://saml.n2adgangsstyring.eksterntest-stoettesystemerne.dk/runtime"
KOMBIT_ROLE = "http://kombit.dk/roles/usersystemrole/"
KOMBIT_KLE = "http://kombit.dk/constraints/KLE/"

SIGNATURE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
    '<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/'
    '2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.'
    'org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{id}">'
    '<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/'
    'xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.'
    'org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm'
    '="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
    '</ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>')

ENCRYPTED = (
    '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" '
    'Type="http://www.w3.org/2001/04/xmlenc#Element"><xenc:EncryptionMethod '
    'Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/><ds:KeyInfo '
    'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey>'
    '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#'
    'rsa-oaep-mgf1p"/><xenc:CipherData><xenc:CipherValue/></xenc:CipherData>'
    '</xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue/>'
    '</xenc:CipherData></xenc:EncryptedData>')

# KOMBIT's CH2 sample: the user's municipality (CVR) has no group; the
# groups are for two other CVRs, each group twice, KLE constraints
# repeated by name.  Compact XML with a declaration, as CH2 sends it.
CH2_BPP = (
    '<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp='
    '"http://digst.dk/oiosaml/basic_privilege_profile" xmlns:xsi="http://'
    'www.w3.org/2001/XMLSchema-instance">'
    + 2 * (f'<PrivilegeGroup Scope="{CVR}19435076"><Privilege>{KOMBIT_ROLE}'
           f'kombitrolle4/1</Privilege><Constraint Name="{KOMBIT_KLE}4">'
           'KLE/400001</Constraint></PrivilegeGroup>')
    + 2 * (f'<PrivilegeGroup Scope="{CVR}19435077"><Privilege>{KOMBIT_ROLE}'
           f'kombitrolle5/1</Privilege>'
           + "".join(f'<Constraint Name="{KOMBIT_KLE}5">KLE/50000{i}'
                     '</Constraint>' for i in (1, 2, 3))
           + '</PrivilegeGroup>')
    + '</bpp:PrivilegeList>')


def instant(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cert_b64(name):
    der = subprocess.run(["openssl", "x509", "-in", cert(name), "-outform",
                          "DER"], check=True, capture_output=True).stdout
    return base64.b64encode(der).decode()


def xmlsec(args, tmp, text):
    """Runs xmlsec1 on text; returns its output."""
    src = os.path.join(tmp, "in.xml")
    out = os.path.join(tmp, "out.xml")
    with open(src, "w") as f:
        f.write(text)
    r = subprocess.run(["xmlsec1"] + args + ["--output", out, src],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("xmlsec1 " + " ".join(args) + ": " + r.stderr)
    with open(out) as f:
        return f.read()


def sign_assertion(xml, tmp):
    """Signs every ds:Signature template (rsa-sha256) with idp.key."""
    return xmlsec(["--sign", "--privkey-pem", cert("idp.key"),
                   "--id-attr:ID", NS_A + ":Assertion"], tmp, xml)


def encrypt_assertion(xml, tmp):
    """The signed Assertion replaced by EncryptedAssertion (AES-256-CBC,
    RSA-OAEP to sp.crt), as NemLog-in sends it."""
    xml = re.sub(r"(<saml:Assertion\b.*</saml:Assertion>)",
                 r'<saml:EncryptedAssertion>\1</saml:EncryptedAssertion>',
                 xml, flags=re.S)
    tpl = os.path.join(tmp, "enc.xml")
    with open(tpl, "w") as f:
        f.write(ENCRYPTED)
    data = os.path.join(tmp, "data.xml")
    with open(data, "w") as f:
        f.write(xml)
    out = os.path.join(tmp, "encrypted.xml")
    r = subprocess.run(["xmlsec1", "--encrypt", "--pubkey-cert-pem",
                        cert("sp.crt"), "--session-key", "aes-256",
                        "--xml-data", data, "--node-name",
                        NS_A + ":Assertion", "--output", out, tpl],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("xmlsec1 --encrypt: " + r.stderr)
    with open(out) as f:
        return f.read()


def attribute(name, *values):
    return (f'<saml:Attribute Name="{name}" NameFormat="{URI}">'
            + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>"
                      for v in values) + "</saml:Attribute>")


class RealWorldTestCase(SpTestCase):
    """The SP with IdPs named as in the real world, all trusting the test
    IdP's key (idp.crt), and locations that check the CH2 roles."""

    http_extra = """
    oiosaml_role_log warn info;
"""
    oj_profile = "oiosaml2"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(dir=os.path.join(CERTS, ".."))
        os.chmod(cls.tmp, 0o755)
        t = cls.tmp
        # the real NemLog-in3 metadata, its certificate replaced by ours
        with open(os.path.join(DATA, "metadata",
                               "nemlogin3-integrationtest-2025.xml")) as f:
            md = f.read()
        md = re.sub(r"(<X509Certificate>)[^<]*(</X509Certificate>)",
                    r"\g<1>" + cert_b64("idp.crt") + r"\2", md)
        with open(os.path.join(t, "nemlogin3.xml"), "w") as f:
            f.write(md)
        cls.server_extra = f"""
        oiosaml_idp nemlogin3 metadata={t}/nemlogin3.xml profile=oiosaml3
                    require_encryption;
        oiosaml_idp ch2 metadata={t}/ch2.xml profile=oiosaml3;
        oiosaml_idp oj metadata={t}/oj.xml profile={cls.oj_profile};
        oiosaml_idp ch1 metadata={DATA}/metadata/kombit-ch1-eksterntest-idp.xml
                    profile=oiosaml2;

        # KOMBIT's sample user works for CVR 19435075 and holds roles only
        # in groups of 19435076 and 19435077
        location /ch2/own/ {{
            oiosaml_require_role {KOMBIT_ROLE}kombitrolle4/1;
            proxy_pass http://127.0.0.1:$UP;
        }}
        location /ch2/delegated/ {{
            oiosaml_require_role {KOMBIT_ROLE}kombitrolle5/1;
            oiosaml_role_scope {CVR}19435077;
            oiosaml_require_constraint {KOMBIT_KLE}5 KLE/500002;
            proxy_pass http://127.0.0.1:$UP;
        }}
        location /ch2/wrong-kle/ {{
            oiosaml_require_role {KOMBIT_ROLE}kombitrolle5/1;
            oiosaml_role_scope {CVR}19435077;
            oiosaml_require_constraint {KOMBIT_KLE}5 KLE/500004;
            proxy_pass http://127.0.0.1:$UP;
        }}
"""
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def http_config(cls):
        t = cls.tmp
        base = cls.base + "/idp/"
        idp_metadata(os.path.join(t, "ch2.xml"), CH2, base, ["idp.crt"])
        idp_metadata(os.path.join(t, "oj.xml"), "idp1.test.oio.dk", base,
                     ["idp.crt"])
        conf = super().http_config().replace("$UP", str(cls.up_port))
        return conf.replace(
            "Evil=$http_x_oiosaml_evil",
            "Evil=$http_x_oiosaml_evil\\nRoles=$http_x_oiosaml_roles"
            "\\nConstraints=$http_x_oiosaml_constraints")

    def start(self, idp, path):
        """A real login at idp: (browser, AuthnRequest ID, RelayState)."""
        b = Browser()
        r = b.get(self.url(f"/saml/login?idp={idp}&return={path}"))
        self.assertEqual(r.status, 302, r.body)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(r.location).query)
        req = zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15)
        rid = re.search(rb'\sID="([^"]+)"', req).group(1).decode()
        return b, rid, q["RelayState"][0]

    def finish(self, b, response, relay, path):
        """Posts the response to the ACS and follows it to path."""
        body = {"SAMLResponse": base64.b64encode(response.encode()).decode(),
                "RelayState": relay}
        r = b.post(self.url("/saml/acs"), body)
        self.assertEqual(r.status, 303, r.body[:800] + self.nginx.log()[-800:])
        self.assertEqual(r.location, self.url(path))
        return b.get(self.url(path), headers={"Accept": HTML})


class OiosamlJavaTest(RealWorldTestCase):
    """OIOSAML 2: OIOSAML.Java's test assertion, re-signed."""

    def response(self, rid):
        with open(os.path.join(DATA, "responses",
                               "oiosaml-java-assertion.xml")) as f:
            a = f.read()
        now = datetime.datetime.now(datetime.timezone.utc)
        issued = datetime.datetime(2008, 4, 3, 11, 51, 26, 375000,
                                   datetime.timezone.utc)

        def shift(m):
            t = datetime.datetime.strptime(m.group(2), "%Y-%m-%dT%H:%M:%S.%fZ")
            t = t.replace(tzinfo=datetime.timezone.utc) - issued + now
            return f'{m.group(1)}="{instant(t)}"'

        a = re.sub(r'(IssueInstant|NotOnOrAfter|NotBefore|AuthnInstant)="'
                   r'([^"]+)"', shift, a)
        a = a.replace('InResponseTo="_B8A23F23B5E279A7C71207223483890"',
                      f'InResponseTo="{rid}"')
        a = a.replace("http://jre-mac.trifork.com:8080/saml/SAMLAssertion"
                      "Consumer", self.url("/saml/acs"))
        a = a.replace("poc3.eogs.capgemini.dk.spref", "https://sp.test/")
        a = a.replace("<saml:Issuer>idp1.test.oio.dk</saml:Issuer>",
                      "<saml:Issuer>idp1.test.oio.dk</saml:Issuer>"
                      + SIGNATURE.format(id="pVQYCtN.5RD5VtkGJx3Fhecjrkd"), 1)
        return sign_assertion(
            f'<samlp:Response xmlns:samlp="{NS_P}" ID="_rw_oj" Version="2.0" '
            f'IssueInstant="{instant(now)}" Destination="'
            f'{self.url("/saml/acs")}" InResponseTo="{rid}"><saml:Issuer '
            f'xmlns:saml="{NS_A}">idp1.test.oio.dk</saml:Issuer>'
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:'
            '2.0:status:Success"/></samlp:Status>' + a
            + '</samlp:Response>', self.tmp)

    def test_oiosaml2_assertion(self):
        b, rid, relay = self.start("oj", "/app/oj")
        r = self.finish(b, self.response(rid), relay, "/app/oj")
        # "\n\t\t\t\t2\n\t\t\t" is no AssuranceLevel: a session without a
        # level, which no protected location accepts (the lowest it can
        # ask for is nist1): it is sent back to the IdP for "low"
        self.assertEqual(r.status, 302, r.body)
        self.assertEqual(r.location, self.url(
            "/saml/login?idp=oj&loa=low&return=%2Fapp%2Foj"))
        self.assertIn('idp="oj" loa=none', self.nginx.log())


class OiosamlJavaNoLoaTest(OiosamlJavaTest):
    """The same answer from an IdP configured as oiosaml2-no-loa, the way
    to connect an OIOSAML 2 IdP that states no level: the operator's
    level (nist2) counts, and the identity reaches the application."""

    oj_profile = "oiosaml2-no-loa"

    def test_oiosaml2_assertion(self):
        b, rid, relay = self.start("oj", "/app/oj")
        r = self.finish(b, self.response(rid), relay, "/app/oj")
        self.assertEqual(r.status, 200, r.body)
        e = self.echo(r.body)
        # the NameID as written, its line breaks and tabs escaped
        self.assertEqual(e["User"], "%0A%09%09%09joetest%0A%09%09")
        self.assertEqual(e["IdP"], "oj")
        self.assertEqual(e["NameID-Format"],
                         "urn:oasis:names:tc:SAML:1.1:nameid-format:"
                         "unspecified")
        self.assertEqual(e["LoA"], "nist2")
        self.assertIn("more=", e["Attributes"])


class ContextHandler2Test(RealWorldTestCase):
    """KOMBIT Context Handler 2 to a user-facing system (OIOSAML 3)."""

    name_id = ("C = DK, O = 19435075, CN = user1 oces3kombitidp, "
               "Serial = 555ed208-2ed1-4739-8d79-119908219311")

    def response(self, rid):
        now = datetime.datetime.now(datetime.timezone.utc)
        end = now + datetime.timedelta(minutes=5)
        acs = self.url("/saml/acs")
        bpp = base64.b64encode(CH2_BPP.encode()).decode()
        attrs = "".join([
            attribute("https://data.gov.dk/concept/core/nsis/loa",
                      "Substantial"),
            attribute("https://data.gov.dk/model/core/eid/email",
                      "user1@kommune.example"),
            attribute("https://data.gov.dk/model/core/specVersion",
                      "OIO-SAML-3.0"),
            attribute("dk:gov:saml:attribute:KombitSpecVer", "2.0"),
            attribute("https://data.gov.dk/model/core/eid/professional/cvr",
                      "19435075"),
            attribute("https://data.gov.dk/model/core/eid/professional/"
                      "orgName", "KOMBIT A/S"),
            attribute("https://data.gov.dk/model/core/eid/"
                      "privilegesIntermediate", bpp)])
        aid = "id" + uuid.uuid4().hex
        xml = (
            f'<Response ID="id4d05e80fa69e47739732d786116dc64b" Version="2.0"'
            f' IssueInstant="{instant(now)}" Destination="{acs}" Consent='
            f'"urn:oasis:names:tc:SAML:2.0:consent:unspecified" InResponseTo'
            f'="{rid}" xmlns="{NS_P}"><Issuer xmlns="{NS_A}">{CH2}</Issuer>'
            '<Status><StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:'
            'Success"/></Status>'
            f'<saml:Assertion xmlns:saml="{NS_A}" ID="{aid}" IssueInstant="'
            f'{instant(now)}" Version="2.0"><saml:Issuer>{CH2}</saml:Issuer>'
            + SIGNATURE.format(id=aid)
            + '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1'
            f':nameid-format:X509SubjectName">{self.name_id}</saml:NameID>'
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:'
            f'cm:bearer"><saml:SubjectConfirmationData InResponseTo="{rid}" '
            f'NotOnOrAfter="{instant(end)}" Recipient="{acs}"/>'
            '</saml:SubjectConfirmation></saml:Subject>'
            f'<saml:Conditions NotBefore="{instant(now)}" NotOnOrAfter="'
            f'{instant(end)}"><saml:AudienceRestriction><saml:Audience>'
            'https://sp.test/</saml:Audience></saml:AudienceRestriction>'
            f'</saml:Conditions><saml:AuthnStatement AuthnInstant="'
            f'{instant(now)}" SessionIndex="WUkV1sgEnIlnouAlAhVpwQ==">'
            '<saml:AuthnContext><saml:AuthnContextClassRef>https://data.gov.'
            'dk/concept/core/nsis/loa/Substantial</saml:AuthnContextClassRef>'
            '<saml:AuthenticatingAuthority>https://saml.kommune.example/adfs/'
            'services/trust</saml:AuthenticatingAuthority></saml:AuthnContext>'
            '</saml:AuthnStatement><saml:AttributeStatement>' + attrs
            + '</saml:AttributeStatement></saml:Assertion></Response>')
        return sign_assertion(xml, self.tmp)

    def login(self, path):
        b, rid, relay = self.start("ch2", path)
        return b, self.finish(b, self.response(rid), relay, path)

    def test_identity_and_level(self):
        b, r = self.login("/app/ch2")
        self.assertEqual(r.status, 200, r.body)
        e = self.echo(r.body)
        self.assertEqual(e["User"], self.name_id)
        self.assertEqual(e["NameID-Format"], "urn:oasis:names:tc:SAML:1.1:"
                         "nameid-format:X509SubjectName")
        self.assertEqual(e["IdP"], "ch2")
        self.assertEqual(e["LoA"], "substantial")
        self.assertEqual(e["CVR"], "19435075")
        self.assertEqual(e["Org"], "KOMBIT A/S")
        self.assertEqual(e["Email"], "user1@kommune.example")
        self.assertEqual(e["Spec"], "OIO-SAML-3.0")
        # duplicate groups merged, every group's constraints kept
        self.assertEqual(
            e["Roles"],
            f'{{"{CVR}19435076":["{KOMBIT_ROLE}kombitrolle4/1"],'
            f'"{CVR}19435077":["{KOMBIT_ROLE}kombitrolle5/1"]}}')
        self.assertIn(f'["{KOMBIT_KLE}5","KLE/500003"]', e["Constraints"])

    def test_roles(self):
        b, r = self.login("/ch2/delegated/x")
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("allow:", self.nginx.new_log())
        # the role is held only for other municipalities
        r = b.get(self.url("/ch2/own/x"), headers={"Accept": HTML})
        self.assertEqual(r.status, 403, r.body)
        self.assertIn(f"{KOMBIT_ROLE}kombitrolle4/1", r.body)
        self.assertIn("deny_role", self.nginx.new_log())
        # KLE/500004 is not among the group's values
        r = b.get(self.url("/ch2/wrong-kle/x"), headers={"Accept": HTML})
        self.assertEqual(r.status, 403, r.body)
        self.assertIn("deny_role", self.nginx.new_log())


class NemLogin3Test(RealWorldTestCase):
    """NemLog-in3 (OIOSAML 3, professional): encrypted, NSIS level as an
    attribute, under NemLog-in's real metadata."""

    uuid = "2bc5cc4c-6bc9-4d1e-8c9f-5ab4e0d8b3e2"

    def response(self, rid):
        now = datetime.datetime.now(datetime.timezone.utc)
        end = now + datetime.timedelta(minutes=5)
        acs = self.url("/saml/acs")
        eid = "https://data.gov.dk/model/core/eid/"
        nsis = "https://data.gov.dk/concept/core/nsis/"
        attrs = "".join([
            attribute("https://data.gov.dk/model/core/specVersion",
                      "OIO-SAML-3.0"),
            attribute(nsis + "loa", "Substantial"),
            attribute(nsis + "ial", "Substantial"),
            attribute(nsis + "aal", "High"),
            attribute(eid + "fullName", "Karen Jensen"),
            attribute(eid + "firstName", "Karen"),
            attribute(eid + "lastName", "Jensen"),
            attribute(eid + "email", "karen@kommune.example"),
            attribute(eid + "professional/uuid/persistent",
                      "urn:uuid:" + self.uuid),
            attribute(eid + "professional/rid", "93847261"),
            attribute(eid + "professional/cvr", "29189854"),
            attribute(eid + "professional/orgName", "Eksempel Kommune")])
        aid = "_" + uuid.uuid4().hex
        xml = (
            f'<samlp:Response xmlns:samlp="{NS_P}" xmlns:saml="{NS_A}" '
            f'ID="_1a2b3c4d" Version="2.0" IssueInstant="{instant(now)}" '
            f'Destination="{acs}" InResponseTo="{rid}"><saml:Issuer>{NL3}'
            '</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:'
            'names:tc:SAML:2.0:status:Success"/></samlp:Status>'
            f'<saml:Assertion ID="{aid}" IssueInstant="{instant(now)}" '
            f'Version="2.0"><saml:Issuer>{NL3}</saml:Issuer>'
            + SIGNATURE.format(id=aid)
            + '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0'
            ':nameid-format:persistent">https://data.gov.dk/model/core/eid/'
            f'professional/uuid/{self.uuid}</saml:NameID><saml:Subject'
            'Confirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData InResponseTo="{rid}" NotOnOrAfter'
            f'="{instant(end)}" Recipient="{acs}"/></saml:SubjectConfirmation>'
            f'</saml:Subject><saml:Conditions NotBefore="{instant(now)}" '
            f'NotOnOrAfter="{instant(end)}"><saml:AudienceRestriction>'
            '<saml:Audience>https://sp.test/</saml:Audience></saml:Audience'
            'Restriction></saml:Conditions><saml:AuthnStatement AuthnInstant'
            f'="{instant(now)}" SessionIndex="_5f6e7d8c"><saml:AuthnContext>'
            '<saml:AuthnContextClassRef>https://data.gov.dk/concept/core/nsis'
            '/loa/Substantial</saml:AuthnContextClassRef></saml:AuthnContext>'
            '</saml:AuthnStatement><saml:AttributeStatement>' + attrs
            + '</saml:AttributeStatement></saml:Assertion></samlp:Response>')
        return encrypt_assertion(sign_assertion(xml, self.tmp), self.tmp)

    def test_professional_login(self):
        b, rid, relay = self.start("nemlogin3", "/app/nl3")
        r = self.finish(b, self.response(rid), relay, "/app/nl3")
        self.assertEqual(r.status, 200, r.body)
        e = self.echo(r.body)
        self.assertEqual(e["User"], "https://data.gov.dk/model/core/eid/"
                         f"professional/uuid/{self.uuid}")
        self.assertEqual(e["NameID-Format"],
                         "urn:oasis:names:tc:SAML:2.0:nameid-format:"
                         "persistent")
        self.assertEqual(e["IdP"], "nemlogin3")
        self.assertEqual(e["LoA"], "substantial")
        self.assertEqual(e["CVR"], "29189854")
        self.assertEqual(e["Org"], "Eksempel Kommune")
        self.assertEqual(e["Name"], "Karen Jensen")
        self.assertEqual(e["UUID"], "urn:uuid:" + self.uuid)
        self.assertEqual(e["RID"], "93847261")
        self.assertEqual(e["Spec"], "OIO-SAML-3.0")

    def test_login_goes_to_nemlogin(self):
        """The SSO endpoint of the real metadata."""
        r = Browser().get(self.url("/saml/login?idp=nemlogin3&return=/app/"))
        self.assertEqual(r.status, 302, r.body)
        self.assertTrue(r.location.startswith(
            "https://login.test-nemlog-in.dk/idp/saml/3.0/?SAMLRequest="),
            r.location)


class ExpiredMetadataTest(RealWorldTestCase):
    """KOMBIT's Context Handler 1 metadata as published: its only
    certificate expired on 2018-10-28.  The gateway starts, but starts no
    login there."""

    def test_no_login(self):
        r = Browser().get(self.url("/saml/login?idp=ch1&return=/app/x"))
        self.assertDenied(r, 503, "deny_idp_unavailable")


class MetadataCliTest(unittest.TestCase):
    """oiosamlctl metadata check on each real file, as published."""

    def check(self, name):
        return subprocess.run([CTL, "metadata", "check",
                               os.path.join(DATA, "metadata", name)],
                              capture_output=True, text=True)

    def test_valid(self):
        r = self.check("nemlogin3-integrationtest-2025.xml")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("entityID    https://saml.test-nemlog-in.dk/", r.stdout)
        self.assertIn("SSO         https://login.test-nemlog-in.dk/idp/saml/"
                      "3.0/", r.stdout)
        self.assertEqual(r.stdout.count("\ncertificate "), 1)
        self.assertIn("OK: the gateway would accept this metadata", r.stdout)

    def test_expired(self):
        for name, until in (
                ("nemlogin3-integrationtest-2022.xml", "2025-12-12T13:57:08Z"),
                ("nemlogin2-production.xml", "2023-07-01T06:55:45Z"),
                ("kombit-ch1-eksterntest-idp.xml", "2018-10-28T06:53:56Z")):
            r = self.check(name)
            self.assertEqual(r.returncode, 1, name + r.stdout + r.stderr)
            self.assertEqual(r.stdout.count("\ncertificate "), 1, name)
            self.assertIn(f"to {until} (EXPIRED", r.stdout, name)
            self.assertIn("FAIL: no signing certificate is valid now: the "
                          "gateway loads it, but logins would fail",
                          r.stdout, name)


if __name__ == "__main__":
    unittest.main()
