"""The console's cold start: what its import loads (bench/bench_console.py measures the time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_loads_neither_pydantic_nor_the_api_models() -> None:
    """The console is a client of the API: the request models' pydantic cost its import ~120 ms
    (1.38x the bare handler's cold start against 1.08x without)."""
    script = (
        "import sys; import tallyboard.console.web; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic' "
        "or m.startswith(('tallyboard.models', 'tallyboard.logic'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
