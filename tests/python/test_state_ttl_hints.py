"""`SELECT /*+ STATE_TTL(..) */` in running streaming jobs (`weir serve`, `push` tables, so the
test decides when each row arrives): a join whose right side has a 1 s time-to-live forgets its
right rows but not its left ones, and a GROUP BY with a 1 s time-to-live counts a key again from
1 after it was idle (a hinted SELECT DISTINCT emits the row again), where the same queries
without the hint remember everything. The state's
clock is the wall clock (processing time), so the test waits 3 s for the 1 s TTL to pass."""

import time

import pytest

from test_server_support import WeirServer

TTL_WAIT = 3.0

JOIN_TABLES = ("CREATE TABLE orders (oid INT, pid INT) WITH ('connector' = 'push');\n"
               "CREATE TABLE products (id INT, name STRING) WITH ('connector' = 'push');\n")
JOIN = "SELECT {hint} o.oid, p.name FROM orders o JOIN products p ON o.pid = p.id;"

COUNT_TABLE = "CREATE TABLE clicks (user_name STRING) WITH ('connector' = 'push');\n"
COUNT = "SELECT {hint} user_name, COUNT(*) AS n FROM clicks GROUP BY user_name;"


@pytest.fixture(params=[1, 2], ids=["1-worker", "2-workers"])
def server(weir, tmp_path, request):
    srv = WeirServer(weir, tmp_path / "data", "--workers", str(request.param)).start()
    yield srv
    srv.kill()


def start(server: WeirServer, sql: str) -> str:
    jobid = server.submit({"sql": sql, "mode": "streaming"})
    server.wait_state(jobid, states=("RUNNING",))
    return jobid


def push(server: WeirServer, jobids: list[str], table: str, records: list[list]) -> None:
    for jobid in jobids:
        r = server.request("POST", f"/jobs/{jobid}/inputs/{table}", records)
        assert r.status == 200 and r.json["accepted"] == len(records), r


def rows(server: WeirServer, jobid: str) -> list[list]:
    return sorted(server.get(f"/jobs/{jobid}/results").json["rows"])


def wait_rows(server: WeirServer, jobid: str, expected: list[list], timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while rows(server, jobid) != expected:
        if time.time() > deadline:
            raise AssertionError(f"results {rows(server, jobid)}, expected {expected}")
        time.sleep(0.05)


def test_a_hinted_join_side_forgets_its_rows_and_the_other_side_does_not(server):
    hinted = start(server, JOIN_TABLES + JOIN.format(hint="/*+ STATE_TTL('p' = '1 s') */"))
    plain = start(server, JOIN_TABLES + JOIN.format(hint=""))
    jobs = [hinted, plain]
    # Product 1 waits on the right side, order 3 on the left. Rows are applied in arrival
    # order, so once the pair 9 that follows them has joined, they are in the join's state.
    push(server, jobs, "products", [[1, "a"]])
    push(server, jobs, "orders", [[3, 3]])
    push(server, jobs, "products", [[9, "z"]])
    push(server, jobs, "orders", [[9, 9]])
    for jobid in jobs:
        wait_rows(server, jobid, [[9, "z"]])
    time.sleep(TTL_WAIT)
    # Product 1 has expired in the hinted job: order 1 finds no partner there. Order 3 has no
    # TTL (the left side is not hinted, the job sets none): product 3 still finds it.
    push(server, jobs, "orders", [[1, 1]])
    push(server, jobs, "products", [[3, "c"]])
    # A pair arriving within the TTL joins in both.
    push(server, jobs, "products", [[2, "b"]])
    push(server, jobs, "orders", [[2, 2]])
    wait_rows(server, plain, [[1, "a"], [2, "b"], [3, "c"], [9, "z"]])
    wait_rows(server, hinted, [[2, "b"], [3, "c"], [9, "z"]])
    # Rows are applied in arrival order: order 1 came before the rows just seen, so it is
    # settled; it stays unmatched.
    time.sleep(0.5)
    assert rows(server, hinted) == [[2, "b"], [3, "c"], [9, "z"]]


def test_a_hinted_group_by_counts_an_idle_key_again(server):
    hinted = start(server, COUNT_TABLE + COUNT.format(hint="/*+ STATE_TTL('clicks' = '1 s') */"))
    plain = start(server, COUNT_TABLE + COUNT.format(hint=""))
    jobs = [hinted, plain]
    push(server, jobs, "clicks", [["ann"], ["ann"]])
    wait_rows(server, hinted, [["ann", 2]])
    time.sleep(TTL_WAIT)
    push(server, jobs, "clicks", [["ann"], ["bob"]])
    wait_rows(server, plain, [["ann", 3], ["bob", 1]])
    # The expired group starts over: Flink emits its first row again as an insertion, without
    # retracting the forgotten one.
    wait_rows(server, hinted, [["ann", 1], ["ann", 2], ["bob", 1]])


def test_a_hinted_select_distinct_emits_an_idle_row_again(server):
    # Flink plans SELECT DISTINCT as a group aggregate, which takes the hint
    # (tests/flink_reference/state_ttl_hints.py): an expired row is a new group.
    distinct = "SELECT {hint} DISTINCT user_name FROM clicks;"
    hinted = start(server, COUNT_TABLE + distinct.format(hint="/*+ STATE_TTL('clicks' = '1 s') */"))
    plain = start(server, COUNT_TABLE + distinct.format(hint=""))
    jobs = [hinted, plain]
    push(server, jobs, "clicks", [["ann"], ["ann"]])
    wait_rows(server, hinted, [["ann"]])
    time.sleep(TTL_WAIT)
    push(server, jobs, "clicks", [["ann"], ["bob"]])
    wait_rows(server, plain, [["ann"], ["bob"]])
    wait_rows(server, hinted, [["ann"], ["ann"], ["bob"]])
