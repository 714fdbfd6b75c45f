"""`make run`: the whole API locally with demo data. `tallyboard-local invoke …`: one function's
handler run on an event, as `sam local invoke` does (tallyboard_local/invoke.py)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from tallyboard_local import demo
from tallyboard_local.stack import LocalStack, write_json
from tallyboard_local.template import ROOT

DEMO_FILE = ROOT / ".local" / "demo.json"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["invoke"]:
        from tallyboard_local import invoke

        return invoke.main(argv[1:], DEMO_FILE)
    parser = argparse.ArgumentParser(prog="tallyboard-local", epilog="also: tallyboard-local invoke --help")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--demo-file", type=Path, default=DEMO_FILE, help="where to write the demo details")
    args = parser.parse_args(argv)

    # The OpenAPI document built once, before the first request: merged on demand, the first
    # GET /openapi.json imported every handler (seconds, past a generator's timeout under load).
    from tallyboard.logic import docs

    spec_file = ROOT / ".local" / "openapi.json"
    docs.write_document(ROOT / "functions", spec_file)
    os.environ[docs.BUILT_FILE_ENV] = str(spec_file)
    stack = LocalStack(port=args.port, host=args.host).start()
    seeded = demo.seed()
    stack.functions.warm()
    demo_path = args.demo_file.resolve()
    demo_path.parent.mkdir(parents=True, exist_ok=True)
    write_json(demo_path, stack.demo_file(seeded))
    shown = demo_path.relative_to(ROOT) if demo_path.is_relative_to(ROOT) else demo_path

    print(f"Tallyboard is serving at {stack.base_url}", flush=True)
    print(f"  project id:  {seeded['projectId']}")
    print(f"  owner key:   {seeded['apiKey']}")
    print(f"  project key: {seeded['projectKey']}   (bound to the project: no projectId needed)")
    print(f"  try: curl -H 'Authorization: Bearer {seeded['apiKey']}' {stack.base_url}/api-keys")
    print(f"  console: {stack.base_url}/console   (sign in with the owner key)")
    print(f"  docs: {stack.base_url}/docs   (demo details in {shown}; Ctrl-C stops)", flush=True)

    stopping = threading.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stopping.set())
    try:
        while not stopping.wait(timeout=1):  # a timed wait lets the signal handler run
            pass
    finally:
        stack.stop()
        demo_path.unlink(missing_ok=True)
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
