"""The test IdP's run-time switches (docs/test-idp.md): flipped through
its admin endpoint (loopback only), held by every worker, shown in its
metadata, and each giving the gateway behaviour the docs promise: a named
denial, the backup offered, no failed login across a prepared key switch
(as oiosamlctl rollover check predicted)."""

import json
import os
import re
import subprocess
import time

from harness import BUILD, CERTS, Browser, SpTestCase, idp_metadata

HERE = os.path.dirname(__file__)
USERS = os.path.join(HERE, "users-personas.conf")
CTL = os.path.join(BUILD, "oiosamlctl")
KOMMUNE = "https://idp.kommune.test/"


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class ScenarioTestCase(SpTestCase):
    """The gateway with IdP "kommune" (a NemLog-in3 persona that can
    rotate to idp-next) and its backup "erhverv"; the gateway reads
    kommune's metadata from a file the test writes from the IdP's own
    metadata endpoint, as an operator's fetch would."""

    allowed_errors = ()

    server_extra = """
        oiosaml_metadata_refresh 1s;
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;

        location /kommune/ {
            oiosaml_test_idp entity_id=$KOMMUNE persona=nemlogin3
                key=$CERTS/idp.key cert=$CERTS/idp.crt
                next_key=$CERTS/idp-next.key next_cert=$CERTS/idp-next.crt
                sp_cert=$CERTS/sp.crt encrypt_cert=$CERTS/sp.crt
                users=$USERS base_url=$BASE/kommune/;
        }

        location /erhverv/ {
            oiosaml_test_idp entity_id=https://erhverv.test/
                persona=nemlogin3 key=$CERTS/idp.key cert=$CERTS/idp.crt
                sp_cert=$CERTS/sp.crt users=$USERS
                base_url=$BASE/erhverv/;
        }
"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = cls.nginx.dir
        cls.kommune_md = os.path.join(d, "kommune.xml")
        idp_metadata(cls.kommune_md, KOMMUNE, cls.base + "/kommune/",
                     ["idp.crt"])
        idp_metadata(os.path.join(d, "erhverv.xml"), "https://erhverv.test/",
                     cls.base + "/erhverv/", ["idp.crt"])
        conf = cls.http_config().replace(
            "oiosaml_idp test",
            f"oiosaml_idp kommune metadata={cls.kommune_md} "
            "profile=oiosaml3 \"label=Demo Kommune\" backup=erhverv;\n"
            f"        oiosaml_idp erhverv metadata={d}/erhverv.xml "
            "profile=oiosaml3 \"label=MitID Erhverv\";\n"
            "        oiosaml_idp test")
        cls.nginx.write(conf)
        cls.nginx.reload()

    @classmethod
    def http_config(cls):
        return (super().http_config()
                .replace("$KOMMUNE", KOMMUNE).replace("$CERTS", CERTS)
                .replace("$USERS", USERS).replace("$BASE", cls.base))

    def setUp(self):
        super().setUp()
        self.admin("reset")

    def admin(self, switch, value=None, headers=None):
        body = {"switch": switch}
        if value is not None:
            body["value"] = value
        r = Browser().post(self.url("/kommune/admin"), body,
                           headers=headers)
        if headers is None:
            self.assertEqual(r.status, 200, r.body)
            return json.loads(r.body)
        return r

    def state(self):
        r = Browser().get(self.url("/kommune/admin"))
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)

    def idp_md(self):
        r = Browser().get(self.url("/kommune/metadata"))
        self.assertEqual(r.status, 200, r.body)
        return r.body

    bump = [2]

    def publish(self):
        """The IdP's metadata as published now, into the gateway's file;
        waits until the gateway has refreshed it."""
        self.nginx.new_log()
        tmp = self.kommune_md + ".new"
        with open(tmp, "w") as f:
            f.write(self.idp_md())
        t = time.time() + self.bump[0]
        self.bump[0] += 2
        os.utime(tmp, (t, t))
        os.rename(tmp, self.kommune_md)
        deadline = time.time() + 5
        while time.time() < deadline:
            if "refreshed from" in self.nginx.log()[self.nginx.seen:]:
                self.nginx.new_log()
                return
            time.sleep(0.1)
        self.fail("the gateway did not refresh the metadata:\n"
                  + self.nginx.new_log())

    def start(self, b=None):
        """Our login at kommune -> its login page."""
        b = b or Browser()
        r = b.get(self.url("/saml/login?idp=kommune&return=/app/x"))
        self.assertEqual(r.status, 302, r.body)
        self.assertIn("/kommune/sso?", r.location)
        return b, b.get(r.location)

    def login(self, user="karen", **knobs):
        b, page = self.start()
        acs, answer = self.idp_answer(b, page, user, **knobs)
        return b, b.post(acs, answer)

    def rollover_check(self, at, cert="idp-next.crt"):
        extra = ["--idp-cert", f"kommune={CERTS}/{cert}"] if cert else []
        return subprocess.run(
            [CTL, "rollover", "check", self.nginx.conf, "--at", iso(at)]
            + extra, capture_output=True, text=True)


class SwitchesTest(ScenarioTestCase):

    allowed_errors = ("oiosaml test idp: admin: unknown switch",)

    def test_admin_is_loopback_only(self):
        r = self.admin("audience", headers={"X-Forwarded-For": "10.1.2.3"})
        self.assertEqual(r.status, 403)
        self.assertIn("admin refused to 10.1.2.3", self.nginx.new_log())
        self.assertFalse(self.state()["audience"])
        r = Browser().post(self.url("/kommune/admin"), {"switch": "nope"})
        self.assertEqual(r.status, 400)
        self.assertIn("unknown switch", r.body)

    def test_every_worker_holds_a_switch(self):
        self.assertEqual(len(self.nginx.workers()), 2)
        changes = self.admin("audience")["changes"]
        for _ in range(10):
            s = self.state()
            self.assertTrue(s["audience"])
            self.assertEqual(s["changes"], changes)
        for _ in range(6):
            _, r = self.login()
            self.assertDenied(r, 403, "deny_audience")
        self.admin("audience", "off")
        for _ in range(4):
            self.assertEqual(self.login()[1].status, 303)

    def test_error_status(self):
        self.admin("error")
        _, r = self.login()
        line = self.assertDenied(r, 403, "deny_status")
        self.assertIn("AuthnFailed", line)
        self.admin("error", "urn:oasis:names:tc:SAML:2.0:status:Requester "
                   "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext")
        _, r = self.login()
        self.assertIn("NoAuthnContext", self.assertDenied(r, 403,
                                                          "deny_status"))

    def test_wrong_audience(self):
        self.admin("audience")
        _, r = self.login()
        self.assertIn('does not name our entityID "https://sp.test/"',
                      self.assertDenied(r, 403, "deny_audience"))

    def test_expired(self):
        self.admin("expired")
        _, r = self.login()
        self.assertDenied(r, 403, "deny_expired")

    def test_replay(self):
        self.assertEqual(self.login()[1].status, 303)
        self.admin("replay")
        _, r = self.login()
        self.assertDenied(r, 403, "deny_replay")

    def test_slow(self):
        self.admin("slow", "2")
        t = time.time()
        b, r = self.login()
        self.assertEqual(r.status, 303, r.body)
        # the login page and the answer each waited
        self.assertGreaterEqual(time.time() - t, 4)
        self.assertEqual(b.get(self.url("/app/x")).status, 200)

    def test_every_switch_shows_in_the_metadata(self):
        self.assertNotIn("test IdP switches", self.idp_md())
        self.admin("slow", "1")
        self.admin("audience")
        self.admin("expired")
        self.admin("replay")
        self.admin("error")
        self.admin("down", "+3600")
        self.admin("rotate", "+3600")
        md = self.idp_md()
        comment = re.search(r"<!--(.*?)-->", md).group(1)
        for word in ("signing key rotation at", "next key published",
                     "down from", "slow 1s", "error urn:", "wrong audience",
                     "expired assertions", "replayed assertion IDs"):
            self.assertIn(word, comment)
        self.assertIn(f'validUntil="{iso(time.time() + 3600)[:15]}', md)
        self.assertEqual(md.count("<ds:X509Certificate>"), 2)
        self.admin("reset")
        self.assertNotIn("<!--", self.idp_md())


class DownTest(ScenarioTestCase):
    """Down at an instant: the metadata ends there, so the gateway takes
    the IdP out at that instant and offers its backup; an answer that
    arrives later is refused; the IdP itself answers 503."""

    def test_down_offers_the_backup(self):
        at = time.time() + 4
        s = self.admin("down", iso(at))
        self.assertFalse(s["down"])
        self.publish()
        self.assertIn(f'validUntil="{iso(at)}"', self.idp_md())
        # the operator's check predicts it
        r = self.rollover_check(at + 1, None)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("validUntil", r.stdout)
        r = self.rollover_check(at - 2, None)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # before: logins work; one is left waiting at the IdP
        self.assertEqual(self.login()[1].status, 303)
        b, page = self.start()
        acs, answer = self.idp_answer(b, page, "karen")
        time.sleep(max(0, at - time.time()) + 1)
        self.assertTrue(self.state()["down"])

        r = Browser().get(self.url("/saml/choose?return=/app/x"))
        self.assertRegex(r.body, r'id="idp-kommune" value="kommune" '
                                 r'disabled')
        self.assertIn('id="backup-erhverv"', r.body)
        r = b.post(acs, answer)
        self.assertDenied(r, 503, "deny_idp_unavailable")
        r = Browser().get(self.url("/kommune/sso?SAMLRequest=x"))
        self.assertEqual(r.status, 503)

        # up again: new metadata, and the gateway takes it back
        self.admin("up")
        self.publish()
        self.assertEqual(self.login()[1].status, 303)


class RotationTest(ScenarioTestCase):
    """A prepared switch: the IdP publishes its next certificate before
    the instant, the gateway refreshes, oiosamlctl predicts OK, and no
    login fails before, at or after the switch."""

    def test_prepared_switch(self):
        at = time.time() + 5
        s = self.admin("rotate", iso(at))
        self.assertEqual(s["signing"], "key")
        self.assertEqual(self.idp_md().count("<ds:X509Certificate>"), 2)
        self.publish()
        for t in (at + 1, at + 3600):
            r = self.rollover_check(t)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("OK: logins would work at", r.stdout)

        statuses = []
        while time.time() < at + 2:
            signing = self.state()["signing"]
            statuses.append((signing, self.login()[1].status))
        self.assertIn(("key", 303), statuses)
        self.assertIn(("next_key", 303), statuses)

        # after the switch the IdP publishes only the new certificate
        self.assertEqual(self.idp_md().count("<ds:X509Certificate>"), 1)
        self.publish()
        for _ in range(3):
            statuses.append(("after", self.login()[1].status))
        self.assertEqual([s for s in statuses if s[1] != 303], [],
                         statuses)


class RotationUnpreparedTest(ScenarioTestCase):
    """The same switch, but the gateway never got the new metadata:
    oiosamlctl predicts the failure, and logins fail from the instant
    with a named denial until the new metadata is in place."""

    allowed_errors = ("deny_signature",)

    def test_unprepared_switch(self):
        at = time.time() + 3
        self.admin("rotate", iso(at))
        r = self.rollover_check(at + 1)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("FAIL: logins would fail at", r.stdout)
        self.assertEqual(self.login()[1].status, 303)
        time.sleep(max(0, at - time.time()) + 0.5)
        self.nginx.new_log()
        _, r = self.login()
        self.assertIn('(idp "kommune")',
                      self.assertDenied(r, 403, "deny_signature"))
        self.publish()
        self.assertEqual(self.login()[1].status, 303)
