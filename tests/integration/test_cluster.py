"""Two nginx nodes sharing a real Redis (oiosaml_store): sessions, replay,
logout and the login limit across nodes; Redis slow, down and back; a
Sentinel failover; what someone who reads Redis can learn.

Both nodes are configured with node A's address as the public URL (the
load balancer's, in production); a request "on B" is sent to B's port.
"""

import os
import re
import time
import unittest
import urllib.parse

from harness import (CERTS, USERS, Browser, Nginx, SLOW, free_port,
                     form_action, form_fields, idp_metadata)
import redis_server
from redis_server import Redis, Sentinel

SESSION = "__Host-oiosaml"
ALICE = "C=DK,O=12345678,CN=Alice Andersen,Serial=2f3e8a4c-1b7d-4e5f-" \
        "9a0b-c1d2e3f40001"


def node_config(port, up_port, public_port, store, d, extra=""):
    c = CERTS
    return f"""
    oiosaml_zone oiosaml:4m;
    {store}

    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {c}/tls.crt;
        ssl_certificate_key {c}/tls.key;

        oiosaml_sp https://sp.test/ url=https://127.0.0.1:{public_port}/saml/;
        oiosaml_sp_key {c}/sp.key {c}/sp.crt;
        oiosaml_cookie_secret {c}/cookie.key;
        oiosaml_idp test metadata={d}/idp.xml profile=oiosaml3;
{extra}
        location /app/ {{
            oiosaml on;
            proxy_pass http://127.0.0.1:{up_port};
        }}

        location /idp/ {{
            oiosaml_test_idp entity_id=https://idp.test/
                key={c}/idp.key cert={c}/idp.crt
                sp_cert={c}/sp.crt users={USERS}
                sp_sls=https://127.0.0.1:{public_port}/saml/sls
                encrypt_cert={c}/sp.crt;
        }}
    }}

    server {{
        listen 127.0.0.1:{up_port};
        oiosaml_strip_headers off;
        location / {{
            default_type text/plain;
            return 200 "User=$http_x_oiosaml_user\\nLoA=$http_x_oiosaml_loa\\n";
        }}
    }}
"""


@unittest.skipUnless(redis_server.available(), "redis-server is not "
                     "installed (make deps)")
