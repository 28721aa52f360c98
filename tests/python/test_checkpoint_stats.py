"""Checkpoint statistics over Flink's REST API (issue #16), with real processes over real HTTP.

A two-worker TUMBLE job under `weir serve` checkpoints every 200 ms. `GET /jobs/{id}/checkpoints`
must agree with itself (counts, history, latest, summary) and with the disk: the state size of
the latest completed checkpoint is the sum of the file sizes its `MANIFEST.json` lists, and its
external path is that checkpoint's directory. Then the checkpoint directory is replaced by a
regular file: later checkpoints fail (tolerated), and the statistics show them as FAILED with
the reason. `/checkpoints/config`, `/checkpoints/details/{id}` and the metrics with Flink's names
(`/jobs/{id}/metrics`, `/metrics`) say the same. A job waiting to restart is RESTARTING in
`/jobs`, `/jobs/{id}`, `/jobs/overview` and `/jobs/{id}/status`, and after the restart its
statistics go on (the history is kept, the restore is counted).
"""

import json
from pathlib import Path

from test_checkpoint_recovery import JOB
from test_restart_strategy import BAD, GOOD, SECOND, job, put
from test_server_support import WeirServer, wait_for

CHECKPOINTED = ("SET 'execution.checkpointing.interval' = '200 ms';\n"
                "SET 'execution.checkpointing.dir' = '{ck}';\n"
                "SET 'execution.checkpointing.num-retained' = '1000';\n"
                "SET 'execution.checkpointing.tolerable-failed-checkpoints' = '1000';\n")



def stats(server: WeirServer, jobid: str) -> dict:
    r = server.get(f"/jobs/{jobid}/checkpoints")
    assert r.status == 200, r
    return r.json


def metrics(server: WeirServer, jobid: str) -> dict:
    return {m["id"]: m["value"] for m in server.get(f"/jobs/{jobid}/metrics").json}


def manifest_bytes(path: Path) -> int:
    manifest = json.loads((path / "MANIFEST.json").read_text())
    return sum(f["bytes"] for part in manifest["parts"] for f in part["files"])


def check_summary(summary: dict) -> None:
    for figure in ("checkpointed_size", "state_size", "end_to_end_duration"):
        s = summary[figure]
        assert s["min"] <= s["avg"] <= s["max"] and s["min"] <= s["p50"] <= s["p90"] <= s["p99"] <= s["p999"] <= s["max"], (figure, s)
    for figure in ("alignment_buffered", "processed_data", "persisted_data"):
        assert summary[figure]["max"] == 0


