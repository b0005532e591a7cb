"""How fast `lens` starts: the median wall time of `lens --version`, of `lens --help` (which
loads every command group) and of `lens countries resolve Burma` (a command that opens the
store), each run as a new process.

Prints one JSON object: medians of wall time and of CPU time (which a busy machine does not
inflate) and the 1-minute load while measuring. The store is a new one in a temporary LENS_HOME,
created before the timed runs (so they time a start, not the first migration). Options:
--runs N (default 9).
The aim (issue 11, item 3) is under 0.5 s for every command.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.5


def _lens() -> str:
    beside = Path(sys.executable).parent / "lens"
    found = str(beside) if beside.exists() else shutil.which("lens")
    if found is None:
        raise SystemExit("no `lens` beside this Python or on PATH: run `make setup` first")
    return found


def _time(command: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    lens = _lens()
    with tempfile.TemporaryDirectory(prefix="lens-cli-start-") as home:
        env = {**os.environ, "LENS_HOME": home}
        env.pop("LENS_DATABASE_URL", None)
        subprocess.run([lens, "db", "upgrade"], env=env, check=True, capture_output=True)
        timed = {
            "version": _time([lens, "--version"], env, args.runs),
            "help": _time([lens, "--help"], env, args.runs),
            "countries_resolve": _time([lens, "countries", "resolve", "Burma"], env, args.runs),
        }
        python, _ = _time([sys.executable, "-c", "pass"], env, args.runs)
    result: dict[str, object] = {
        "runs": args.runs,
        "target_s": TARGET_S,
        "python_bare_median_s": round(statistics.median(python), 3),
    }
    for name, (walls, cpus) in timed.items():
        result[f"{name}_median_s"] = round(statistics.median(walls), 3)
        result[f"{name}_min_s"] = round(min(walls), 3)
        result[f"{name}_cpu_median_s"] = round(statistics.median(cpus), 3)
    result["ok"] = all(statistics.median(walls) < TARGET_S for walls, _ in timed.values())
    # Other work on the machine slows every start (wall time waits for a core; CPU time does
    # not): the load shows how far to trust the wall figures.
    result["cpu_count"] = os.cpu_count()
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
