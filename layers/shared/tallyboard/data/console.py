"""The key that seals console session cookies: a Secrets Manager secret, read once per container."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from tallyboard.data.aws import client
from tallyboard.settings import get_settings


@lru_cache(maxsize=1)
def console_key() -> bytes:
    secret = client("secretsmanager").get_secret_value(SecretId=get_settings().console_secret_arn)
    # AES-256-GCM takes 32 bytes; the secret is 64 characters of text.
    return hashlib.sha256(secret["SecretString"].encode()).digest()
