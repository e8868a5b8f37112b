"""The SSO spine: login round trip, sessions, headers, metadata, logout."""

import base64
import json
import os
import re
import string
import subprocess
import tempfile
import time
import urllib.parse
import zlib

from harness import (USERS, Browser, HTML, SpTestCase, cert, form_fields)

SESSION = "__Host-oiosaml"


class LoginTest(SpTestCase):

    server_extra = """
        location /some/ {
            oiosaml on;
            oiosaml_headers user LoA attributes;
            proxy_pass http://127.0.0.1:$UP;
        }

        location /none/ {
            oiosaml on;
            oiosaml_headers off;
            proxy_pass http://127.0.0.1:$UP;
        }

        location /vars/ {
            oiosaml on;
            add_header X-Var-User $oiosaml_user always;
            add_header X-Var-LoA $oiosaml_loa always;
            add_header X-Var-IdP $oiosaml_idp always;
            proxy_pass http://127.0.0.1:$UP;
        }
"""

    @classmethod
    def http_config(cls):
        return super().http_config().replace("$UP", str(cls.up_port))

    def test_protected_without_session_redirects_to_login(self):
        r = Browser().get(self.url("/app/x?y=1"))
        self.assertEqual(r.status, 302)
        self.assertEqual(
            r.location,
            self.url("/saml/login?loa=low&return=%2Fapp%2Fx%3Fy%3D1"))
        self.assertEqual(r.header("cache-control"), "no-store")

    def test_clients_that_cannot_follow_get_401(self):
        b = Browser()
        cases = [
            ("GET", {"Accept": "application/json"}),
            ("GET", {"Accept": HTML, "X-Requested-With": "XMLHttpRequest"}),
            ("POST", {"Accept": HTML}),
            ("DELETE", {"Accept": HTML}),
        ]
        for method, headers in cases:
            r = b.request(method, self.url("/app/x"), headers=headers,
                          body="a=b" if method == "POST" else None)
            self.assertEqual(r.status, 401, (method, headers))
            self.assertIn('login="/saml/login?loa=low&return=%2Fapp%2Fx"',
                          r.header("www-authenticate"))

    def test_login_round_trip(self):
        b, r, _ = self.login(path="/app/page?q=1")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("location"), "/app/page?q=1")
        cookie = [c for c in r.headers["set-cookie"]
                  if c.startswith(SESSION + "=")]
        self.assertEqual(len(cookie), 1)
        for attr in ("Path=/", "HttpOnly", "Secure", "SameSite=Lax"):
            self.assertIn(attr, cookie[0])
        self.assertNotIn("Max-Age", cookie[0])
        value = cookie[0].split(";")[0].split("=", 1)[1]
        self.assertRegex(value, r"^[A-Za-z0-9_-]{43}$")

        r = b.get(self.url("/app/page?q=1"))
        self.assertEqual(r.status, 200, r.body)
        e = self.echo(r.body)
        self.assertEqual(e["User"], "C=DK,O=12345678,CN=Alice Andersen,"
                         "Serial=2f3e8a4c-1b7d-4e5f-9a0b-c1d2e3f40001")
        self.assertEqual(e["IdP"], "test")
        self.assertEqual(e["LoA"], "substantial")
        self.assertEqual(e["CVR"], "12345678")
        self.assertEqual(e["Email"], "alice@demo-kommune.dk")
        self.assertEqual(e["Org"], "Demo Kommune")
        self.assertEqual(e["Name"], "Alice Andersen")
        self.assertEqual(e["Spec"], "OIO-SAML-3.0")
        self.assertEqual(e["UUID"], "2f3e8a4c-1b7d-4e5f-9a0b-c1d2e3f40001")
        attrs = urllib.parse.parse_qs(e["Attributes"])
        self.assertEqual(
            attrs["https://data.gov.dk/model/core/eid/professional/cvr"],
            ["12345678"])
        self.assertEqual(attrs["dk:gov:saml:attribute:KombitSpecVer"],
                         ["2.0"])
        self.assertIn('login user="C=DK,O=12345678,CN=Alice Andersen',
                      self.nginx.new_log())

    def test_pending_cookie_is_cross_site_and_single_use(self):
        b = Browser()
        r = b.get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(r.status, 302)
        sc = [c for c in r.headers["set-cookie"]
              if c.startswith("oiosaml-req-")]
        self.assertEqual(len(sc), 1)
        for attr in ("Path=/saml/", "Max-Age=600", "HttpOnly", "Secure",
                     "SameSite=None"):
            self.assertIn(attr, sc[0])
        relay = urllib.parse.parse_qs(
            urllib.parse.urlsplit(r.location).query)["RelayState"][0]
        self.assertEqual(sc[0].split("=")[0], "oiosaml-req-" + relay)
        self.assertLessEqual(len(relay), 80)

    def test_non_ascii_attribute_values_are_escaped(self):
        b, r, _ = self.login(user="bob")
        self.assertEqual(r.status, 303)
        e = self.echo(b.get(self.url("/app/x")).body)
        self.assertEqual(e["Name"], "Bob B%C3%A6k")
        self.assertEqual(e["LoA"], "low")

    def test_oiosaml2_attributes_are_normalised(self):
        b, r, _ = self.login(user="carl")
        self.assertEqual(r.status, 303, r.body)
        e = self.echo(b.get(self.url("/app/x")).body)
        self.assertEqual(e["CVR"], "87654321")
        self.assertEqual(e["RID"], "1234")
        self.assertEqual(e["Name"], "Carl Christensen")
        self.assertEqual(e["Email"], "carl@example.dk")
        self.assertEqual(e["Org"], "Eksempel Kommune")
        self.assertEqual(e["LoA"], "nist3")
        self.assertEqual(e["Spec"], "DK-SAML-2.0")

    def test_a_location_chooses_its_identity_headers(self):
        b, r, _ = self.login()
        full = self.echo(b.get(self.url("/app/x")).body)
        some = self.echo(b.get(self.url("/some/x")).body)
        for h in ("User", "LoA", "Attributes"):
            self.assertNotEqual(full[h], "")
            self.assertEqual(some[h], full[h])
        for h in ("IdP", "CVR", "Name", "Org", "Spec", "NameID-Format"):
            self.assertNotEqual(full[h], "", h)
            self.assertEqual(some[h], "", h)
        # client-sent copies are still dropped where none is added
        none = self.echo(b.get(self.url("/none/x"),
                               headers={"X-OIOSAML-User": "admin"}).body)
        self.assertEqual(set(none.values()), {""})

    def test_client_sent_identity_headers_are_stripped(self):
        b, r, _ = self.login()
        evil = {"Accept": HTML, "X-OIOSAML-User": "admin",
                "x-oiosaml-evil": "1", "X-Oiosaml-CVR": "99999999"}
        e = self.echo(b.get(self.url("/app/x"), headers=evil).body)
        self.assertTrue(e["User"].startswith("C=DK,O=12345678,CN=Alice"))
        self.assertEqual(e["Evil"], "")
        self.assertEqual(e["CVR"], "12345678")
        # also where no login is needed
        e = self.echo(Browser().get(self.url("/public/x"),
                                    headers=evil).body)
        self.assertEqual(e["User"], "")
        self.assertEqual(e["Evil"], "")

    def test_variables(self):
        b, r, _ = self.login(path="/vars/x")
        self.assertEqual(r.status, 303)
        r = b.get(self.url("/vars/x"))
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("x-var-user").startswith("C=DK,O=1234"))
        self.assertEqual(r.header("x-var-loa"), "substantial")
        self.assertEqual(r.header("x-var-idp"), "test")

    def test_unknown_or_tampered_session_cookie_means_login(self):
        b, r, _ = self.login()
        value, path = b.cookies[SESSION]
        alphabet = (string.ascii_uppercase + string.ascii_lowercase
                    + string.digits + "-_")
        last = alphabet.index(value[-1])
        # the last character's two low bits are not part of the id: a
        # value that differs only there is not the cookie we set
        for bad in ("A" * 43, value[:-1] + alphabet[last ^ 1],
                    value[:-1] + alphabet[last ^ 0x20],
                    "short", value + "x", "%00" * 5):
            b.cookies[SESSION] = (bad, "/")
            r = b.get(self.url("/app/x"))
            self.assertEqual(r.status, 302, bad)
        b.cookies[SESSION] = (value, path)
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_new_login_replaces_the_old_session(self):
        b, r, _ = self.login()
        old = b.cookies[SESSION][0]
        r = b.get(self.url("/saml/login?return=/app/x"))
        acs, answer = self.idp_answer(b, b.get(r.location))
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303)
        new = b.cookies[SESSION][0]
        self.assertNotEqual(old, new)
        b2 = Browser()
        b2.cookies[SESSION] = (old, "/")
        self.assertEqual(b2.get(self.url("/app/x")).status, 302)

    def test_metadata_is_signed_and_complete(self):
        r = Browser().get(self.url("/saml/metadata"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"),
                         "application/samlmetadata+xml")
        md = r.body
        self.assertIn('entityID="https://sp.test/"', md)
        self.assertIn('Location="%s"' % self.url("/saml/acs"), md)
        self.assertIn('Location="%s"' % self.url("/saml/sls"), md)
        self.assertIn('use="signing"', md)
        self.assertIn('use="encryption"', md)
        self.assertIn('AuthnRequestsSigned="true"', md)
        self.assertIn("xmldsig-more#rsa-sha256", md)
        # an independent verifier: the xmlsec1 command line tool
        with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
            f.write(md)
            f.flush()
            ok = subprocess.run(
                ["xmlsec1", "--verify", "--id-attr:ID",
                 "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor",
                 "--pubkey-cert-pem", cert("sp.crt"), f.name],
                capture_output=True, text=True)
            self.assertEqual(ok.returncode, 0, ok.stderr)
            bad = subprocess.run(
                ["xmlsec1", "--verify", "--id-attr:ID",
                 "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor",
                 "--pubkey-cert-pem", cert("idp.crt"), f.name],
                capture_output=True, text=True)
            self.assertNotEqual(bad.returncode, 0)

    def test_authn_request_is_signed_with_rsa_sha256(self):
        r = Browser().get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(r.status, 302)
        query = urllib.parse.urlsplit(r.location).query
        params = dict(p.split("=", 1) for p in query.split("&"))
        self.assertEqual(
            urllib.parse.unquote(params["SigAlg"]),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        signed = "SAMLRequest=%s&RelayState=%s&SigAlg=%s" % (
            params["SAMLRequest"], params["RelayState"], params["SigAlg"])
        sig = base64.b64decode(urllib.parse.unquote(params["Signature"]))
        with tempfile.TemporaryDirectory() as d:
            open(os.path.join(d, "data"), "w").write(signed)
            open(os.path.join(d, "sig"), "wb").write(sig)
            pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout",
                                  "-in", cert("sp.crt")],
                                 capture_output=True, text=True).stdout
            open(os.path.join(d, "pub"), "w").write(pub)
            ok = subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                                 os.path.join(d, "pub"), "-signature",
                                 os.path.join(d, "sig"),
                                 os.path.join(d, "data")],
                                capture_output=True, text=True)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        xml = zlib.decompress(base64.b64decode(urllib.parse.unquote(
            params["SAMLRequest"])), -15).decode()
        self.assertIn('Destination="%s"' % self.url("/idp/sso"), xml)
        self.assertIn('AssertionConsumerServiceURL="%s"'
                      % self.url("/saml/acs"), xml)
        self.assertIn("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", xml)
        self.assertIn(">https://sp.test/</saml:Issuer>", xml)
        self.assertRegex(xml, r'ID="_[0-9a-f]{40}"')
        self.assertNotIn("<ds:Signature", xml)

    def test_login_to_unknown_idp_is_refused(self):
        r = Browser().get(self.url("/saml/login?idp=nope&return=/app/x"))
        self.assertDenied(r, 403, "deny_unknown_idp")

    def test_unknown_endpoint_and_wrong_method(self):
        b = Browser()
        self.assertEqual(b.get(self.url("/saml/nope")).status, 404)
        self.assertEqual(b.get(self.url("/saml/acs")).status, 405)
        self.assertEqual(b.post(self.url("/saml/login"), "x=1").status, 405)


