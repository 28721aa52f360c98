"""Weir: a Flink-class stream and batch engine in Rust, driven from Python.

The API mirrors PyFlink's: a PyFlink program runs on Weir with its imports changed from
``pyflink.table`` / ``pyflink.datastream`` / ``pyflink.common`` to ``weir.table`` /
``weir.datastream`` / ``weir.common``. The engine runs in-process (no JVM, no py4j).
"""

from weir._weir import __version__
from weir.errors import (
    JobCancelledError,
    JobError,
    PlanError,
    SqlError,
    UnsupportedError,
    WeirError,
)

__all__ = [
    "__version__",
    "WeirError",
    "SqlError",
    "PlanError",
    "JobError",
    "JobCancelledError",
    "UnsupportedError",
]
