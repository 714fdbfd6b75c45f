"""Connection credentials at rest: KMS envelope-free encryption (credentials are bounded to
KMS's 4 KB plaintext limit), bound to an encryption context so a ciphertext copied to
another workspace or connection does not decrypt there."""

from __future__ import annotations

from tallyboard.data.aws import client
from tallyboard.settings import get_settings

MAX_PLAINTEXT_BYTES = 4096  # KMS Encrypt's own limit


def encryption_context(workspace_id: str, connection_id: str) -> dict[str, str]:
    return {"workspaceId": workspace_id, "connectionId": connection_id}


def encrypt(plaintext: bytes, workspace_id: str, connection_id: str) -> bytes:
    response = client("kms").encrypt(
        KeyId=get_settings().credentials_key_id,
        Plaintext=plaintext,
        EncryptionContext=encryption_context(workspace_id, connection_id),
    )
    return response["CiphertextBlob"]


def decrypt(ciphertext: bytes, workspace_id: str, connection_id: str) -> bytes:
    response = client("kms").decrypt(
        KeyId=get_settings().credentials_key_id,
        CiphertextBlob=ciphertext,
        EncryptionContext=encryption_context(workspace_id, connection_id),
    )
    return response["Plaintext"]
