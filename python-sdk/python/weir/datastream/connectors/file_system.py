"""File connectors of the DataStream API, as in ``pyflink.datastream.connectors.file_system``:
``FileSource`` of text lines and a row-format ``FileSink``.

Weir's DataStream jobs are bounded. A ``FileSource`` is read when the stream is defined and its
lines are dealt to the workers like ``from_collection``'s elements; a ``FileSink`` writes its
part files when the job ends (the records in production order), under Flink's layout:
``<base>/<bucket>/<prefix>-<uuid>-<n><suffix>`` with the date-hour bucket ``yyyy-MM-dd--HH``
unless ``BucketAssigner.base_path_bucket_assigner()`` is set."""

from __future__ import annotations

import datetime
import os
import uuid
from pathlib import Path
from typing import Any

from weir.common.serialization import Encoder
from weir.datastream.connectors import Sink, Source
from weir.errors import unsupported, unsupported_class


class StreamFormat:
    """How a file is split into records."""

    def __init__(self, charset: str) -> None:
        self.charset = charset

    @staticmethod
    def text_line_format(charset_name: str = "UTF-8") -> "StreamFormat":
        """One record per line (without its line ending)."""
        return StreamFormat(charset_name)


class BulkFormat:
    """Not supported yet (Parquet, ORC, Avro)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise unsupported("BulkFormat (columnar file formats in the DataStream API)")


class FileSourceBuilder:
    """Builds a :class:`FileSource`."""

    def __init__(self, stream_format: StreamFormat, paths: tuple[str, ...]) -> None:
        self._format = stream_format
        self._paths = paths

    def monitor_continuously(self, discovery_interval: Any) -> "FileSourceBuilder":
        """Not supported yet (unbounded file sources)."""
        raise unsupported("FileSource.monitor_continuously (unbounded file sources)")

    def process_static_file_set(self) -> "FileSourceBuilder":
        """Reads the files once (the default)."""
        return self

    def build(self) -> "FileSource":
        """The source."""
        return FileSource(self._format, self._paths)


class FileSource(Source):
    """Text lines of files (directories are read file by file, in name order)."""

    def __init__(self, stream_format: StreamFormat, paths: tuple[str, ...]) -> None:
        self._format = stream_format
        self._paths = paths

    @staticmethod
    def for_record_stream_format(stream_format: StreamFormat, *paths: str) -> FileSourceBuilder:
        """A builder for a source of ``stream_format`` records of ``paths``."""
        return FileSourceBuilder(stream_format, paths)

    @staticmethod
    def for_bulk_file_format(bulk_format: Any, *paths: str) -> FileSourceBuilder:
        """Not supported yet."""
        raise unsupported("FileSource.for_bulk_file_format (columnar file formats)")

    def read(self) -> list[str]:
        """Every line of every file."""
        lines: list[str] = []
        for p in self._paths:
            path = Path(str(p).removeprefix("file://"))
            if not path.exists():
                raise FileNotFoundError(f"FileSource: no file or directory {path}")
            files = sorted(f for f in path.rglob("*") if f.is_file() and not f.name.startswith((".", "_"))) if path.is_dir() else [path]
            for f in files:
                lines.extend(f.read_text(encoding=self._format.charset).splitlines())
        return lines


class OutputFileConfig:
    """Part file name prefix and suffix."""

    def __init__(self, part_prefix: str = "part", part_suffix: str = "") -> None:
        self.part_prefix = part_prefix
        self.part_suffix = part_suffix

    @staticmethod
    def builder() -> "OutputFileConfigBuilder":
        """A builder."""
        return OutputFileConfigBuilder()


class OutputFileConfigBuilder:
    """Builds an :class:`OutputFileConfig`."""

    def __init__(self) -> None:
        self._prefix, self._suffix = "part", ""

    def with_part_prefix(self, prefix: str) -> "OutputFileConfigBuilder":
        """The part files' name prefix."""
        self._prefix = prefix
        return self

    def with_part_suffix(self, suffix: str) -> "OutputFileConfigBuilder":
        """The part files' name suffix."""
        self._suffix = suffix
        return self

    def build(self) -> OutputFileConfig:
        """The config."""
        return OutputFileConfig(self._prefix, self._suffix)


