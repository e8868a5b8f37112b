"""Integration test harness: real nginx on 127.0.0.1, real keys, libcurl.

Each test class starts its own nginx (the module under test, the test IdP
module and an upstream that echoes the identity headers) from a config it
writes, and walks the flows with a small cookie-keeping browser on top of
pycurl.
"""

import html
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import pycurl

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "build")
OBJS = os.environ.get("OIOSAML_OBJS", os.path.join(BUILD, "nginx", "objs"))
MODULE = os.path.join(OBJS, "ngx_http_oiosaml_module.so")
TESTIDP = os.path.join(OBJS, "ngx_http_oiosaml_testidp_module.so")
CERTS = os.environ.get("OIOSAML_TEST_CERTS",
                       os.path.join(BUILD, "test-certs"))
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
USERS = os.path.join(ROOT, "tests", "integration", "users.conf")
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

# tests/run-asan runs nginx with the sanitizer runtime preloaded,
# tests/run-valgrind under valgrind; only nginx gets these, not the tools
# the tests call
NGINX_ENV = dict(os.environ)
if os.environ.get("OIOSAML_NGINX_PRELOAD"):
    NGINX_ENV["LD_PRELOAD"] = os.environ["OIOSAML_NGINX_PRELOAD"]
WRAP = os.environ.get("OIOSAML_NGINX_WRAP", "").split()
# nginx under valgrind starts and answers many times slower: the waits for
# it (start, reload, stop, each HTTP request) are multiplied by this
SLOW = float(os.environ.get("OIOSAML_TEST_SLOW", "1"))

# OIOSAML_TEST_STORE: "redis://..." (and options): every SpTestCase keeps
# its state in that Redis (tests/run integration-redis); tests of the
# zone's own bounds skip with it (skip_with_redis)
def store():
    return os.environ.get("OIOSAML_TEST_STORE", "")


def skip_with_redis(reason):
    """Skips a class when its nginx would run on Redis: decided when the
    class starts (the suite imports the tests once, for both runs)."""
    def wrap(cls):
        start = cls.setUpClass

        def setUpClass(klass):
            if store().startswith("redis"):
                raise unittest.SkipTest(reason)
            start.__func__(klass)

        cls.setUpClass = classmethod(setUpClass)
        return cls
    return wrap


# log lines that may appear in a test's error.log without failing it
BENIGN = (
    "signal process started",
)


# the ports free_port() has handed out in this process
_given_ports = set()


def free_port():
    """A loopback port nothing listens on, never one handed out before.

    Once the probe socket is closed the kernel may give the next bind to
    port 0 the same port (here about one pair in 17,000).  A class's two
    ports alike would put its gateway (ssl) and its echo upstream on one
    socket, which nginx starts without a word: every request that reaches
    the upstream then gets 400 "The plain HTTP request was sent to HTTPS
    port"."""
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _given_ports:
            _given_ports.add(port)
            return port


def cert(name):
    return os.path.join(CERTS, name)


def idp_metadata(path, entity_id, base, certs):
    """Writes test IdP metadata with the given signing certificates."""
    out = subprocess.run(
        [os.path.join(ROOT, "certs", "make-idp-metadata.sh"), entity_id,
         base + "sso", base + "slo"] + [cert(c) for c in certs],
        check=True, capture_output=True, text=True).stdout
    with open(path, "w") as f:
        f.write(out)


