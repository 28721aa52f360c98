"""The security suite of `weir serve`: each attack a hostile or careless client could try, against
a real server on an ephemeral loopback port, with real files and real sockets. Every attack must
get a 4xx that names its place and leave the file system as it was (snapshots before and after).

Attacks: files outside the allowed directories (absolute paths, `file://` URLs, `/proc`, `..`,
symbolic links, sinks, RocksDB and checkpoint directories), a RocksDB local directory with files
in it, cross-site form posts and untyped bodies, missing and wrong tokens (token from a file and
from the environment), non-loopback binding without a token, huge headers, slowloris and idle
connections past the connection cap, slow bodies, and parallelism 1024. Plus: `weir run`, a
local user's own command, still reads files anywhere.
"""

import hashlib
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import run_weir
from test_server_support import WeirServer

SCHEMA = [{"name": "id", "type": "BIGINT"}]
ONE_ROW = "CREATE TABLE g (x BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\nSELECT x FROM g;"


def snapshot(*roots: Path) -> dict:
    """Every entry under `roots` (links not followed): kind, size and content hash of files,
    link targets. jobs.json, the registry, is left out: accepted jobs are recorded there."""
    seen = {}
    for root in roots:
        if not root.exists() and not root.is_symlink():
            seen[str(root)] = "absent"
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                if name.startswith("jobs.json"):
                    continue
                if p.is_symlink():
                    seen[str(p)] = ("link", os.readlink(p))
                elif p.is_dir():
                    seen[str(p)] = "dir"
                else:
                    seen[str(p)] = ("file", hashlib.sha256(p.read_bytes()).hexdigest())
    return seen


def source_spec(path: str, sink: dict | None = None, config: dict | None = None) -> dict:
    nodes = [{"kind": "source", "id": "src", "connector": "filesystem", "schema": SCHEMA,
              "options": {"path": path, "format": "csv"}},
             sink or {"kind": "sink", "id": "out", "input": "src", "connector": "collect"}]
    return {"config": config or {}, "nodes": nodes}


def sink_spec(path: str) -> dict:
    return {"nodes": [
        {"kind": "values", "id": "v", "schema": SCHEMA, "rows": [[1], [2]]},
        {"kind": "sink", "id": "out", "input": "v", "connector": "filesystem", "options": {"path": path, "format": "csv"}},
    ]}


