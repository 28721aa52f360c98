"""Windows with Flink's built-in triggers (``CountTrigger``, ``PurgingTrigger``), a user-written
trigger, global windows and dynamic session gaps print what PyFlink 2.3 printed for the same program
(``pyflink_triggers/triggers.py``, recorded by ``pyflink_triggers/record.py`` into
``expected.txt``), and run on the engine's window operator, not the SDK's Python one."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

from weir.common import Time
from weir.datastream.window import (
    ContinuousEventTimeTrigger,
    CountTrigger,
    CountTumblingWindowAssigner,
    EventTimeSessionWindows,
    EventTimeTrigger,
    GlobalWindows,
    ProcessingTimeTrigger,
    PurgingTrigger,
    Trigger,
    TumblingEventTimeWindows,
)
from weir.datastream.window_runner import engine_assigner

HERE = pathlib.Path(__file__).resolve().parent / "pyflink_triggers"


def test_trigger_program_prints_what_pyflink_prints(tmp_path: pathlib.Path) -> None:
    program = tmp_path / "triggers.py"
    program.write_text(re.sub(r"\bpyflink\b", "weir", (HERE / "triggers.py").read_text()))
    run = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    got = [line for line in run.stdout.splitlines() if line.strip()]
    expected = [line for line in (HERE / "expected.txt").read_text().splitlines() if line.strip()]
    # Sections and keys interleave in any order; each key's firings keep theirs.
    assert sorted(got) == sorted(expected)


class _Mine(CountTrigger):
    """A user-written trigger (a subclass): the engine asks it through the window runner."""


def test_built_in_triggers_run_on_the_engine() -> None:
    tumbling = TumblingEventTimeWindows.of(Time.milliseconds(10))
    assert engine_assigner(tumbling, EventTimeTrigger.create(), True) == ({"kind": "tumbling", "size_ms": 10, "offset_ms": 0, "event_time": True}, None)
    assert engine_assigner(tumbling, EventTimeTrigger.create(), False)[1] is None
    purging = PurgingTrigger.of(CountTrigger.of(3))
    assert engine_assigner(GlobalWindows.create(), purging, False) == ({"kind": "global"}, {"kind": "purging", "trigger": {"kind": "count", "count": 3}})
    assert engine_assigner(GlobalWindows.create(), GlobalWindows.create().get_default_trigger(None), True) == ({"kind": "global"}, {"kind": "never"})
    continuous = ContinuousEventTimeTrigger.of(Time.milliseconds(5))
    assert engine_assigner(tumbling, continuous, False)[1] == {"kind": "continuous_event_time", "interval_ms": 5}
    assert engine_assigner(tumbling, ProcessingTimeTrigger.create(), False)[1] == {"kind": "processing_time"}
    dynamic = EventTimeSessionWindows.with_dynamic_gap(lambda e: 5)
    assert engine_assigner(dynamic, EventTimeTrigger.create(), True) == ({"kind": "dynamic_session", "event_time": True}, {"kind": "event_time"})
    assert engine_assigner(tumbling, _Mine(3), False)[1] == {"kind": "user"}
    assert engine_assigner(tumbling, PurgingTrigger.of(_Mine(3)), False)[1] == {"kind": "purging", "trigger": {"kind": "user"}}
    # Count windows run their default trigger natively, and any other trigger given them.
    assert engine_assigner(CountTumblingWindowAssigner.of(3), _Mine(3), False) == ({"kind": "count", "size": 3, "slide": 3}, {"kind": "user"})
    assert isinstance(_Mine(3), Trigger)
