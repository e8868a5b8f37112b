"""Role-based access from OIOBPP privileges, on the portfolio of
conf/portfolio/solutions.conf (the file itself is included): allowed, wrong
role, right role in the wrong municipality, missing data restriction, a
role that needs a higher level (step-up), malformed privileges; the role
headers; configuration errors at nginx -t."""

import json
import os

from harness import HTML, ROOT, Browser, Nginx, SpTestCase

AULA = "http://aula.dk/roles/usersystemrole/"
SAPA = "http://sapa.kombit.dk/roles/usersystemrole/"
KY = "http://ky.kombit.dk/roles/usersystemrole/"
FLIS = "http://flis.kombit.dk/roles/usersystemrole/"
CVR = "urn:dk:gov:saml:cvrNumberIdentifier:"
KLE = "http://sts.kombit.dk/constraints/KLE/1"
PORTFOLIO = os.path.join(ROOT, "conf", "portfolio", "solutions.conf")


class RolesTestCase(SpTestCase):

    http_extra = """
    upstream aula { server 127.0.0.1:$UP; }
    upstream sapa { server 127.0.0.1:$UP; }
    upstream ky { server 127.0.0.1:$UP; }
    upstream flis { server 127.0.0.1:$UP; }
"""

    server_extra = f"""
        include {PORTFOLIO};

        # not in the portfolio: the same role from any municipality
        location /any-cvr/ {{
            oiosaml_require_role {AULA}administrator/1;
            oiosaml_role_scope any;
            proxy_pass http://aula;
        }}

        # a fixed municipality, whoever the user works for
        location /cvr-29189854/ {{
            oiosaml_require_role {AULA}administrator/1;
            oiosaml_role_scope {CVR}29189854;
            proxy_pass http://aula;
        }}

        location /both/ {{
            oiosaml_require_role {AULA}medarbejder/1
                                 {SAPA}sagsbehandler/1 all;
            proxy_pass http://aula;

            location /both/open/ {{
                oiosaml_require_role off;
                proxy_pass http://aula;
            }}
        }}
"""

    @classmethod
    def http_config(cls):
        conf = super().http_config().replace("$UP", str(cls.up_port))
        # the echo upstream shows the role headers too
        return conf.replace(
            "Evil=$http_x_oiosaml_evil",
            "Evil=$http_x_oiosaml_evil\\nRoles=$http_x_oiosaml_roles"
            "\\nConstraints=$http_x_oiosaml_constraints")

    def visit(self, b, path):
        return b.get(self.url(path), headers={"Accept": HTML})

    def audit(self, decision):
        """The one audit line of a decision."""
        log = self.nginx.new_log()
        hits = [l for l in log.splitlines()
                if f"oiosaml: role: {decision}:" in l]
        self.assertEqual(len(hits), 1, log)
        return hits[0]


