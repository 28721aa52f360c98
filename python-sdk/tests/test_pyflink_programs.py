"""PyFlink's own example programs with only their imports changed (``pyflink`` -> ``weir``).

Adapted from Apache Flink's ``flink-python/pyflink/examples/table/word_count.py`` and
``flink-python/pyflink/examples/datastream/word_count.py`` (Apache License 2.0): the program
bodies are kept; the input is a file or list of lines written by the test, and the results are
checked against ``collections.Counter``."""

from __future__ import annotations

import pathlib
import re
from collections import Counter
from typing import Any

from weir.common import Encoder, Row, Types, WatermarkStrategy
from weir.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
from weir.datastream.connectors.file_system import FileSink, FileSource, OutputFileConfig, RollingPolicy, StreamFormat
from weir.table import DataTypes, EnvironmentSettings, Schema, TableDescriptor, TableEnvironment
from weir.table.expressions import col, lit
from weir.table.udf import udtf

word_count_data = [
    "To be, or not to be,--that is the question:--",
    "Whether 'tis nobler in the mind to suffer",
    "The slings and arrows of outrageous fortune",
    "Or to take arms against a sea of troubles,",
    "And by opposing end them?--To die,--to sleep,--",
    "No more; and by a sleep to say we end",
    "The heartache, and the thousand natural shocks",
    "That flesh is heir to,--'tis a consummation",
    "Devoutly to be wish'd. To die,--to sleep;--",
]


def test_table_api_word_count_example(capfd: Any) -> None:
    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    # write all the data to one file
    t_env.get_config().set("parallelism.default", "1")

    tab = t_env.from_elements(map(lambda i: (i,), word_count_data), DataTypes.ROW([DataTypes.FIELD("line", DataTypes.STRING())]))

    # print the results
    t_env.create_temporary_table(
        "sink",
        TableDescriptor.for_connector("print")
        .schema(Schema.new_builder().column("word", DataTypes.STRING()).column("count", DataTypes.BIGINT()).build())
        .build(),
    )

    @udtf(result_types=[DataTypes.STRING()])
    def split(line: Row) -> Any:
        for s in line[0].split():
            yield Row(s)

    # compute word count
    tab.flat_map(split).alias("word").group_by(col("word")).select(col("word"), lit(1).count).execute_insert("sink").wait()

    # the printed changelog ends with each word's count
    final: dict[str, int] = {}
    for kind, word, count in re.findall(r"([+-][IUD])\[(.*), (\d+)\]", capfd.readouterr().out):
        if kind in ("+I", "+U"):
            final[word] = int(count)
    assert sorted(final.items()) == sorted(Counter(w for line in word_count_data for w in line.split()).items())


def test_datastream_word_count_example(tmp_path: pathlib.Path) -> None:
    input_path = tmp_path / "input.txt"
    input_path.write_text("\n".join(word_count_data) + "\n")
    output_path = tmp_path / "out"

    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_runtime_mode(RuntimeExecutionMode.BATCH)
    # write all the data to one file
    env.set_parallelism(1)

    # define the source
    ds = env.from_source(
        source=FileSource.for_record_stream_format(StreamFormat.text_line_format(), str(input_path)).process_static_file_set().build(),
        watermark_strategy=WatermarkStrategy.for_monotonous_timestamps(),
        source_name="file_source",
    )

    def split(line: str) -> Any:
        yield from line.split()

    # compute word count
    ds = (
        ds.flat_map(split)
        .map(lambda i: (i, 1), output_type=Types.TUPLE([Types.STRING(), Types.INT()]))
        .key_by(lambda i: i[0])
        .reduce(lambda i, j: (i[0], i[1] + j[1]))
    )

    # define the sink
    ds.sink_to(
        sink=FileSink.for_row_format(base_path=str(output_path), encoder=Encoder.simple_string_encoder())
        .with_output_file_config(OutputFileConfig.builder().with_part_prefix("prefix").with_part_suffix(".ext").build())
        .with_rolling_policy(RollingPolicy.default_rolling_policy())
        .build()
    )

    # submit for execution
    env.execute()

    (part,) = [p for p in output_path.rglob("prefix-*.ext")]
    written = sorted(eval(line) for line in part.read_text().splitlines())  # noqa: S307 - the test's own output
    assert written == sorted(Counter(w for line in word_count_data for w in line.split()).items())