class ClusterTestCase(unittest.TestCase):
    """Redis, and nodes A and B sharing it."""

    store_options = f"timeout={min(60000, int(300 * SLOW))}ms cache=1s"
    server_extra = "        oiosaml_login_limit off;\n"
    allowed_errors = ()

    @classmethod
    def store_line(cls):
        return (f"oiosaml_store redis://127.0.0.1:{cls.redis.port} "
                f"{cls.store_options};")

    @classmethod
    def start_redis(cls):
        cls.redis = Redis(cls.__name__).start()

    @classmethod
    def setUpClass(cls):
        cls.start_redis()
        cls.nodes = []
        cls.port_a = free_port()
        for name in ("A", "B"):
            port = cls.port_a if name == "A" else free_port()
            up = free_port()
            n = Nginx(f"{cls.__name__}-{name}", "")
            idp_metadata(os.path.join(n.dir, "idp.xml"), "https://idp.test/",
                         f"https://127.0.0.1:{cls.port_a}/idp/",
                         ("idp.crt",))
            n.write(node_config(port, up, cls.port_a, cls.store_line(),
                                n.dir, cls.server_extra))
            n.start([port, up])
            n.port = port
            cls.nodes.append(n)
        cls.a, cls.b = cls.nodes

    @classmethod
    def tearDownClass(cls):
        problems = []
        for n in cls.nodes:
            n.stop()
            problems += [p for p in n.problems()
                         if not any(a in p for a in cls.allowed_errors)]
            if not os.environ.get("KEEP"):
                n.cleanup()
        cls.stop_redis()
        if problems:
            raise AssertionError("unexpected error log lines:\n"
                                 + "\n".join(problems))

    @classmethod
    def stop_redis(cls):
        cls.redis.stop()
        if not os.environ.get("KEEP"):
            cls.redis.cleanup()

    def setUp(self):
        for n in self.nodes:
            n.new_log()

    def tearDown(self):
        for n in self.nodes:
            crashed = [line for line in n.log().splitlines()
                       if "exited on signal" in line]
            self.assertEqual(crashed, [])

    def url(self, node, path):
        return f"https://127.0.0.1:{node.port}{path}"

    def answer(self, b, node=None):
        """A login started on node: (ACS URL, the IdP's answer)."""
        node = node or self.a
        r = b.get(self.url(node, "/app/x"))
        self.assertEqual(r.status, 302, r.body)
        r = b.get(urllib.parse.urljoin(self.url(node, "/"), r.location))
        self.assertEqual(r.status, 302, r.body)
        return self.at_idp(b, r.location)

    def at_idp(self, b, location):
        """alice logs in at the IdP: (ACS URL, the IdP's answer)."""
        page = b.get(location)
        self.assertEqual(page.status, 200, page.body)
        fields = form_fields(page.body)
        post = {"SAMLRequest": fields["SAMLRequest"], "user": "alice"}
        if fields.get("RelayState"):
            post["RelayState"] = fields["RelayState"]
        r = b.post(urllib.parse.urljoin(page.url, form_action(page.body)
                                        or "login"), post)
        self.assertEqual(r.status, 200, r.body)
        return form_action(r.body), form_fields(r.body)

    def on(self, node, acs):
        """The ACS URL as the node's own address."""
        return self.url(node, urllib.parse.urlsplit(acs).path)

    def login(self, node=None, b=None):
        b = b or Browser()
        acs, answer = self.answer(b, node)
        r = b.post(self.on(node or self.a, acs), answer)
        self.assertEqual(r.status, 303, r.body[:400])
        self.assertIn(SESSION, b.cookies)
        return b

    def until(self, b, node, path, status, seconds=10):
        """Asks until the node answers with status; returns the answer."""
        deadline = time.time() + seconds * SLOW
        while True:
            r = b.get(self.url(node, path))
            if r.status == status or time.time() > deadline:
                self.assertEqual(r.status, status, r.body[:300])
                return r
            time.sleep(0.2)

    def user(self, r):
        m = re.search(r"^User=(.*)$", r.body, re.M)
        return m.group(1) if m else None


class SharedSessionTest(ClusterTestCase):

    def test_login_on_a_is_a_session_on_b(self):
        b = self.login(self.a)
        r = b.get(self.url(self.b, "/app/x"))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.user(r), ALICE)
        r = b.get(self.url(self.a, "/app/y"))
        self.assertEqual(self.user(r), ALICE)

    def test_logout_on_a_ends_it_on_b_within_the_cache_lifetime(self):
        b = self.login(self.a)
        cookie = dict(b.cookies)
        self.assertEqual(b.get(self.url(self.b, "/app/x")).status, 200)
        r = b.get(self.url(self.a, "/saml/logout"))
        self.assertIn(r.status, (200, 302, 303))
        thief = Browser()
        thief.cookies = cookie
        # at once on A (its zone too), within cache=1s (and the clock's
        # second) on B
        self.assertEqual(thief.get(self.url(self.a, "/app/x")).status, 302)
        time.sleep(2.2 * SLOW)
        self.assertEqual(thief.get(self.url(self.b, "/app/x")).status, 302)

    def test_pending_login_started_on_a_answered_on_b(self):
        b = Browser()
        acs, answer = self.answer(b, self.a)
        r = b.post(self.on(self.b, acs), answer)
        self.assertEqual(r.status, 303, r.body[:400])
        self.assertEqual(self.user(b.get(self.url(self.a, "/app/x"))), ALICE)

    def test_the_same_response_on_a_then_on_b_is_a_replay(self):
        b = Browser()
        acs, answer = self.answer(b, self.a)
        pending = {k: v for k, v in b.cookies.items()
                   if k.startswith("oiosaml-req-")}
        r = b.post(self.on(self.a, acs), answer)
        self.assertEqual(r.status, 303, r.body[:400])
        thief = Browser()
        thief.cookies = dict(pending)
        r = thief.post(self.on(self.b, acs), answer)
        self.assertEqual(r.status, 403, r.body[:400])
        self.assertNotIn(SESSION, thief.cookies)
        self.assertIn("deny_replay", self.b.new_log())

    def test_a_logout_request_acts_once_across_nodes(self):
        b = self.login(self.a)
        r = b.get(self.url(self.a, "/idp/logout_user?nameid="
                           + urllib.parse.quote(ALICE)))
        self.assertEqual(r.status, 302, r.body)
        sls = urllib.parse.urlsplit(r.location)
        r = b.get(self.url(self.a, sls.path + "?" + sls.query))
        self.assertEqual(r.status, 302, r.body)
        r = Browser().get(self.url(self.b, sls.path + "?" + sls.query))
        self.assertEqual(r.status, 403, r.body[:300])
        self.assertIn("deny_replay", self.b.new_log())

    def test_nothing_readable_in_redis(self):
        b = self.login(self.a)
        cookie = b.cookies[SESSION][0]
        keys = self.redis.cli("--scan", "--pattern", "*").split()
        self.assertTrue(any(k.startswith("oiosaml:s:") for k in keys), keys)
        dump = b"\n".join(keys[i].encode() for i in range(len(keys)))
        for k in keys:
            dump += b"\n" + self.redis.cli("GET", k, raw=True)
        for secret in (ALICE, "Alice", "alice@demo-kommune.dk", "12345678",
                       "2f3e8a4c", cookie):
            self.assertNotIn(secret.encode(), dump, secret)
        # nor the session ID's bytes
        raw = urllib.parse.unquote_to_bytes(cookie)
        import base64
        sid = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
        self.assertNotIn(sid, dump)
        self.assertNotIn(raw, dump)


