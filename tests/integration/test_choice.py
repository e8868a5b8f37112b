"""The IdP choice page and the remember-my-choice cookie that never traps
a user: valid, tampered, expired, unknown, replaced, removed and broken
IdPs, CSRF, the language switch, the filter without JavaScript, the
address hint and the backup IdP."""

import base64
import datetime
import os
import re
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand
from cryptography.x509.oid import NameOID

from harness import (CERTS, HTML, Browser, SpTestCase, cert, form_action,
                     form_fields, idp_metadata)

REMEMBER = "oiosaml-idp"


def sealed(purpose, plain):
    """A cookie sealed as the gateway seals it (docs/choice-page.md)."""
    secret = open(cert("cookie.key"), "rb").read().rstrip(b"\r\n")
    prk = HKDF(algorithm=hashes.SHA256(), length=32,
               salt=b"oiosaml cookie secret v1", info=b"")._extract(secret)
    key = HKDFExpand(algorithm=hashes.SHA256(), length=32,
                     info=purpose.encode()).derive(prk)
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, plain.encode(), purpose.encode())
    raw = b"\x01" + nonce + ct
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def opened(purpose, value):
    secret = open(cert("cookie.key"), "rb").read().rstrip(b"\r\n")
    prk = HKDF(algorithm=hashes.SHA256(), length=32,
               salt=b"oiosaml cookie secret v1", info=b"")._extract(secret)
    key = HKDFExpand(algorithm=hashes.SHA256(), length=32,
                     info=purpose.encode()).derive(prk)
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return AESGCM(key).decrypt(raw[1:13], raw[13:], purpose.encode()).decode()


def choice_cookie(idp, when=None):
    return sealed("choice", "1\n%d\n%s" % (when or time.time(), idp))


def expired_cert(path_key, path_crt):
    """A key and a certificate that expired yesterday."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired")])
    now = datetime.datetime.utcnow()
    crt = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
           .public_key(key.public_key()).serial_number(1)
           .not_valid_before(now - datetime.timedelta(days=30))
           .not_valid_after(now - datetime.timedelta(days=1))
           .sign(key, hashes.SHA256()))
    open(path_key, "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    open(path_crt, "wb").write(crt.public_bytes(serialization.Encoding.PEM))


class ChoiceTestCase(SpTestCase):

    extra_idps = ""
    opts = {}           # more oiosaml_idp parameters, by IdP id

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = cls.nginx.dir
        expired_cert(os.path.join(d, "old.key"), os.path.join(d, "old.crt"))
        for name, certs in (("korsbaek", ["idp.crt"]),
                            ("borgen", ["idp.crt"]),
                            ("mitid", ["idp.crt"]),
                            ("aeroe", ["idp.crt"]),
                            ("hidden", ["idp.crt"]),
                            ("down", ["idp.crt"]),
                            ("broken", [os.path.join(d, "old.crt")])):
            idp_metadata(os.path.join(d, name + ".xml"),
                         "https://%s.test/" % name,
                         cls.base + "/idp/%s/" % name, certs)
        test_line = ("oiosaml_idp test metadata=%s/idp.xml %s;"
                     % (d, cls.idp_options))
        conf = cls.http_config().replace(test_line, test_line + f"""
        oiosaml_idp korsbaek metadata={d}/korsbaek.xml
                    "label=Korsbæk Kommune" {cls.opts.get("korsbaek", "")};
        oiosaml_idp borgen metadata={d}/borgen.xml "label=Borgen Kommune"
                    replaces=oldborgen,older;
        oiosaml_idp mitid metadata={d}/mitid.xml "label=MitID Erhverv";
        oiosaml_idp aeroe metadata={d}/aeroe.xml "label=Ærø Kommune";
        oiosaml_idp hidden metadata={d}/hidden.xml "label=Skjult" hidden;
        oiosaml_idp down metadata={d}/down.xml "label=Nede Kommune"
                    down backup=mitid;
        oiosaml_idp broken metadata={d}/broken.xml
                    "label=Brudt Kommune" backup=mitid;
        {cls.extra_idps}