class Nginx:
    """One nginx instance with a generated configuration."""

    def __init__(self, name, http, wrap=True):
        self.dir = tempfile.mkdtemp(prefix=name + "-",
                                    dir=os.path.join(BUILD, "tmp"))
        # the workers run as an unprivileged user and write temp files here
        os.chmod(self.dir, 0o755)
        os.makedirs(os.path.join(self.dir, "tmp"))
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.error_log = os.path.join(self.dir, "error.log")
        self.pid_file = os.path.join(self.dir, "nginx.pid")
        self.seen = 0
        self.write(http, wrap)

    def write(self, http, wrap=True):
        d = self.dir
        text = http
        if wrap:
            text = f"""
load_module {MODULE};
load_module {TESTIDP};
worker_processes 2;
error_log {self.error_log} info;
pid {self.pid_file};
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
{http}
}}
"""
        with open(self.conf, "w") as f:
            f.write(text)

    def cmd(self, *args, env=None):
        e = dict(NGINX_ENV, **(env or {}))
        return subprocess.run(WRAP + [NGINX, "-p", self.dir, "-c", self.conf]
                              + list(args), capture_output=True, text=True,
                              env=e)

    def check(self, env=None):
        """nginx -t: (returncode, output)."""
        r = self.cmd("-t", env=env)
        return r.returncode, r.stderr + r.stdout

    def start(self, ports=()):
        r = self.cmd()
        if r.returncode != 0:
            raise RuntimeError("nginx failed to start:\n" + r.stderr
                               + self.log())
        for port in ports:
            wait_port(port)

    def master(self):
        with open(self.pid_file) as f:
            return int(f.read())

    def workers(self):
        out = subprocess.run(["pgrep", "-P", str(self.master())],
                             capture_output=True, text=True).stdout
        return set(int(p) for p in out.split())

    def reload(self):
        old = self.workers()
        r = self.cmd("-s", "reload")
        if r.returncode != 0:
            raise RuntimeError("reload failed: " + r.stderr)
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline:
            now = self.workers()
            if now and not (now & old):
                return
            time.sleep(0.05)
        raise RuntimeError("reload did not replace the workers")

    def stop(self):
        try:
            pid = self.master()
        except (OSError, ValueError):
            return
        # what "nginx -s quit" does, without reading the configuration
        # again (seconds under valgrind)
        try:
            os.kill(pid, signal.SIGQUIT)
        except OSError:
            return
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline:
            if not running(pid):
                return
            time.sleep(0.05)
        os.kill(pid, 9)

    def log(self):
        try:
            with open(self.error_log) as f:
                return f.read()
        except OSError:
            return ""

    def new_log(self):
        """The log lines written since the last call."""
        text = self.log()
        new = text[self.seen:]
        self.seen = len(text)
        return new

    def problems(self, text=None):
        """[error] and worse lines that are not expected."""
        if text is None:
            text = self.log()
        bad = []
        for line in text.splitlines():
            if re.search(r"\[(error|crit|alert|emerg)\]", line) \
                    or "exited on signal" in line:
                if not any(b in line for b in BENIGN):
                    bad.append(line)
        return bad

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def running(pid):
    """Has pid not exited? The daemon master is not our child: once it has
    exited it is a zombie until init reaps it, which can take seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_port(port, timeout=10):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


class Response:
    def __init__(self, status, headers, body, url):
        self.status = status
        self.headers = headers          # lowercase name -> [values]
        self.body = body
        self.url = url

    def header(self, name):
        v = self.headers.get(name.lower())
        return v[-1] if v else None

    @property
    def location(self):
        loc = self.header("location")
        if loc is None:
            return None
        return urllib.parse.urljoin(self.url, loc)

    def __repr__(self):
        return f"<Response {self.status} {self.url}>"


class Browser:
    """A cookie-keeping HTTP client on libcurl (pycurl)."""

    def __init__(self):
        self.cookies = {}           # name -> (value, path)

    def cookie_header(self, url):
        path = urllib.parse.urlsplit(url).path or "/"
        parts = [f"{n}={v}" for n, (v, p) in self.cookies.items()
                 if path.startswith(p)]
        return "; ".join(parts)

    def request(self, method, url, headers=None, body=None, cookies=True):
        c = pycurl.Curl()
        buf = io.BytesIO()
        hdr = []
        c.setopt(pycurl.URL, url)
        c.setopt(pycurl.CAINFO, cert("tls.crt"))
        c.setopt(pycurl.WRITEDATA, buf)
        c.setopt(pycurl.HEADERFUNCTION,
                 lambda line: hdr.append(line.decode("latin-1")))
        c.setopt(pycurl.TIMEOUT, int(20 * SLOW))
        h = dict(headers or {})
        if cookies:
            ch = self.cookie_header(url)
            if ch:
                h["Cookie"] = ch
        if method == "POST":
            c.setopt(pycurl.POST, 1)
            if isinstance(body, dict):
                body = urllib.parse.urlencode(body)
                h.setdefault("Content-Type",
                             "application/x-www-form-urlencoded")
            c.setopt(pycurl.POSTFIELDS, body or "")
        elif method == "HEAD":
            c.setopt(pycurl.NOBODY, 1)
        elif method != "GET":
            c.setopt(pycurl.CUSTOMREQUEST, method)
        c.setopt(pycurl.HTTPHEADER, [f"{k}: {v}" for k, v in h.items()])
        c.perform()
        status = c.getinfo(pycurl.RESPONSE_CODE)
        c.close()
        headers = {}
        for line in hdr:
            if ":" in line:
                k, v = line.split(":", 1)
                headers.setdefault(k.strip().lower(), []).append(v.strip())
        for sc in headers.get("set-cookie", []):
            self.take_cookie(sc)
        return Response(status, headers,
                        buf.getvalue().decode("utf-8", "replace"), url)

    def take_cookie(self, line):
        parts = [p.strip() for p in line.split(";")]
        name, _, value = parts[0].partition("=")
        attrs = {}
        for p in parts[1:]:
            k, _, v = p.partition("=")
            attrs[k.lower()] = v
        if attrs.get("max-age") == "0" or value == "":
            self.cookies.pop(name, None)
            return
        self.cookies[name] = (value, attrs.get("path", "/"))

    def get(self, url, **kw):
        kw.setdefault("headers", {"Accept": HTML})
        return self.request("GET", url, **kw)

    def post(self, url, body, **kw):
        return self.request("POST", url, body=body, **kw)


def form_fields(page):
    """Hidden and other named inputs of the first form on a page."""
    fields = {}
    for m in re.finditer(r'<input[^>]*>', page):
        tag = m.group(0)
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[html.unescape(name.group(1))] = \
                html.unescape(value.group(1)) if value else ""
    return fields


def form_action(page):
    m = re.search(r'<form[^>]*action="([^"]*)"', page)
    return html.unescape(m.group(1)) if m else None


class SpTestCase(unittest.TestCase):
    """A running SP (+ test IdP + echo upstream) per test class.

    Subclasses may override idp_options (oiosaml_idp parameters),
    server_extra and http_extra to change the configuration.
    """

    idp_options = "profile=oiosaml3"
    server_extra = ""
    http_extra = ""
    idp_certs = ("idp.crt",)
    # the suite logs in hundreds of times a minute from one address;
    # the limiter has tests of its own (test_loa.py)
    login_limit = "off"
    # [error] lines a test class provokes on purpose
    allowed_errors = ()
    idp_extra = "encrypt_cert={certs}/sp.crt"

    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.up_port = free_port()
        cls.base = f"https://127.0.0.1:{cls.port}"
        cls.nginx = Nginx(cls.__name__, "")
        cls.metadata = os.path.join(cls.nginx.dir, "idp.xml")
        idp_metadata(cls.metadata, "https://idp.test/", cls.base + "/idp/",
                     cls.idp_certs)
        cls.nginx.write(cls.http_config())
        cls.nginx.start([cls.port, cls.up_port])

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        problems = [p for p in cls.nginx.problems()
                    if not any(a in p for a in cls.allowed_errors)]
        keep = os.environ.get("KEEP")
        if not keep:
            cls.nginx.cleanup()
        if problems:
            raise AssertionError("unexpected error log lines:\n"
                                 + "\n".join(problems))

    @classmethod
    def http_config(cls):
        c = CERTS
        d = cls.nginx.dir
        echo = "\\n".join(
            f"{h}=$http_x_oiosaml_{h.lower().replace('-', '_')}"
            for h in ("User", "IdP", "LoA", "CVR", "Name", "Email", "Org",
                      "UUID", "RID", "Spec", "NameID-Format", "Attributes",
                      "Evil", "Bootstrap", "Roles"))
        idp_extra = cls.idp_extra.format(certs=c)
        # a prefix per class: each class's state starts empty, as its
        # own zone would
        line = (f"    oiosaml_store {store()} prefix={cls.__name__[:60]}:;\n"
                if store() else "")
        return f"""
    oiosaml_zone oiosaml:4m;
{line}{cls.http_extra}
    server {{
        listen 127.0.0.1:{cls.port} ssl;
        ssl_certificate {c}/tls.crt;
        ssl_certificate_key {c}/tls.key;

        oiosaml_sp https://sp.test/ url=https://127.0.0.1:{cls.port}/saml/;
        oiosaml_sp_key {c}/sp.key {c}/sp.crt;
        oiosaml_cookie_secret {c}/cookie.key;
        oiosaml_idp test metadata={d}/idp.xml {cls.idp_options};
        oiosaml_login_limit {cls.login_limit};
{cls.server_extra}
        location /app/ {{
            oiosaml on;
            proxy_pass http://127.0.0.1:{cls.up_port};
        }}

        location /public/ {{
            proxy_pass http://127.0.0.1:{cls.up_port};
        }}

        location = /favicon.ico {{
            return 204;
        }}

        location /idp/ {{
            oiosaml_test_idp entity_id=https://idp.test/
                key={c}/idp.key cert={c}/idp.crt
                wrong_key={c}/idp-wrong.key wrong_cert={c}/idp-wrong.crt
                sp_cert={c}/sp.crt users={USERS}
                sp_sls=https://127.0.0.1:{cls.port}/saml/sls
                {idp_extra};
        }}
    }}

    # the application: it trusts the identity headers the gateway sends
    server {{
        listen 127.0.0.1:{cls.up_port};
        oiosaml_strip_headers off;
        location / {{
            default_type text/plain;
            return 200 "{echo}\\n";
        }}
    }}
