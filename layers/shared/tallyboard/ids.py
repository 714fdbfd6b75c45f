"""Opaque, prefixed ids and the clock."""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    # 16 url-safe random bytes' worth of base32-ish text: unguessable, sortable-agnostic.
    return f"{prefix}_{secrets.token_hex(10)}"


def new_sorted_id(prefix: str, at_ms: int) -> str:
    """An id whose text sorts by creation time (12 hex digits of epoch ms), then at random: a
    partition keyed by such ids lists its items in creation order with no extra index."""
    return f"{prefix}_{at_ms:012x}{secrets.token_hex(8)}"


def now_ms() -> int:
    return int(time.time() * 1000)
