"""End-to-end tests of `weir serve` over real HTTP on an ephemeral loopback port: job
submission (SQL and spec), results against independent oracles (DuckDB, a Python fold),
cancellation, live changes over SSE, the SQL gateway, metrics, restarts, and every error case."""

import json
import time
from collections import defaultdict

import duckdb
import pytest

from conftest import REPO, final_rows
from test_server_support import WeirServer

BIDS = REPO / "examples/data/bids.csv"
BIDS_SCHEMA = [
    {"name": "auction", "type": "BIGINT"},
    {"name": "bidder", "type": "BIGINT"},
    {"name": "price", "type": "BIGINT"},
    {"name": "ts_ms", "type": "BIGINT"},
]
BIDS_DDL = (f"CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, ts_ms BIGINT) "
            f"WITH ('connector' = 'filesystem', 'path' = '{BIDS}', 'format' = 'csv');")
UNBOUNDED_DDL = ("CREATE TABLE gen (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '50', "
                 "'fields.k.min' = '1', 'fields.k.max' = '5');")


@pytest.fixture
def server(weir, tmp_path):
    srv = WeirServer(weir, tmp_path / "data", "--workers", "1").start()
    yield srv
    srv.kill()


def spec_job(sink: str = "print") -> dict:
    return {"name": "per-auction", "nodes": [
        {"kind": "source", "id": "bids", "connector": "filesystem",
         "options": {"path": str(BIDS), "format": "csv"}, "schema": BIDS_SCHEMA},
        {"kind": "aggregate", "id": "per_auction", "input": "bids",
         "group_by": [{"name": "auction", "expr": {"column": "auction"}}],
         "aggregates": [{"name": "bids", "function": "count"},
                        {"name": "total", "function": "sum", "args": [{"column": "price"}]}]},
        {"kind": "sink", "id": "out", "input": "per_auction", "connector": sink},
    ]}


def python_fold() -> list[list[int]]:
    groups = defaultdict(list)
    for line in BIDS.read_text().splitlines():
        auction, _bidder, price, _ts = map(int, line.split(","))
        groups[auction].append(price)
    return sorted([a, len(p), sum(p)] for a, p in groups.items())


def all_results(server: WeirServer, jobid: str, sink: str = "", page: int = 7) -> list[list]:
    rows, offset = [], 0
    while True:
        r = server.get(f"/jobs/{jobid}/results{'/' + sink if sink else ''}?offset={offset}&limit={page}")
        assert r.status == 200, r
        rows += r.json["rows"]
        offset += page
        if offset >= r.json["total"]:
            return rows


def test_overview_config_and_openapi(server):
    overview = server.get("/overview")
    assert overview.status == 200 and overview.json["jobs-running"] == 0 and overview.json["taskmanagers"] == 1
    config = server.get("/config").json
    assert config["features"]["web-submit"] and config["max-running-jobs"] > 0
    spec = server.get("/openapi.json").json
    assert spec["openapi"].startswith("3.") and "/jobs/{jobid}" in spec["paths"]
    assert not any(p.startswith("/v1/sessions") for p in spec["paths"]), "the SQL gateway is on its own port"
    gateway_spec = server.gateway.get("/openapi.json").json
    assert "/v1/sessions/{session_handle}/statements" in gateway_spec["paths"]


def test_sql_job_results_match_duckdb(server):
    sql = f"{BIDS_DDL}\nSELECT auction, COUNT(*) AS n, SUM(price) AS total, MAX(price) AS top FROM bids GROUP BY auction;"
    jobid = server.submit({"sql": sql, "mode": "batch", "name": "sql-agg"})
    assert len(jobid) == 32 and int(jobid, 16) >= 0
    details = server.wait_state(jobid)
    assert details["state"] == "FINISHED", details
    assert details["name"] == "sql-agg" and details["job-type"] == "BATCH"
    assert details["end-time"] >= details["start-time"] > 0 and details["duration"] >= 0
    first = server.get(f"/jobs/{jobid}/results").json
    assert first["columns"] == ["auction", "n", "total", "top"] and first["complete"]
    expected = duckdb.sql(
        f"SELECT auction, COUNT(*), SUM(price), MAX(price) FROM read_csv('{BIDS}', header=false, "
        "columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'ts': 'BIGINT'}) GROUP BY auction").fetchall()
    assert sorted(all_results(server, jobid)) == sorted([list(map(int, r)) for r in expected])