class SessionStateTest(SpTestCase):

    def test_session_and_replay_cache_survive_reload(self):
        b, r, answer = self.login()
        self.assertEqual(r.status, 303)
        self.nginx.reload()
        r = b.get(self.url("/app/x"))
        self.assertEqual(r.status, 200)
        self.assertTrue(self.echo(r.body)["User"].startswith("C=DK"))

    def test_replay_is_rejected_on_every_worker_and_after_reload(self):
        b = Browser()
        page = self.start_login(b)
        acs, answer = self.idp_answer(b, page)
        pending = dict(b.cookies)
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303, r.body)
        self.nginx.new_log()
        # an attacker holding both the response and the pending cookie:
        # each POST is a new connection, so both workers see replays
        for i in range(6):
            if i == 3:
                self.nginx.reload()
                self.nginx.new_log()
            thief = Browser()
            thief.cookies = {k: v for k, v in pending.items()
                             if k.startswith("oiosaml-req-")}
            r = thief.post(acs, answer)
            self.assertDenied(r, 403, "deny_replay")
            self.assertFalse(any(c.startswith(SESSION) for c in
                                 r.headers.get("set-cookie", [])))


    def test_a_session_without_privileges_takes_1_kb_of_the_zone(self):
        """alice (OIOSAML 3, nine attributes, no privileges): the zone
        keeps the Attributes field with its names coded, and gives the
        field back whole, name by name and in order."""
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)
        s = json.loads(Browser().get(self.url("/saml/status")).body)
        self.assertGreaterEqual(s["sessions"], 1)
        self.assertLessEqual(s["session_bytes"] / s["sessions"], 1024)

        with open(USERS) as f:
            alice = f.read().split("[alice]")[1].split("\n[")[0]
        names = re.findall(r"^attr (\S+) =", alice, re.M)
        self.assertEqual(len(names), 8)
        attrs = self.echo(b.get(self.url("/app/x")).body)["Attributes"]
        pairs = urllib.parse.parse_qsl(attrs)
        self.assertEqual([n for n, _ in pairs], names)
        self.assertIn(("https://data.gov.dk/model/core/eid/email",
                       "alice@demo-kommune.dk"), pairs)
        # the names as an application gets them: form-encoded
        self.assertIn("https%3A%2F%2Fdata.gov.dk%2Fmodel%2Fcore%2Feid%2F"
                      "email=alice%40demo-kommune.dk", attrs)


