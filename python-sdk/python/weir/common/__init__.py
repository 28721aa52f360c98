"""Types shared by the Table and DataStream APIs, as in ``pyflink.common``."""

from weir.common.configuration import Configuration
from weir.common.job_execution_result import JobExecutionResult
from weir.common.serialization import ByteArraySchema, DeserializationSchema, Encoder, SerializationSchema, SimpleStringSchema
from weir.common.time import Duration, Instant, Time
from weir.common.typeinfo import TypeInformation, Types
from weir.common.types import Row, RowKind
from weir.common.watermark_strategy import AssignerWithPeriodicWatermarksWrapper, TimestampAssigner, WatermarkStrategy
from weir.errors import unsupported_class as _placeholder


class JobStatus:
    """States of a job (Weir runs DataStream jobs to completion in ``execute``)."""

    INITIALIZING = "INITIALIZING"
    CREATED = "CREATED"
    RUNNING = "RUNNING"
    FAILING = "FAILING"
    FAILED = "FAILED"
    CANCELLING = "CANCELLING"
    CANCELED = "CANCELED"
    FINISHED = "FINISHED"
    RESTARTING = "RESTARTING"
    SUSPENDED = "SUSPENDED"
    RECONCILING = "RECONCILING"


ConfigOption = _placeholder("ConfigOption", "typed config options (use Configuration.set_string)", __name__)
ConfigOptions = _placeholder("ConfigOptions", "typed config options (use Configuration.set_string)", __name__)
ExecutionConfig = _placeholder("ExecutionConfig", "ExecutionConfig (use Configuration)", __name__)
RestartStrategies = _placeholder("RestartStrategies", "restart strategies", __name__)
RestartStrategyConfiguration = _placeholder("RestartStrategyConfiguration", "restart strategies", __name__)
JobClient = _placeholder("JobClient", "job clients (execute_async)", __name__)
JobID = _placeholder("JobID", "job clients (execute_async)", __name__)
CompletableFuture = _placeholder("CompletableFuture", "job clients (execute_async)", __name__)
InputDependencyConstraint = _placeholder("InputDependencyConstraint", "input dependency constraints", __name__)
TypeSerializer = _placeholder("TypeSerializer", "custom type serializers", __name__)

__all__ = [
    "AssignerWithPeriodicWatermarksWrapper",
    "ByteArraySchema",
    "CompletableFuture",
    "ConfigOption",
    "ConfigOptions",
    "DeserializationSchema",
    "ExecutionConfig",
    "Instant",
    "InputDependencyConstraint",
    "JobClient",
    "JobExecutionResult",
    "JobID",
    "JobStatus",
    "RestartStrategies",
    "RestartStrategyConfiguration",
    "SerializationSchema",
    "TimestampAssigner",
    "TypeSerializer",
    "Configuration",
    "Encoder",
    "SimpleStringSchema",
    "Duration",
    "Time",
    "Row",
    "RowKind",
    "Types",
    "TypeInformation",
    "WatermarkStrategy",
]
