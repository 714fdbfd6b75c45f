"""EventBridge Scheduler's part, locally: moto stores schedules but never fires them, so the
local stack fires the due ones itself, by invoking the schedule's target function in-process
with the schedule's input, exactly as Scheduler invokes it deployed."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from tallyboard.data import export_schedules
from tallyboard.ids import now_ms
from tallyboard.logic.export_schedules import next_run
from tallyboard_local.functions import Functions


class SchedulePump:
    def __init__(self, functions: Functions, interval_s: float = 5.0):
        self.functions, self.interval_s = functions, interval_s
        self._last_checked: dict[tuple[str, str], int] = {}  # (name, expression) → ms
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="schedule-pump", daemon=True)

    def start(self) -> SchedulePump:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.fire_due()
            except Exception:  # one bad round must not stop the pump
                logging.getLogger(__name__).exception("firing due schedules failed")

    def fire_due(self, now: int | None = None, only: str | None = None) -> list[Any]:
        """Invoke every schedule (or the one named `only`) with a run in (last check, now]; a
        schedule seen (or changed) for the first time counts from now. Returns the answers."""
        now = now_ms() if now is None else now
        answers = []
        for schedule in export_schedules.all_schedules():
            if only and schedule["name"] != only:
                continue
            seen = (schedule["name"], json.dumps(schedule["payload"], sort_keys=True))
            last = self._last_checked.setdefault(seen, now_ms())
            if next_run(schedule["payload"]["schedule"], last) <= now:
                function = schedule["targetArn"].rsplit(":", 1)[-1]
                answers.append(self.functions.invoke(function, schedule["payload"]))
            self._last_checked[seen] = max(last, now)
        return answers
