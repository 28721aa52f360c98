"""``JobExecutionResult``, as in ``pyflink.common``."""

from __future__ import annotations


class JobExecutionResult:
    """What ``execute`` returns."""

    def __init__(self, job_name: str, net_runtime_ms: int = 0) -> None:
        self._job_name = job_name
        self._runtime = net_runtime_ms

    def get_job_name(self) -> str:
        """The job's name."""
        return self._job_name

    def get_net_runtime(self) -> int:
        """Milliseconds the job ran."""
        return self._runtime