""")
        for name in ("korsbaek", "borgen", "mitid", "aeroe", "hidden"):
            conf = conf.replace(
                "        location /idp/ {",
                f"""        location /idp/{name}/ {{
            oiosaml_test_idp entity_id=https://{name}.test/
                key={CERTS}/idp.key cert={CERTS}/idp.crt
                sp_cert={CERTS}/sp.crt
                sp_sls=https://127.0.0.1:{cls.port}/saml/sls
                users={os.path.dirname(__file__)}/users.conf;
        }}

        location /idp/ {{""", 1)
        cls.nginx.write(conf)
        cls.nginx.reload()

    def page(self, b, query=""):
        r = b.get(self.url("/saml/choose" + query))
        self.assertEqual(r.status, 200, r.body)
        return r

    def listed(self, body):
        return re.findall(r'<li class="idp"[^>]*><input type="radio" '
                          r'name="idp" id="idp-([^"]+)"', body)

    def choose(self, b, idp, remember=False, **extra):
        page = self.page(b, "?return=%2Fapp%2Fx")
        fields = form_fields(page.body.split('method="post"')[1])
        post = {"csrf": fields["csrf"], "return": fields["return"],
                "idp": idp}
        if remember:
            post["remember"] = "1"
        post.update(extra)
        return b.post(self.url("/saml/choose"), post)


class ChoicePageTest(ChoiceTestCase):

    def test_protected_request_shows_the_page(self):
        b = Browser()
        r = b.get(self.url("/app/x"))
        self.assertEqual(r.status, 302)
        r = b.get(r.location)
        self.assertEqual(r.status, 302)
        self.assertTrue(r.location.startswith(self.url("/saml/choose?")))
        self.assertIn("return=%2Fapp%2Fx", r.location)
        r = b.get(r.location)
        self.assertEqual(r.status, 200)
        self.assertIn('<html lang="da">', r.body)
        self.assertIn('value="/app/x"', r.body)

    def test_list_sorted_danish_hidden_left_out(self):
        body = self.page(Browser()).body
        self.assertEqual(self.listed(body),
                         ["borgen", "broken", "korsbaek", "mitid", "down",
                          "test", "aeroe"])
        self.assertIn("Korsbæk Kommune", body)

    def test_accessible_form(self):
        body = self.page(Browser()).body
        for idp in self.listed(body):
            self.assertIn('<label for="idp-%s">' % idp, body)
        self.assertIn('<label for="q">', body)
        self.assertIn('<label for="remember">', body)
        self.assertIn("<legend>", body)
        self.assertIn('name="viewport"', body)
        self.assertIn(":focus-visible", body)

    def test_languages(self):
        self.assertIn("Vælg login-metode", self.page(Browser()).body)
        r = self.page(Browser(), "?lang=en&return=%2Fapp%2Fx")
        self.assertIn('<html lang="en">', r.body)
        self.assertIn("Choose how to log in", r.body)
        self.assertIn('href="/saml/choose?lang=da&amp;return=/app/x"',
                      r.body)
        r = Browser().get(self.url("/saml/choose"),
                          headers={"Accept": HTML,
                                   "Accept-Language": "en-GB,en;q=0.8"})
        self.assertIn("Choose how to log in", r.body)
        r = Browser().get(self.url("/saml/choose"),
                          headers={"Accept": HTML,
                                   "Accept-Language": "da,en;q=0.8"})
        self.assertIn("Vælg login-metode", r.body)

    def test_filter_without_javascript(self):
        self.assertEqual(self.listed(self.page(Browser(), "?q=kors").body),
                         ["korsbaek"])
        self.assertEqual(self.listed(self.page(Browser(), "?q=KORSB").body),
                         ["korsbaek"])
        self.assertEqual(
            self.listed(self.page(Browser(), "?q=%C3%86R%C3%98").body),
            ["aeroe"])
        body = self.page(Browser(), "?q=nothing-like-this").body
        self.assertEqual(self.listed(body), [])
        self.assertIn("Ingen login-metoder passer", body)

    def test_choosing_starts_the_login(self):
        b = Browser()
        r = self.choose(b, "korsbaek")
        self.assertEqual(r.status, 302, r.body)
        self.assertTrue(r.location.startswith(
            self.url("/idp/korsbaek/sso?")))
        self.assertNotIn(REMEMBER, b.cookies)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page)
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.header("location"), "/app/x")
        e = self.echo(b.get(self.url("/app/x")).body)
        self.assertEqual(e["IdP"], "korsbaek")

    def test_csrf(self):
        b = Browser()
        page = self.page(b)
        fields = form_fields(page.body.split('method="post"')[1])
        good = {"csrf": fields["csrf"], "return": "/", "idp": "korsbaek"}
        # no token, a forged token, another browser's token
        r = b.post(self.url("/saml/choose"), dict(good, csrf=""))
        self.assertDenied(r, 403, "deny_csrf")
        r = b.post(self.url("/saml/choose"), dict(good, csrf="A" * 60))
        self.assertDenied(r, 403, "deny_csrf")
        other = Browser()
        self.page(other)
        r = other.post(self.url("/saml/choose"), good)
        self.assertDenied(r, 403, "deny_csrf")
        # another site's form
        r = b.request("POST", self.url("/saml/choose"),
                      body=urllib.parse.urlencode(good),
                      headers={"Origin": "https://evil.test",
                               "Content-Type":
                               "application/x-www-form-urlencoded"})
        self.assertDenied(r, 403, "deny_csrf")
        # and the real one
        r = b.request("POST", self.url("/saml/choose"),
                      body=urllib.parse.urlencode(good),
                      headers={"Origin": self.base, "Content-Type":
                               "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 302)

    def test_choosing_an_unknown_or_unavailable_idp(self):
        b = Browser()
        r = self.choose(b, "nope")
        self.assertDenied(r, 403, "deny_unknown_idp")
        r = self.choose(b, "down")
        self.assertEqual(r.status, 200)
        self.assertIn("Nede Kommune er ikke tilgængelig lige nu", r.body)

    def test_unavailable_idps_are_disabled_and_backups_offered(self):
        body = self.page(Browser()).body
        self.assertRegex(body, r'id="idp-down" value="down" disabled')
        self.assertRegex(body, r'id="idp-broken" value="broken" disabled')
        self.assertRegex(body, r'class="backup"><legend>Brug i stedet'
                               r'</legend>\s*<div class="idp"><input '
                               r'type="radio" name="idp" id="backup-mitid"')
        self.assertIn('id="idp-korsbaek" value="korsbaek" required', body)

    def test_idp_hint_selects_directly(self):
        r = Browser().get(self.url("/saml/login?idp=mitid&return=/app/x"))
        self.assertEqual(r.status, 302)
        self.assertTrue(r.location.startswith(self.url("/idp/mitid/sso?")))


class RememberTest(ChoiceTestCase):

    def remembered_login(self, value):
        """A new browser with only this cookie logs in: where to?"""
        b = Browser()
        b.cookies[REMEMBER] = (value, "/saml/")
        r = b.get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(r.status, 302, r.body)
        return b, r

    def test_remember_and_use(self):
        b = Browser()
        r = self.choose(b, "korsbaek", remember=True)
        self.assertEqual(r.status, 302)
        sc = [c for c in r.headers["set-cookie"] if c.startswith(REMEMBER)]
        self.assertEqual(len(sc), 1)
        for attr in ("Path=/saml/", "Max-Age=2592000", "HttpOnly", "Secure",
                     "SameSite=Lax"):
            self.assertIn(attr, sc[0])
        value = b.cookies[REMEMBER][0]
        self.assertIn("\nkorsbaek", opened("choice", value))
        # later, the login goes straight to the remembered IdP
        b2, r = self.remembered_login(value)
        self.assertTrue(r.location.startswith(self.url("/idp/korsbaek/sso?")))
        # and the cookie is refreshed
        self.assertIn(REMEMBER, "".join(r.headers["set-cookie"]))

    def test_tampered_cookie_shows_the_page(self):
        value = choice_cookie("korsbaek")
        bad = value[:-5] + ("AAAAA" if value[-5:] != "AAAAA" else "BBBBB")
        b, r = self.remembered_login(bad)
        self.assertTrue(r.location.startswith(self.url("/saml/choose?")))
        self.assertNotIn(REMEMBER, b.cookies)
        self.assertIn("remembered choice ignored", self.nginx.new_log())
        r = b.get(r.location)
        self.assertEqual(r.status, 200)
        self.assertNotIn('class="notice"', r.body)

    def test_cookie_sealed_with_another_secret_is_ignored(self):
        b, r = self.remembered_login("AZ" + "x" * 60)
        self.assertTrue(r.location.startswith(self.url("/saml/choose?")))

    def test_expired_cookie_shows_the_page(self):
        b, r = self.remembered_login(
            choice_cookie("korsbaek", time.time() - 31 * 86400))
        self.assertTrue(r.location.startswith(self.url("/saml/choose?")))
        self.assertNotIn(REMEMBER, b.cookies)

    def test_unknown_idp_shows_the_page_with_a_notice(self):
        b, r = self.remembered_login(choice_cookie("gone-kommune"))
        self.assertTrue(r.location.startswith(self.url("/saml/choose?")))
        self.assertNotIn(REMEMBER, b.cookies)
        b.cookies[REMEMBER] = (choice_cookie("gone-kommune"), "/saml/")
        r = b.get(r.location)
        self.assertIn("findes ikke længere", r.body)

    def test_replaced_idp_goes_to_the_new_one(self):
        for old in ("oldborgen", "older"):
            b, r = self.remembered_login(choice_cookie(old))
            self.assertTrue(r.location.startswith(
                self.url("/idp/borgen/sso?")), r.location)
            self.assertIn("\nborgen", opened("choice", b.cookies[REMEMBER][0]))
        self.assertIn('was replaced by "borgen"', self.nginx.new_log())

    def test_broken_trust_shows_the_page_with_the_backup(self):
        for idp, label in (("broken", "Brudt Kommune"),
                           ("down", "Nede Kommune")):
            b, r = self.remembered_login(choice_cookie(idp))
            self.assertTrue(r.location.startswith(self.url("/saml/choose?")))
            r = b.get(r.location)
            self.assertIn(label + " er ikke tilgængelig lige nu", r.body)
            self.assertIn('id="backup-mitid"', r.body)

    def test_forget(self):
        b = Browser()
        self.choose(b, "korsbaek", remember=True)
        self.assertIn(REMEMBER, b.cookies)
        r = b.get(self.url("/saml/forget?return=%2Fapp%2Fx"))
        self.assertEqual(r.status, 302)
        self.assertEqual(r.location, self.url("/saml/choose?return=%2Fapp%2Fx"))
        self.assertNotIn(REMEMBER, b.cookies)
        r = b.get(self.url("/saml/login?return=/app/x"))
        self.assertTrue(r.location.startswith(self.url("/saml/choose?")))

    def test_not_remembering_forgets_an_old_choice(self):
        b = Browser()
        self.choose(b, "korsbaek", remember=True)
        self.choose(b, "borgen")
        self.assertNotIn(REMEMBER, b.cookies)


class AddressHintTest(ChoiceTestCase):

    idp_options = "profile=oiosaml3 ip=127.0.0.0/8,::1"

    def test_one_matching_range_selects_the_idp(self):
        r = Browser().get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(r.status, 302)
        self.assertTrue(r.location.startswith(self.url("/idp/sso?")),
                        r.location)

    def test_a_remembered_choice_wins_over_the_range(self):
        b = Browser()
        b.cookies[REMEMBER] = (choice_cookie("mitid"), "/saml/")
        r = b.get(self.url("/saml/login?return=/app/x"))
        self.assertTrue(r.location.startswith(self.url("/idp/mitid/sso?")))


class TwoRangesTest(ChoiceTestCase):

    idp_options = "profile=oiosaml3 ip=127.0.0.1"
    opts = {"korsbaek": "ip=127.0.0.0/24"}

    def test_several_matching_ranges_show_the_page(self):
        r = Browser().get(self.url("/saml/login?return=/app/x"))
        self.assertEqual(r.status, 302)
        self.assertTrue(r.location.startswith(self.url("/saml/choose?")),
                        r.location)
