"""moto in a process of its own, with the local stack's fixes (moto_fixes): with
`LocalStack(separate_moto=True)` the API (gateway, authorizer, handlers) runs in one process and
moto in this one, so the API process's memory is measured apart from the items moto holds
(bench/bench_load.py). Prints its port, then serves until terminated.

Usage: python -m tallyboard_local.moto_server HOST"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from moto.server import ThreadedMotoServer

from tallyboard_local import moto_fixes


def main(host: str) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    moto_fixes.apply()
    server = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    server.stop()


if __name__ == "__main__":
    main(sys.argv[1])