class LoginLimitTest(ClusterTestCase):
    server_extra = "        oiosaml_login_limit 3 60s;\n"
    allowed_errors = ()

    def test_the_limit_counts_logins_on_both_nodes(self):
        b = Browser()
        statuses = []
        for i in range(6):
            node = self.a if i % 2 == 0 else self.b
            r = b.get(self.url(node, "/saml/login?idp=test"))
            statuses.append(r.status)
        # the first names the browser by address (and sets its cookie),
        # the next three are counted under the cookie, on either node
        self.assertEqual(statuses[:4], [302, 302, 302, 302], statuses)
        self.assertEqual(statuses[4:], [429, 429], statuses)


class RedisDownTest(ClusterTestCase):
    """Slow (stopped) and down (killed) Redis: named 503s, no hang, and
    everything back without a reload."""

    allowed_errors = ("oiosaml: store",)

    @classmethod
    def start_redis(cls):
        cls.redis = Redis(cls.__name__, save=True).start()

    def assertUnavailable(self, r):
        self.assertEqual(r.status, 503, r.body[:300])
        self.assertIn("midlertidigt", r.body)

    def test_slow_redis_then_back(self):
        b = self.login(self.a)
        self.redis.pause()
        try:
            # fresh in A's zone: served without Redis
            self.assertEqual(b.get(self.url(self.a, "/app/x")).status, 200)
            time.sleep(2.2 * SLOW)
            t = time.time()
            self.assertUnavailable(b.get(self.url(self.a, "/app/x")))
            self.assertLess(time.time() - t, 3 * SLOW)
            # A knows: no login starts that could not be recorded
            self.assertUnavailable(Browser().get(
                self.url(self.a, "/saml/login?idp=test")))
            for _ in range(3):
                self.assertUnavailable(b.get(self.url(self.a, "/app/y")))
        finally:
            self.redis.resume()
        r = self.until(b, self.a, "/app/x", 200)
        self.assertEqual(self.user(r), ALICE)
        log = self.a.log() + self.b.log()
        self.assertEqual(len(re.findall(r"oiosaml: store .*no answer", log)),
                         1, log[-2000:])
        self.assertIn("answers again", log)

    def test_redis_down_then_back_keeps_its_sessions(self):
        b = self.login(self.a)
        self.redis.stop(save=True)
        time.sleep(2.2 * SLOW)
        self.assertUnavailable(b.get(self.url(self.b, "/app/x")))
        self.assertUnavailable(Browser().get(
            self.url(self.a, "/saml/login?idp=test")))
        self.__class__.redis = Redis(self.__class__.__name__,
                                     port=self.redis.port,
                                     directory=self.redis.dir,
                                     save=True).start()
        for node in (self.b, self.a):
            r = self.until(b, node, "/app/x", 200, 15)
            self.assertEqual(self.user(r), ALICE)
        self.login(self.b)


