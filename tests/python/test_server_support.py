"""Support for the server tests (no tests here): a `weir serve` process on an ephemeral loopback port, and a small HTTP client for it.

Standard library only: tests, the load test and ad-hoc scripts share it.
"""

import http.client
import json
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

LISTENING = re.compile(r"listening on http://([0-9.]+):(\d+)")
GATEWAY = re.compile(r"sql gateway at http://([0-9.]+):(\d+)")
EXAMPLE_DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


class Response:
    """Status, headers and body of one HTTP answer; `json` parses the body."""

    def __init__(self, status: int, headers: dict, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:300]!r}>"


class WeirServer:
    """Starts `weir serve --addr 127.0.0.1:0` and learns the port from its `listening on` line.

    Jobs may touch the directories in `allow` (`--allowed-path`); by default the data directory's
    parent (a test's temporary directory) and the repository's `examples/data`, which the tests
    read. `allow=[]` leaves the server's own default (the data directory).
    """

    def __init__(self, weir: Path, data_dir: Path, *extra: str, token: str | None = None,
                 allow: list[Path] | None = None):
        self.weir = weir
        self.data_dir = data_dir
        self.extra = list(extra)
        self.token = token
        self.allow = [data_dir.parent, EXAMPLE_DATA] if allow is None else list(allow)
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.gateway_port = 0
        self.log: list[str] = []

    def start(self, timeout: float = 20) -> "WeirServer":
        args = [str(self.weir), "serve", "--addr", "127.0.0.1:0", "--data-dir", str(self.data_dir), *self.extra]
        for directory in self.allow:
            args += ["--allowed-path", str(directory)]
        if self.token:
            args += ["--auth-token", self.token]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        found = threading.Event()

        def drain():
            assert self.proc and self.proc.stderr
            for line in self.proc.stderr:
                self.log.append(line)
                m = LISTENING.search(line)
                if m and not self.port:
                    self.port = int(m.group(2))
                g = GATEWAY.search(line)
                if g and not found.is_set():
                    # Printed after the REST port's line: both ports are known now.
                    self.gateway_port = int(g.group(2))
                    found.set()

        threading.Thread(target=drain, daemon=True).start()
        if not found.wait(timeout):
            self.kill()
            raise RuntimeError("weir serve did not print its address:\n" + "".join(self.log))
        return self

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait: the clean shutdown path."""
        assert self.proc
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: an unclean stop."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    @property
    def gateway(self) -> "GatewayClient":
        """The SQL gateway's port (`--sql-gateway-port`), as a client."""
        return GatewayClient(self)

    def request(self, method: str, path: str, body=None, headers: dict | None = None, raw: bytes | None = None,
                timeout: float = 30, port: int | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)
        hdrs = dict(headers or {})
        if self.token and "Authorization" not in hdrs:
            hdrs["Authorization"] = f"Bearer {self.token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, dict(resp.getheaders()), resp.read())
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def submit(self, body: dict) -> str:
        r = self.request("POST", "/jobs", body)
        assert r.status == 200, r
        return r.json["jobid"]

    def wait_state(self, jobid: str, states=("FINISHED", "FAILED", "CANCELED"), timeout: float = 60) -> dict:
        deadline = time.time() + timeout
        while True:
            r = self.get(f"/jobs/{jobid}")
            assert r.status == 200, r
            if r.json["state"] in states:
                return r.json
            if time.time() > deadline:
                raise AssertionError(f"job {jobid} still {r.json['state']} after {timeout}s")
            time.sleep(0.05)

    def sse(self, path: str, timeout: float = 30) -> list[tuple[str, dict]]:
        """Reads a Server-Sent Events stream to its end: (event, data) pairs."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        hdrs = {"Accept": "text/event-stream"}
        if self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        conn.request("GET", path, headers=hdrs)
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
        events, event, data = [], "message", []
        while True:
            line = resp.fp.readline()
            if not line:
                break
            line = line.decode().rstrip("\n")
            if line == "":
                if data:
                    events.append((event, json.loads("\n".join(data))))
                    if event == "end":
                        break
                event, data = "message", []
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        conn.close()
        return events


class GatewayClient:
    """Requests to a `WeirServer`'s SQL gateway port (its token included)."""

    def __init__(self, server: WeirServer):
        self.server = server
        self.port = server.gateway_port

    def request(self, method: str, path: str, body=None, **kw) -> Response:
        return self.server.request(method, path, body, port=self.port, **kw)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)


def wait_for(condition, timeout: float, what: str, every: float = 0.02):
    """Polls `condition` every `every` seconds until it returns a true value, which it returns;
    fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")
