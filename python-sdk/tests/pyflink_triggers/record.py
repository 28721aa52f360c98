"""Records what PyFlink prints for ``triggers.py`` into ``expected.txt``, for
``test_pyflink_triggers.py``. Run by hand (it needs PyFlink and Java), not by the test suite::

    python python-sdk/tests/pyflink_triggers/record.py [--venv ~/.cache/weir/venv-flink]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
# Lines PyFlink's runtime writes to standard output on its own, not the program's.
NOISE = ("Using Any for unsupported type", "No module named google.cloud", "PYFLINK_CYTHON_ENABLED")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=pathlib.Path, default=pathlib.Path.home() / ".cache/weir/venv-flink")
    args = parser.parse_args()
    env = dict(os.environ, PATH=f"{args.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    run = subprocess.run([str(args.venv / "bin" / "python"), str(HERE / "triggers.py")], capture_output=True, text=True, env=env, timeout=1800)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return 1
    lines = [line for line in run.stdout.splitlines() if line.strip() and not line.startswith(NOISE)]
    (HERE / "expected.txt").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
