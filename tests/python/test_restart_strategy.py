"""Restart strategies (Flink's `restart-strategy.*`), with real processes and a real failure.

The failure is a bad input: a streaming `filesystem` source monitors a directory, and a file
with a malformed record lands in it, so the source fails the job (a runtime error, not a
crash). The test then replaces the file with a good one of the same length, as an operator
would, while the job waits to restart. The restarted job resumes from its newest complete
checkpoint and must write each row exactly once; with the bad file left in place, the job
fails for good once its attempts are used up, with the record's error as the cause.
"""

import subprocess
import time
from collections import Counter
from pathlib import Path

from test_server_support import WeirServer, wait_for

GOOD = [f"{i},a" for i in range(100, 200)]
SECOND = [f"{i},b" for i in range(200, 210)]
BAD = SECOND[:4] + ["2x4,b"] + SECOND[5:]


def job(src: Path, sink: str, restart: str) -> str:
    return f"""
SET 'execution.runtime-mode' = 'streaming';
SET 'execution.checkpointing.interval' = '200 ms';
{restart}
CREATE TABLE src (id INT, s STRING)
  WITH ('connector' = 'filesystem', 'path' = '{src}', 'format' = 'csv', 'source.monitor-interval' = '50 ms');
{sink}
"""


FILE_SINK = """CREATE TABLE dst (id INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '{out}', 'format' = 'csv');
INSERT INTO dst SELECT id, s FROM src;"""


def put(directory: Path, name: str, lines: list[str]) -> None:
    """Writes a file where the monitored source sees it only whole (hidden name, then rename)."""
    hidden = directory / f".{name}.tmp"
    hidden.write_text("".join(line + "\n" for line in lines))
    hidden.rename(directory / name)


def visible_lines(out: Path) -> list[str]:
    if not out.exists():
        return []
    return [line for part in sorted(out.iterdir()) if not part.name.startswith((".", "_")) for line in part.read_text().splitlines()]



def test_a_failed_job_restarts_from_its_checkpoint_and_writes_each_row_once(weir, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    put(src, "f1.csv", GOOD)
    restart = "SET 'restart-strategy.type' = 'fixed-delay';\nSET 'restart-strategy.fixed-delay.delay' = '2 s';"
    script = tmp_path / "job.sql"
    script.write_text(job(src, FILE_SINK.format(out=out), restart))
    log = tmp_path / "run.err"
    with open(log, "w") as stderr:
        proc = subprocess.Popen([str(weir), "run", str(script), "--checkpoint-dir", str(tmp_path / "ck")], stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        wait_for(lambda: len(visible_lines(out)) == len(GOOD), 30, "the first file's rows to be committed")
        put(src, "f2.csv", BAD)
        wait_for(lambda: "restarting from checkpoint" in log.read_text(), 30, "the job to fail and wait to restart")
        put(src, "f2.csv", SECOND)
        wait_for(lambda: len(visible_lines(out)) >= len(GOOD) + len(SECOND), 30, "the restarted job to commit the second file")
        time.sleep(0.5)  # a few more checkpoints: nothing else may appear
        assert proc.poll() is None, log.read_text()
    finally:
        proc.kill()
        proc.wait(10)
    text = log.read_text()
    assert text.count("job failed; restarting") == 1 and 'cannot parse "2x4"' in text, text
    assert Counter(visible_lines(out)) == Counter(GOOD + SECOND)


def test_a_job_whose_attempts_run_out_fails_with_the_cause(weir, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    put(src, "f1.csv", GOOD)
    put(src, "f2.csv", BAD)
    restart = ("SET 'restart-strategy.type' = 'fixed-delay';\nSET 'restart-strategy.fixed-delay.attempts' = '2';\n"
               "SET 'restart-strategy.fixed-delay.delay' = '100 ms';")
    script = tmp_path / "job.sql"
    script.write_text(job(src, FILE_SINK.format(out=out), restart))
    proc = subprocess.run([str(weir), "run", str(script), "--checkpoint-dir", str(tmp_path / "ck")], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert proc.stderr.count("job failed; restarting") == 2, proc.stderr
    assert "allows no more attempts" in proc.stderr and 'cannot parse "2x4"' in proc.stderr.splitlines()[-1], proc.stderr
    # Without checkpointing Flink does not restart by default, nor does Weir; -D sets a setting.
    plain = tmp_path / "plain.sql"
    plain.write_text(job(src, FILE_SINK.format(out=tmp_path / "out2"), "").replace("SET 'execution.checkpointing.interval' = '200 ms';", ""))
    proc = subprocess.run([str(weir), "run", str(plain)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "restarting" not in proc.stderr, proc.stderr
    proc = subprocess.run([str(weir), "run", str(plain), "-D", "restart-strategy.type=fixed-delay", "-D", "restart-strategy.fixed-delay.delay=10ms"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and proc.stderr.count("job failed; restarting from the start") == 1, proc.stderr
    proc = subprocess.run([str(weir), "run", str(plain), "-D", "restart-strategy.type=sometimes"], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "restart-strategy.type" in proc.stderr and "sometimes" in proc.stderr, proc.stderr


def results(server: WeirServer, jobid: str) -> list[list]:
    rows, offset = [], 0
    while True:
        r = server.get(f"/jobs/{jobid}/results?offset={offset}&limit=1000")
        assert r.status == 200, r
        rows += r.json["rows"]
        offset += 1000
        if offset >= r.json["total"]:
            return rows


def metric(server: WeirServer, jobid: str, name: str) -> str:
    return {m["id"]: m["value"] for m in server.get(f"/jobs/{jobid}/metrics").json}[name]


def test_a_server_job_restarts_by_default_without_repeating_its_results(weir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    put(src, "f1.csv", GOOD)
    server = WeirServer(weir, tmp_path / "data", "--workers", "2").start()
    try:
        # No restart-strategy: with checkpointing, Flink's default is exponential-delay (1 s first).
        jobid = server.submit({"sql": job(src, "SELECT id, s FROM src;", "")})
        wait_for(lambda: len(results(server, jobid)) == len(GOOD), 30, "the first file's rows")
        assert metric(server, jobid, "numRestarts") == "0"
        put(src, "f2.csv", BAD)
        history = wait_for(lambda: server.get(f"/jobs/{jobid}/exceptions").json["exceptionHistory"]["entries"], 30, "the failure")
        put(src, "f2.csv", SECOND)
        assert len(history) == 1 and history[0]["exceptionName"] == "bad_record" and '"2x4"' in history[0]["stacktrace"], history
        assert history[0]["timestamp"] > 0
        wait_for(lambda: metric(server, jobid, "numRestarts") == "1", 30, "the restart")
        wait_for(lambda: len(results(server, jobid)) >= len(GOOD) + len(SECOND), 30, "the second file's rows")
        time.sleep(0.5)
        rows = results(server, jobid)
        assert Counter(f"{i},{s}" for i, s in rows) == Counter(GOOD + SECOND), "results after a restart are not repeated"
        assert server.get(f"/jobs/{jobid}").json["state"] == "RUNNING"
        prometheus = server.get("/metrics").body.decode()
        assert f'weir_job_restarts_total{{job_id="{jobid}"' in prometheus
        assert server.request("PATCH", f"/jobs/{jobid}?mode=cancel").status == 202
        server.wait_state(jobid)
        assert metric(server, jobid, "numRestarts") == "1", "kept once the job ended"
        ended = server.get(f"/jobs/{jobid}/exceptions").json
        assert len(ended["exceptionHistory"]["entries"]) == 1 and '"2x4"' in ended["root-exception"]
    finally:
        server.stop()
