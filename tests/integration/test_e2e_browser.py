"""The choice page in a real browser: Debian's headless Chromium, driven
by playwright-core (tests/e2e/choice.mjs)."""

import os
import shutil
import subprocess
import unittest

from harness import ROOT
from test_choice import ChoiceTestCase

E2E = os.path.join(ROOT, "tests", "e2e")


@unittest.skipUnless(shutil.which("chromium") and shutil.which("node")
                     and os.path.isdir(os.path.join(E2E, "node_modules")),
                     "needs chromium, node and tests/e2e/node_modules "
                     "(make test installs them)")
class BrowserTest(ChoiceTestCase):

    def test_choose_remember_login_and_way_out(self):
        # copied to docs/screenshots/ by hand when the page changes
        shots = os.path.join(ROOT, "build", "screenshots")
        os.makedirs(shots, exist_ok=True)
        r = subprocess.run(["node", os.path.join(E2E, "choice.mjs"),
                            self.base, shots], capture_output=True,
                           text=True, timeout=120, cwd=E2E)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("done", r.stdout)
        self.assertEqual(r.stdout.count("\nok   ") + 1, 8, r.stdout)
