"""Savepoints over Flink's REST API (issue #16), with real processes.

A streaming TUMBLE job without periodic checkpoints is stopped with a savepoint
(`POST /jobs/{id}/stop`, then `GET /jobs/{id}/savepoints/{trigger}` until COMPLETED), and the
same job submitted again with `savepointPath` (with the same parallelism, or another) finishes
from it: its visible files hold exactly, as a multiset, the windows a plain Python fold
computes. A job whose state a checkpoint cannot
capture refuses a savepoint with the planner's reason; a target outside the allowed
directories is refused like any other path.
"""

import time
from collections import Counter

import pytest

from test_checkpoint_recovery import JOB, expected_windows, visible_rows
from test_server_support import WeirServer

JOIN = """
CREATE TABLE a (k BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '10');
CREATE TABLE b (k BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '10');
SELECT a.k FROM a JOIN b ON a.k = b.k;
"""


def wait_savepoint(server: WeirServer, jobid: str, trigger: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r = server.get(f"/jobs/{jobid}/savepoints/{trigger}")
        assert r.status == 200, r
        if r.json["status"]["id"] == "COMPLETED":
            return r.json["operation"]
        assert r.json["status"]["id"] == "IN_PROGRESS", r.json
        time.sleep(0.05)
    raise AssertionError("the savepoint did not complete")


@pytest.mark.parametrize("resumed_workers", [None, 3], ids=["same-parallelism", "into-3-workers"])
def test_stop_with_a_savepoint_and_resume_from_it_exactly_once(weir, tmp_path, resumed_workers):
    data = tmp_path / "data"
    server = WeirServer(weir, data, "--workers", "2").start()
    try:
        sql = JOB.format(out="outputs/windows").replace("'5000'", "'2500'")
        first = server.submit({"sql": sql})
        server.wait_state(first, states=("RUNNING",))
        time.sleep(1.5)
        r = server.request("POST", f"/jobs/{first}/stop", {"targetDirectory": str(tmp_path / "savepoints"), "drain": False})
        assert r.status == 202, r
        operation = wait_savepoint(server, first, r.json["request-id"])
        location = operation["location"]
        assert location.startswith(str(tmp_path / "savepoints" / f"savepoint-{first[:6]}-")), operation
        assert server.wait_state(first)["state"] == "CANCELED"
        assert list((tmp_path / "savepoints").iterdir()) == [tmp_path / "savepoints" / location.rsplit("/", 1)[1]], "only the savepoint"
        # A savepoint of a 2-worker job restores into another parallelism too (key groups).
        resumed = sql if resumed_workers is None else f"SET 'parallelism.default' = '{resumed_workers}';\n{sql}"
        second = server.submit({"sql": resumed, "savepointPath": location})
        assert server.wait_state(second, timeout=120)["state"] == "FINISHED", server.get(f"/jobs/{second}/exceptions").json
        assert server.get(f"/jobs/{second}/checkpoints").json["counts"]["restored"] == 1
    finally:
        server.stop()
    rows = visible_rows(data / "outputs" / "windows")
    assert not [key for key, n in Counter(key for key, _ in rows).items() if n > 1], "a window written twice"
    assert dict(rows) == expected_windows()


def test_savepoints_that_cannot_be_taken_say_why(weir, tmp_path):
    server = WeirServer(weir, tmp_path / "data", "--workers", "1").start()
    try:
        join = server.submit({"sql": JOIN, "mode": "streaming"})
        server.wait_state(join, states=("RUNNING",))
        r = server.request("POST", f"/jobs/{join}/savepoints", {"target-directory": str(tmp_path / "sp"), "cancel-job": False})
        assert r.status == 409 and "cannot take a savepoint" in r.json["errors"][0] and "nodes[" in r.json["errors"][0], r
        gen = server.submit({"sql": JOB.format(out="outputs/w").replace("'5000'", "'100'")})
        server.wait_state(gen, states=("RUNNING",))
        r = server.request("POST", f"/jobs/{gen}/savepoints", {"target-directory": "/"})
        assert r.status == 400 and "outside the directories" in r.json["errors"][0], r
        r = server.request("POST", f"/jobs/{gen}/savepoints", {"target-directory": str(tmp_path / "sp"), "cancel-job": True})
        assert r.status == 202, r
        assert wait_savepoint(server, gen, r.json["request-id"])["location"]
        assert server.wait_state(gen)["state"] == "CANCELED"
        assert server.get(f"/jobs/{gen}/savepoints/{'0' * 32}").status == 404
        assert server.request("POST", f"/jobs/{gen}/savepoints", {}).status == 409, "an ended job takes no savepoint"
    finally:
        server.stop()
