"""Export files in the export bucket: the only code that touches S3 for them.

An export is written as an S3 multipart upload, part by part, so a Lambda holds one part in
memory whatever the file's size, and an export that dies half-way leaves an upload (no object)
that anyone holding its id can abort: the upload id is recorded on the job before the first
byte. Downloads are presigned GETs that name the file for the browser.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from tallyboard.data.aws import client
from tallyboard.settings import get_settings

MiB = 1024 * 1024
# S3 refuses a part under 5 MiB unless it is the last one, and numbers parts 1 to 10,000.
MIN_PART_SIZE = 5 * MiB
DEFAULT_PART_SIZE = 8 * MiB
MAX_PARTS = 10_000
# SigV4 presigned URLs live at most 7 days.
MAX_URL_EXPIRY_S = 7 * 24 * 3600
_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_MISSING_OBJECT_CODES = {"404", "NoSuchKey", "NotFound"}


def _s3() -> Any:
    return client("s3")


def _bucket() -> str:
    return get_settings().export_bucket


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class MultipartUpload:
    """A binary sink (`write(bytes)`) streaming into one S3 multipart upload.

    Bytes gather in a buffer of exactly one part: each time it fills, it is uploaded and a new
    one begins, so memory is one part (plus what the caller passes to one write). `complete()`
    uploads the rest as the last part and assembles the object; `abort()` drops everything.

    The buffer is a BytesIO handed to botocore as the part's body, whole: botocore streams a
    file-like body as it is (and rewinds it for a retry), whereas it copies a bytearray body
    into a new BytesIO to sign it, and a bytes body would first have to be copied out of the
    buffer, either way two parts in memory at once (measured by bench/bench_exports.py).
    """

    def __init__(self, key: str, upload_id: str, part_size: int = DEFAULT_PART_SIZE) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (S3's minimum part)")
        self.key = key
        self.upload_id = upload_id
        self.part_size = part_size
        self.bytes_written = 0
        self._buffer = io.BytesIO()
        self._etags: list[str] = []
        self._closed = False

    @classmethod
    def start(cls, key: str, content_type: str, part_size: int = DEFAULT_PART_SIZE) -> MultipartUpload:
        if part_size < MIN_PART_SIZE:  # before S3 holds an upload nobody would finish
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (S3's minimum part)")
        response = _s3().create_multipart_upload(
            Bucket=_bucket(), Key=key, ContentType=content_type, ServerSideEncryption="AES256"
        )
        return cls(key, response["UploadId"], part_size)

    @property
    def parts(self) -> int:
        """Parts uploaded so far."""
        return len(self._etags)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._closed:
            raise RuntimeError(f"The upload of {self.key} is already completed or aborted")
        view = memoryview(data).cast("B")
        size = len(view)
        while view:
            room = self.part_size - self._buffer.tell()
            self._buffer.write(view[:room])
            view = view[room:]
            if self._buffer.tell() == self.part_size:
                full, self._buffer = self._buffer, io.BytesIO()
                self._upload_part(full)
        self.bytes_written += size
        return size

    def complete(self) -> int:
        """Upload what is left as the last part and assemble the object; returns its size. An
        empty file is one empty part: S3 completes no upload without a part."""
        if self._closed:
            raise RuntimeError(f"The upload of {self.key} is already completed or aborted")
        if self._buffer.tell() or not self._etags:
            last, self._buffer = self._buffer, io.BytesIO()
            self._upload_part(last)
        _s3().complete_multipart_upload(
            Bucket=_bucket(),
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={
                "Parts": [{"ETag": etag, "PartNumber": number} for number, etag in enumerate(self._etags, 1)]
            },
        )
        self._closed = True
        return self.bytes_written

    def abort(self) -> None:
        """Drop the upload and its parts; nothing is left to pay for. Safe to repeat."""
        self._closed = True
        self._buffer = io.BytesIO()
        abort_upload(self.key, self.upload_id)

    def _upload_part(self, body: io.BytesIO) -> None:
        number = len(self._etags) + 1
        if number > MAX_PARTS:
            raise RuntimeError(f"The export is larger than S3's {MAX_PARTS} parts of {self.part_size} bytes")
        body.seek(0)
        response = _s3().upload_part(
            Bucket=_bucket(), Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=body
        )
        self._etags.append(response["ETag"])


def abort_upload(key: str, upload_id: str) -> None:
    """Abort an upload, whoever started it (a later function cleans up after one that died);
    one already aborted or completed is fine."""
    try:
        _s3().abort_multipart_upload(Bucket=_bucket(), Key=key, UploadId=upload_id)
    except ClientError as error:
        if _error_code(error) != "NoSuchUpload":
            raise


def open_uploads(prefix: str) -> list[dict[str, Any]]:
    """Uploads started and neither completed nor aborted under a key prefix: [{key, uploadId,
    initiatedAt (epoch ms)}]. For tests and clean-up; the bucket's lifecycle rule is the backstop."""
    uploads: list[dict[str, Any]] = []
    params: dict[str, Any] = {"Bucket": _bucket(), "Prefix": prefix}
    while True:
        response = _s3().list_multipart_uploads(**params)
        uploads.extend(
            {"key": u["Key"], "uploadId": u["UploadId"], "initiatedAt": _epoch_ms(u.get("Initiated"))}
            for u in response.get("Uploads", [])
        )
        if not response.get("IsTruncated"):
            return uploads
        params["KeyMarker"] = response.get("NextKeyMarker")
        params["UploadIdMarker"] = response.get("NextUploadIdMarker")


def presigned_download_url(key: str, expires_in_s: int, filename: str) -> str:
    """A GET URL valid for expires_in_s seconds that makes the browser save the file under
    filename (reduced to safe characters: it goes into a header, quoted). A SigV4 URL dies with
    the credentials that signed it, so sign when the URL is asked for, not once in advance."""
    if not 1 <= expires_in_s <= MAX_URL_EXPIRY_S:
        raise ValueError(f"expires_in_s must be between 1 and {MAX_URL_EXPIRY_S}")
    safe_name = _UNSAFE_FILENAME_CHARS.sub("_", filename) or "export"
    return _s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": _bucket(),
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{safe_name}"',
        },
        ExpiresIn=int(expires_in_s),
    )


def _epoch_ms(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment else None


def read_chunks(key: str, chunk_size: int = MiB) -> Iterator[bytes]:
    """An object's bytes, a chunk at a time (an assembled export streams its segments)."""
    body = _s3().get_object(Bucket=_bucket(), Key=key)["Body"]
    try:
        yield from body.iter_chunks(chunk_size)
    finally:
        body.close()


def remove_all(prefix: str) -> None:
    """Everything an export left under its prefix: open uploads aborted, objects deleted (a
    failed or cancelled job's partial file and segments)."""
    for upload in open_uploads(prefix):
        abort_upload(upload["key"], upload["uploadId"])
    params = {"Bucket": _bucket(), "Prefix": prefix}
    while True:
        listed = _s3().list_objects_v2(**params)
        delete([item["Key"] for item in listed.get("Contents", [])])
        if not listed.get("IsTruncated"):
            return
        params["ContinuationToken"] = listed["NextContinuationToken"]


def delete(keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start : start + 1000]]
        _s3().delete_objects(Bucket=_bucket(), Delete={"Objects": batch, "Quiet": True})


def object_size(key: str) -> int | None:
    """The object's size in bytes, None when there is no such object."""
    try:
        response = _s3().head_object(Bucket=_bucket(), Key=key)
    except ClientError as error:
        if _error_code(error) in _MISSING_OBJECT_CODES:
            return None
        raise
    return int(response["ContentLength"])
