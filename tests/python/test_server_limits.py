"""`weir serve` under pressure, over real HTTP: bounded results (a ring of the newest rows for an
append-only result, the final table for an updating one), page reads that stay quick on millions
of rows while `/overview` keeps answering, a registry that keeps every acknowledged job across a
kill -9, evicts ended jobs by count and reads back deeply nested jobs, and bounded error texts
(push inputs: test_server_push_log.py)."""

import threading
import time
from collections import Counter

from test_server_support import WeirServer


def start(weir, tmp_path, *flags: str) -> WeirServer:
    return WeirServer(weir, tmp_path / "data", "--workers", "1", *flags).start()


def numbers_csv(tmp_path, n: int, keys: int = 0):
    path = tmp_path / f"numbers-{n}.csv"
    path.write_text("".join(f"{i},{i % keys if keys else i * 2}\n" for i in range(n)))
    return path


def table_ddl(path) -> str:
    return f"CREATE TABLE t (a BIGINT, b BIGINT) WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv');"


def test_an_append_only_result_keeps_the_newest_rows_as_a_ring(weir, tmp_path):
    srv = start(weir, tmp_path, "--max-result-rows", "100")
    try:
        jobid = srv.submit({"sql": f"{table_ddl(numbers_csv(tmp_path, 1000))}\nSELECT a, b FROM t;", "mode": "batch"})
        assert srv.wait_state(jobid)["state"] == "FINISHED"
        page = srv.get(f"/jobs/{jobid}/results?limit=1000").json
        assert (page["total"], page["dropped"]) == (100, 900), {k: v for k, v in page.items() if k != "rows"}
        # The ring holds the last 100 changes the sink received: the same rows as the kept
        # changelog, all of them rows of the input.
        expected = {(i, i * 2) for i in range(1000)}
        assert all(tuple(r) in expected for r in page["rows"])
        events = srv.sse(f"/jobs/{jobid}/results/changes")
        assert events[0] == ("dropped", {"from": 0, "to": 900})
        assert [e["row"] for k, e in events if k == "change"] == page["rows"]
        assert srv.get(f"/jobs/{jobid}/results?offset=98&limit=5").json["rows"] == page["rows"][98:]
    finally:
        srv.kill()


def test_an_updating_result_keeps_its_final_table_and_drops_the_log(weir, tmp_path):
    srv = start(weir, tmp_path, "--max-result-rows", "50")
    try:
        path = numbers_csv(tmp_path, 2000, keys=10)
        sql = f"{table_ddl(path)}\nSELECT b AS k, COUNT(*) AS n, SUM(a) AS s FROM t GROUP BY b;"
        jobid = srv.submit({"sql": sql, "mode": "streaming"})
        assert srv.wait_state(jobid)["state"] == "FINISHED"
        page = srv.get(f"/jobs/{jobid}/results").json
        # Independent computation of the final table.
        counts, sums = Counter(), Counter()
        for line in path.read_text().splitlines():
            a, b = map(int, line.split(","))
            counts[b] += 1
            sums[b] += a
        assert sorted(page["rows"]) == sorted([k, counts[k], sums[k]] for k in counts)
        assert page["dropped"] == 0
        events = srv.sse(f"/jobs/{jobid}/results/changes")
        changes = [e for k, e in events if k == "change"]
        assert len(changes) <= 50 and events[-1][0] == "end"
    finally:
        srv.kill()


def test_page_reads_on_millions_of_rows_leave_the_server_responsive(weir, tmp_path):
    srv = start(weir, tmp_path, "--max-result-rows", "3000000", "--max-result-bytes", str(2 << 30))
    try:
        sql = ("CREATE TABLE g (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '2000000');\n"
               "SELECT k, v FROM g;")
        jobid = srv.submit({"sql": sql, "mode": "batch"})
        assert srv.wait_state(jobid, timeout=240)["state"] == "FINISHED"
        first = srv.get(f"/jobs/{jobid}/results?limit=2", timeout=10).json
        assert first["total"] == 2_000_000 and len(first["rows"]) == 2
        last = srv.get(f"/jobs/{jobid}/results?offset=1999999&limit=2", timeout=10).json
        assert len(last["rows"]) == 1

        stop = threading.Event()
        failures = []

        def big_reads():
            offset = 0
            while not stop.is_set():
                r = srv.get(f"/jobs/{jobid}/results?offset={offset}&limit=100000", timeout=60)
                if r.status != 200 or len(r.json["rows"]) != 100000:
                    failures.append(r)
                offset = (offset + 777_777) % 1_900_000

        readers = [threading.Thread(target=big_reads) for _ in range(3)]
        for t in readers:
            t.start()
        try:
            # /overview answers throughout (a generous timeout: behaviour, not a benchmark).
            for _ in range(20):
                assert srv.get("/overview", timeout=5).status == 200
                assert srv.get(f"/jobs/{jobid}/results?limit=2", timeout=5).status == 200
                time.sleep(0.05)
        finally:
            stop.set()
            for t in readers:
                t.join(120)
        assert not failures, failures[:1]
    finally:
        srv.kill()


