"""Build the OpenAPI document once into each given file: `make build` (the docs functions'
artifacts) and `make lint` (the document linted is the one built)."""

from __future__ import annotations

import sys
from pathlib import Path

from tallyboard.logic import docs
from tallyboard_local.template import ROOT


def main(targets: list[str]) -> int:
    for target in targets:
        docs.write_document(ROOT / "functions", Path(target))
        print(f"OpenAPI document written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
