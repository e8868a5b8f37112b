"""Assurance levels: per-location requirements, the six IdP profiles on
the wire, the level reached per profile, step-up without loops, and the
login-storm limit."""

import base64
import urllib.parse
import zlib

from harness import HTML, Browser, SpTestCase

SESSION = "__Host-oiosaml"
NSIS = "https://data.gov.dk/concept/core/nsis/loa/"
NIST = "urn:dk:gov:saml:attribute:AssuranceLevel:"
MFA = "http://schemas.microsoft.com/claims/multipleauthn"

LOCATIONS = """
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
"""


def authn_request(location):
    """The AuthnRequest XML and the RelayState of a redirect to the IdP."""
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15)
    return xml.decode(), q.get("RelayState", [""])[0]


class LoaTestCase(SpTestCase):

    server_extra = LOCATIONS

    @classmethod
    def http_config(cls):
        return super().http_config().replace("$UP", str(cls.up_port))

    def to_idp(self, b, path):
        """A protected path -> our login -> the IdP: (request xml, relay)."""
        r = b.get(self.url(path))
        self.assertEqual(r.status, 302, r.body)
        login = r.location
        r = b.get(login)
        self.assertEqual(r.status, 302, r.body)
        return login, r


class LevelTest(LoaTestCase):
    """An OIOSAML 3 IdP."""

    def test_location_level_is_requested(self):
        b = Browser()
        login, r = self.to_idp(b, "/secure/x")
        self.assertIn("loa=substantial", login)
        xml, relay = authn_request(r.location)
        self.assertIn('<samlp:RequestedAuthnContext Comparison="minimum">'
                      '<saml:AuthnContextClassRef>' + NSIS + 'Substantial'
                      '</saml:AuthnContextClassRef>', xml)
        self.assertEqual(len(relay), 22)        # no level in RelayState

    def test_enough_level_passes(self):
        b, r, _ = self.login(path="/secure/x")   # alice: Substantial
        self.assertEqual(r.status, 303, r.body)
        r = b.get(self.url("/secure/x"))
        self.assertEqual(r.status, 200)
        self.assertEqual(self.echo(r.body)["LoA"], "substantial")

    def test_lower_answer_than_asked_is_a_named_denial(self):
        b, r, _ = self.login(path="/secure/x", loa="Low")
        line = self.assertDenied(r, 403, "deny_loa")
        self.assertIn("with level low, the login asked for substantial",
                      line)
        self.assertIn("C=DK,O=12345678,CN=Alice Andersen", line)
        self.assertIn('IdP "test"', line)
        self.assertIn("NSIS Substantial", r.body)
        self.assertIn("NSIS Lav", r.body)
        self.assertIn("IT-afdeling", r.body)
        self.assertIn("two-factor login", r.body)
        self.assertNotIn(SESSION, b.cookies)

    def test_step_up_to_the_same_idp(self):
        b, r, _ = self.login(path="/app/x", loa="Low")
        self.assertEqual(r.status, 303)
        self.assertEqual(b.get(self.url("/app/x")).status, 200)
        old = b.cookies[SESSION][0]

        # the session is too low for /secure/: a new request, higher level
        r = b.get(self.url("/secure/x"))
        self.assertEqual(r.status, 302)
        self.assertIn("/saml/login?idp=test&loa=substantial&return=",
                      r.location)
        r = b.get(r.location)
        xml, _ = authn_request(r.location)
        self.assertIn(NSIS + "Substantial", xml)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page)   # alice: Substantial
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("location"), "/secure/x")
        self.assertNotEqual(b.cookies[SESSION][0], old)
        self.assertIn("step-up user=", self.nginx.new_log())
        self.assertEqual(b.get(self.url("/secure/x")).status, 200)
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_step_up_refused_again_stops_with_a_page(self):
        b, r, _ = self.login(user="bob", path="/app/x")     # Low
        self.assertEqual(r.status, 303)
        r = b.get(self.url("/secure/x"))
        self.assertEqual(r.status, 302)
        r = b.get(r.location)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page, user="bob")   # Low again
        r = b.post(acs, answer)
        line = self.assertDenied(r, 403, "deny_loa")
        self.assertIn("Bob B", line)
        # no loop: the page is the end, the old session still works
        self.assertIsNone(r.header("location"))
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_another_user_at_step_up_gets_a_new_session(self):
        b, r, _ = self.login(user="bob", path="/app/x")
        r = b.get(self.url("/secure/x"))
        r = b.get(r.location)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page, user="alice")
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303)
        log = self.nginx.new_log()
        self.assertIn("login user=\"C=DK,O=12345678,CN=Alice", log)
        self.assertNotIn("step-up", log)
        e = self.echo(b.get(self.url("/secure/x")).body)
        self.assertIn("Alice", e["User"])

    def test_nist_level_from_an_oiosaml3_idp(self):
        # an OIOSAML 3 IdP that can only give the legacy attribute
        b, r, _ = self.login(user="carl", path="/secure/x")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(self.echo(b.get(self.url("/secure/x")).body)["LoA"],
                         "nist3")

    def test_high_is_not_met_by_substantial(self):
        b, r, _ = self.login(path="/high/x")
        self.assertDenied(r, 403, "deny_loa")


