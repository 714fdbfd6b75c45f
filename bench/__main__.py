"""Run every bench/bench_*.py (each defines run(results)) and save bench/results.json
(BENCH_SHORT=1: small sizes, bench/results-short.json)."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

from bench.harness import RESULTS_PATH, Results


def main(selected: list[str]) -> int:
    results = Results()
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        if selected and path.stem not in selected:
            continue
        print(f"== {path.stem}", flush=True)
        began = time.perf_counter()
        importlib.import_module(f"bench.{path.stem}").run(results)
        print(f"== {path.stem}: {time.perf_counter() - began:.0f} s", flush=True)
    print(f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}", flush=True)
    results.save()
    print(f"figures written to {RESULTS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
