"""The harness itself, where a mistake would make other tests fail at
random: the ports it hands out."""

import types
import unittest
from unittest import mock

import harness


class FreePortTest(unittest.TestCase):

    def probes(self, ports):
        """A socket module whose bind to port 0 gets the next of ports."""
        given = iter(ports)

        class Probe:
            def bind(self, addr):
                self.port = next(given)

            def getsockname(self):
                return ("127.0.0.1", self.port)

            def close(self):
                pass

        return types.SimpleNamespace(socket=Probe)

    def test_a_port_is_never_handed_out_twice(self):
        # the kernel gives the next probe the port of the one just closed,
        # as it does about once in 17,000 pairs: a class's gateway and echo
        # upstream would share one ssl socket (400 from the upstream)
        with mock.patch.object(harness, "socket",
                               self.probes([40001, 40001, 40001, 40002])), \
                mock.patch.object(harness, "_given_ports", set()):
            self.assertEqual(harness.free_port(), 40001)
            self.assertEqual(harness.free_port(), 40002)

    def test_real_ports_differ(self):
        ports = [harness.free_port() for _ in range(200)]
        self.assertEqual(len(set(ports)), len(ports))


if __name__ == "__main__":
    unittest.main()
