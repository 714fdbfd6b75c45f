"""The console's own state: the key that seals session cookies (a Secrets Manager secret, read
once per container) and the live sessions, one empty object per session in the console's bucket.

A sealed cookie alone cannot be taken back: after sign-out a copy of it would still unseal until
it expires. So sign-in writes `sessions/<id>`, sign-out deletes it, and every page reads it: a
replayed cookie of a signed-out session finds nothing. The object holds no secret (the key stays
in the cookie), and a lifecycle rule removes those whose session expired without a sign-out."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from botocore.exceptions import ClientError

from tallyboard.data.aws import client
from tallyboard.settings import get_settings

# Without s3:ListBucket (not granted: nothing lists) S3 answers a missing object with 403.
_GONE = {"404", "NoSuchKey", "NotFound", "403", "AccessDenied"}


@lru_cache(maxsize=1)
def console_key() -> bytes:
    secret = client("secretsmanager").get_secret_value(SecretId=get_settings().console_secret_arn)
    # AES-256-GCM takes 32 bytes; the secret is 64 characters of text.
    return hashlib.sha256(secret["SecretString"].encode()).digest()


def _object(session_id: str) -> dict[str, str]:
    return {"Bucket": get_settings().console_session_bucket, "Key": f"sessions/{session_id}"}


def start_session(session_id: str) -> None:
    client("s3").put_object(**_object(session_id), Body=b"")


def session_live(session_id: str) -> bool:
    try:
        client("s3").head_object(**_object(session_id))
    except ClientError as error:
        if str(error.response.get("Error", {}).get("Code", "")) in _GONE:
            return False
        raise
    return True


def end_session(session_id: str) -> None:
    client("s3").delete_object(**_object(session_id))