def test_spec_job_print_sink_is_collected_with_metrics_and_plan(server):
    jobid = server.submit({"spec": spec_job("print"), "mode": "streaming"})
    details = server.wait_state(jobid)
    assert details["state"] == "FINISHED", details
    assert details["name"] == "per-auction" and details["result-sinks"] == ["out"]
    assert sorted(all_results(server, jobid)) == python_fold()
    assert sorted(all_results(server, jobid, sink="out")) == python_fold()
    lines = len(BIDS.read_text().splitlines())
    vertices = {v["id"]: v for v in details["vertices"]}
    assert vertices["bids"]["metrics"]["write-records"] == lines
    assert vertices["per_auction"]["metrics"]["read-records"] == lines
    assert vertices["bids"]["metrics"]["write-records-complete"]
    plan = server.get(f"/jobs/{jobid}/plan").json["plan"]
    assert [n["id"] for n in plan["nodes"]] == ["bids", "per_auction", "out"]
    assert plan["nodes"][1]["inputs"][0]["id"] == "bids"
    metrics = {m["id"]: m["value"] for m in server.get(f"/jobs/{jobid}/metrics").json}
    assert metrics["bids.numRecordsOut"] == str(lines)
    only = server.get(f"/jobs/{jobid}/metrics?get=numRecordsOut").json
    assert [m["id"] for m in only] == ["numRecordsOut"]
    assert server.get(f"/jobs/{jobid}/exceptions").json["root-exception"] is None
    assert {"id": jobid, "status": "FINISHED"} in server.get("/jobs").json["jobs"]
    assert any(j["jid"] == jobid and j["state"] == "FINISHED" for j in server.get("/jobs/overview").json["jobs"])


def test_a_window_fused_into_its_aggregate_shows_the_aggregates_counters(server):
    ddl = (f"CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, ts_ms BIGINT, "
           f"rt AS TO_TIMESTAMP_LTZ(ts_ms, 3), WATERMARK FOR rt AS rt - INTERVAL '1' SECOND) "
           f"WITH ('connector' = 'filesystem', 'path' = '{BIDS}', 'format' = 'csv');")
    sql = (f"{ddl}\nSELECT auction, window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(rt), "
           "INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end;")
    jobid = server.submit({"sql": sql, "mode": "batch"})
    assert server.wait_state(jobid)["state"] == "FINISHED"
    plan = server.get(f"/jobs/{jobid}/plan/physical").json
    fused = [o for o in plan["operators"] if o["operator"] == "Fused"]
    assert fused and all(o["fusedInto"] for o in fused), plan["operators"]
    assert all("fusedInto" not in o for o in plan["operators"] if o["operator"] != "Fused")
    # The aggregate reads every source row through the window it computes; the window shows the
    # aggregate's counters, counted once in the job's totals.
    lines = len(BIDS.read_text().splitlines())
    vertices = {v["id"]: v["metrics"] for v in server.get(f"/jobs/{jobid}").json["vertices"]}
    for o in fused:
        assert vertices[o["fusedInto"]]["read-records"] == lines, vertices
        assert vertices[o["id"]] == vertices[o["fusedInto"]], vertices
    results = all_results(server, jobid)
    assert vertices[fused[0]["fusedInto"]]["write-records"] >= len(results) > 0
    metrics = {m["id"]: int(m["value"]) for m in server.get(f"/jobs/{jobid}/metrics").json if m["id"].endswith("numRecordsIn")}
    computed = [v for v in vertices if v not in {o["id"] for o in fused}]
    assert metrics["numRecordsIn"] == sum(metrics[f"{v}.numRecordsIn"] for v in computed), metrics


