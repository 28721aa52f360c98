"""Records what PyFlink prints for its own example programs, for ``test_pyflink_examples.py``.

Run by hand when the recorded PyFlink version changes, not by the test suite::

    python python-sdk/tests/pyflink_examples/record.py [--venv ~/.cache/weir/venv-flink]

It installs ``apache-flink`` into the virtualenv when missing (it needs Java 17), copies each
example listed in ``examples.json`` from the installed package to ``src/`` (the test runs those
copies, as Weir's tests do not install PyFlink), runs it with PyFlink, and writes its standard
output, without PyFlink's own start-up messages, to ``expected/``."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
FLINK_VERSION = "2.3.0"
# Lines PyFlink's runtime writes to standard output on its own, not the program's.
NOISE = ("Using Any for unsupported type", "No module named google.cloud", "PYFLINK_CYTHON_ENABLED")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=pathlib.Path, default=pathlib.Path.home() / ".cache/weir/venv-flink")
    parser.add_argument("--only", action="append", help="record only these example paths")
    args = parser.parse_args()
    python = args.venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(args.venv)], check=True)
    if subprocess.run([str(python), "-c", "import pyflink"], capture_output=True).returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"apache-flink=={FLINK_VERSION}"], check=True)
    found = subprocess.run([str(python), "-c", "import pyflink, os; print(os.path.dirname(pyflink.__file__))"], capture_output=True, text=True, check=True)
    examples = pathlib.Path(found.stdout.strip()) / "examples"
    env = dict(os.environ, PATH=f"{args.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    manifest = json.loads((HERE / "examples.json").read_text())
    failed = []
    for entry in manifest["examples"]:
        path = entry["path"]
        if "skip" in entry or (args.only and path not in args.only):
            continue
        source = HERE / "src" / path
        source.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(examples / path, source)
        print(f"recording {path}", file=sys.stderr)
        run = subprocess.run([str(python), str(source)], capture_output=True, text=True, env=env, cwd=source.parent, timeout=600)
        if run.returncode != 0:
            failed.append(path)
            print(run.stderr[-2000:], file=sys.stderr)
            continue
        out = HERE / "expected" / pathlib.Path(path).with_suffix(".out")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(line for line in run.stdout.splitlines(keepends=True) if not line.startswith(NOISE)))
    if failed:
        print(f"failed under PyFlink: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
