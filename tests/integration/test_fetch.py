"""oiosamlctl metadata fetch: IdP metadata from a URL (libcurl), checked
by the library as the gateway loads it, written atomically.  A local nginx
serves metadata over https with the test TLS certificate: good, badly
signed, expired, for another entity, 404, slow, oversized (with and
without Content-Length), not XML, redirects; and the target file must
survive every failure (also a half-written one), a stale temp file must
not be picked up, and an unchanged document is not rewritten.  The
--config mode (the systemd timer's job) and the shipped units."""

import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import unittest

from harness import (BUILD, CERTS, ROOT, Nginx, SpTestCase, cert,
                     free_port, idp_metadata, wait_port)
from test_oiosamlctl import sign_metadata

CTL = os.path.join(BUILD, "oiosamlctl")
IDP = "https://idp.test/"

# exit codes, one per failure class (tools/oiosamlctl.h)
USAGE, LOCAL = 2, 3
NETWORK, HTTP, TOO_LARGE, TIMEOUT, NOT_METADATA = 10, 11, 12, 13, 14
SIGNATURE, EXPIRED, ENTITY, WRITE = 15, 16, 17, 18


class FetchTestCase(unittest.TestCase):
    """One nginx serving metadata files over https (and http)."""

    @classmethod
    def setUpClass(cls):
        if not os.access(CTL, os.X_OK):
            raise AssertionError(f"{CTL} is missing: run 'make' first")
        cls.port = free_port()
        cls.http_port = free_port()
        cls.nginx = Nginx(cls.__name__, "")
        cls.www = os.path.join(cls.nginx.dir, "www")
        os.makedirs(cls.www)
        cls.make_documents()
        c = CERTS
        www = cls.www
        cls.nginx.write(f"""
    types {{ application/samlmetadata+xml xml; }}
    server {{
        listen 127.0.0.1:{cls.port} ssl;
        ssl_certificate {c}/tls.crt;
        ssl_certificate_key {c}/tls.key;
        root {www};

        location = /slow.xml {{
            limit_rate 64;
        }}
        location = /gzip/big.xml {{
            alias {www}/big.xml;
            gzip on;
            gzip_types application/samlmetadata+xml;
            gzip_min_length 0;
        }}
        location = /moved.xml {{
            return 302 /good.xml;
        }}
        location = /to-http.xml {{
            return 302 http://127.0.0.1:{cls.http_port}/good.xml;
        }}
        location = /error.xml {{
            return 500;
        }}
    }}
    server {{
        listen 127.0.0.1:{cls.http_port};
        root {www};
    }}
""")
        cls.nginx.start([cls.port, cls.http_port])

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        problems = cls.nginx.problems()
        if not os.environ.get("KEEP"):
            cls.nginx.cleanup()
        problems = [p for p in problems if "open()" not in p]
        if problems:
            raise AssertionError("unexpected error log lines:\n"
                                 + "\n".join(problems))

    @classmethod
    def make_documents(cls):
        w = cls.www
        idp_metadata(f"{w}/good.xml", IDP, "https://idp.test/",
                     ["idp.crt"])
        idp_metadata(f"{w}/good2.xml", IDP, "https://idp.test/",
                     ["idp.crt", "idp-next.crt"])
        sign_metadata(f"{w}/good.xml", f"{w}/signed.xml",
                      cert("idp-next.key"), cert("idp-next.crt"))
        sign_metadata(f"{w}/good.xml", f"{w}/signed-wrong.xml",
                      cert("idp-wrong.key"), cert("idp-wrong.crt"))
        text = open(f"{w}/good.xml").read()
        with open(f"{w}/expired.xml", "w") as f:
            f.write(text.replace(' entityID=',
                                 ' validUntil="2020-01-01T00:00:00Z"'
                                 ' entityID=', 1))
        with open(f"{w}/other.xml", "w") as f:
            f.write(text.replace(IDP, "https://other.test/"))
        with open(f"{w}/html.xml", "w") as f:
            f.write("<html><body><h1>Maintenance</h1><p>back soon</p>"
                    "</body></html>\n")
        with open(f"{w}/text.xml", "w") as f:
            f.write("this is not XML at all\n")
        # a valid document padded with a comment: 1.5 MiB
        with open(f"{w}/big.xml", "w") as f:
            f.write(text.replace("<md:IDPSSODescriptor",
                                 "<!-- " + "x" * (1536 * 1024) + " -->"
                                 "<md:IDPSSODescriptor", 1))
        shutil.copy(f"{w}/good.xml", f"{w}/slow.xml")

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fetch-",
                                    dir=os.path.join(BUILD, "tmp"))

    def tearDown(self):
        if not os.environ.get("KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name):
        return f"https://127.0.0.1:{self.port}/{name}"

    def out(self, name="idp.xml"):
        return os.path.join(self.dir, name)

    def fetch(self, name, *args, out=None, ca=True, timeout=60):
        cmd = [CTL, "metadata", "fetch",
               name if "://" in name else self.url(name),
               "--out", out or self.out()]
        if ca:
            cmd += ["--ca", cert("tls.crt")]
        return subprocess.run(cmd + list(args), capture_output=True,
                              text=True, timeout=timeout)

    def assertExit(self, r, code):
        self.assertEqual(r.returncode, code,
                         f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")

    def served(self, name):
        return open(os.path.join(self.www, name), "rb").read()

    def snapshot(self, path):
        st = os.stat(path)
        return (open(path, "rb").read(), st.st_ino, st.st_mtime_ns,
                stat.S_IMODE(st.st_mode))

    def assertFailsKeeping(self, name, code, reason, *args):
        """A good file is in place; the fetch fails with code and the
        named reason, and the file is exactly as it was."""
        if not os.path.exists(self.out()):
            r = self.fetch("good.xml")
            self.assertExit(r, 0)
        before = self.snapshot(self.out())
        r = self.fetch(name, *args)
        self.assertExit(r, code)
        self.assertEqual(r.stdout, "")
        self.assertIn(f"FAILED ({reason})", r.stderr)
        self.assertIn("the file was kept as it was", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertEqual(self.snapshot(self.out()), before)
        self.assertEqual(self.stray_files(), [])
        return r

    def stray_files(self):
        return sorted(f for f in os.listdir(self.dir)
                      if f.startswith(".idp.xml."))


class FetchTest(FetchTestCase):

    def test_good_written_atomically_then_unchanged(self):
        r = self.fetch("good.xml")
        self.assertExit(r, 0)
        self.assertEqual(r.stderr, "")
        self.assertEqual(len(r.stdout.splitlines()), 1, r.stdout)
        self.assertRegex(r.stdout, r"^\S+: written \S+idp.xml: entityID "
                         r"https://idp\.test/, validUntil none, 1 signing "
                         r"certificate, unsigned \(no --signer\), \d+ bytes, "
                         r"sha256 [0-9a-f]{16}\n$")
        self.assertEqual(open(self.out(), "rb").read(),
                         self.served("good.xml"))
        self.assertEqual(stat.S_IMODE(os.stat(self.out()).st_mode), 0o644)
        self.assertEqual(self.stray_files(), [])

        # the same document again: not rewritten
        before = self.snapshot(self.out())
        time.sleep(0.01)
        r = self.fetch("good.xml")
        self.assertExit(r, 0)
        self.assertIn(": unchanged ", r.stdout)
        self.assertEqual(self.snapshot(self.out()), before)

        # a new document: a new file (a new inode) renamed over it
        r = self.fetch("good2.xml")
        self.assertExit(r, 0)
        self.assertIn(": written ", r.stdout)
        self.assertIn("2 signing certificates", r.stdout)
        self.assertNotEqual(os.stat(self.out()).st_ino, before[1])
        self.assertEqual(open(self.out(), "rb").read(),
                         self.served("good2.xml"))

        # the library agrees: the gateway would load it
        r = subprocess.run([CTL, "metadata", "verify", self.out()],
                           capture_output=True, text=True)
        self.assertExit(r, 0)

    def test_redirect_within_https(self):
        r = self.fetch("moved.xml")
        self.assertExit(r, 0)
        self.assertEqual(open(self.out(), "rb").read(),
                         self.served("good.xml"))

    def test_signed(self):
        r = self.fetch("signed.xml", "--signer", cert("idp-next.crt"))
        self.assertExit(r, 0)
        self.assertIn("signature verified", r.stdout)

    def test_bad_signature(self):
        r = self.assertFailsKeeping("signed-wrong.xml", SIGNATURE,
                                    "signature", "--signer",
                                    cert("idp-next.crt"))
        self.assertIn("metadata_signer: signature on EntityDescriptor does "
                      "not verify", r.stderr)
        r = self.assertFailsKeeping("good.xml", SIGNATURE, "signature",
                                    "--signer", cert("idp-next.crt"))
        self.assertIn("metadata_signer: the metadata is not signed",
                      r.stderr)

    def test_expired(self):
        r = self.assertFailsKeeping("expired.xml", EXPIRED, "expired")
        self.assertIn("metadata expired at 2020-01-01T00:00:00Z", r.stderr)

    def test_wrong_entity(self):
        r = self.assertFailsKeeping("other.xml", ENTITY, "wrong-entity",
                                    "--entity", IDP)
        self.assertIn('describes entityID "https://other.test/", not '
                      'entity="https://idp.test/"', r.stderr)
        r = self.fetch("other.xml", "--entity", "https://other.test/",
                       out=self.out("other.xml"))
        self.assertExit(r, 0)

    def test_http_status(self):
        r = self.assertFailsKeeping("missing.xml", HTTP, "http-status")
        self.assertIn("HTTP status 404", r.stderr)
        r = self.assertFailsKeeping("error.xml", HTTP, "http-status")
        self.assertIn("HTTP status 500", r.stderr)

    def test_slow_server_times_out(self):
        start = time.time()
        r = self.assertFailsKeeping("slow.xml", TIMEOUT, "timeout",
                                    "--timeout", "2")
        self.assertLess(time.time() - start, 10)
        self.assertIn("--timeout 2s", r.stderr)

    def test_connect_timeout(self):
        # a listener whose accept queue is full: SYNs go unanswered
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(0)
        port = s.getsockname()[1]
        fill = []
        try:
            for _ in range(4):
                c = socket.socket()
                c.setblocking(False)
                c.connect_ex(("127.0.0.1", port))
                fill.append(c)
            time.sleep(0.2)
            start = time.time()
            r = self.fetch(f"https://127.0.0.1:{port}/x.xml",
                           "--connect-timeout", "1", "--timeout", "20")
            elapsed = time.time() - start
        finally:
            for c in fill:
                c.close()
            s.close()
        self.assertExit(r, TIMEOUT)
        self.assertLess(elapsed, 8)

    def test_oversized(self):
        # Content-Length known: refused before the body
        r = self.assertFailsKeeping("big.xml", TOO_LARGE, "too-large")
        self.assertIn("larger than --max-size 1048576 bytes", r.stderr)
        # compressed and chunked (no length): counted as it is decoded
        r = self.assertFailsKeeping("gzip/big.xml", TOO_LARGE, "too-large")
        # a smaller limit, and one large enough
        r = self.assertFailsKeeping("good.xml", TOO_LARGE, "too-large",
                                    "--max-size", "200")
        r = self.fetch("gzip/big.xml", "--max-size", "2m")
        self.assertExit(r, 0)
        self.assertEqual(open(self.out(), "rb").read(),
                         self.served("big.xml"))

    def test_not_metadata(self):
        r = self.assertFailsKeeping("text.xml", NOT_METADATA, "not-metadata")
        self.assertIn("malformed XML", r.stderr)
        r = self.assertFailsKeeping("html.xml", NOT_METADATA,
                                    "not-metadata")
        self.assertIn("neither EntityDescriptor nor EntitiesDescriptor",
                      r.stderr)

    def test_tls_is_verified(self):
        # the test certificate is in no system store: refused without --ca
        r = self.fetch("good.xml", ca=False)
        self.assertExit(r, NETWORK)
        self.assertIn("FAILED (network)", r.stderr)
        self.assertIn("nothing was written", r.stderr)
        self.assertFalse(os.path.exists(self.out()))
        # another CA: refused too
        r = self.fetch("good.xml", "--ca", cert("idp.crt"), ca=False)
        self.assertExit(r, NETWORK)
        self.assertFalse(os.path.exists(self.out()))

    def test_http_refused_unless_allowed_with_signer(self):
        http = f"http://127.0.0.1:{self.http_port}/signed.xml"
        r = self.fetch(http)
        self.assertExit(r, USAGE)
        self.assertIn("only https://", r.stderr)
        r = self.fetch(http, "--allow-http")
        self.assertExit(r, USAGE)
        self.assertIn("--allow-http needs --signer", r.stderr)
        r = self.fetch(http, "--allow-http", "--signer",
                       cert("idp-next.crt"))
        self.assertExit(r, 0)
        # a redirect from https to http is refused like http itself
        r = self.fetch("to-http.xml", out=self.out("redirected.xml"))
        self.assertExit(r, NETWORK)
        self.assertFalse(os.path.exists(self.out("redirected.xml")))

    def test_local_files(self):
        r = self.fetch("signed.xml", "--signer", self.out("missing.crt"))
        self.assertExit(r, LOCAL)
        self.assertIn("FAILED (local-file)", r.stderr)
        self.assertIn("missing.crt", r.stderr)

    def test_write_error(self):
        r = self.fetch("good.xml", out=self.out("no/such/dir/idp.xml"))
        self.assertExit(r, WRITE)
        self.assertIn("FAILED (write)", r.stderr)
        self.assertIn("cannot create a file in", r.stderr)

    def test_usage(self):
        for args in ([], ["https://x/"], ["--out", "f"],
                     ["https://x/", "--out", "f", "--max-size", "5m"],
                     ["https://x/", "--out", "f", "--max-size", "0"],
                     ["https://x/", "--out", "f", "--timeout", "0"],
                     ["https://x/", "--out", "f", "--frob"]):
            r = subprocess.run([CTL, "metadata", "fetch"] + args,
                               capture_output=True, text=True)
            self.assertExit(r, USAGE)

    def test_half_written_target_and_stale_temp_files(self):
        # a target half written by something else, and temp files of an
        # interrupted run: a failed fetch leaves all of them alone
        good = self.served("good.xml")
        with open(self.out(), "wb") as f:
            f.write(good[:len(good) // 2])
        for junk in (".idp.xml.AbC123", "idp.xml.tmp"):
            with open(self.out(junk), "wb") as f:
                f.write(good[:100])
        before = self.snapshot(self.out())
        r = self.fetch("missing.xml")
        self.assertExit(r, HTTP)
        self.assertEqual(self.snapshot(self.out()), before)

        # a good fetch replaces the broken target; the temp files are not
        # picked up (and not touched: they may be another run's)
        r = self.fetch("good.xml")
        self.assertExit(r, 0)
        self.assertIn(": written ", r.stdout)
        self.assertEqual(open(self.out(), "rb").read(), good)
        self.assertEqual(open(self.out(".idp.xml.AbC123"), "rb").read(),
                         good[:100])
        self.assertEqual(self.stray_files(), [".idp.xml.AbC123"])


class FetchConfigTest(FetchTestCase):
    """--config: every IdP of a fetch.conf, as the systemd timer runs it."""

    def test_config(self):
        conf = os.path.join(self.dir, "fetch.conf")
        with open(conf, "w") as f:
            f.write(f"""# ID     URL                       FILE      [options]
good   {self.url('good.xml')}   good.xml  --ca {cert('tls.crt')}
gone   {self.url('missing.xml')}  gone.xml --ca {cert('tls.crt')}

signed {self.url('signed.xml')}#frag  signed.xml --ca {cert('tls.crt')} """
                    f"""--signer {cert('idp-next.crt')}  # a comment
other  {self.url('other.xml')} other.xml --ca {cert('tls.crt')} """
                    f"""--entity https://other.test/
""")
        r = subprocess.run([CTL, "metadata", "fetch", "--config", conf],
                           capture_output=True, text=True, timeout=120)
        # every line is tried; the exit code is the first failure's
        self.assertExit(r, HTTP)
        self.assertRegex(r.stdout, r"(?m)^good: written ")
        self.assertRegex(r.stdout, r"(?m)^signed: written .*signature "
                         r"verified")
        self.assertRegex(r.stdout, r"(?m)^other: written ")
        self.assertIn("fetch.conf: 3 ok, 1 failed", r.stdout)
        self.assertRegex(r.stderr, r"(?m)^gone: FAILED \(http-status\)")
        for name in ("good.xml", "signed.xml", "other.xml"):
            self.assertTrue(os.path.exists(os.path.join(self.dir, name)))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "gone.xml")))

        # --only one IdP; unchanged the second time
        r = subprocess.run([CTL, "metadata", "fetch", "--config", conf,
                            "--only", "good"], capture_output=True,
                           text=True, timeout=60)
        self.assertExit(r, 0)
        self.assertRegex(r.stdout, r"(?m)^good: unchanged ")
        r = subprocess.run([CTL, "metadata", "fetch", "--config", conf,
                            "--only", "nobody"], capture_output=True,
                           text=True)
        self.assertExit(r, USAGE)

    def test_config_errors(self):
        conf = os.path.join(self.dir, "fetch.conf")
        for text, needle in (
                ("a https://x/\n", "expected \"ID URL FILE"),
                ("a https://x/ f --frob\n", "unknown option"),
                (f"a {self.url('good.xml')} a.xml --ca {cert('tls.crt')}\n"
                 f"a {self.url('good.xml')} b.xml\n", "duplicate ID")):
            with open(conf, "w") as f:
                f.write(text)
            r = subprocess.run([CTL, "metadata", "fetch", "--config", conf],
                               capture_output=True, text=True, timeout=60)
            self.assertExit(r, LOCAL)
            self.assertIn(needle, r.stderr)
            self.assertIn("fetch.conf:", r.stderr)
        r = subprocess.run([CTL, "metadata", "fetch", "--config",
                            conf + ".missing"], capture_output=True,
                           text=True)
        self.assertExit(r, LOCAL)


class FetchUnitsTest(unittest.TestCase):
    """The systemd units under conf/systemd/ are valid and run the tool
    with the configuration file, unprivileged and sandboxed."""

    UNITS = os.path.join(ROOT, "conf", "systemd")

    def unit(self, name):
        return open(os.path.join(self.UNITS, name)).read()

    def test_units(self):
        service = self.unit("oiosaml-metadata-fetch.service")
        timer = self.unit("oiosaml-metadata-fetch.timer")
        self.assertRegex(service, r"(?m)^ExecStart=/usr/bin/oiosamlctl "
                         r"metadata fetch --config /etc/oiosaml/fetch\.conf$")
        self.assertRegex(service, r"(?m)^User=oiosaml$")
        self.assertRegex(service, r"(?m)^Type=oneshot$")
        for option in ("NoNewPrivileges=yes", "ProtectSystem=strict",
                       "ProtectHome=yes", "PrivateTmp=yes",
                       "PrivateDevices=yes", "CapabilityBoundingSet=",
                       "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                       "SystemCallFilter=@system-service",
                       "StateDirectory=oiosaml/metadata"):
            self.assertRegex(service, rf"(?m)^{re.escape(option)}$")
        self.assertRegex(timer, r"(?m)^RandomizedDelaySec=\S+$")
        self.assertRegex(timer, r"(?m)^Unit=oiosaml-metadata-fetch\.service$")
        example = self.unit("fetch.conf")
        for line in example.splitlines():
            if line.strip() and not line.startswith("#"):
                self.fail("the example fetch.conf fetches nothing by "
                          "default: " + line)

    def test_manual(self):
        r = subprocess.run([CTL, "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("metadata fetch URL --out FILE", r.stdout)
        self.assertIn("metadata fetch --config FILE [--only ID]", r.stdout)
        for code in range(10, 19):
            self.assertRegex(r.stdout, rf"(?m)^    {code}  \S")
        self.assertIn("no reload is needed", r.stdout)
        for line in r.stdout.splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_systemd_analyze_verify(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("no systemd-analyze")
        with tempfile.TemporaryDirectory(dir=os.path.join(BUILD, "tmp")) \
                as d:
            for name in ("oiosaml-metadata-fetch.service",
                         "oiosaml-metadata-fetch.timer"):
                text = self.unit(name).replace("/usr/bin/oiosamlctl", CTL)
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            r = subprocess.run([analyze, "verify", "--man=no",
                                os.path.join(d, "oiosaml-metadata-fetch"
                                                ".timer"),
                                os.path.join(d, "oiosaml-metadata-fetch"
                                                ".service")],
                               capture_output=True, text=True)
        out = "\n".join(line for line in (r.stdout + r.stderr).splitlines()
                        if "oiosaml-metadata-fetch" in line
                        and "Failed to" not in line)
        self.assertEqual(out, "", r.stdout + r.stderr)


class FetchRefreshTest(SpTestCase):
    """The gateway takes a fetched file on its refresh timer: no reload."""

    server_extra = """
        oiosaml_metadata_refresh 1s;
        location /md/ {
            alias $MD/;
        }
"""

    @classmethod
    def http_config(cls):
        md = os.path.join(cls.nginx.dir, "served")
        os.makedirs(md, exist_ok=True)
        return super().http_config().replace("$MD", md)

    def test_fetched_metadata_is_refreshed_without_reload(self):
        served = os.path.join(self.nginx.dir, "served", "idp.xml")
        idp_metadata(served, IDP, self.base + "/idp/",
                     ["idp.crt", "idp-next.crt"])
        os.chmod(os.path.dirname(served), 0o755)
        self.nginx.new_log()
        workers = self.nginx.workers()
        # the mtime must move past the file the gateway loaded
        time.sleep(1.1)
        r = subprocess.run([CTL, "metadata", "fetch",
                            self.url("/md/idp.xml"), "--out", self.metadata,
                            "--ca", cert("tls.crt")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("2 signing certificates", r.stdout)
        deadline = time.time() + 5
        log = ""
        while time.time() < deadline and "refreshed from" not in log:
            time.sleep(0.3)
            log += self.nginx.new_log()
        self.assertIn('metadata of IdP "test" refreshed from', log)
        self.assertEqual(self.nginx.workers(), workers)
        b, r, _ = self.login()
        self.assertEqual(r.status, 303, r.body)
