"""Run every bench/bench_*.py (each defines run(results)) and save bench/results.json."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from bench.harness import Results


def main(selected: list[str]) -> int:
    results = Results()
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        if selected and path.stem not in selected:
            continue
        print(f"== {path.stem}", flush=True)
        importlib.import_module(f"bench.{path.stem}").run(results)
    results.save()
    print(f"figures written to {Path('bench/results.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