class Oiosaml2Test(LoaTestCase):

    idp_options = "profile=oiosaml2"

    def test_nist_request_and_answer(self):
        login, r = self.to_idp(Browser(), "/secure/x")
        xml, _ = authn_request(r.location)
        self.assertIn('Comparison="minimum"><saml:AuthnContextClassRef>'
                      + NIST + "3<", xml)
        b, r, _ = self.login(user="carl", path="/secure/x")
        self.assertEqual(r.status, 303, r.body)
        b, r, _ = self.login(user="carl", path="/secure/x", nist="2")
        self.assertDenied(r, 403, "deny_loa")

    def test_high_is_nist4_by_default(self):
        login, r = self.to_idp(Browser(), "/high/x")
        xml, _ = authn_request(r.location)
        self.assertIn(NIST + "4<", xml)
        b, r, _ = self.login(user="carl", path="/high/x")
        self.assertDenied(r, 403, "deny_loa")


class HighAsNist3Test(LoaTestCase):

    idp_options = "profile=oiosaml2 high_nist=3"

    def test_high_maps_to_nist3(self):
        login, r = self.to_idp(Browser(), "/high/x")
        xml, _ = authn_request(r.location)
        self.assertIn(NIST + "3<", xml)
        b, r, _ = self.login(user="carl", path="/high/x")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(b.get(self.url("/high/x")).status, 200)


class AdfsTest(LoaTestCase):

    idp_options = "profile=oiosaml3-adfs-multipleauthn"

    def test_multipleauthn_only_when_two_factors_are_needed(self):
        login, r = self.to_idp(Browser(), "/secure/x")
        xml, _ = authn_request(r.location)
        self.assertIn('Comparison="minimum"><saml:AuthnContextClassRef>'
                      + MFA + "<", xml)
        login, r = self.to_idp(Browser(), "/app/x")
        xml, _ = authn_request(r.location)
        self.assertNotIn("RequestedAuthnContext", xml)

    def test_multipleauthn_answer_counts_as_the_requested_level(self):
        # an ADFS answer that states no level, only multipleauthn
        b, r, _ = self.login(user="bob", path="/secure/x", classref=MFA,
                             loa="omit")
        self.assertEqual(r.status, 303, r.body)
        e = self.echo(b.get(self.url("/secure/x")).body)
        self.assertEqual(e["LoA"], "substantial")

    def test_multipleauthn_does_not_raise_a_stated_level(self):
        # bob's answer states NSIS Low: multipleauthn does not make it more
        b, r, _ = self.login(user="bob", path="/secure/x", classref=MFA)
        line = self.assertDenied(r, 403, "deny_loa")
        self.assertIn("with level low, the login asked for substantial",
                      line)

    def test_first_factor_class_is_not_mfa(self):
        b, r, _ = self.login(
            user="bob", path="/secure/x",
            classref="urn:oasis:names:tc:SAML:2.0:ac:classes:"
                     "PasswordProtectedTransport")
        self.assertDenied(r, 403, "deny_loa")


class AdfsRelayStateTest(LoaTestCase):

    idp_options = "profile=oiosaml3-adfs-relaystate"

    def test_level_in_relay_state(self):
        b = Browser()
        login, r = self.to_idp(b, "/secure/x")
        xml, relay = authn_request(r.location)
        self.assertIn(MFA, xml)
        handle, _, level = relay.partition(".")
        self.assertEqual(level, "Substantial")
        self.assertEqual(len(handle), 22)
        self.assertLessEqual(len(relay), 80)
        self.assertIn("oiosaml-req-" + handle, b.cookies)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page, user="bob", classref=MFA,
                                      loa="omit")
        self.assertEqual(answer["RelayState"], relay)
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("location"), "/secure/x")

    def test_relay_state_level_is_not_trusted(self):
        b = Browser()
        login, r = self.to_idp(b, "/secure/x")
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page, user="bob")
        handle = answer["RelayState"].partition(".")[0]
        answer["RelayState"] = handle + ".Low"      # edited on the way
        r = b.post(acs, answer)
        self.assertDenied(r, 403, "deny_loa")