"""

    def setUp(self):
        self.nginx.new_log()

    def tearDown(self):
        self.assertNoCrash(wait=0)

    def assertNoCrash(self, wait=0.3):
        """A worker that died on a signal (a stack canary, an abort) fails
        the test that was running, even if its answer had been sent; the
        master logs the death a moment after the answer."""
        time.sleep(wait * SLOW)
        crashed = [line for line in self.nginx.log().splitlines()
                   if "exited on signal" in line]
        if crashed:
            self.fail("nginx worker crashed:\n" + "\n".join(crashed))

    def url(self, path):
        return self.base + path

    def echo(self, body):
        """The upstream's echo page as a dict."""
        out = {}
        for line in body.splitlines():
            k, _, v = line.partition("=")
            out[k] = v
        return out

    def start_login(self, b, path="/app/x"):
        """Protected URL -> our login -> the IdP's login page."""
        r = b.get(self.url(path))
        self.assertEqual(r.status, 302, r.body)
        self.assertTrue(r.location.startswith(self.url("/saml/login?")))
        self.assertIn("return=", r.location)
        r = b.get(r.location)
        self.assertEqual(r.status, 302, r.body)
        self.assertTrue(r.location.startswith(self.url("/idp/sso?")),
                        r.location)
        return b.get(r.location)

    def idp_answer(self, b, page, user="alice", **knobs):
        """Picks a user at the test IdP: (acs_url, fields to post)."""
        self.assertEqual(page.status, 200, page.body)
        fields = form_fields(page.body)
        post = {"SAMLRequest": fields["SAMLRequest"], "user": user}
        if fields.get("RelayState"):
            post["RelayState"] = fields["RelayState"]
        post.update({k: str(v) for k, v in knobs.items()})
        action = form_action(page.body) or "login"
        r = b.post(urllib.parse.urljoin(page.url, action), post)
        self.assertEqual(r.status, 200, r.body)
        answer = form_fields(r.body)
        return form_action(r.body), answer

    def login(self, b=None, path="/app/x", user="alice", **knobs):
        """The whole flow; returns (browser, ACS response, posted form)."""
        b = b or Browser()
        page = self.start_login(b, path)
        acs, answer = self.idp_answer(b, page, user, **knobs)
        r = b.post(acs, answer)
        return b, r, answer

    def assertDenied(self, r, status, reason):
        """A short page, the status, and one log line naming the reason."""
        self.assertEqual(r.status, status, r.body[:500])
        self.assertIn("<!DOCTYPE html>", r.body)
        self.assertIn('href="/saml/forget"', r.body)
        log = self.nginx.new_log()
        hits = [l for l in log.splitlines()
                if "oiosaml: " in l and reason in l]
        self.assertEqual(len(hits), 1, log)
        return hits[0]