def assert_4xx(r, status: int, code: str | None, *fragments: str) -> dict:
    assert r.status == status, r
    body = r.json
    message = body["errors"][0]
    for fragment in fragments:
        assert fragment in message, body
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def world(tmp_path):
    """A data directory and, beside it, a directory the server was not given."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("1\n2\n")
    (outside / "dir").mkdir()
    (outside / "dir" / "keep.txt").write_text("keep")
    return tmp_path


@pytest.fixture
def server(weir, world):
    srv = WeirServer(weir, world / "data", "--workers", "1", "--max-parallelism", "4", allow=[]).start()
    yield srv
    srv.kill()


def no_jobs(server) -> None:
    r = server.get("/jobs")
    assert r.status == 200 and r.json["jobs"] == [], r


def test_reading_outside_the_roots_is_refused(server, world):
    data = world / "data"
    (data / "inputs" / "ok.csv").write_text("7\n")
    os.symlink(world / "outside", data / "inputs" / "link-dir")
    os.symlink(world / "outside" / "secret.csv", data / "inputs" / "link.csv")
    before = snapshot(world)
    attacks = {
        "/etc/passwd": "/etc/passwd",
        "file:///etc/passwd": "/etc/passwd",
        "/proc/self/environ": "/proc/",
        "/etc/shadow": "/etc/shadow",
        str(world / "outside" / "secret.csv"): "outside",
        "../outside/secret.csv": "outside",
        "inputs/../../outside/secret.csv": "outside",
        "inputs/link-dir/secret.csv": "outside",
        "inputs/link-dir": "outside",
        "inputs/link.csv": "outside",
        f"file://{data}/inputs/link.csv": "outside",
        "inputs/missing/../../../outside": "'..'",
    }
    for path, fragment in attacks.items():
        body = assert_4xx(server.request("POST", "/jobs", {"spec": source_spec(path)}), 400, None,
                          "spec.nodes[0].options.path", fragment)
        assert body["code"] in ("path_not_allowed",), (path, body)
        assert "root:" not in body["errors"][0], body
    for path in ["/etc/passwd", "../outside/secret.csv", "inputs/link.csv"]:
        sql = f"CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv');\nSELECT * FROM t;"
        body = assert_4xx(server.request("POST", "/jobs", {"sql": sql}), 400, "sql_invalid", "table t: option 'path'")
        assert body["line"] == 1, body
    no_jobs(server)
    assert snapshot(world) == before
    # Inside the roots, relative to the data directory, jobs run.
    jobid = server.submit({"spec": source_spec("inputs/ok.csv")})
    assert server.wait_state(jobid)["state"] == "FINISHED"
    assert server.get(f"/jobs/{jobid}/results").json["rows"] == [[7]]


def test_writing_outside_the_roots_is_refused(server, world):
    data = world / "data"
    os.symlink(world / "outside" / "dir", data / "outputs" / "escape")
    before = snapshot(world)
    for path in [str(world / "outside" / "new"), "../outside/new", "outputs/escape", "outputs/escape/deeper",
                 f"file://{world}/outside/new", "/tmp/weir-security-test-sink"]:
        assert_4xx(server.request("POST", "/jobs", {"spec": sink_spec(path)}), 400, "path_not_allowed",
                   "spec.nodes[1].options.path")
    sql = ("CREATE TABLE o (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '../outside/new', 'format' = 'csv');\n"
           "INSERT INTO o VALUES (1);")
    assert_4xx(server.request("POST", "/jobs", {"sql": sql}), 400, "sql_invalid", "table o: option 'path'")
    no_jobs(server)
    assert snapshot(world) == before
    assert not Path("/tmp/weir-security-test-sink").exists()
    jobid = server.submit({"spec": sink_spec("outputs/ok")})
    assert server.wait_state(jobid)["state"] == "FINISHED"
    written = sorted(p.read_text() for p in (data / "outputs" / "ok").iterdir())
    assert "".join(written).split() == ["1", "2"]


def test_table_hint_paths_are_held_to_the_roots(server, world):
    """A table hint's path (`FROM t /*+ OPTIONS('path' = ..) */`, `INSERT INTO t /*+ .. */`) is
    checked as CREATE TABLE's is, and the error points at the hint."""
    data = world / "data"
    (data / "inputs" / "ok.csv").write_text("7\n")
    before = snapshot(world)
    ddl = "CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem', 'path' = 'inputs/ok.csv', 'format' = 'csv');\n"
    for path in ["/etc/passwd", "../outside/secret.csv"]:
        sql = ddl + f"SELECT * FROM t /*+ OPTIONS('path' = '{path}') */;"
        body = assert_4xx(server.request("POST", "/jobs", {"sql": sql}), 400, "sql_invalid", "table t: option 'path'")
        assert (body["line"], body["column"]) == (2, 17), body
    sql = ddl + "INSERT INTO t /*+ OPTIONS('path' = '../outside/new') */ VALUES (1);"
    assert_4xx(server.request("POST", "/jobs", {"sql": sql}), 400, "sql_invalid", "table t: option 'path'")
    no_jobs(server)
    assert snapshot(world) == before
    jobid = server.submit({"sql": ddl + "SELECT * FROM t /*+ OPTIONS('path' = 'inputs/../inputs/ok.csv') */;"})
    assert server.wait_state(jobid)["state"] == "FINISHED"
    assert server.get(f"/jobs/{jobid}/results").json["rows"] == [[7]]


@pytest.mark.parametrize("key", ["state.backend.rocksdb.localdir", "execution.checkpointing.dir",
                                 "state.checkpoints.dir", "state.savepoints.dir",
                                 "execution.state-recovery.path", "execution.savepoint.path"])
def test_state_and_checkpoint_directories_outside_are_refused(server, world, key):
    (world / "data" / "inputs" / "ok.csv").write_text("1\n")
    before = snapshot(world)
    config = {"state.backend.type": "rocksdb", key: str(world / "outside" / "dir")}
    assert_4xx(server.request("POST", "/jobs", {"spec": source_spec("inputs/ok.csv", config=config)}), 400,
               "path_not_allowed", f"spec.config.{key}")
    sql = f"SET 'state.backend.type' = 'rocksdb';\nSET '{key}' = '/etc';\n{ONE_ROW}"
    assert_4xx(server.request("POST", "/jobs", {"sql": sql}), 400, "path_not_allowed", f"SET '{key}'")
    no_jobs(server)
    assert snapshot(world) == before


def test_rocksdb_localdir_with_files_in_it_is_left_untouched(server, world):
    data = world / "data"
    state_dir = data / "inputs" / "state"
    (state_dir / "src" / "worker-0").mkdir(parents=True)
    (state_dir / "precious.txt").write_text("do not delete")
    (state_dir / "src" / "worker-0" / "CURRENT").write_text("someone else's")
    (data / "inputs" / "ev.csv").write_text("1,2024-01-01 00:00:01\n2,2024-01-01 00:00:02\n1,2024-01-01 00:01:30\n")
    before = snapshot(state_dir)
    sql = ("SET 'state.backend.type' = 'rocksdb';\n"
           "SET 'state.backend.rocksdb.localdir' = 'inputs/state';\n"
           "CREATE TABLE ev (k BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
           "WITH ('connector' = 'filesystem', 'path' = 'inputs/ev.csv', 'format' = 'csv');\n"
           "SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
           "GROUP BY k, window_start, window_end;")
    jobid = server.submit({"sql": sql, "mode": "batch"})
    end = server.wait_state(jobid)
    if end["state"] == "FAILED":  # a build without RocksDB (--no-default-features) fails cleanly
        assert "rocksdb" in server.get(f"/jobs/{jobid}/exceptions").json["root-exception"].lower()
    else:
        assert end["state"] == "FINISHED", end
    assert snapshot(state_dir) == before, "the given directory's contents changed"


