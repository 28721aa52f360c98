"""Flink's own REST client against `weir serve`: the `flink` CLI shipped in PyPI's
`apache-flink` (Java 17) lists, cancels, savepoints and stops Weir's jobs over the job manager
API (`/v1/...`, as Flink's client calls it).

The package is installed once into ~/.cache/weir/venv-flink. Skipped (with the reason) only
when the package index cannot be reached outside CI; under CI (`CI` set) that is a failure.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from test_server_support import WeirServer

VENV = Path.home() / ".cache/weir/venv-flink"
UNBOUNDED = ("CREATE TABLE gen (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20');\n"
             "SELECT k, v FROM gen;")
# Three rows, then the job finishes.
BOUNDED = ("CREATE TABLE few (k BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3');\n"
           "SELECT k FROM few;")
UNREACHABLE = re.compile(r"Could not find a version|No matching distribution|NewConnectionError|Temporary failure in name resolution"
                         r"|Network is unreachable|Max retries exceeded", re.IGNORECASE)


def java_home() -> Path | None:
    """The machine's OpenJDK 17 (scripts/test.sh installs it on Debian)."""
    for candidate in sorted(Path("/usr/lib/jvm").glob("java-17-openjdk*")):
        if (candidate / "bin/java").exists():
            return candidate
    return None


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def flink_bin() -> Path | None:
    found = sorted(VENV.glob("lib/python3*/site-packages/pyflink/bin/flink"))
    return found[0] if found else None


@pytest.fixture(scope="module")
def flink() -> dict:
    """The `flink` script and the environment it runs in (installing apache-flink if needed)."""
    home = java_home()
    if home is None:
        unavailable("no OpenJDK 17 under /usr/lib/jvm (apt-get install openjdk-17-jre-headless)")
    if flink_bin() is None:
        if not (VENV / "bin/python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        r = subprocess.run([str(VENV / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", "apache-flink"],
                           capture_output=True, text=True, timeout=1800, check=False)
        if r.returncode != 0:
            if UNREACHABLE.search(r.stderr):
                unavailable(f"the package index is unreachable, apache-flink not installed: {r.stderr.strip()[-300:]}")
            pytest.fail(f"pip install apache-flink failed:\n{r.stderr[-2000:]}")
    script = flink_bin()
    assert script is not None, f"apache-flink installed into {VENV} but it has no pyflink/bin/flink"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLINK_")}
    env["JAVA_HOME"] = str(home)
    env["PATH"] = f"{home}/bin:{env.get('PATH', '')}"
    return {"script": script, "env": env}


@pytest.fixture
def server(weir, tmp_path):
    srv = WeirServer(weir, tmp_path / "data", "--workers", "1").start()
    yield srv
    srv.kill()


