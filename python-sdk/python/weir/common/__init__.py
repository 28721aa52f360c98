"""Types shared by the Table and DataStream APIs, as in ``pyflink.common``."""

from weir.common.configuration import Configuration
from weir.common.serialization import Encoder, SimpleStringSchema
from weir.common.time import Duration, Time
from weir.common.typeinfo import Types, TypeInformation
from weir.common.types import Row, RowKind
from weir.common.watermark_strategy import WatermarkStrategy

__all__ = ["Configuration", "Encoder", "SimpleStringSchema", "Duration", "Time", "Row", "RowKind", "Types", "TypeInformation", "WatermarkStrategy"]