def test_checkpoint_statistics_config_details_and_metrics(weir, tmp_path):
    ck = tmp_path / "ck"
    server = WeirServer(weir, tmp_path / "data", "--workers", "2").start()
    try:
        sql = CHECKPOINTED.format(ck=ck) + JOB.format(out=str(tmp_path / "out")).replace("'5000'", "'2500'")
        jobid = server.submit({"sql": sql})
        wait_for(lambda: stats(server, jobid)["counts"]["completed"] >= 3, 60, "three completed checkpoints", every=0.05)
        s = stats(server, jobid)
        counts = s["counts"]
        assert counts["total"] == counts["completed"] + counts["failed"] + counts["in_progress"], counts
        assert counts["restored"] == 0 and counts["failed"] == 0 and s["latest"]["restored"] is None
        history = s["history"]
        assert 3 <= len(history) <= 10 and [c["id"] for c in history] == sorted((c["id"] for c in history), reverse=True), history
        latest = s["latest"]["completed"]
        assert latest["className"] == "completed" and latest["status"] == "COMPLETED" and latest["checkpoint_type"] == "CHECKPOINT"
        path = Path(latest["external_path"].removeprefix("file:"))
        assert path.parent == ck and path.name == f"chk-{latest['id']:020d}", latest["external_path"]
        assert latest["state_size"] == manifest_bytes(path) > 0, "the state size is what the manifest lists"
        assert 0 < latest["checkpointed_size"] <= latest["state_size"] and latest["discarded"] is False
        assert latest["trigger_timestamp"] <= latest["latest_ack_timestamp"] and latest["end_to_end_duration"] >= 0
        assert latest["num_subtasks"] == latest["num_acknowledged_subtasks"] > 0
        vertices = {v["id"]: v for v in server.get(f"/jobs/{jobid}").json["vertices"]}
        tasks = latest["tasks"]
        assert set(tasks) <= set(vertices) and {"events", "results"} <= set(tasks), (tasks.keys(), vertices.keys())
        assert all(t["num_subtasks"] == 2 == t["num_acknowledged_subtasks"] for t in tasks.values()), tasks
        assert sum(t["state_size"] for t in tasks.values()) == latest["state_size"]
        stateful = [v for v, t in tasks.items() if t["state_size"] > 0]
        assert stateful and not {"events", "results"} & set(stateful), "sources and sinks hold no keyed state"
        check_summary(s["summary"])
        assert s["summary"]["state_size"]["max"] >= latest["state_size"]

        details = server.get(f"/jobs/{jobid}/checkpoints/details/{latest['id']}")
        assert details.status == 200 and details.json["id"] == latest["id"] and details.json["state_size"] == latest["state_size"], details
        assert server.get(f"/jobs/{jobid}/checkpoints/details/999999").status == 404
        assert server.get(f"/jobs/{jobid}/checkpoints/details/x").status == 400
        config = server.get(f"/jobs/{jobid}/checkpoints/config").json
        assert (config["mode"], config["interval"], config["timeout"], config["tolerable_failed_checkpoints"]) == ("exactly_once", 200, 600_000, 1000)
        assert config["state_backend"] == "HashMapStateBackend" and config["checkpoint_dir"] == f"file:{ck}" and config["num_retained"] == 1000
        assert config["externalization"] == {"enabled": True, "delete_on_cancellation": False}

        m = metrics(server, jobid)
        assert int(m["numberOfCompletedCheckpoints"]) >= counts["completed"] and int(m["lastCompletedCheckpointId"]) >= latest["id"]
        assert int(m["lastCheckpointFullSize"]) > 0 and int(m["lastCheckpointDuration"]) >= 0 and m["lastCheckpointRestoreTimestamp"] == "-1"
        assert int(m["totalNumberOfCheckpoints"]) >= counts["total"] and int(m["numberOfFailedCheckpoints"]) == 0
        prometheus = server.get("/metrics").body.decode()
        assert f'weir_job_numberOfCompletedCheckpoints{{job_id="{jobid}"' in prometheus and "# TYPE weir_job_lastCheckpointDuration gauge" in prometheus

        # Not even root can write below a regular file: every later checkpoint fails.
        ck.rename(tmp_path / "moved")
        ck.write_text("not a directory")
        s = wait_for(lambda: (x := stats(server, jobid))["counts"]["failed"] >= 2 and x, 60, "failed checkpoints", every=0.05)
        failed = s["latest"]["failed"]
        assert failed["className"] == "failed" and failed["status"] == "FAILED" and failed["failure_timestamp"] >= failed["trigger_timestamp"]
        assert "could not be committed" in failed["failure_message"] or "not a directory" in failed["failure_message"].lower(), failed
        assert any(c["status"] == "FAILED" for c in s["history"]) and s["latest"]["completed"]["id"] < failed["id"]
        assert int(metrics(server, jobid)["numberOfFailedCheckpoints"]) >= 2
        assert server.request("PATCH", f"/jobs/{jobid}?mode=cancel").status == 202
        server.wait_state(jobid)
        assert stats(server, jobid)["counts"]["failed"] >= 2, "kept once the job ended"

        plain = server.submit({"sql": JOB.format(out=str(tmp_path / "plain")).replace("'5000'", "'100'"), "mode": "streaming"})
        server.wait_state(plain, states=("RUNNING",))
        for path in ("checkpoints", "checkpoints/config", "checkpoints/details/1"):
            r = server.get(f"/jobs/{plain}/{path}")
            assert r.status == 404 and "checkpointing is not enabled" in r.json["errors"][0], (path, r)
        assert "lastCheckpointDuration" not in metrics(server, plain)
    finally:
        server.stop()


def test_a_job_waiting_to_restart_is_restarting_and_keeps_its_statistics(weir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    put(src, "f1.csv", GOOD)
    server = WeirServer(weir, tmp_path / "data", "--workers", "2").start()
    try:
        restart = "SET 'restart-strategy.type' = 'fixed-delay';\nSET 'restart-strategy.fixed-delay.delay' = '3 s';"
        jobid = server.submit({"sql": job(src, "SELECT id, s FROM src;", restart)})
        wait_for(lambda: stats(server, jobid)["counts"]["completed"] >= 2, 30, "checkpoints before the failure", every=0.05)
        before = stats(server, jobid)["counts"]["completed"]
        put(src, "f2.csv", BAD)
        wait_for(lambda: server.get(f"/jobs/{jobid}").json["state"] == "RESTARTING", 30, "RESTARTING", every=0.05)
        assert server.get(f"/jobs/{jobid}/status").json == {"status": "RESTARTING"}
        assert {"id": jobid, "status": "RESTARTING"} in server.get("/jobs").json["jobs"]
        overview = next(j for j in server.get("/jobs/overview").json["jobs"] if j["jid"] == jobid)
        assert overview["state"] == "RESTARTING" and overview["tasks"]["created"] == overview["tasks"]["total"], overview
        assert server.get("/overview").json["jobs-running"] == 1
        assert 'weir_jobs{state="RESTARTING"} 1' in server.get("/metrics").body.decode()
        put(src, "f2.csv", SECOND)
        wait_for(lambda: server.get(f"/jobs/{jobid}").json["state"] == "RUNNING", 30, "RUNNING again", every=0.05)
        s = wait_for(lambda: (x := stats(server, jobid))["counts"]["completed"] > before and x["counts"]["restored"] == 1 and x, 30,
                     "checkpoints after the restart", every=0.05)
        restored = s["latest"]["restored"]
        assert restored["is_savepoint"] is False and restored["restore_timestamp"] > 0 and restored["external_path"].startswith("file:"), restored
        assert s["latest"]["completed"]["id"] > restored["id"], "new checkpoints after the restored one"
        assert int(metrics(server, jobid)["lastCheckpointRestoreTimestamp"]) == restored["restore_timestamp"]
        assert server.request("PATCH", f"/jobs/{jobid}?mode=cancel").status == 202
        assert server.wait_state(jobid)["state"] == "CANCELED"
    finally:
        server.stop()