def test_form_posts_and_untyped_bodies_answer_415(server, world):
    before = snapshot(world)
    job = b'{"sql": "SELECT 1;"}'
    cases = [
        ("application/x-www-form-urlencoded", b"sql=SELECT+1%3B"),
        ("multipart/form-data; boundary=xx", b'--xx\r\nContent-Disposition: form-data; name="sql"\r\n\r\nSELECT 1;\r\n--xx--\r\n'),
        ("text/plain", job),
        ("text/plain;charset=UTF-8", job),
        ("application/jsonx", job),
    ]
    session = server.gateway.request("POST", "/v1/sessions", {}).json["sessionHandle"]
    for path in ["/jobs", "/v1/sessions", f"/v1/sessions/{session}/statements", "/v2/sessions",
                 "/jobs/00000000000000000000000000000000/inputs/t"]:
        port = server.gateway_port if "/sessions" in path else server.port
        for content_type, body in cases:
            assert_4xx(server.request("POST", path, raw=body, headers={"Content-Type": content_type}, port=port), 415,
                       "unsupported_media_type", "application/json")
        # No Content-Type at all, as a no-cors fetch of a Blob sends it.
        conn = socket.create_connection(("127.0.0.1", port), timeout=10)
        conn.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(job)).encode()
                     + b"\r\nConnection: close\r\n\r\n" + job)
        answer = read_all(conn)
        assert answer.startswith(b"HTTP/1.1 415"), answer[:200]
    no_jobs(server)
    assert snapshot(world) == before


