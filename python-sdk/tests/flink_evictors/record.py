"""Records ``expected.txt``: compiles ``EvictorCases.java`` against the jars of apache-flink 2.3
and runs it on Flink's local MiniCluster (PyFlink's Python API has no evictors, so Flink's own
Java API gives the expected output). Run with the venv that has apache-flink 2.3:
``PATH=$HOME/.cache/weir/venv-flink/bin:$PATH python record.py`` (needs ``javac``/``java`` 17)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pyflink

HERE = Path(__file__).parent


def main() -> None:
    classpath = str(Path(pyflink.__file__).parent / "lib" / "*")
    with tempfile.TemporaryDirectory() as classes:
        subprocess.run(["javac", "-cp", classpath, "-d", classes, str(HERE / "EvictorCases.java")], check=True)
        opens = ["--add-opens", "java.base/java.util=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED"]
        out = subprocess.run(["java", *opens, "-cp", f"{classpath}:{classes}", "EvictorCases"], check=True, capture_output=True, text=True)
    (HERE / "expected.txt").write_text(out.stdout)


if __name__ == "__main__":
    main()