def test_a_cancelled_job_keeps_its_bounded_results(weir, tmp_path):
    srv = start(weir, tmp_path, "--max-result-rows", "20")
    try:
        sql = ("CREATE TABLE g (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '2000');\n"
               "SELECT k, v FROM g;")
        jobid = srv.submit({"sql": sql})
        deadline = time.time() + 30
        while srv.get(f"/jobs/{jobid}/results").json["dropped"] == 0:
            assert time.time() < deadline
            time.sleep(0.05)
        assert srv.request("PATCH", f"/jobs/{jobid}?mode=cancel").status == 202
        assert srv.wait_state(jobid)["state"] == "CANCELED"
        page = srv.get(f"/jobs/{jobid}/results").json
        assert page["total"] == 20 and page["complete"] and page["dropped"] > 0
    finally:
        srv.kill()


def test_a_job_acknowledged_then_killed_is_found_after_restart(weir, tmp_path):
    srv = start(weir, tmp_path)
    sql = ("CREATE TABLE g (k BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '10');\n"
           "SELECT k FROM g;")
    jobid = srv.submit({"sql": sql})
    srv.kill()  # SIGKILL right after the 2xx
    srv = start(weir, tmp_path)
    try:
        job = srv.get(f"/jobs/{jobid}")
        assert job.status == 200 and job.json["state"] == "FAILED", job
        assert "server stopped" in srv.get(f"/jobs/{jobid}/exceptions").json["root-exception"]
    finally:
        srv.kill()


def test_ended_jobs_are_evicted_by_count_with_their_records(weir, tmp_path):
    srv = start(weir, tmp_path, "--jobstore-max-capacity", "3")
    try:
        csv = numbers_csv(tmp_path, 10)
        jobs = [srv.submit({"sql": f"{table_ddl(csv)}\nSELECT a FROM t;", "mode": "batch"}) for _ in range(6)]
        deadline = time.time() + 60
        while True:
            listed = srv.get("/jobs").json["jobs"]
            if len(listed) == 3 and all(j["status"] == "FINISHED" for j in listed):
                break
            assert time.time() < deadline, listed
            time.sleep(0.1)
        kept = {j["id"] for j in listed}
        assert kept < set(jobs)
        for jobid in set(jobs) - kept:
            assert srv.get(f"/jobs/{jobid}").status == 404
        assert sorted(p.stem for p in (tmp_path / "data" / "jobs").glob("*.json")) == sorted(kept)
    finally:
        srv.kill()


def test_the_deepest_accepted_job_reads_back_after_a_restart(weir, tmp_path):
    csv = numbers_csv(tmp_path, 3)
    srv = start(weir, tmp_path)
    try:
        # The depth limits are another part's; this takes the deepest of these the server accepts.
        accepted = None
        for terms in (400, 200, 100, 45):
            expr = "+".join(["a"] * terms)
            r = srv.request("POST", "/jobs", {"sql": f"{table_ddl(csv)}\nSELECT {expr} AS s FROM t;", "mode": "batch"})
            if r.status == 200:
                accepted = (terms, r.json["jobid"])
                break
            assert r.status == 400, r
        assert accepted and accepted[0] >= 45, "a 45-term expression must be accepted"
        terms, jobid = accepted
        assert srv.wait_state(jobid)["state"] == "FINISHED"
        assert sorted(r[0] for r in srv.get(f"/jobs/{jobid}/results").json["rows"]) == [0, terms, 2 * terms]
        assert srv.stop() == 0
        srv = start(weir, tmp_path)
        assert srv.get(f"/jobs/{jobid}").json["state"] == "FINISHED"
        assert "corrupt" not in "".join(srv.log)
    finally:
        srv.kill()


def test_error_texts_are_bounded(weir, tmp_path):
    bad = tmp_path / "huge.csv"
    bad.write_text("1,2\n" + "x" * 5_000_000 + ",3\n")
    srv = start(weir, tmp_path)
    try:
        jobid = srv.submit({"sql": f"{table_ddl(bad)}\nSELECT a, b FROM t;", "mode": "batch"})
        assert srv.wait_state(jobid)["state"] == "FAILED"
        r = srv.get(f"/jobs/{jobid}/exceptions")
        root = r.json["root-exception"]
        # Bounded at the source (the decoder shows a prefix of the field and its size) or, for
        # any other long error, by the server's cut (error_text.rs, with its marker).
        assert len(r.body) < 16_000, root[:200]
        assert "x" * 32 in root and ("5000000 bytes" in root or "more bytes cut" in root), root[:200]
        assert "huge.csv" in root
        assert (tmp_path / "data" / "jobs" / f"{jobid}.json").stat().st_size < 32_000
        assert len(srv.get(f"/jobs/{jobid}").body) < 32_000
    finally:
        srv.kill()
