"""Durable push inputs over real HTTP (issue #16): an accepted batch is in the job's push-input
log on disk before the 2xx, with consecutive sequence numbers; a refused batch (a bad record,
a full queue) leaves the log as it was. The log is read here by an independent reader of the
format documented in docs/fault-tolerance.md."""

import json
import struct
import zlib

from test_server_support import WeirServer

PUSH_SQL = ("CREATE TABLE clicks (user_name STRING, n BIGINT) WITH ('connector' = 'push');\n"
            "SELECT user_name, SUM(n) AS total FROM clicks GROUP BY user_name;")
MAGIC = b"WEIRPUSH2\n"


def read_push_log(directory) -> tuple[list[dict], list[tuple[int, list]]]:
    """Headers of the segments, and every entry as (sequence number of its first record, rows)."""
    headers, entries = [], []
    for segment in sorted(directory.glob("*.log")):
        data = segment.read_bytes()
        assert data.startswith(MAGIC), segment
        header_end = data.index(b"\n", len(MAGIC))
        header = json.loads(data[len(MAGIC):header_end])
        assert header["first_seq"] == int(segment.stem), (header, segment)
        headers.append(header)
        at = header_end + 1
        while at < len(data):
            length, crc = struct.unpack_from("<II", data, at)
            payload = data[at + 8:at + 8 + length]
            assert len(payload) == length and zlib.crc32(payload) == crc, f"torn entry at byte {at} of {segment}"
            (seq,) = struct.unpack_from("<Q", payload)
            entries.append((seq, json.loads(payload[8:])))
            at += 8 + length
    return headers, entries


def start_job(weir, tmp_path, *flags: str) -> tuple[WeirServer, str]:
    srv = WeirServer(weir, tmp_path / "data", "--workers", "2", *flags).start()
    jobid = srv.submit({"sql": PUSH_SQL, "mode": "streaming"})
    srv.wait_state(jobid, states=("RUNNING",))
    return srv, jobid


def test_accepted_batches_are_in_the_log_before_the_answer_with_sequence_numbers(weir, tmp_path):
    srv, jobid = start_job(weir, tmp_path, "--max-push-queue-rows", "10")
    log = tmp_path / "data" / "push-log" / jobid / "clicks"
    try:
        r = srv.request("POST", f"/jobs/{jobid}/inputs/clicks", [{"user_name": "ann", "n": 1}, ["bob", 2]])
        assert r.status == 200 and r.json == {"accepted": 2, "pushed": 2}, r
        headers, entries = read_push_log(log)
        assert headers == [{"columns": ["user_name", "n"], "first_seq": 0}]
        assert entries == [(0, [["ann", 1], ["bob", 2]])]

        full = srv.request("POST", f"/jobs/{jobid}/inputs/clicks", [["cy", i] for i in range(11)])
        assert full.status == 429 and full.json["code"] == "backpressure", full
        assert full.headers.get("retry-after") == "1"
        assert read_push_log(log)[1] == entries  # nothing of the refused batch was logged

        accepted = 2
        for i in range(5):
            r = srv.request("POST", f"/jobs/{jobid}/inputs/clicks", [["dee", i]] * 3)
            assert r.status in (200, 429), r
            accepted += 3 if r.status == 200 else 0
        srv.kill()  # what was acknowledged is on disk
        entries = read_push_log(log)[1]
        expected_seq = 0
        for seq, rows in entries:
            assert seq == expected_seq, entries  # consecutive: each record once
            expected_seq += len(rows)
        assert expected_seq == accepted
    finally:
        srv.kill()


def test_a_bad_record_is_refused_naming_the_field_and_is_not_logged(weir, tmp_path):
    srv, jobid = start_job(weir, tmp_path)
    log = tmp_path / "data" / "push-log" / jobid / "clicks"
    try:
        assert srv.request("POST", f"/jobs/{jobid}/inputs/clicks", [["ann", 1]]).status == 200
        before = read_push_log(log)
        bad = srv.request("POST", f"/jobs/{jobid}/inputs/clicks", [{"user_name": "cy", "n": 5}, {"user_name": "dee", "n": "x"}])
        assert bad.status == 400, bad
        assert bad.json["errors"][0].startswith('record 1, field "n": '), bad.json
        typo = srv.request("POST", f"/jobs/{jobid}/inputs/clicks", [{"user_nam": "cy", "n": 5}])
        assert typo.status == 400 and 'field "user_nam"' in typo.json["errors"][0], typo.json
        assert read_push_log(log) == before
        ok = srv.request("POST", f"/jobs/{jobid}/inputs/clicks", [["eve", 7]])
        assert ok.json == {"accepted": 1, "pushed": 2}, ok
        assert read_push_log(log)[1] == [(0, [["ann", 1]]), (1, [["eve", 7]])]
    finally:
        srv.kill()
