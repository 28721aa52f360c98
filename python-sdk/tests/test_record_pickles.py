"""``_weir.dumps_record``: a record's bytes are a pickle ``pickle.loads`` reads back as the same
value of the same type, whether written natively (plain values) or by ``pickle.dumps``."""

from __future__ import annotations

import collections
import pickle
import random

import pytest

from weir import _weir
from weir.common import Row

Pair = collections.namedtuple("Pair", "a b")


class Count(int):
    pass


def nested(depth: int) -> tuple:
    value: tuple = (1,)
    for _ in range(depth):
        value = (value,)
    return value


PLAIN = [None, True, False, 0, 1, 255, 256, 65535, 65536, -1, -128, -129, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, -(2**63),
         0.0, -0.0, 1.5, float("inf"), float("-inf"), "", "a", "é😀", "x" * 255, "x" * 256, "y" * 70000, b"", b"abc", b"z" * 300,
         (), (1,), (1, "a"), (1, 2.5, None), (1, 2, 3, 4), ((1, "a"), (2.5, None, (True, b"x"))), nested(5)]
# Left to pickle: ints beyond 64 bits, lone surrogates, subclasses, containers other than tuples,
# tuples nested too deep (or holding any of these).
OTHER = [2**63, -(2**63) - 1, 2**100, "\ud800", Pair(1, 2), Count(3), [1, (2, 3)], {"a": 1}, {1, 2}, bytearray(b"q"), 1 + 2j,
         Row(a=1, b="x"), nested(40), (1, [2]), (1, Count(2))]


def same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return repr(a) == repr(b)  # -0.0 and 0.0 differ
    return a == b


@pytest.mark.parametrize("value", PLAIN + OTHER, ids=repr)
def test_a_record_reads_back_as_itself(value: object) -> None:
    assert same(pickle.loads(_weir.dumps_record(value)), value)


def test_plain_values_are_written_natively_and_the_rest_by_pickle() -> None:
    # The native path writes no frame (pickle.dumps with protocol 4 or 5 does, opcode 0x95).
    for value in PLAIN:
        assert _weir.dumps_record(value)[2] != 0x95, value
    for value in OTHER:
        assert _weir.dumps_record(value) == pickle.dumps(value, pickle.HIGHEST_PROTOCOL), value


def test_nan_and_ints_of_every_width() -> None:
    nan = pickle.loads(_weir.dumps_record(float("nan")))
    assert nan != nan
    numbers = [sign * 2**k + d for k in range(0, 64) for sign in (1, -1) for d in (-1, 0, 1)]
    rng = random.Random(7)
    numbers += [rng.randint(-(2**63), 2**63 - 1) >> rng.randint(0, 63) for _ in range(20000)]
    for n in numbers:
        assert pickle.loads(_weir.dumps_record(n)) == n, n


@pytest.mark.parametrize("value", PLAIN + OTHER, ids=repr)
def test_loads_record_reads_what_pickle_reads(value: object) -> None:
    # Natively written records, and pickle.dumps's own (frames, memo marks) at every protocol.
    for data in [_weir.dumps_record(value)] + [pickle.dumps(value, p) for p in range(pickle.HIGHEST_PROTOCOL + 1)]:
        assert same(_weir.loads_record(data), pickle.loads(data)), (value, data)


def test_loads_record_of_ints_of_every_width_and_shared_objects() -> None:
    rng = random.Random(11)
    numbers = [sign * 2**k + d for k in range(0, 66) for sign in (1, -1) for d in (-1, 0, 1)]
    numbers += [rng.randint(-(2**64), 2**64) >> rng.randint(0, 64) for _ in range(5000)]
    for n in numbers:
        for data in (_weir.dumps_record(n), pickle.dumps(n, pickle.HIGHEST_PROTOCOL), pickle.dumps((n, -n), 2)):
            assert _weir.loads_record(data) == pickle.loads(data), (n, data)
    # An object pickled twice in one record is read back from pickle's memo (left to pickle).
    word = "shared" * 3
    data = pickle.dumps((word, word, (word,)), pickle.HIGHEST_PROTOCOL)
    assert _weir.loads_record(data) == (word, word, (word,))
    # Truncated or trailing bytes: whatever pickle says.
    with pytest.raises(pickle.UnpicklingError):
        _weir.loads_record(_weir.dumps_record((1, "ab"))[:-3])
    assert _weir.loads_record(_weir.dumps_record(7) + b"rest") == pickle.loads(_weir.dumps_record(7) + b"rest")