class RoleDecisionTest(RolesTestCase):

    def test_allowed_role_reaches_the_app(self):
        b, r, _ = self.login(path="/aula/x", user="dorte")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.location, self.url("/aula/x"))
        self.nginx.new_log()
        r = self.visit(b, "/aula/x")
        self.assertEqual(r.status, 200, r.body)
        line = self.audit("allow")
        self.assertIn(f'matched="{AULA}medarbejder/1"', line)
        self.assertIn('location="/aula/"', line)
        self.assertIn('cvr="12345678"', line)
        self.assertIn("level=substantial", line)

    def test_wrong_role_is_a_403_naming_the_role(self):
        b, r, _ = self.login(path="/app/x", user="frida")
        self.assertEqual(r.status, 303, r.body)
        self.nginx.new_log()
        r = self.visit(b, "/aula/x")
        self.assertEqual(r.status, 403, r.body)
        self.assertIn("Adgang n\u00e6gtet", r.body)
        self.assertIn("Access denied", r.body)
        # the label, not the URI
        self.assertIn("Aula medarbejder", r.body)
        self.assertNotIn("Roles=", r.body)
        line = self.audit("deny_role")
        self.assertIn(f'missing="{AULA}medarbejder/1"', line)
        self.assertIn('cvr="87654321"', line)
        # the app never saw the request
        self.assertNotIn("User=", r.body)

    def test_no_privileges_at_all_is_a_missing_role(self):
        b, r, _ = self.login(path="/app/x", user="bob")
        self.nginx.new_log()
        r = self.visit(b, "/ky/x")
        self.assertEqual(r.status, 403, r.body)
        self.assertIn("KY sagsbehandler", r.body)
        self.assertIn(f'missing="{KY}sagsbehandler/1"',
                      self.audit("deny_role"))

    def test_role_in_another_municipality_does_not_count(self):
        # dorte holds Aula administrator only for CVR 29189854
        b, r, _ = self.login(path="/aula/admin/x", user="dorte")
        self.assertEqual(r.status, 303, r.body)
        self.nginx.new_log()
        r = self.visit(b, "/aula/admin/x")
        self.assertEqual(r.status, 403, r.body)
        self.assertIn("Aula administrator", r.body)
        self.assertIn(f'missing="{AULA}administrator/1"',
                      self.audit("deny_role"))

        # unless the location says which scope counts
        r = self.visit(b, "/cvr-29189854/x")
        self.assertEqual(r.status, 200, r.body)
        r = self.visit(b, "/any-cvr/x")
        self.assertEqual(r.status, 200, r.body)

    def test_data_restriction_is_checked(self):
        b, r, _ = self.login(path="/sapa/x", user="dorte")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(self.visit(b, "/sapa/x").status, 200)
        # KLE 32.30.* covers 32.30
        self.assertEqual(self.visit(b, "/sapa/sygedagpenge/x").status, 200)
        self.nginx.new_log()
        # 27.24.00 does not cover all of 27.24
        r = self.visit(b, "/sapa/boern/x")
        self.assertEqual(r.status, 403, r.body)
        self.assertIn("SAPA sagsbehandler", r.body)
        self.assertIn(f'missing="{SAPA}sagsbehandler/1"',
                      self.audit("deny_role"))

    def test_all_of_several_roles(self):
        b, r, _ = self.login(path="/both/x", user="dorte")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(self.visit(b, "/both/x").status, 200)
        b, r, _ = self.login(path="/app/x", user="frida")
        r = self.visit(b, "/both/x")
        self.assertEqual(r.status, 403)
        # "off" in a nested location: logged in, no role check
        self.assertEqual(self.visit(b, "/both/open/x").status, 200)

    def test_role_without_oiosaml_on_still_needs_a_login(self):
        # the portfolio never says "oiosaml on": the role turns it on
        r = Browser().get(self.url("/ky/x"), headers={"Accept": HTML})
        self.assertEqual(r.status, 302)
        self.assertIn("/saml/login?", r.location)

    def test_oiosaml2_bpp11_privileges(self):
        b, r, _ = self.login(path="/ky/x", user="frida")
        self.assertEqual(r.status, 303, r.body)
        r = self.visit(b, "/ky/x")
        self.assertEqual(r.status, 200, r.body)
        roles = json.loads(self.echo(r.body)["Roles"])
        self.assertEqual(roles, {CVR + "87654321": [KY + "sagsbehandler/1"]})


class RoleStepUpTest(RolesTestCase):

    def test_role_that_needs_a_higher_level_steps_up(self):
        # dorte logs in with one factor, then opens the FLIS admin area
        b, r, _ = self.login(path="/app/x", user="dorte", loa="Low")
        self.assertEqual(r.status, 303, r.body)
        self.nginx.new_log()
        r = self.visit(b, "/flis/admin/x")
        self.assertEqual(r.status, 302, r.body)
        self.assertIn("/saml/login?idp=test&loa=substantial&", r.location)
        line = self.audit("step_up")
        self.assertIn(f'needs_level="{FLIS}administrator/1"', line)
        self.assertIn("level=low required=substantial", line)

        # the IdP is asked for Substantial, answers it, the role is let in
        r = b.get(r.location)
        self.assertEqual(r.status, 302, r.body)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page, "dorte")
        r = b.post(acs, answer)
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(r.location, self.url("/flis/admin/x"))
        r = self.visit(b, "/flis/admin/x")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.echo(r.body)["LoA"], "substantial")

    def test_no_loop_when_the_idp_answers_low_again(self):
        b, r, _ = self.login(path="/app/x", user="dorte", loa="Low")
        r = self.visit(b, "/flis/admin/x")
        self.assertEqual(r.status, 302, r.body)
        r = b.get(r.location)
        page = b.get(r.location)
        acs, answer = self.idp_answer(b, page, "dorte", loa="Low")
        self.nginx.new_log()
        r = b.post(acs, answer)
        self.assertDenied(r, 403, "deny_loa")

    def test_role_level_applies_only_to_that_role(self):
        # FLIS at Low: analyst or admin; dorte is admin, which needs more,
        # so even /flis/ steps up; Aula medarbejder needs no level
        b, r, _ = self.login(path="/aula/x", user="dorte", loa="Low")
        self.assertEqual(r.status, 303, r.body)
        self.assertEqual(self.visit(b, "/aula/x").status, 200)
        r = self.visit(b, "/flis/x")
        self.assertEqual(r.status, 302)
        self.assertIn("loa=substantial", r.location)


