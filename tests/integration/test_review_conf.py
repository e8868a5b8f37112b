"""Configuration hygiene from the outside security review (finding 3):
"nginx -t" refuses a cookie secret that is obviously easy to guess, and
keys on weak elliptic curves, each with a message that says why and what
to do.  Extra keys and secrets are made here with the openssl CLI (and
oiosamlctl keygen) in the test's own directory."""

import os
import subprocess
import unittest

from harness import BUILD, CERTS, Nginx, idp_metadata

CTL = os.path.join(BUILD, "oiosamlctl")
CURVES = "only P-256, P-384 or P-521 are accepted"


def server(d, sp="", idp="", extra=""):
    c = CERTS
    sp = sp or f"oiosaml_sp_key {c}/sp.key {c}/sp.crt;"
    idp = idp or f"oiosaml_idp t metadata={d}/idp.xml;"
    return f"""
    oiosaml_zone z:1m;
    server {{
        listen 127.0.0.1:1;
        oiosaml_sp https://sp.test/ url=https://sp.test/saml/;
        {sp}
        {idp}
        {extra}
        location / {{ oiosaml on; }}
    }}
"""


class ReviewConfTestCase(unittest.TestCase):

    def setUp(self):
        self.nginx = Nginx("review-conf", "")
        self.d = self.nginx.dir
        idp_metadata(os.path.join(self.d, "idp.xml"), "https://idp.test/",
                     "https://idp.test/", ["idp.crt"])

    def tearDown(self):
        self.nginx.cleanup()

    def path(self, name):
        return os.path.join(self.d, name)

    def run_tool(self, *args):
        r = subprocess.run(list(args), cwd=self.d, capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def check(self, http):
        self.nginx.write(http)
        return self.nginx.check()

    def accepted(self, http):
        rc, out = self.check(http)
        self.assertEqual(rc, 0, out)
        return out

    def refused(self, http, *words):
        rc, out = self.check(http)
        self.assertNotEqual(rc, 0, out)
        self.assertIn("[emerg]", out)
        for w in words:
            self.assertIn(w, out)
        return out

    def pair(self, name, newkey):
        """A key and a self-signed certificate: name.key, name.crt."""
        args = ["openssl", "req", "-x509", "-nodes", "-sha256", "-days",
                "30", "-subj", "/CN=" + name, "-keyout", name + ".key",
                "-out", name + ".crt", "-newkey"] + newkey
        self.run_tool(*args)
        return self.path(name + ".key"), self.path(name + ".crt")

    def ec_pair(self, curve):
        return self.pair("ec-" + curve,
                         ["ec", "-pkeyopt", "ec_paramgen_curve:" + curve])


class CookieSecretTest(ReviewConfTestCase):
    """Finding 3a: the cookie secret."""

    def secret(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data)
        return server(self.d, extra=f"oiosaml_cookie_secret {p};")

    def test_all_a_secret_is_refused(self):
        out = self.refused(self.secret("aaaa.key", b"a" * 32 + b"\n"),
                           "oiosaml_cookie_secret", "aaaa.key",
                           "too easy to guess",
                           "only 1 distinct byte value",
                           "openssl rand -base64 48")
        self.assertNotIn("shorter than", out)

    def test_repeated_pattern_is_refused(self):
        self.refused(self.secret("pattern.key",
                                 b"0123456789abcdef" * 2 + b"\n"),
                     "too easy to guess", "repeats a pattern of 16 bytes",
                     "openssl rand")
        self.refused(self.secret("password.key", b"Passw0rd!" * 4),
                     "too easy to guess", "repeats a pattern of 9 bytes")

    def test_low_entropy_estimate_is_refused(self):
        self.refused(self.secret("skewed.key", b"a" * 57 + b"bcdefgh"),
                     "too easy to guess", "bits of entropy")

    def test_openssl_rand_secrets_pass(self):
        for i in range(5):
            for args in (["32"], ["-hex", "32"], ["-base64", "32"],
                         ["-base64", "48"]):
                p = self.path(f"rand{i}.key")
                with open(p, "wb") as f:
                    f.write(self.run_tool("openssl", "rand", *args))
                self.accepted(server(self.d,
                                     extra=f"oiosaml_cookie_secret {p};"))

    def test_the_test_secret_and_a_keygen_key_pass(self):
        self.accepted(server(self.d, extra=f"oiosaml_cookie_secret "
                             f"{CERTS}/cookie.key;"))
        if not os.access(CTL, os.X_OK):
            raise AssertionError(f"{CTL} is missing: run 'make' first")
        self.run_tool(CTL, "keygen", "--out", "k.key", "--cert", "k.crt")
        self.accepted(server(self.d, extra="oiosaml_cookie_secret "
                             + self.path("k.key") + ";"))


class WeakCurveTest(ReviewConfTestCase):
    """Finding 3b: EC keys only on P-256, P-384 and P-521, as RSA keys only
    from 2048 bits."""

    def idp_with(self, crt, name="weak.xml"):
        idp_metadata(self.path(name), "https://idp.test/",
                     "https://idp.test/", [crt])
        return server(self.d, idp=f"oiosaml_idp t metadata="
                      f"{self.path(name)};")

    def test_idp_certificate_on_small_curves_is_refused(self):
        for curve, size in (("secp112r1", "112 bits"),
                            ("prime192v1", "P-192, 192 bits"),
                            ("secp224r1", "P-224, 224 bits")):
            _, crt = self.ec_pair(curve)
            self.refused(self.idp_with(crt), 'oiosaml_idp "t"',
                         f"EC key on curve {curve} ({size})", CURVES)

    def test_idp_certificate_on_other_256_bit_curves_is_refused(self):
        for curve in ("secp256k1", "brainpoolP256r1"):
            _, crt = self.ec_pair(curve)
            self.refused(self.idp_with(crt), f"EC key on curve {curve}",
                         CURVES)

    def test_idp_certificate_on_nist_curves_is_accepted(self):
        for curve in ("prime256v1", "secp384r1", "secp521r1"):
            _, crt = self.ec_pair(curve)
            self.accepted(self.idp_with(crt))

    def test_next_cert_on_a_weak_curve_is_refused(self):
        _, crt = self.ec_pair("prime192v1")
        self.refused(server(self.d, idp=f"oiosaml_idp t metadata="
                            f"{self.d}/idp.xml next_cert={crt};"),
                     "prime192v1", CURVES)

    def test_sp_key_on_a_weak_curve_is_refused(self):
        key, crt = self.ec_pair("prime192v1")
        self.refused(server(self.d, sp=f"oiosaml_sp_key {key} {crt};"),
                     "oiosaml_sp_key", "EC key on curve prime192v1", CURVES)

    def test_explicit_curve_parameters_do_not_hide_a_weak_curve(self):
        # P-192 written out as parameters instead of by name
        self.run_tool("openssl", "ecparam", "-name", "prime192v1",
                      "-param_enc", "explicit", "-out", "explicit.pem")
        _, crt = self.pair("explicit", ["ec:explicit.pem"])
        self.refused(self.idp_with(crt), CURVES)

    def test_rsa_1024_is_refused_as_before(self):
        _, crt = self.pair("rsa1024", ["rsa:1024"])
        self.refused(self.idp_with(crt), "RSA key shorter than 2048 bits")


if __name__ == "__main__":
    unittest.main()


class PrivateFileModeTest(ReviewConfTestCase):
    """Finding 12: a cookie secret or SP key that other users can read is
    a warning at nginx -t naming the directive's file and line."""

    def test_readable_secret_and_key(self):
        import shutil
        secret = self.path("cookie.key")
        key = self.path("sp.key")
        shutil.copy(os.path.join(CERTS, "cookie.key"), secret)
        shutil.copy(os.path.join(CERTS, "sp.key"), key)
        os.chmod(secret, 0o644)
        os.chmod(key, 0o640)
        http = server(self.d, sp=f"oiosaml_sp_key {key} {CERTS}/sp.crt;",
                      extra=f"oiosaml_cookie_secret {secret};")
        out = self.accepted(http)
        conf = self.nginx.conf
        self.assertRegex(out, r"\[warn\].*oiosaml_cookie_secret: \"%s\" can "
                              r"be read by every user \(mode 0644\).* in %s:"
                         % (secret, conf))
        self.assertRegex(out, r"\[warn\].*oiosaml_sp_key: \"%s\" can be "
                              r"read by its group \(mode 0640\).* in %s:\d+"
                         % (key, conf))
        os.chmod(secret, 0o600)
        os.chmod(key, 0o600)
        out = self.accepted(http)
        self.assertNotIn("can be read by", out)
