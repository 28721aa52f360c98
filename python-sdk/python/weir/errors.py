"""The exceptions Weir raises. Every one is a :class:`WeirError` carrying the engine's message
(with the SQL position, JSON path or record location) and a stable ``code`` to branch on."""

from __future__ import annotations


class WeirError(Exception):
    """Base class of Weir's errors.

    Attributes:
        code: A stable identifier of the kind of error (``sql_error``, ``invalid_plan``,
            ``eval_error``, ``bad_record``, ``cancelled``, ``unsupported``, ...).
    """

    code: str = "weir_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class SqlError(WeirError):
    """SQL text that does not parse or plan; the message shows the line and column."""

    code = "sql_error"


class PlanError(WeirError):
    """A job that cannot run as written; the message starts with the JSON path at fault."""

    code = "invalid_plan"


class JobError(WeirError):
    """A job failed while running: a malformed record, a failing expression, or an exception
    inside a Python function (its traceback is in the message and it is the ``__cause__``)."""

    code = "job_failed"


class JobCancelledError(JobError):
    """The job was cancelled before it finished."""

    code = "cancelled"


class UnsupportedError(WeirError, NotImplementedError):
    """A Flink feature Weir does not have yet; the message names it."""

    code = "unsupported"


def unsupported(feature: str) -> UnsupportedError:
    """An :class:`UnsupportedError` for ``feature`` (used by the API for missing features)."""
    return UnsupportedError(f"not supported yet: {feature}")
