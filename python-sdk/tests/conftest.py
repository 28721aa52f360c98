"""Shared fixtures: Table environments in batch and streaming mode on one worker."""

from __future__ import annotations

import pytest

from weir.table import EnvironmentSettings, TableEnvironment


@pytest.fixture
def batch_env() -> TableEnvironment:
    """A batch-mode environment with one worker."""
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    env.get_config().set("parallelism.default", "1")
    return env


@pytest.fixture
def stream_env() -> TableEnvironment:
    """A streaming-mode environment with one worker."""
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.get_config().set("parallelism.default", "1")
    return env
