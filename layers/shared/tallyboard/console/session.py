"""The console session: the API key sealed with AES-256-GCM into a cookie (the session id and the
expiry inside the sealed payload, so none can be altered), and CSRF tokens bound to the session.
Whether the session is still live (not signed out) is data/console.py's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SESSION_SECONDS = 8 * 3600
_AAD = b"tallyboard-console-session-v1"


@dataclass(frozen=True)
class Session:
    api_key: str
    session_id: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(key: bytes, api_key: str, session_id: str, now: float | None = None) -> str:
    now = time.time() if now is None else now
    payload = {"k": api_key, "sid": session_id, "exp": int(now) + SESSION_SECONDS}
    nonce = os.urandom(12)
    return _b64(nonce + AESGCM(key).encrypt(nonce, json.dumps(payload).encode(), _AAD))


def unseal(key: bytes, cookie: str | None, now: float | None = None) -> Session | None:
    """The session in the cookie, or None when it is missing, forged, altered or expired."""
    if not cookie:
        return None
    try:
        raw = _unb64(cookie)
        payload = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], _AAD))
        session = Session(str(payload["k"]), str(payload["sid"]), int(payload["exp"]))
    except (InvalidTag, ValueError, KeyError, TypeError):
        return None
    if session.expires <= (time.time() if now is None else now):
        return None
    return session


def csrf_token(key: bytes, binding: str) -> str:
    """A token bound to the session id (or, before sign-in, to the pre-session cookie)."""
    return _b64(hmac.new(key, b"csrf:" + binding.encode(), hashlib.sha256).digest())


def csrf_ok(key: bytes, binding: str | None, token: str | None) -> bool:
    return bool(binding and token) and hmac.compare_digest(csrf_token(key, binding or ""), token or "")


def new_id() -> str:
    """A random id: a session's, or the pre-session cookie's that binds the sign-in form."""
    return _b64(os.urandom(16))
