"""Word count in the Table API, SQL and the DataStream API, checked against
``collections.Counter``, and the same programs on 1 and 2 workers giving the same rows."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from weir.common import Row
from weir.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from weir.table import AggregateFunction, DataTypes, EnvironmentSettings, TableEnvironment, udaf, udtf
from weir.table.expressions import col

WORDS = ["to", "be", "or", "not", "that", "is", "the", "question", "whether", "tis", "nobler"]


def _lines(n: int = 2000) -> list[str]:
    rng = random.Random(7)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 9))) for _ in range(n)]


def _oracle(lines: list[str]) -> list[tuple[str, int]]:
    return sorted(Counter(w for line in lines for w in line.split()).items())


@udtf(result_types=[DataTypes.STRING()])
def split(line: str) -> Any:
    yield from line.split()


class LongestWord(AggregateFunction):
    def create_accumulator(self) -> list[str]:
        return [""]

    def accumulate(self, acc: list[str], word: str) -> None:
        if (len(word), word) > (len(acc[0]), acc[0]):
            acc[0] = word

    def get_value(self, acc: list[str]) -> str:
        return acc[0]


longest = udaf(LongestWord(), result_type=DataTypes.STRING())


def _table_env(workers: int, batch: bool = True) -> TableEnvironment:
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode() if batch else EnvironmentSettings.in_streaming_mode())
    env.get_config().set("parallelism.default", str(workers))
    return env


def _table_word_count(workers: int, lines: list[str]) -> list[Row]:
    env = _table_env(workers)
    words = env.from_elements([(line,) for line in lines], ["line"]).join_lateral(split(col("line")).alias("word"))
    counts = words.group_by(col("word")).select(col("word"), col("word").count.alias("n"))
    return sorted(counts.execute().collect())


def _sql_word_count(workers: int, lines: list[str]) -> list[Row]:
    env = _table_env(workers)
    env.create_temporary_function("longest", longest)
    words = env.from_elements([(i % 3, line) for i, line in enumerate(lines)], ["g", "line"]).join_lateral(split(col("line")).alias("word"))
    env.create_temporary_view("words", words)
    return sorted(env.execute_sql("SELECT g, COUNT(*) AS n, COUNT(DISTINCT word) AS d, longest(word) AS w FROM words GROUP BY g").collect())


def _stream_word_count(workers: int, lines: list[str], batch: bool = True) -> list[tuple[str, int]]:
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(workers)
    env.set_runtime_mode(RuntimeExecutionMode.BATCH if batch else RuntimeExecutionMode.STREAMING)
    counts = (
        env.from_collection(lines)
        .flat_map(lambda line: [(w, 1) for w in line.split()])
        .key_by(lambda t: t[0])
        .reduce(lambda a, b: (a[0], a[1] + b[1]))
    )
    return sorted(counts.execute_and_collect())


def test_table_api_word_count() -> None:
    lines = _lines()
    assert [(r.word, r.n) for r in _table_word_count(1, lines)] == _oracle(lines)


def test_sql_word_count_with_a_udaf() -> None:
    lines = _lines()
    expected = []
    for g in range(3):
        words = [w for i, line in enumerate(lines) if i % 3 == g for w in line.split()]
        expected.append(Row(g=g, n=len(words), d=len(set(words)), w=max(words, key=lambda w: (len(w), w))))
    assert _sql_word_count(1, lines) == expected


def test_datastream_word_count() -> None:
    lines = _lines()
    assert _stream_word_count(1, lines) == _oracle(lines)


@pytest.mark.parametrize("program", [_table_word_count, _sql_word_count, _stream_word_count])
def test_one_and_two_workers_give_the_same_rows(program: Any) -> None:
    lines = _lines()
    one, two = program(1, lines), program(2, lines)
    assert one == two and len(one) > 0


def test_streaming_rolling_word_count_ends_with_the_totals() -> None:
    lines = _lines(300)
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism(2)
    env.set_runtime_mode(RuntimeExecutionMode.STREAMING)
    updates = list(
        env.from_collection(lines)
        .flat_map(lambda line: [(w, 1) for w in line.split()])
        .key_by(lambda t: t[0])
        .reduce(lambda a, b: (a[0], a[1] + b[1]))
        .execute_and_collect()
    )
    latest: dict[str, int] = {}
    for word, n in updates:
        assert n == latest.get(word, 0) + 1
        latest[word] = n
    assert sorted(latest.items()) == _oracle(lines)