class AdfsStatedLevelTest(LoaTestCase):
    """Review finding 1: an ADFS IdP (the test IdP answers with the class
    that was asked for) whose answer states NSIS Substantial plus the MFA
    class, to a login that asked for High."""

    idp_options = "profile=oiosaml3-adfs-multipleauthn"
    idp_extra = "encrypt_cert={certs}/sp.crt profile=adfs"

    def test_substantial_plus_mfa_is_not_high(self):
        b = Browser()
        page = self.start_login(b, "/high/x")
        xml, _ = authn_request(page.url)
        self.assertIn(">" + MFA + "<", xml)
        # alice: NSIS Substantial; unencrypted, to see what the IdP said
        acs, answer = self.idp_answer(b, page, encrypt="none")
        sent = base64.b64decode(answer["SAMLResponse"]).decode()
        self.assertIn("ClassRef>" + MFA + "</", sent)
        self.assertIn('nsis/loa" NameFormat="urn:oasis:names:tc:SAML:2.0:'
                      'attrname-format:uri"><AttributeValue>Substantial<',
                      sent)
        r = b.post(acs, answer)
        line = self.assertDenied(r, 403, "deny_loa")
        self.assertIn("with level substantial, the login asked for high",
                      line)
        self.assertNotIn(SESSION, b.cookies)
        self.assertEqual(b.get(self.url("/high/x")).status, 302)

    def test_substantial_plus_mfa_is_substantial(self):
        b, r, _ = self.login(path="/secure/x")
        self.assertEqual(r.status, 303, r.body)
        e = self.echo(b.get(self.url("/secure/x")).body)
        self.assertEqual(e["LoA"], "substantial")
        self.assertEqual(b.get(self.url("/high/x")).status, 302)

    def test_no_level_plus_mfa_is_the_requested_level(self):
        b, r, _ = self.login(path="/high/x", loa="omit")
        self.assertEqual(r.status, 303, r.body)
        e = self.echo(b.get(self.url("/high/x")).body)
        self.assertEqual(e["LoA"], "high")


class MaxLoaTest(LoaTestCase):
    """Review finding 1: max_loa= caps every profile, and a location that
    needs more is refused with the level page, not sent to the IdP."""

    idp_options = "profile=oiosaml3 max_loa=substantial"

    def test_high_location_shows_the_level_page_without_a_login(self):
        b = Browser()
        r = b.get(self.url("/high/x"))
        self.assertEqual(r.status, 302)
        self.assertIn("/saml/login?", r.location)
        r = b.get(r.location)
        self.assertEqual(r.status, 403, r.location)
        self.assertIsNone(r.header("location"))
        self.assertIn("cannot provide that level", r.body)
        log = self.nginx.new_log()
        self.assertEqual(log.count("deny_loa"), 1, log)

    def test_session_below_high_gets_the_page_not_a_step_up(self):
        b, r, _ = self.login(path="/secure/x")      # alice: Substantial
        self.assertEqual(r.status, 303, r.body)
        self.nginx.new_log()
        r = b.get(self.url("/high/x"))
        self.assertEqual(r.status, 403, r.location)
        self.assertIsNone(r.header("location"))
        self.assertIn("NSIS H\u00f8j", r.body)
        log = self.nginx.new_log()
        self.assertEqual(log.count("deny_loa"), 1, log)
        # the session still works where it is good enough
        self.assertEqual(b.get(self.url("/secure/x")).status, 200)

    def test_a_higher_answer_is_capped(self):
        b, r, _ = self.login(path="/secure/x", loa="High")
        self.assertEqual(r.status, 303, r.body)
        e = self.echo(b.get(self.url("/secure/x")).body)
        self.assertEqual(e["LoA"], "substantial")


class NoLoaTest(LoaTestCase):

    idp_options = "profile=oiosaml2-no-loa max_loa=nist2"

    def test_no_level_requested_and_the_asserted_level_used(self):
        login, r = self.to_idp(Browser(), "/app/x")
        xml, _ = authn_request(r.location)
        self.assertNotIn("RequestedAuthnContext", xml)
        b, r, _ = self.login(user="carl", path="/app/x")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(self.echo(b.get(self.url("/app/x")).body)["LoA"],
                         "nist2")

    def test_unreachable_level_is_explained_without_asking_the_idp(self):
        b, r, _ = self.login(user="carl", path="/app/x")
        r = b.get(self.url("/secure/x"))
        self.assertEqual(r.status, 403)
        self.assertIn("NIST-niveau 2", r.body)
        self.assertIn("NSIS Betydelig", r.body)
        log = self.nginx.new_log()
        self.assertEqual(log.count("deny_loa"), 1, log)
        r = Browser().get(self.url("/saml/login?loa=substantial"))
        self.assertEqual(r.status, 403)
        self.assertIn("cannot provide that level", r.body)


class LoginStormTest(LoaTestCase):

    login_limit = "3 60s"

    def test_a_browser_that_loops_gets_429(self):
        # the first login without a browser cookie counts under the
        # address and User-Agent, the next ones under the new cookie
        b = Browser()
        for _ in range(1 + 3):
            r = b.get(self.url("/saml/login?return=/app/x"))
            self.assertEqual(r.status, 302)
        self.nginx.new_log()
        r = b.get(self.url("/saml/login?return=/app/x"))
        self.assertDenied(r, 429, "deny_too_many_logins")
        r = b.get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(r.status, 429)
        self.assertNotIn("deny_too_many_logins", self.nginx.new_log())
        # another browser is not affected
        r = Browser().get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(r.status, 302)

    def test_a_client_without_cookies_is_limited_too(self):
        # counted by address and User-Agent, with ten times the limit
        seen = []
        for _ in range(40):
            r = Browser().get(self.url("/saml/login?return=/public/"),
                              headers={"Accept": HTML,
                                       "User-Agent": "no-cookies/1.0"})
            seen.append(r.status)
            if r.status == 429:
                break
        self.assertEqual(seen, [302] * 30 + [429])
        self.nginx.new_log()