class StoreAtStartTest(ClusterTestCase):
    """A store that cannot be reached at start is logged, not fatal."""

    allowed_errors = ("oiosaml: store",)

    @classmethod
    def start_redis(cls):
        cls.redis = Redis(cls.__name__)     # not started

    def test_nginx_runs_and_says_why(self):
        r = Browser().get(self.url(self.a, "/saml/login?idp=test"))
        self.assertEqual(r.status, 503)
        time.sleep(0.3)
        log = self.a.log()
        self.assertIn("oiosaml: store", log)
        self.redis.start()
        self.until(Browser(), self.a, "/saml/login?idp=test", 302, 15)
        self.login(self.a)


class SentinelFailoverTest(ClusterTestCase):
    """A failover to the replica: the sessions live on."""

    allowed_errors = ("oiosaml: store",)

    @classmethod
    def start_redis(cls):
        cls.redis = Redis(cls.__name__).start()
        cls.replica = Redis("replica", replica_of=cls.redis.port,
                            directory=cls.redis.dir).start()
        cls.sentinel = Sentinel(cls.redis.dir, cls.redis.port).start()
        deadline = time.time() + 10
        while time.time() < deadline:
            if "master_link_status:up" in cls.replica.cli("INFO",
                                                          "replication"):
                break
            time.sleep(0.1)

    @classmethod
    def store_line(cls):
        return (f"oiosaml_store sentinel=127.0.0.1:{cls.sentinel.port} "
                f"master=oiosaml {cls.store_options};")

    @classmethod
    def stop_redis(cls):
        cls.sentinel.stop()
        cls.replica.stop()
        super().stop_redis()

    def test_failover_keeps_sessions(self):
        b = self.login(self.a)
        self.assertEqual(self.redis.cli("WAIT", "1", "2000").strip(), "1")
        self.redis.kill()
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.sentinel.master() == self.replica.port:
                break
            time.sleep(0.2)
        self.assertEqual(self.sentinel.master(), self.replica.port)
        r = self.until(b, self.b, "/app/x", 200)
        self.assertEqual(self.user(r), ALICE)
        self.login(self.b)


