"""Rewrite the `sam build` output template as deployed: what the route table implies, derived
by `tallyboard_local.template.deployable` (every path's catch-all ANY method → the 405 function).
`make build` runs it after `sam build`, so `sam deploy` ships it; nothing is written by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tallyboard_local import template as tpl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("template", type=Path, nargs="?", default=tpl.ROOT / ".aws-sam/build/template.yaml")
    args = parser.parse_args(argv)
    built = yaml.load(args.template.read_text(), Loader=tpl._CfnLoader)  # noqa: S506 - SafeLoader subclass
    deployed = tpl.deployable(built)
    args.template.write_text(yaml.safe_dump(deployed, sort_keys=False, width=1000))
    paths = len(deployed["Resources"][tpl.API]["Properties"].get("DefinitionBody", {}).get("paths", {}))
    print(f"{args.template}: a catch-all method (405) on each of {paths} paths")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