def test_physical_plan_names_the_node_a_reused_subplan_reads(server):
    per_auction = "SELECT auction, COUNT(*) AS n FROM bids GROUP BY auction"
    sql = f"{BIDS_DDL}\nSELECT a.auction, a.n FROM ({per_auction}) a JOIN (SELECT MAX(n) AS top FROM ({per_auction})) m ON a.n = m.top;"
    jobid = server.submit({"sql": sql, "mode": "batch"})
    assert server.wait_state(jobid)["state"] == "FINISHED"
    plan = server.get(f"/jobs/{jobid}/plan/physical").json
    assert "Reused(reference_id=[" in plan["plan"], plan["plan"]
    operators = {o["id"]: o for o in plan["operators"]}
    reused = [o for o in plan["operators"] if o["operator"] == "Reused"]
    assert reused and all(o["inputs"] == [] for o in reused), reused
    assert all(operators[o["reusedAs"]]["operator"] != "Reused" for o in reused)
    assert any(operators[o["reusedAs"]]["operator"].endswith("GroupAggregate") for o in reused), reused
    assert all("reusedAs" not in o for o in plan["operators"] if o["operator"] != "Reused")
    # A merged node's counters are those of the node computing its rows, counted once in the
    # job's totals.
    vertices = {v["id"]: v["metrics"] for v in server.get(f"/jobs/{jobid}").json["vertices"]}
    for o in reused:
        assert vertices[o["id"]]["write-records"] == vertices[o["reusedAs"]]["write-records"] > 0, vertices
    metrics = {m["id"]: int(m["value"]) for m in server.get(f"/jobs/{jobid}/metrics").json if m["id"].endswith("numRecordsOut")}
    computed = [v for v in vertices if v not in {o["id"] for o in reused}]
    assert metrics["numRecordsOut"] == sum(metrics[f"{v}.numRecordsOut"] for v in computed), metrics
    counts = duckdb.sql(
        f"SELECT auction, COUNT(*) AS n FROM read_csv('{BIDS}', header=false, "
        "columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'ts': 'BIGINT'}) GROUP BY auction").fetchall()
    top = max(n for _, n in counts)
    assert sorted(all_results(server, jobid)) == sorted([a, n] for a, n in counts if n == top)


