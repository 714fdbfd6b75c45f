"""The key that seals list cursors: a Secrets Manager secret, read once per container."""

from __future__ import annotations

from functools import lru_cache

from tallyboard.data.aws import client
from tallyboard.settings import get_settings


@lru_cache(maxsize=1)
def cursor_key() -> bytes:
    secret = client("secretsmanager").get_secret_value(SecretId=get_settings().cursor_secret_arn)
    return secret["SecretString"].encode()