class TimeoutTest(SpTestCase):

    server_extra = """
        oiosaml_session_idle 5s;
        oiosaml_session_lifetime 8s;
"""

    def test_idle_and_absolute_timeouts(self):
        b, r, _ = self.login()
        self.assertEqual(r.status, 303)
        for _ in range(2):
            time.sleep(3)
            self.assertEqual(b.get(self.url("/app/x")).status, 200)
        time.sleep(3)           # 9 s after login: past the lifetime
        self.assertEqual(b.get(self.url("/app/x")).status, 302)
        b, r, _ = self.login()
        time.sleep(6)           # idle for longer than 5 s
        self.assertEqual(b.get(self.url("/app/x")).status, 302)


class LogoutTest(SpTestCase):

    def test_sp_initiated_single_logout(self):
        b, r, _ = self.login()
        self.assertEqual(b.get(self.url("/app/x")).status, 200)
        r = b.get(self.url("/saml/logout?return=/public/bye"))
        self.assertEqual(r.status, 302)
        self.assertTrue(r.location.startswith(self.url("/idp/slo?")),
                        r.location)
        self.assertNotIn(SESSION, b.cookies)
        r = b.get(r.location)               # the IdP answers
        self.assertEqual(r.status, 302, r.body)
        self.assertTrue(r.location.startswith(self.url("/saml/sls?")))
        r = b.get(r.location)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("location"), "/public/bye")
        self.assertEqual(b.get(self.url("/app/x")).status, 302)
        self.assertIn("single logout at IdP \"test\" succeeded",
                      self.nginx.new_log())

    def test_logout_without_session(self):
        r = Browser().get(self.url("/saml/logout"))
        self.assertEqual(r.status, 200)
        self.assertIn("logget ud", r.body)

    def test_idp_initiated_logout(self):
        b, r, _ = self.login()
        user = self.echo(b.get(self.url("/app/x")).body)["User"]
        r = b.get(self.url("/idp/logout_user?nameid="
                           + urllib.parse.quote(user)))
        self.assertEqual(r.status, 302, r.body)
        self.assertTrue(r.location.startswith(self.url("/saml/sls?")))
        r = b.get(r.location)
        self.assertEqual(r.status, 302, r.body)
        self.assertTrue(r.location.startswith(self.url("/idp/slo?")),
                        r.location)
        self.assertIn("SAMLResponse=", r.location)
        self.assertEqual(b.get(self.url("/app/x")).status, 302)

    def test_unsigned_logout_request_is_refused(self):
        b, r, _ = self.login()
        r = b.get(self.url("/idp/logout_user?nameid=x"))
        query = urllib.parse.urlsplit(r.location).query
        unsigned = "&".join(p for p in query.split("&")
                            if not p.startswith(("Signature=", "SigAlg=")))
        r = b.get(self.url("/saml/sls?" + unsigned))
        self.assertDenied(r, 403, "deny_unsigned")
        tampered = query.replace("RelayState=", "RelayState=x")
        r = b.get(self.url("/saml/sls?" + tampered))
        self.assertDenied(r, 403, "deny_signature")
        self.assertEqual(b.get(self.url("/app/x")).status, 200)