class MalformedPrivilegesTest(RolesTestCase):

    allowed_errors = ()

    def test_malformed_privileges_deny_with_a_reason(self):
        b = Browser()
        page = self.start_login(b, "/app/x")
        acs, answer = self.idp_answer(b, page, "erik")
        self.nginx.new_log()
        r = b.post(acs, answer)
        # the login stands: public and role-free locations work
        self.assertEqual(r.status, 303, r.body)
        log = self.nginx.new_log()
        hits = [l for l in log.splitlines() if "acs: deny_privileges" in l]
        self.assertEqual(len(hits), 1, log)
        self.assertIn("not well-formed XML", hits[0])
        self.assertIn("[warn]", hits[0])
        r = self.visit(b, "/app/x")
        self.assertEqual(r.status, 200, r.body)

        r = self.visit(b, "/aula/x")
        self.assertEqual(r.status, 403, r.body)
        self.assertIn("could not be read", r.body)
        self.assertIn("kunne ikke l\u00e6ses", r.body)
        line = self.audit("deny_privileges")
        self.assertIn("not well-formed XML", line)
        self.assertIn('user="https://data.gov.dk/model/core/eid/'
                      'professional/uuid/2f3e8a4c', line)


class RoleHeadersTest(RolesTestCase):

    def test_roles_and_constraints_headers(self):
        b, r, _ = self.login(path="/sapa/x", user="dorte")
        r = b.get(self.url("/sapa/x"), headers={
            "Accept": HTML, "X-OIOSAML-Roles": '{"forged":["admin"]}',
            "X-OIOSAML-Constraints": "[]"})
        self.assertEqual(r.status, 200, r.body)
        echo = self.echo(r.body)
        roles = json.loads(echo["Roles"])
        self.assertEqual(roles, {
            CVR + "12345678": [AULA + "medarbejder/1",
                               KY + "sagsbehandler/1",
                               SAPA + "sagsbehandler/1",
                               FLIS + "administrator/1"],
            CVR + "29189854": [AULA + "administrator/1"],
        })
        groups = json.loads(echo["Constraints"])
        # the repeated group was merged: four groups, in order
        self.assertEqual(len(groups), 4)
        self.assertEqual(groups[1], {
            "scope": CVR + "12345678",
            "privileges": [SAPA + "sagsbehandler/1"],
            "constraints": [[KLE, "32.30.*"], [KLE, "27.24.00"]]})

    def test_no_roles_no_headers(self):
        b, r, _ = self.login(path="/app/x", user="alice")
        r = b.get(self.url("/app/x"), headers={
            "Accept": HTML, "X-OIOSAML-Roles": '{"forged":["admin"]}'})
        echo = self.echo(r.body)
        self.assertEqual(echo["Roles"], "{}")
        self.assertEqual(echo["Constraints"], "[]")


class RoleConfigTest(RolesTestCase):
    """Mistakes in role configuration stop nginx -t with the reason."""

    def check(self, location):
        n = Nginx(self.__class__.__name__ + "-t", "")
        try:
            conf = self.http_config().replace(
                "        location /public/ {",
                location + "\n        location /public/ {", 1)
            n.write(conf)
            return n.check()
        finally:
            n.cleanup()

    def test_errors(self):
        cases = [
            ("location /x/ { oiosaml_require_role admin; }",
             'role "admin" is not a URI'),
            ("location /x/ { oiosaml_require_role any; }",
             "needs at least one role URI"),
            (f"location /x/ {{ oiosaml_require_role {AULA}a/1; "
             f"oiosaml_require_role {AULA}b/1; }}", "is duplicate"),
            (f"location /x/ {{ oiosaml_role_loa {AULA}a/1 medium; }}",
             'invalid level "medium"'),
            (f"location /x/ {{ oiosaml_role_loa {AULA}a/1 high; "
             f"oiosaml_role_loa {AULA}a/1 low; }}",
             "duplicate oiosaml_role_loa"),
            ("location /x/ { oiosaml_role_scope 12345678; }",
             'invalid scope "12345678"'),
            (f"location /x/ {{ oiosaml_require_constraint {KLE} 32.*; }}",
             "without \"*\""),
            ("location /x/ { oiosaml_role_log loud; }",
             'invalid log level "loud"'),
        ]
        for location, message in cases:
            with self.subTest(location=location):
                rc, out = self.check(location)
                self.assertNotEqual(rc, 0, out)
                self.assertIn(message, out)

        rc, out = self.check(
            f"location /x/ {{ oiosaml_require_role {AULA}a/1 all; "
            f"oiosaml_role_loa {AULA}a/1 nist3; "
            f"oiosaml_role_label {AULA}a/1 \"A\"; "
            f"oiosaml_role_log notice off; }}")
        self.assertEqual(rc, 0, out)
