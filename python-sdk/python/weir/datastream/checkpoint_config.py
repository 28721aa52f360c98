"""``CheckpointConfig``, as in ``pyflink.datastream``: a DataStream job's checkpoint settings,
kept as the job configuration keys the engine reads (Flink's names:
``execution.checkpointing.interval``, ``.timeout``, ``.tolerable-failed-checkpoints``,
``.dir``). Checkpoints are taken in STREAMING mode; ``execution.state-recovery.path`` (a
``Configuration`` key of ``get_execution_environment``) restores a job from one."""

from __future__ import annotations

from typing import Any

from weir.errors import unsupported

INTERVAL = "execution.checkpointing.interval"
TIMEOUT = "execution.checkpointing.timeout"
TOLERABLE = "execution.checkpointing.tolerable-failed-checkpoints"
DIR = "execution.checkpointing.dir"
MODE = "execution.checkpointing.mode"


class CheckpointingMode:
    """Checkpoint guarantees. Weir's checkpoints are aligned: every mode gets exactly-once
    state (and exactly-once output through the filesystem sink)."""

    EXACTLY_ONCE = 0
    AT_LEAST_ONCE = 1


def _millis(value: Any, what: str) -> int:
    """``value`` (an int or a ``Duration``) in milliseconds; positive."""
    ms = int(getattr(value, "to_milliseconds", lambda: value)())
    if ms <= 0:
        raise ValueError(f"{what} must be a positive number of milliseconds, got {ms}")
    return ms


MIN_INTERVAL_MS = 10
"""The shortest checkpoint interval Flink (and the engine) accepts."""


class CheckpointConfig:
    """The checkpoint settings of a :class:`StreamExecutionEnvironment` (its job settings)."""

    def __init__(self, settings: dict[str, str]) -> None:
        self._settings = settings

    def enable(self, interval: Any, mode: Any = None) -> None:
        """Checkpoints every ``interval`` milliseconds (at least 10, as in Flink)."""
        ms = _millis(interval, "the checkpoint interval")
        if ms < MIN_INTERVAL_MS:
            raise ValueError(f"the checkpoint interval must be larger than or equal to {MIN_INTERVAL_MS} ms, got {ms}")
        self._settings[INTERVAL] = f"{ms} ms"
        if mode is not None:
            self.set_checkpointing_mode(mode)

    def is_checkpointing_enabled(self) -> bool:
        """Whether an interval is set."""
        return self.get_checkpoint_interval() > 0

    def set_checkpoint_interval(self, checkpoint_interval: Any) -> "CheckpointConfig":
        """Milliseconds between checkpoints."""
        self.enable(checkpoint_interval)
        return self

    def get_checkpoint_interval(self) -> int:
        """Milliseconds between checkpoints (-1: checkpointing is off, as in PyFlink)."""
        text = self._settings.get(INTERVAL)
        return int(text.removesuffix(" ms")) if text and text.endswith(" ms") else -1

    def set_checkpointing_mode(self, checkpointing_mode: Any) -> "CheckpointConfig":
        """Exactly once or at least once (both are exactly once in Weir, see the class)."""
        name = getattr(checkpointing_mode, "name", None) or {0: "EXACTLY_ONCE", 1: "AT_LEAST_ONCE"}.get(checkpointing_mode)
        if name not in ("EXACTLY_ONCE", "AT_LEAST_ONCE"):
            raise ValueError(f"expected CheckpointingMode.EXACTLY_ONCE or AT_LEAST_ONCE, got {checkpointing_mode!r}")
        self._settings[MODE] = name
        return self

    def get_checkpointing_mode(self) -> int:
        """The mode set (EXACTLY_ONCE by default)."""
        return CheckpointingMode.AT_LEAST_ONCE if self._settings.get(MODE) == "AT_LEAST_ONCE" else CheckpointingMode.EXACTLY_ONCE

    def set_checkpoint_timeout(self, checkpoint_timeout: Any) -> "CheckpointConfig":
        """A checkpoint taking longer (milliseconds) is abandoned and counts as failed."""
        self._settings[TIMEOUT] = f"{_millis(checkpoint_timeout, 'the checkpoint timeout')} ms"
        return self

    def get_checkpoint_timeout(self) -> int:
        """Milliseconds a checkpoint may take (Flink's default: 10 minutes)."""
        text = self._settings.get(TIMEOUT, "600000 ms")
        return int(text.removesuffix(" ms"))

    def set_tolerable_checkpoint_failure_number(self, tolerable_checkpoint_failure_number: int) -> "CheckpointConfig":
        """Failed checkpoints in a row the job survives."""
        n = int(tolerable_checkpoint_failure_number)
        if n < 0:
            raise ValueError(f"the tolerable checkpoint failure number must not be negative, got {n}")
        self._settings[TOLERABLE] = str(n)
        return self

    def get_tolerable_checkpoint_failure_number(self) -> int:
        """Failed checkpoints in a row the job survives (default 0)."""
        return int(self._settings.get(TOLERABLE, "0"))

    def set_max_concurrent_checkpoints(self, max_concurrent_checkpoints: int) -> "CheckpointConfig":
        """Only 1: Weir takes one checkpoint at a time."""
        if int(max_concurrent_checkpoints) != 1:
            raise unsupported(f"set_max_concurrent_checkpoints({max_concurrent_checkpoints}): Weir takes one checkpoint at a time (1)")
        return self

    def get_max_concurrent_checkpoints(self) -> int:
        """1."""
        return 1

    def set_checkpoint_storage_dir(self, checkpoint_path: str) -> "CheckpointConfig":
        """Where checkpoints go: a local path or ``file://`` URI (``execution.checkpointing.dir``)."""
        self._settings[DIR] = str(checkpoint_path)
        return self

    def get_checkpoint_storage_dir(self) -> str | None:
        """Where checkpoints go, if set."""
        return self._settings.get(DIR)