def run_flink(flink: dict, server: WeirServer, *args: str) -> subprocess.CompletedProcess:
    """`flink ACTION -m 127.0.0.1:PORT ARGS...`: its stdout and stderr together."""
    action, *rest = args
    cmd = [str(flink["script"]), action, "-m", f"127.0.0.1:{server.port}", *rest]
    return subprocess.run(cmd, env=flink["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180,
                          check=False)


def job_lines(output: str) -> dict[str, str]:
    """`jobid -> STATE` from the lines `flink list` prints (`date : jobid : name (STATE)`)."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^.* : ([0-9a-f]{32}) : .* \(([A-Z]+)\)$", output, re.MULTILINE)}


def test_flink_list_cancel_and_savepoints(flink, server):
    r = run_flink(flink, server, "list")
    assert r.returncode == 0, r.stdout
    assert "No running jobs." in r.stdout and "No scheduled jobs." in r.stdout, r.stdout

    running = server.submit({"sql": UNBOUNDED, "name": "endless"})
    finished = server.submit({"sql": BOUNDED, "name": "three-rows"})
    server.wait_state(running, states=("RUNNING",))
    assert server.wait_state(finished)["state"] == "FINISHED"

    r = run_flink(flink, server, "list")
    assert r.returncode == 0, r.stdout
    assert "Running/Restarting Jobs" in r.stdout and f": {running} : endless (RUNNING)" in r.stdout, r.stdout
    assert job_lines(r.stdout) == {running: "RUNNING"}, r.stdout

    r = run_flink(flink, server, "list", "-a")
    assert r.returncode == 0, r.stdout
    assert "Terminated Jobs" in r.stdout and f": {finished} : three-rows (FINISHED)" in r.stdout, r.stdout
    assert job_lines(r.stdout) == {running: "RUNNING", finished: "FINISHED"}, r.stdout

    # Savepoints, as Flink's client asks for them: trigger, poll, print the path.
    r = run_flink(flink, server, "savepoint", running, str(server.data_dir.parent / "savepoints"))
    assert r.returncode == 0, r.stdout
    assert f"Savepoint completed. Path: {server.data_dir.parent / 'savepoints'}/savepoint-{running[:6]}-" in r.stdout, r.stdout
    r = run_flink(flink, server, "savepoint", finished, str(server.data_dir.parent / "savepoints"))
    assert r.returncode != 0 and f"cannot take a savepoint of job {finished}: it is FINISHED" in r.stdout, r.stdout

    r = run_flink(flink, server, "cancel", running)
    assert r.returncode == 0, r.stdout
    assert f"Cancelled job {running}." in r.stdout, r.stdout
    assert server.wait_state(running)["state"] == "CANCELED"
    r = run_flink(flink, server, "list", "-a")
    assert job_lines(r.stdout) == {running: "CANCELED", finished: "FINISHED"}, r.stdout

    stopped = server.submit({"sql": UNBOUNDED, "name": "stopped"})
    server.wait_state(stopped, states=("RUNNING",))
    r = run_flink(flink, server, "stop", "--savepointPath", str(server.data_dir.parent / "savepoints"), stopped)
    assert r.returncode == 0 and "Savepoint completed. Path: " in r.stdout, r.stdout
    assert server.wait_state(stopped)["state"] == "CANCELED"

    unknown = "0" * 32
    r = run_flink(flink, server, "cancel", unknown)
    assert r.returncode != 0 and f"RestClientException: [job {unknown} not found]" in r.stdout, r.stdout


def test_flink_rest_paths_are_versioned_and_unversioned(server):
    """Flink's REST paths answer with and without `/v1`; `/v1` errors are Flink's exact body."""
    jobid = server.submit({"sql": BOUNDED})
    server.wait_state(jobid)
    plain, versioned = server.get("/jobs/overview").json, server.get("/v1/jobs/overview").json
    assert [j["jid"] for j in plain["jobs"]] == [j["jid"] for j in versioned["jobs"]] == [jobid]
    job = versioned["jobs"][0]
    # Flink's JobDetails needs a count for every ExecutionState (lower case) plus total.
    states = {"created", "scheduled", "deploying", "running", "finished", "canceling", "canceled", "failed", "reconciling",
              "initializing"}
    assert set(job["tasks"]) == states | {"total"} and job["tasks"]["finished"] == job["tasks"]["total"] > 0
    assert job["pending-operators"] == 0 and job["schedulerType"] == "Default"
    assert server.get(f"/v1/jobs/{jobid}/status").json == {"status": "FINISHED"}
    details = server.get(f"/v1/jobs/{jobid}").json
    assert set(details["status-counts"]) == {s.upper() for s in states}
    assert all(set(v["tasks"]) == {s.upper() for s in states} for v in details["vertices"])
    assert {"read-bytes", "write-bytes", "accumulated-busy-time"} <= set(details["vertices"][0]["metrics"])
    assert details["job-type"] == job["jobType"] in ("BATCH", "STREAMING")
    assert details["plan"]["jid"] == jobid and details["timestamps"]["FINISHED"] > 0 and details["timestamps"]["SUSPENDED"] == 0
    missing = server.get("/v1/jobs/" + "0" * 32)
    assert missing.status == 404 and missing.json == {"errors": [f"job {'0' * 32} not found"]}
    assert "code" in server.get("/jobs/" + "0" * 32).json, "unversioned errors keep Weir's code"
    wrong_type = server.request("POST", "/v1/jobs", raw=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status == 415 and list(wrong_type.json) == ["errors"], wrong_type
    # `/v1` is the job manager's here; the SQL gateway answers on its own port.
    assert server.request("POST", "/v1/sessions", {}).status == 404
    assert server.gateway.request("POST", "/v3/sessions", {}).status == 200
    assert server.gateway.get("/v1/api_versions").json == {"versions": ["V1", "V2", "V3"]}