def test_event_time_vertices_report_their_watermark(server, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("a,2023-11-14 22:13:20\nb,2023-11-14 22:13:25\na,2023-11-14 22:13:30\n")
    sql = f"""
        CREATE TABLE events (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
        WITH ('connector' = 'filesystem', 'path' = '{events}', 'format' = 'csv');
        SELECT k, ts FROM events WHERE k <> 'z';
    """
    jobid = server.submit({"sql": sql, "mode": "streaming"})
    details = server.wait_state(jobid)
    assert details["state"] == "FINISHED", details
    marks = [v["metrics"].get("current-watermark") for v in details["vertices"]]
    # The last event (22:13:30, 1_700_000_010_000 ms) minus the delay, at the 200 ms tick.
    assert marks[0] == 1_700_000_009_000, details["vertices"]
    assert all(m == marks[0] for m in marks), details["vertices"]
    batch = server.wait_state(server.submit({"sql": sql, "mode": "batch"}))
    assert all("current-watermark" not in v["metrics"] for v in batch["vertices"]), batch["vertices"]


def bad_record_job(tmp_path) -> dict:
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3,4\n1,2,not-a-number,4\n")
    job = spec_job("collect")
    job["nodes"][0]["options"]["path"] = str(bad)
    return job


def test_failed_job_reports_its_exception(server, tmp_path):
    jobid = server.submit({"spec": bad_record_job(tmp_path)})
    details = server.wait_state(jobid)
    assert details["state"] == "FAILED" and "bad.csv:2" in details["failure-cause"]
    exc = server.get(f"/jobs/{jobid}/exceptions").json
    assert "bad.csv:2" in exc["root-exception"] and "not-a-number" in exc["root-exception"]
    assert exc["exceptionHistory"]["entries"][0]["exceptionName"] == "bad_record"
    assert server.get("/overview").json["jobs-failed"] == 1
    assert server.get("/jobs/overview").status == 200


def test_changes_stream_replays_to_the_materialized_result(server):
    jobid = server.submit({"spec": spec_job("collect"), "mode": "streaming"})
    events = server.sse(f"/jobs/{jobid}/results/changes")
    assert events[-1][0] == "end" and events[-1][1]["state"] == "FINISHED"
    changes = [(e["op"], e["row"]) for kind, e in events if kind == "change"]
    assert changes and all(op in ("+I", "-U", "+U", "-D") for op, _ in changes)
    assert sorted(final_rows(changes)) == python_fold()
    resumed = server.sse(f"/jobs/{jobid}/results/out/changes?offset={len(changes) - 1}")
    assert [(e["op"], e["row"]) for k, e in resumed if k == "change"] == changes[-1:]


def test_cancel_unbounded_job(server):
    jobid = server.submit({"sql": f"{UNBOUNDED_DDL}\nSELECT k, COUNT(*) AS n FROM gen GROUP BY k;"})
    server.wait_state(jobid, states=("RUNNING",))
    time.sleep(0.5)
    r = server.request("PATCH", f"/jobs/{jobid}?mode=cancel")
    assert r.status == 202, r
    started = time.time()
    details = server.wait_state(jobid, timeout=5)
    assert details["state"] == "CANCELED" and time.time() - started < 5
    assert server.request("PATCH", f"/jobs/{jobid}?mode=cancel").status == 202
    page = server.get(f"/jobs/{jobid}/results").json
    assert page["complete"] and all(1 <= row[0] <= 5 for row in page["rows"])


def test_live_changes_of_a_running_job_end_when_cancelled(server):
    jobid = server.submit({"sql": f"{UNBOUNDED_DDL}\nSELECT k, v FROM gen;"})
    server.wait_state(jobid, states=("RUNNING",))
    import threading
    threading.Timer(1.0, lambda: server.request("PATCH", f"/jobs/{jobid}?mode=cancel")).start()
    events = server.sse(f"/jobs/{jobid}/results/changes", timeout=20)
    assert events[-1] == ("end", {"state": "CANCELED", "changes": len(events) - 1})
    assert len(events) > 1 and all(e["op"] == "+I" for k, e in events if k == "change")


def test_sql_gateway_session_keeps_its_catalog(server):
    session = server.gateway.request("POST", "/v1/sessions", {"sessionName": "t", "properties": {"execution.runtime-mode": "batch"}})
    assert session.status == 200, session
    s = session.json["sessionHandle"]
    assert server.gateway.get(f"/v1/sessions/{s}").json["properties"]["execution.runtime-mode"] == "batch"

    def run(statement: str) -> str:
        r = server.gateway.request("POST", f"/v1/sessions/{s}/statements", {"statement": statement})
        assert r.status == 200, r
        return r.json["operationHandle"]

    def fetch_all(op: str) -> list[dict]:
        rows, uri = [], f"/v1/sessions/{s}/operations/{op}/result/0"
        deadline = time.time() + 30
        while uri and time.time() < deadline:
            r = server.gateway.get(uri)
            assert r.status == 200, r
            body = r.json
            rows += body["results"]["data"]
            if body["resultType"] == "EOS":
                break
            if body["resultType"] == "NOT_READY":
                time.sleep(0.05)
            uri = body.get("nextResultUri")
        return rows

    ddl = run(BIDS_DDL)
    assert server.gateway.get(f"/v1/sessions/{s}/operations/{ddl}/status").json["status"] == "FINISHED"
    tables = fetch_all(run("SHOW TABLES"))
    assert tables == [{"kind": "INSERT", "fields": ["bids"]}]
    op = run("SELECT auction, COUNT(*) AS bids, SUM(price) AS total FROM bids GROUP BY auction")
    rows = fetch_all(op)
    assert all(r["kind"] == "INSERT" for r in rows)
    assert sorted(r["fields"] for r in rows) == python_fold()
    assert server.gateway.get(f"/v1/sessions/{s}/operations/{op}/status").json["status"] == "FINISHED"

    bad = run("SELECT auction,\n  pricee FROM bids")
    assert server.gateway.get(f"/v1/sessions/{s}/operations/{bad}/status").json["status"] == "ERROR"
    err = server.gateway.get(f"/v1/sessions/{s}/operations/{bad}/result/0")
    assert err.status == 400 and "pricee" in err.json["errors"][0]
    assert (err.json["line"], err.json["column"]) == (2, 3)

    assert server.gateway.request("DELETE", f"/v1/sessions/{s}/operations/{op}/close").json["status"] == "CLOSED"
    assert server.gateway.get(f"/v1/sessions/{s}/operations/{op}/status").status == 404
    assert server.gateway.get("/v1/info").json["productName"] == "Weir"
    assert server.gateway.get("/v2/info").status == 200
    assert server.gateway.request("DELETE", f"/v1/sessions/{s}").json["status"] == "CLOSED"
    assert server.gateway.get(f"/v1/sessions/{s}").status == 404


def test_prometheus_metrics(server):
    jobid = server.submit({"spec": spec_job("collect")})
    server.wait_state(jobid)
    r = server.get("/metrics")
    assert r.status == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.body.decode()
    assert 'weir_jobs{state="FINISHED"} 1' in text
    lines = len(BIDS.read_text().splitlines())
    assert f'weir_operator_records_out_total{{job_id="{jobid}",job_name="per-auction",operator="bids",kind="source"}} {lines}' in text


def assert_error(r, status: int, *fragments: str) -> dict:
    assert r.status == status, r
    body = r.json
    assert isinstance(body["errors"], list) and body["errors"], body
    for fragment in fragments:
        assert fragment in body["errors"][0], body
    return body


def test_error_answers_are_json_4xx(server):
    assert_error(server.get("/jobs/00000000000000000000000000000000"), 404, "not found")
    assert_error(server.get("/jobs/not-a-job-id"), 400, "32 hexadecimal")
    assert_error(server.get("/jobs/not-a-job-id/results"), 400)
    body = assert_error(server.request("POST", "/jobs", {"sql": f"{BIDS_DDL}\nSELECT auction,\n   pricee FROM bids;"}), 400, "pricee")
    assert (body["line"], body["column"]) == (3, 4) and body["code"] == "sql_column_not_found"
    bad_spec = spec_job()
    bad_spec["nodes"][1]["group_by"][0]["expr"] = {"column": "auctoin"}
    assert_error(server.request("POST", "/jobs", {"spec": bad_spec}), 400, "spec.nodes[1].group_by[0]", "auctoin")
    bad_kind = spec_job()
    bad_kind["nodes"][1]["kind"] = "nope"
    assert_error(server.request("POST", "/jobs", {"spec": bad_kind}), 400, "spec.nodes[1].kind")
    assert_error(server.request("POST", "/jobs", raw=b'{"sql": '), 400, "malformed JSON")
    assert_error(server.request("POST", "/jobs", raw=b'[1, 2]'), 400)
    assert_error(server.request("POST", "/jobs", {}), 400, "missing")
    assert_error(server.request("POST", "/jobs", {"sql": "SELECT 1;", "spec": {}}), 400, "not both")
    assert_error(server.request("POST", "/jobs", {"sql": "SELECT 1", "bogus": 1}), 400, "bogus")
    assert_error(server.request("POST", "/jobs", {"sql": BIDS_DDL}), 400, "no INSERT or SELECT")
    assert_error(server.request("PATCH", "/jobs/00000000000000000000000000000000?mode=stop"), 400, "mode")
    assert_error(server.get("/no/such/path"), 404)
    assert_error(server.request("DELETE", "/jobs"), 405)
    assert_error(server.gateway.get("/v1/sessions/nope/operations/nope/status"), 404)
    assert_error(server.gateway.get("/v1/sessions/nope/operations/nope/result/notanumber"), 400)
    jobid = server.submit({"spec": spec_job("collect")})
    server.wait_state(jobid)
    assert_error(server.request("PATCH", f"/jobs/{jobid}?mode=cancel"), 409, "FINISHED")
    assert_error(server.get(f"/jobs/{jobid}/results/nope"), 404, "nope")
    assert_error(server.get(f"/jobs/{jobid}/results?offset=-1"), 400)


def test_body_limit_answers_413(weir, tmp_path):
    srv = WeirServer(weir, tmp_path / "data", "--max-body-bytes", "1024").start()
    try:
        assert_error(srv.request("POST", "/jobs", {"sql": "SELECT 1; --" + "x" * 4096}), 413, "limit")
        assert_error(srv.gateway.request("POST", "/v1/sessions", {"properties": {"k": "x" * 4096}}), 413)
    finally:
        srv.kill()


def test_running_job_limit_answers_429(weir, tmp_path):
    srv = WeirServer(weir, tmp_path / "data", "--max-running-jobs", "1", "--workers", "1").start()
    try:
        first = srv.submit({"sql": f"{UNBOUNDED_DDL}\nSELECT k, v FROM gen;"})
        assert_error(srv.request("POST", "/jobs", {"sql": f"{UNBOUNDED_DDL}\nSELECT k, v FROM gen;"}), 429, "too many running jobs")
        assert srv.request("PATCH", f"/jobs/{first}?mode=cancel").status == 202
        srv.wait_state(first)
        second = srv.submit({"spec": spec_job("collect")})
        assert srv.wait_state(second)["state"] == "FINISHED"
    finally:
        srv.kill()


def test_auth_token_required(weir, tmp_path):
    srv = WeirServer(weir, tmp_path / "data", token="s3cret").start()
    try:
        assert srv.get("/overview").status == 200
        assert_error(srv.get("/overview", headers={"Authorization": "Bearer wrong"}), 401, "bearer")
        assert_error(srv.get("/jobs", headers={"Authorization": "s3cret"}), 401)
        srv.token = None
        assert_error(srv.get("/jobs"), 401)
        assert_error(srv.request("POST", "/jobs", {"sql": "SELECT 1;"}), 401)
        assert_error(srv.get("/no/such/path"), 401)
    finally:
        srv.kill()


def test_restart_keeps_the_registry(weir, tmp_path):
    data = tmp_path / "data"
    srv = WeirServer(weir, data, "--workers", "1").start()
    finished = srv.submit({"spec": spec_job("collect"), "name": "kept"})
    srv.wait_state(finished)
    failed = srv.submit({"spec": bad_record_job(tmp_path)})
    assert srv.wait_state(failed)["state"] == "FAILED"
    running = srv.submit({"sql": f"{UNBOUNDED_DDL}\nSELECT k, v FROM gen;"})
    srv.wait_state(running, states=("RUNNING",))
    assert srv.stop() == 0
    records = [json.loads(f.read_text()) for f in (data / "jobs").glob("*.json")]
    assert {r["jid"] for r in records} == {finished, failed, running}

    srv = WeirServer(weir, data, "--workers", "1").start()
    try:
        kept = srv.get(f"/jobs/{finished}").json
        assert kept["state"] == "FINISHED" and kept["name"] == "kept"
        assert kept["vertices"][0]["metrics"]["write-records"] == len(BIDS.read_text().splitlines())
        assert srv.get(f"/jobs/{failed}").json["state"] == "FAILED"
        assert "bad.csv:2" in srv.get(f"/jobs/{failed}/exceptions").json["root-exception"]
        stopped = srv.get(f"/jobs/{running}").json
        assert stopped["state"] == "CANCELED" and "shut down" in stopped["cancel-reason"]
        assert_error(srv.get(f"/jobs/{finished}/results"), 404, "no longer kept")
        # An unclean stop: the job that was running comes back FAILED, saying why.
        crashed = srv.submit({"sql": f"{UNBOUNDED_DDL}\nSELECT k, v FROM gen;"})
        srv.wait_state(crashed, states=("RUNNING",))
        time.sleep(0.5)
        srv.kill()
        srv = WeirServer(weir, data, "--workers", "1").start()
        lost = srv.get(f"/jobs/{crashed}").json
        assert lost["state"] == "FAILED"
        assert "server stopped" in srv.get(f"/jobs/{crashed}/exceptions").json["root-exception"]
        assert len(srv.get("/jobs").json["jobs"]) == 4
    finally:
        srv.kill()
