"""Opaque, prefixed ids and the clock."""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    # 16 url-safe random bytes' worth of base32-ish text: unguessable, sortable-agnostic.
    return f"{prefix}_{secrets.token_hex(10)}"


def now_ms() -> int:
    return int(time.time() * 1000)
