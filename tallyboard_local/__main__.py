"""`make run`: the whole API locally with demo data."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path

from tallyboard_local import demo
from tallyboard_local.stack import LocalStack, write_json
from tallyboard_local.template import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tallyboard-local")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    stack = LocalStack(port=args.port, host=args.host).start()
    seeded = demo.seed()
    stack.functions.warm()
    demo_path = Path(ROOT / ".local" / "demo.json")
    demo_path.parent.mkdir(exist_ok=True)
    write_json(demo_path, stack.demo_file(seeded))

    print(f"Tallyboard is serving at {stack.base_url}", flush=True)
    print(f"  project id: {seeded['projectId']}")
    print(f"  owner key:  {seeded['apiKey']}")
    print(f"  try: curl -H 'Authorization: Bearer {seeded['apiKey']}' {stack.base_url}/api-keys")
    print(
        f"  docs: {stack.base_url}/docs   (demo details in {demo_path.relative_to(ROOT)}; Ctrl-C stops)",
        flush=True,
    )

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