class BucketAssigner:
    """Which sub-directory (bucket) records go to."""

    def __init__(self, date_format: str | None) -> None:
        self.date_format = date_format

    @staticmethod
    def base_path_bucket_assigner() -> "BucketAssigner":
        """Everything directly under the base path."""
        return BucketAssigner(None)

    @staticmethod
    def date_time_bucket_assigner(format_str: str = "yyyy-MM-dd--HH", timezone_id: str | None = None) -> "BucketAssigner":
        """One bucket per date-time (formatted with Java's pattern letters y M d H m s)."""
        return BucketAssigner(format_str)

    def bucket(self, now: datetime.datetime) -> str:
        """The bucket name at ``now``."""
        if self.date_format is None:
            return ""
        out = self.date_format
        for java, py in (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")):
            out = out.replace(java, py)
        return now.strftime(out)


class RollingPolicy:
    """When part files roll. Weir's bounded jobs write one part file per sink and job."""

    @staticmethod
    def default_rolling_policy(part_size: int = 1024 * 1024 * 128, rollover_interval: int = 60 * 1000, inactivity_interval: int = 60 * 1000) -> "RollingPolicy":
        """Flink's default (one part file per job in Weir)."""
        return RollingPolicy()

    @staticmethod
    def on_checkpoint_rolling_policy() -> "RollingPolicy":
        """Roll on checkpoints (one part file per job in Weir)."""
        return RollingPolicy()


class FileSink(Sink):
    """Writes records to files, one encoded record after another."""

    def __init__(self, base_path: str, encoder: Encoder, config: OutputFileConfig, assigner: BucketAssigner) -> None:
        self.base_path = base_path
        self.encoder = encoder
        self.config = config
        self.assigner = assigner

    @staticmethod
    def for_row_format(base_path: str, encoder: Encoder) -> "RowFormatBuilder":
        """A builder for a sink writing each record with ``encoder``."""
        return RowFormatBuilder(base_path, encoder)

    @staticmethod
    def for_bulk_format(base_path: str, writer_factory: Any) -> Any:
        """Not supported yet."""
        raise unsupported("FileSink.for_bulk_format (columnar file formats)")

    def write(self, values: list[Any]) -> None:
        """Writes ``values`` to a new part file (none when there are no records, as Flink)."""
        if not values:
            return
        directory = Path(str(self.base_path).removeprefix("file://")) / self.assigner.bucket(datetime.datetime.now())
        os.makedirs(directory, exist_ok=True)
        name = f"{self.config.part_prefix}-{uuid.uuid4()}-0{self.config.part_suffix}"
        final = directory / name
        partial = directory / f".{name}.inprogress"
        with open(partial, "wb") as f:
            for v in values:
                f.write(self.encoder.encode(v))
        os.replace(partial, final)


class RowFormatBuilder:
    """Builds a row-format :class:`FileSink`."""

    def __init__(self, base_path: str, encoder: Encoder) -> None:
        self._base_path = base_path
        self._encoder = encoder
        self._config = OutputFileConfig()
        self._assigner = BucketAssigner.date_time_bucket_assigner()

    def with_bucket_assigner(self, assigner: BucketAssigner) -> "RowFormatBuilder":
        """Where records go under the base path."""
        self._assigner = assigner
        return self

    def with_output_file_config(self, config: OutputFileConfig) -> "RowFormatBuilder":
        """Part file names."""
        self._config = config
        return self

    def with_rolling_policy(self, policy: RollingPolicy) -> "RowFormatBuilder":
        """Accepted: a bounded Weir job writes one part file per sink."""
        return self

    def with_bucket_check_interval(self, interval: int) -> "RowFormatBuilder":
        """Accepted: buckets are decided once, when the job ends."""
        return self

    def build(self) -> FileSink:
        """The sink."""
        return FileSink(self._base_path, self._encoder, self._config, self._assigner)


StreamingFileSink = FileSink
FileCompactStrategy = unsupported_class("FileCompactStrategy", "file compaction", __name__)
FileCompactor = unsupported_class("FileCompactor", "file compaction", __name__)
FileEnumeratorProvider = unsupported_class("FileEnumeratorProvider", "custom file enumeration", __name__)
FileSplitAssignerProvider = unsupported_class("FileSplitAssignerProvider", "custom split assignment", __name__)

__all__ = [
    "BucketAssigner",
    "BulkFormat",
    "Encoder",
    "FileCompactStrategy",
    "FileCompactor",
    "FileEnumeratorProvider",
    "FileSplitAssignerProvider",
    "FileSink",
    "FileSource",
    "FileSourceBuilder",
    "OutputFileConfig",
    "RollingPolicy",
    "RowFormatBuilder",
    "StreamFormat",
    "StreamingFileSink",
]
