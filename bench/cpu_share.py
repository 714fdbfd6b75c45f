"""Run a process with a Lambda memory size's share of one CPU.

Lambda allots CPU in proportion to memory: 1,769 MB is one vCPU, so 512 MB is 29 % of one. Like
Linux's CFS bandwidth control (a cgroup's cpu.cfs_quota_us, which needs root and a writable
cgroup hierarchy), the child runs at full speed while it has CPU time left and is stopped
(SIGSTOP) once it has used more than its share of the wall time since it started, until the
share of the time that passes has paid the excess back and earned a 20 ms slice (SIGCONT).
Credit saved while the child waits (on I/O, on moto) is capped at one 100 ms CFS period, so it
cannot bank a burst. CPU time is read from /proc/<pid>/task/*/schedstat (nanoseconds, every
thread); a late wake-up of this controller is charged to the next slice, so the long-run share
is exact.

What this cannot show: a share above what the machine has free (two shared cores) runs slower
than Lambda would, so every figure comes with the CPU the child actually got (CPU time / wall
time)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

MB_PER_VCPU = 1769
PERIOD_S = 0.1  # CFS' default period: the most credit an idle child keeps
SLICE_S = 0.02  # a stopped child resumes with this period's share of credit (fewer switches)
MIN_SLEEP_S = 0.0005


def share_of(memory_mb: int) -> float:
    return min(memory_mb / MB_PER_VCPU, 1.0)


def _cpu_seconds(pid: int) -> float | None:
    """CPU time of every thread of the process, or None once it has gone."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue  # a thread that just ended
    except FileNotFoundError:
        return None
    return total / 1e9


def run(
    args: list[str], memory_mb: int, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """subprocess.run(args, capture_output=True, text=True) with the CPU of `memory_mb`."""
    share = share_of(memory_mb)
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if share < 1.0:
        _throttle(process, share, timeout)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def _throttle(process: subprocess.Popen[str], share: float, timeout: float) -> None:
    """Until the process ends: stop it while it is over its share, let it run otherwise. Output
    is small (a JSON line), so its pipes cannot fill while this loop reads nothing."""
    deadline = time.monotonic() + timeout
    credit = share * PERIOD_S  # CPU seconds the child may still use; negative: its debt
    last_wall = time.monotonic()
    last_cpu = 0.0
    stopped = False
    try:
        while process.poll() is None and time.monotonic() < deadline:
            now = time.monotonic()
            used = _cpu_seconds(process.pid)
            if used is None:
                break
            credit = min(credit + share * (now - last_wall), share * PERIOD_S) - (used - last_cpu)
            last_wall, last_cpu = now, used
            if credit <= 0:
                if not stopped:
                    os.kill(process.pid, signal.SIGSTOP)
                    stopped = True
                # until the share has paid the debt and earned one slice's worth
                time.sleep(max((share * SLICE_S - credit) / share, MIN_SLEEP_S))
            else:
                if stopped:
                    os.kill(process.pid, signal.SIGCONT)
                    stopped = False
                time.sleep(max(credit, MIN_SLEEP_S))  # the earliest it can use up its credit
    finally:
        if stopped and process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
