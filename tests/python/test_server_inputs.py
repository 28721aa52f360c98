"""`POST /jobs/{jobid}/inputs/{table}` over real HTTP: records pushed into a running streaming
job's `push` table show up in its results and its SSE changelog; bad batches are refused whole
with the record and field named; unknown jobs/tables are 404, ended jobs 409."""

import threading
import time

import pytest

from conftest import final_rows
from test_server_support import WeirServer

CLICKS = ("CREATE TABLE clicks (user_name STRING, n BIGINT) WITH ('connector' = 'push');\n"
          "SELECT user_name, SUM(n) AS total FROM clicks GROUP BY user_name;")


@pytest.fixture(params=[1, 3], ids=["1-worker", "3-workers"])
def server(weir, tmp_path, request):
    srv = WeirServer(weir, tmp_path / "data", "--workers", str(request.param)).start()
    yield srv
    srv.kill()


def start_clicks(server: WeirServer) -> str:
    jobid = server.submit({"sql": CLICKS, "mode": "streaming", "name": "clicks"})
    server.wait_state(jobid, states=("RUNNING",))
    return jobid


def push(server: WeirServer, jobid: str, records, table: str = "clicks"):
    return server.request("POST", f"/jobs/{jobid}/inputs/{table}", records)


def wait_rows(server: WeirServer, jobid: str, expected: list[list], timeout: float = 20) -> list[list]:
    deadline = time.time() + timeout
    while True:
        rows = sorted(server.get(f"/jobs/{jobid}/results").json["rows"])
        if rows == expected:
            return rows
        if time.time() > deadline:
            raise AssertionError(f"results {rows}, expected {expected}")
        time.sleep(0.05)


def test_pushed_records_reach_results_and_changelog(server):
    jobid = start_clicks(server)
    r = push(server, jobid, [{"user_name": "ann", "n": 1}, ["bob", 2], {"user_name": "ann", "n": "3"}])
    assert r.status == 200 and r.json["accepted"] == 3, r
    wait_rows(server, jobid, [["ann", 4], ["bob", 2]])

    # One bad record refuses the whole batch: "cy" must not get its 5.
    bad = push(server, jobid, [{"user_name": "cy", "n": 5}, {"user_name": "dee", "n": "x"}])
    assert bad.status == 400, bad
    assert bad.json["errors"][0].startswith('record 1, field "n": '), bad.json
    assert "BIGINT" in bad.json["errors"][0]
    assert push(server, jobid, [{"user": "cy"}]).json["errors"][0].startswith('record 0, field "user": no such column')
    assert push(server, jobid, [["cy"]]).status == 400
    assert push(server, jobid, {"user_name": "cy"}).status == 400
    assert push(server, jobid, [["cy", 10]]).json == {"accepted": 1, "pushed": 4}
    wait_rows(server, jobid, [["ann", 4], ["bob", 2], ["cy", 10]])

    missing = push(server, jobid, [["a", 1]], table="views")
    assert missing.status == 404 and "clicks" in missing.json["errors"][0], missing
    assert push(server, "0" * 32, [["a", 1]]).status == 404

    threading.Timer(0.5, lambda: server.request("PATCH", f"/jobs/{jobid}?mode=cancel")).start()
    events = server.sse(f"/jobs/{jobid}/results/changes", timeout=20)
    assert events[-1][0] == "end" and events[-1][1]["state"] == "CANCELED", events[-1]
    changes = [(e["op"], e["row"]) for kind, e in events if kind == "change"]
    assert sorted(final_rows(changes)) == [["ann", 4], ["bob", 2], ["cy", 10]]
    server.wait_state(jobid, states=("CANCELED",))
    ended = push(server, jobid, [["a", 1]])
    assert ended.status == 409 and "CANCELED" in ended.json["errors"][0], ended


def test_closing_the_input_finishes_the_job(server):
    jobid = start_clicks(server)
    assert push(server, jobid, [["ann", 1], ["ann", 2]]).status == 200
    closed = server.request("POST", f"/jobs/{jobid}/inputs/clicks/close")
    assert closed.status == 200 and closed.json == {"closed": True, "pushed": 2}, closed
    assert push(server, jobid, [["ann", 1]]).status == 409
    assert server.wait_state(jobid, timeout=20)["state"] == "FINISHED"
    assert sorted(server.get(f"/jobs/{jobid}/results").json["rows"]) == [["ann", 3]]


def test_openapi_documents_inputs(server):
    paths = server.get("/openapi.json").json["paths"]
    assert "post" in paths["/jobs/{jobid}/inputs/{table}"]
    assert "post" in paths["/jobs/{jobid}/inputs/{table}/close"]