def read_all(conn: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    conn.close()
    return b"".join(chunks)


def test_token_from_file_and_environment(weir, tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text("file-token-123\n")
    monkeypatch.delenv("WEIR_AUTH_TOKEN", raising=False)
    for extra, token, env in [(["--auth-token-file", str(token_file)], "file-token-123", None),
                              ([], "env-token-456", "env-token-456")]:
        if env:
            monkeypatch.setenv("WEIR_AUTH_TOKEN", env)
        srv = WeirServer(weir, tmp_path / "data", *extra, allow=[]).start()
        try:
            cmdline = Path(f"/proc/{srv.proc.pid}/cmdline").read_bytes()
            assert token.encode() not in cmdline
            assert_4xx(srv.get("/overview"), 401, "unauthorized")
            assert_4xx(srv.request("POST", "/jobs", {"sql": "SELECT 1;"}), 401, "unauthorized")
            assert_4xx(srv.get("/jobs", headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
            assert_4xx(srv.get("/jobs", headers={"Authorization": f"Basic {token}"}), 401, "unauthorized")
            assert srv.get("/jobs", headers={"Authorization": f"Bearer {token}"}).json["jobs"] == []
        finally:
            srv.kill()
    empty = tmp_path / "empty"
    empty.write_text("\n")
    r = run_weir(weir, "serve", "--addr", "127.0.0.1:0", "--data-dir", str(tmp_path / "d2"), "--auth-token-file", str(empty), timeout=30)
    assert r.returncode != 0 and "empty" in r.stderr


def start_until_listening(args: list[str]) -> tuple[subprocess.Popen, list[str]]:
    """Starts `args` and reads its stderr up to the `listening on` line (or its exit)."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "listening on" in line:
            break
    return proc, lines


def test_binding_beyond_loopback_needs_a_token_or_insecure(weir, tmp_path, monkeypatch):
    monkeypatch.delenv("WEIR_AUTH_TOKEN", raising=False)
    base = [str(weir), "serve", "--addr", "0.0.0.0:0", "--data-dir", str(tmp_path / "data")]
    r = run_weir(weir, *base[1:], timeout=30)
    assert r.returncode != 0, r.stderr
    assert "refusing to listen on 0.0.0.0:0 without a token" in r.stderr and "--insecure" in r.stderr
    token_file = tmp_path / "token"
    token_file.write_text("t0ken")
    for extra, warned in [(["--insecure"], True), (["--auth-token-file", str(token_file)], False)]:
        proc, lines = start_until_listening(base + extra)
        try:
            assert any("listening on" in line for line in lines), lines
            assert any("WARNING" in line and "WITHOUT AUTHENTICATION" in line for line in lines) == warned, lines
        finally:
            proc.kill()
            proc.wait(10)


def test_huge_headers_answer_431(server):
    big = "x" * (100 * 1024)
    r = server.get("/overview", headers={"X-Big": big})
    assert r.status == 431, r
    many = {f"X-H{i}": "v" for i in range(150)}
    assert server.get("/overview", headers=many).status == 431
    assert server.get("/overview").status == 200


def test_slowloris_and_idle_connections_are_closed(weir, world):
    srv = WeirServer(weir, world / "data", "--header-read-timeout", "1", "--max-connections", "256", allow=[]).start()
    try:
        half_sent = []
        for _ in range(150):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
            s.sendall(b"GET /overview HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            half_sent.append(s)
        idle = [socket.create_connection(("127.0.0.1", srv.port), timeout=20) for _ in range(50)]
        # Meanwhile a normal request gets through.
        assert srv.get("/overview", timeout=10).status == 200
        for s in half_sent + idle:
            answer = read_all(s)  # the server closes them (after a 408, or without a word)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert srv.get("/overview").status == 200
    finally:
        srv.kill()


def test_connection_cap_holds_further_clients_until_one_closes(weir, world):
    srv = WeirServer(weir, world / "data", "--header-read-timeout", "2", "--max-connections", "8", allow=[]).start()
    try:
        held = [socket.create_connection(("127.0.0.1", srv.port), timeout=20) for _ in range(8)]
        time.sleep(0.2)
        result = {}
        t = threading.Thread(target=lambda: result.setdefault("r", srv.get("/overview", timeout=30)))
        t.start()
        time.sleep(0.5)
        assert "r" not in result, "a ninth connection was served while eight were open"
        t.join(30)
        assert result["r"].status == 200  # served once the idle ones were closed
        for s in held:
            read_all(s)
    finally:
        srv.kill()


def test_slow_body_answers_408(weir, world):
    srv = WeirServer(weir, world / "data", "--request-timeout", "1", allow=[]).start()
    try:
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
        s.sendall(b"POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sql\": ")
        answer = read_all(s)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"request_timeout" in answer
        no_jobs(srv)
    finally:
        srv.kill()


def test_parallelism_beyond_the_limit_is_refused(server, world):
    (world / "data" / "inputs" / "ok.csv").write_text("1\n")
    before = snapshot(world)
    assert_4xx(server.request("POST", "/jobs", {"sql": f"SET 'parallelism.default' = '1024';\n{ONE_ROW}"}), 400,
               "parallelism_too_high", "SET 'parallelism.default'", "1024", "--max-parallelism 4")
    spec = source_spec("inputs/ok.csv", config={"parallelism.default": "1024"})
    assert_4xx(server.request("POST", "/jobs", {"spec": spec}), 400, "parallelism_too_high", "spec.config.parallelism.default")
    huge = source_spec("inputs/ok.csv", config={"parallelism.default": "99999999999999999999999"})
    assert_4xx(server.request("POST", "/jobs", {"spec": huge}), 400, "parallelism_too_high")
    session = server.gateway.request("POST", "/v1/sessions", {"properties": {"parallelism.default": "1024"}}).json["sessionHandle"]
    op = server.gateway.request("POST", f"/v1/sessions/{session}/statements", {"statement": ONE_ROW}).json["operationHandle"]
    r = server.gateway.get(f"/v1/sessions/{session}/operations/{op}/result/0")
    assert r.status == 400 and "parallelism.default" in r.json["errors"][0], r
    no_jobs(server)
    assert snapshot(world) == before
    jobid = server.submit({"spec": source_spec("inputs/ok.csv", config={"parallelism.default": "4"})})
    assert server.wait_state(jobid)["state"] == "FINISHED"


def test_sql_gateway_tables_are_checked_too(server, world):
    before = snapshot(world)
    session = server.gateway.request("POST", "/v1/sessions", {}).json["sessionHandle"]
    ddl = "CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '/etc/passwd', 'format' = 'csv')"
    op = server.gateway.request("POST", f"/v1/sessions/{session}/statements", {"statement": ddl}).json["operationHandle"]
    r = server.gateway.get(f"/v1/sessions/{session}/operations/{op}/result/0")
    assert r.status == 400 and "table t: option 'path'" in r.json["errors"][0], r
    no_jobs(server)
    assert snapshot(world) == before


def test_weir_run_reads_files_anywhere(weir, world):
    job = world / "job.sql"
    job.write_text(f"CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '{world / 'outside' / 'secret.csv'}', "
                   "'format' = 'csv');\nSELECT id FROM t;\n")
    r = run_weir(weir, "run", str(job), "--mode", "batch", "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.split()) == ["+I[1]", "+I[2]"]
