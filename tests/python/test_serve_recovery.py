"""`weir serve` resumes its checkpointing jobs after `kill -9` (issue #16), with real processes.

Two jobs run on one server when it is killed with SIGKILL: a TUMBLE aggregate over a
rate-limited datagen sequence, and a projection of a push input whose batches were
acknowledged (some before the job's last checkpoint, some after). A new server on the same
data directory starts both again from their checkpoints with the same job ids; the push job
replays the acknowledged batches after its checkpoint from the push-input log, takes more
pushes, and ends when its input is closed. Each job's visible files must hold, as a multiset,
exactly what a plain Python fold of its input gives. A job without a checkpoint is FAILED,
as before, saying why.
"""

import time
from collections import Counter

from test_checkpoint_recovery import JOB, completed_checkpoints, expected_windows, visible_rows
from test_server_support import WeirServer, wait_for

PUSH_JOB = """
SET 'execution.checkpointing.interval' = '200 ms';
CREATE TABLE clicks (k BIGINT, v BIGINT) WITH ('connector' = 'push');
CREATE TABLE doubled (k BIGINT, v2 BIGINT) WITH ('connector' = 'filesystem', 'path' = 'outputs/doubled', 'format' = 'csv');
INSERT INTO doubled SELECT k, v * 2 FROM clicks;
"""


def push(server: WeirServer, jobid: str, rows: list[list[int]]) -> None:
    r = server.request("POST", f"/jobs/{jobid}/inputs/clicks", rows)
    assert r.status == 200 and r.json["accepted"] == len(rows), r



def test_a_killed_server_resumes_its_checkpointing_jobs_exactly_once(weir, tmp_path):
    data = tmp_path / "data"
    server = WeirServer(weir, data, "--workers", "2").start()
    try:
        windows_sql = JOB.format(out="outputs/windows").replace(
            "SET 'table.local-time-zone' = 'UTC';", "SET 'table.local-time-zone' = 'UTC';\nSET 'execution.checkpointing.interval' = '200 ms';")
        windows = server.submit({"sql": windows_sql.replace("'5000'", "'2500'")})
        clicks = server.submit({"sql": PUSH_JOB, "mode": "streaming"})
        plain = server.submit({"sql": JOB.format(out="outputs/plain")})
        server.wait_state(clicks, states=("RUNNING",))
        batches = [[[i % 5, i] for i in range(b * 100, (b + 1) * 100)] for b in range(3)]
        push(server, clicks, batches[0])
        newest = lambda: max(completed_checkpoints(data / "checkpoints" / clicks), default=0)  # noqa: E731
        first = newest()
        wait_for(lambda: newest() > first + 1, 30, "a checkpoint of the push job after the first batch")
        push(server, clicks, batches[1])
        wait_for(lambda: completed_checkpoints(data / "checkpoints" / windows), 30, "a checkpoint of the window job")
        time.sleep(0.5)
        assert server.get(f"/jobs/{windows}").json["state"] == "RUNNING", "the window job must still run when the server is killed"
    finally:
        server.kill()

    server = WeirServer(weir, data, "--workers", "2").start()
    try:
        for jobid in (windows, clicks):
            assert server.get(f"/jobs/{jobid}").json["state"] == "RUNNING", server.get(f"/jobs/{jobid}")
        failed = server.get(f"/jobs/{plain}/exceptions").json
        assert server.get(f"/jobs/{plain}").json["state"] == "FAILED" and "no complete checkpoint" in failed["root-exception"], failed
        push(server, clicks, batches[2])
        assert server.request("POST", f"/jobs/{clicks}/inputs/clicks/close").status == 200
        for jobid in (windows, clicks):
            assert server.wait_state(jobid, timeout=120)["state"] == "FINISHED", server.get(f"/jobs/{jobid}/exceptions").json
        history = server.get(f"/jobs/{clicks}/exceptions").json["exceptionHistory"]["entries"]
        assert [e["exceptionName"] for e in history] == ["server_restarted"], history
        assert {m["id"]: m["value"] for m in server.get(f"/jobs/{clicks}/metrics").json}["numRestarts"] == "1"
    finally:
        server.stop()
    rows = visible_rows(data / "outputs" / "windows")
    assert not [key for key, n in Counter(key for key, _ in rows).items() if n > 1], "a window written twice"
    assert dict(rows) == expected_windows()
    assert not list((data / "outputs" / "plain").glob("part-*")), "the job that could not resume published nothing"
    doubled = Counter(line for part in (data / "outputs" / "doubled").iterdir() if not part.name.startswith(".")
                      for line in part.read_text().splitlines())
    assert doubled == Counter(f"{k},{v * 2}" for batch in batches for k, v in batch)