class EndedSessionMessageTest(ClusterTestCase):
    """Logout and a replaced session reach the other node at once through
    the subscription to <prefix>ended, even with cache=60s; a subscription
    lost and made again (Redis restarted, the client killed) drops the
    node's cached copies."""

    store_options = f"timeout={min(60000, int(300 * SLOW))}ms cache=60s"
    allowed_errors = ("oiosaml: store",)
    channel = "oiosaml:ended"
    at_once = 1.0           # s: B must refuse within this

    def setUp(self):
        super().setUp()
        self.subscribed()

    def subscribed(self, nodes=2, seconds=15):
        """Waits until that many nodes are subscribed (worker 0 of each)."""
        deadline = time.time() + seconds * SLOW
        while True:
            out = self.redis.cli("PUBSUB", "NUMSUB", self.channel).split()
            n = int(out[1]) if len(out) == 2 else -1
            if n == nodes or time.time() > deadline:
                self.assertEqual(n, nodes, out)
                return
            time.sleep(0.05)

    def cached_on_b(self, b):
        """B has read the session from Redis: its zone holds a copy."""
        for _ in range(4):      # both workers, whichever answers
            r = b.get(self.url(self.b, "/app/x"))
            self.assertEqual(r.status, 200, r.body[:300])
            self.assertEqual(self.user(r), ALICE)

    def refused_at_once(self, cookie, node=None):
        """The node refuses the cookie within at_once seconds."""
        node = node or self.b
        thief = Browser()
        thief.cookies = dict(cookie)
        t = time.time()
        deadline = t + self.at_once * SLOW
        while True:
            r = thief.get(self.url(node, "/app/x"))
            if r.status == 302 or time.time() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(r.status, 302, "still served after "
                         f"{time.time() - t:.2f} s: {r.body[:200]}")
        # and it stays refused, whichever worker answers
        for _ in range(4):
            self.assertEqual(thief.get(self.url(node, "/app/y")).status, 302)
        return time.time() - t

    def logout_on_a(self, b):
        r = b.get(self.url(self.a, "/saml/logout"))
        self.assertIn(r.status, (200, 302, 303))

    def test_logout_on_a_ends_it_on_b_at_once(self):
        b = self.login(self.a)
        cookie = dict(b.cookies)
        self.cached_on_b(b)
        self.logout_on_a(b)
        self.refused_at_once(cookie, self.a)
        self.refused_at_once(cookie)

    def test_logout_on_b_ends_it_on_a_at_once(self):
        b = self.login(self.a)
        cookie = dict(b.cookies)
        self.assertEqual(self.user(b.get(self.url(self.a, "/app/x"))), ALICE)
        self.cached_on_b(b)
        r = b.get(self.url(self.b, "/saml/logout"))
        self.assertIn(r.status, (200, 302, 303))
        self.refused_at_once(cookie, self.a)

    def test_a_new_login_ends_the_session_it_replaces_on_b_at_once(self):
        b = self.login(self.a)
        old = dict(b.cookies)
        self.cached_on_b(b)
        # a second login in the same browser: the ACS ends the old session
        r = b.get(self.url(self.a, "/saml/login?idp=test&return=/app/x"))
        self.assertEqual(r.status, 302, r.body)
        acs, answer = self.at_idp(b, r.location)
        r = b.post(self.on(self.a, acs), answer)
        self.assertEqual(r.status, 303, r.body[:400])
        self.assertNotEqual(b.cookies[SESSION], old[SESSION])
        self.refused_at_once(old)
        self.assertEqual(self.user(b.get(self.url(self.b, "/app/x"))), ALICE)

    def test_only_key_digests_on_the_channel(self):
        import socket
        sub = socket.create_connection(("127.0.0.1", self.redis.port), 10)
        try:
            sub.sendall(f"SUBSCRIBE {self.channel}\r\n".encode())
            self.subscribed(3)
            b = self.login(self.a)
            cookie = dict(b.cookies)
            keys = self.redis.cli("--scan", "--pattern",
                                  "oiosaml:s:*").split()
            self.logout_on_a(b)
            self.refused_at_once(cookie, self.a)
            data = b""
            sub.settimeout(2 * SLOW)
            while data.count(b"message") < 1 or not data.endswith(b"\r\n"):
                chunk = sub.recv(4096)
                if not chunk:
                    break
                data += chunk
        finally:
            sub.close()
        # *3 $7 message $13 oiosaml:ended $64 <hex>
        lines = data.split(b"\r\n")
        i = lines.index(b"message")
        digest = lines[i + 4].decode()
        self.assertRegex(digest, r"^[0-9a-f]{64}$")
        self.assertIn("oiosaml:s:" + digest, keys)
        self.assertNotIn(cookie[SESSION][0].encode(), data)

    def test_nonsense_on_the_channel_is_ignored(self):
        b = self.login(self.a)
        self.cached_on_b(b)
        for m in ("", "x" * 64, "0" * 63, "0" * 65, "z" * 200):
            self.redis.cli("PUBLISH", self.channel, m)
        self.cached_on_b(b)
        self.subscribed()

    def test_subscriber_killed_then_back(self):
        b = self.login(self.a)
        self.cached_on_b(b)
        self.assertIn("2", self.redis.cli("CLIENT", "KILL", "TYPE",
                                          "pubsub"))
        self.subscribed()
        # the copies were dropped when the subscription went and came back
        self.cached_on_b(b)
        cookie = dict(b.cookies)
        self.logout_on_a(b)
        self.refused_at_once(cookie)
        log = self.b.new_log()
        self.assertIn("subscribed to ended sessions again", log)

    def test_a_logout_missed_while_unsubscribed_is_not_kept(self):
        b = self.login(self.a)
        cookie = dict(b.cookies)
        # no node can subscribe: the messages of this logout are lost
        self.redis.cli("ACL", "SETUSER", "default", "-subscribe")
        try:
            self.redis.cli("CLIENT", "KILL", "TYPE", "pubsub")
            self.subscribed(0)
            self.cached_on_b(b)
            self.logout_on_a(b)
            self.refused_at_once(cookie, self.a)
            time.sleep(0.3)
            # B has not heard of it: its copy is trusted (cache=60s)
            thief = Browser()
            thief.cookies = dict(cookie)
            self.assertEqual(thief.get(self.url(self.b, "/app/x")).status,
                             200)
        finally:
            self.redis.cli("ACL", "SETUSER", "default", "+subscribe")
        # subscribed again (within the 1 s pause): the copies are gone
        t = time.time()
        self.subscribed()
        self.refused_at_once(cookie, self.b)
        self.assertLess(time.time() - t, 3 * SLOW)

    def test_redis_restarted_then_a_logout_reaches_b_at_once(self):
        self.redis.stop()
        self.__class__.redis = Redis(self.__class__.__name__,
                                     port=self.redis.port,
                                     directory=self.redis.dir).start()
        self.subscribed()
        self.until(Browser(), self.a, "/saml/login?idp=test", 302, 15)
        self.until(Browser(), self.b, "/saml/login?idp=test", 302, 15)
        b = self.login(self.a)
        cookie = dict(b.cookies)
        self.cached_on_b(b)
        self.logout_on_a(b)
        self.refused_at_once(cookie)


