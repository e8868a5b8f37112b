"""A real redis-server (and redis-sentinel) on 127.0.0.1 for the tests.

Each instance runs in its own directory under build/tmp with its own
port, no persistence unless asked, and is stopped by stop() (SHUTDOWN,
then SIGKILL).
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

from harness import BUILD, free_port, wait_port

REDIS_SERVER = "/usr/bin/redis-server"
REDIS_SENTINEL = "/usr/bin/redis-sentinel"
REDIS_CLI = "/usr/bin/redis-cli"


def available():
    return all(os.access(p, os.X_OK)
               for p in (REDIS_SERVER, REDIS_SENTINEL, REDIS_CLI))


class Redis:
    """One redis-server: Redis(replica_of=port) for a replica."""

    def __init__(self, name="redis", replica_of=None, save=False,
                 port=None, directory=None):
        self.port = port or free_port()
        self.dir = directory or tempfile.mkdtemp(
            prefix=name + "-", dir=os.path.join(BUILD, "tmp"))
        self.conf = os.path.join(self.dir, f"redis-{self.port}.conf")
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1",
            "protected-mode yes",
            f"dir {self.dir}",
            f"dbfilename dump-{self.port}.rdb",
            "appendonly no",
            "daemonize no",
            f"logfile {self.dir}/redis-{self.port}.log",
            'save ""' if not save else "save 1 1",
        ]
        if replica_of:
            lines.append(f"replicaof 127.0.0.1 {replica_of}")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([REDIS_SERVER, self.conf],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.cli("PING").strip() == "PONG":
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer")

    def cli(self, *args, raw=False):
        r = subprocess.run([REDIS_CLI, "-p", str(self.port)]
                           + (["--raw"] if raw else []) + list(args),
                           capture_output=True, timeout=10)
        return r.stdout if raw else r.stdout.decode("utf-8", "replace")

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(10)

    def stop(self, save=False):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGCONT)
        try:
            self.cli("SHUTDOWN", "SAVE" if save else "NOSAVE")
            self.proc.wait(10)
        except (subprocess.TimeoutExpired, OSError):
            self.kill()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Sentinel:
    """One redis-sentinel watching the master on master_port."""

    def __init__(self, directory, master_port, name="oiosaml"):
        self.port = free_port()
        self.dir = directory
        self.name = name
        self.conf = os.path.join(directory, f"sentinel-{self.port}.conf")
        with open(self.conf, "w") as f:
            f.write(f"""port {self.port}
bind 127.0.0.1
daemonize no
logfile {directory}/sentinel-{self.port}.log
dir {directory}
sentinel monitor {name} 127.0.0.1 {master_port} 1
sentinel down-after-milliseconds {name} 500
sentinel failover-timeout {name} 3000
sentinel parallel-syncs {name} 1
""")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([REDIS_SENTINEL, self.conf],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def master(self):
        r = subprocess.run([REDIS_CLI, "-p", str(self.port), "SENTINEL",
                            "get-master-addr-by-name", self.name],
                           capture_output=True, text=True, timeout=10)
        lines = r.stdout.split()
        return int(lines[1]) if len(lines) == 2 else None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