@unittest.skipUnless(redis_server.available(), "redis-server is not "
                     "installed")
class StoreConfigTest(unittest.TestCase):
    """nginx -t: the directive's errors name file and line."""

    def check(self, store, secret=True):
        n = Nginx("StoreConfig", "")
        try:
            idp_metadata(os.path.join(n.dir, "idp.xml"), "https://idp.test/",
                         "https://127.0.0.1:1/idp/", ("idp.crt",))
            text = node_config(free_port(), free_port(), 443, store, n.dir)
            if not secret:
                text = text.replace(f"oiosaml_cookie_secret {CERTS}"
                                    "/cookie.key;", "")
            n.write(text)
            return n.check()
        finally:
            n.cleanup()

    def test_good(self):
        for store in ("oiosaml_store redis://127.0.0.1:1/2 cache=0;",
                      "oiosaml_store unix:/run/redis.sock db=3 prefix=x:;",
                      "oiosaml_store sentinel=127.0.0.1:1,127.0.0.1:2 "
                      "master=m timeout=2s;",
                      "oiosaml_store zone;"):
            rc, out = self.check(store)
            self.assertEqual(rc, 0, store + "\n" + out)

    def test_bad(self):
        for store, text in (
                ("oiosaml_store memcached://x;", "invalid store"),
                ("oiosaml_store redis://127.0.0.1:1 colour=red;",
                 "invalid parameter"),
                ("oiosaml_store redis://127.0.0.1:1 timeout=0;",
                 "invalid parameter"),
                ("oiosaml_store redis://127.0.0.1:1/x;", "database"),
                ("oiosaml_store sentinel=127.0.0.1:1;", "go together"),
                ("oiosaml_store redis://127.0.0.1:1 "
                 "password_file=/nonexistent;", "password_file"),
                ("oiosaml_store zone; oiosaml_store zone;", "duplicate")):
            rc, out = self.check(store)
            self.assertNotEqual(rc, 0, store)
            self.assertIn(text, out, store)
            self.assertRegex(out, r"nginx\.conf:\d+", store)

    def test_redis_needs_the_cookie_secret(self):
        rc, out = self.check("oiosaml_store redis://127.0.0.1:1;",
                             secret=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("needs oiosaml_cookie_secret", out)


if __name__ == "__main__":
    unittest.main()
