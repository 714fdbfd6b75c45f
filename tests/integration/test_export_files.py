"""Export files against the local stack's S3 (moto): multipart uploads (several parts, one empty
part, aborted), aborting someone else's upload, object sizes and presigned downloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tallyboard.data import aws, export_files
from tallyboard.data.export_files import MiB, MultipartUpload
from tallyboard.settings import get_settings
from tallyboard_local.stack import LocalStack

PREFIX = "exports/ws_test/proj_test/"


def _bucket() -> str:
    return get_settings().export_bucket


@pytest.fixture
def s3(stack: LocalStack) -> Iterator[Any]:
    """The stack's own S3 and export bucket, as the export functions use them (never a second
    mock with its own environment: the process also runs the stack's workflows, which must keep
    writing where the template says). What a test leaves under PREFIX is removed."""
    client = aws.client("s3")
    yield client
    for upload in client.list_multipart_uploads(Bucket=_bucket(), Prefix=PREFIX).get("Uploads", []):
        client.abort_multipart_upload(Bucket=_bucket(), Key=upload["Key"], UploadId=upload["UploadId"])
    for listed in client.list_objects_v2(Bucket=_bucket(), Prefix=PREFIX).get("Contents", []):
        client.delete_object(Bucket=_bucket(), Key=listed["Key"])


def stored_bytes(s3: Any, key: str) -> bytes:
    return s3.get_object(Bucket=_bucket(), Key=key)["Body"].read()


def test_multipart_upload_of_small_writes_completes_in_parts(s3: Any) -> None:
    key = PREFIX + "several-parts.json"
    upload = MultipartUpload.start(key, "application/json", part_size=5 * MiB)
    assert export_files.open_uploads(PREFIX)[0]["uploadId"] == upload.upload_id
    written = bytearray()
    block = 0
    while len(written) < 12 * MiB:  # small writes of uneven sizes, distinct content
        chunk = bytes([block % 251]) * (1000 + block % 7919)
        upload.write(chunk)
        written += chunk
        block += 1
        assert upload.parts == len(written) // (5 * MiB)  # a part as soon as one is full
    assert upload.bytes_written == len(written)
    size = upload.complete()
    assert size == len(written)
    assert upload.parts == 3
    assert stored_bytes(s3, key) == bytes(written)
    assert export_files.object_size(key) == len(written)
    assert export_files.open_uploads(PREFIX) == []
    head = s3.head_object(Bucket=_bucket(), Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/json"


def test_one_large_write_is_split_into_parts(s3: Any) -> None:
    key = PREFIX + "one-write.csv"
    data = bytes(range(256)) * (11 * MiB // 256)
    upload = MultipartUpload.start(key, "text/csv; charset=utf-8", part_size=5 * MiB)
    upload.write(data)
    assert upload.parts == 2
    assert upload.complete() == len(data)
    assert upload.parts == 3
    assert stored_bytes(s3, key) == data


def test_file_smaller_than_a_part_is_one_part(s3: Any) -> None:
    key = PREFIX + "small.json"
    upload = MultipartUpload.start(key, "application/json")
    upload.write(b'{"exportedAt":1,')
    upload.write('"name":"Ümsatz"}'.encode())
    assert upload.parts == 0
    upload.complete()
    assert upload.parts == 1
    assert stored_bytes(s3, key) == '{"exportedAt":1,"name":"Ümsatz"}'.encode()


def test_empty_file_completes(s3: Any) -> None:
    key = PREFIX + "empty.csv"
    upload = MultipartUpload.start(key, "text/csv; charset=utf-8")
    assert upload.complete() == 0
    assert upload.parts == 1
    assert export_files.object_size(key) == 0
    assert stored_bytes(s3, key) == b""


def test_part_size_below_s3_minimum_is_refused_before_any_upload(s3: Any) -> None:
    with pytest.raises(ValueError):
        MultipartUpload.start(PREFIX + "tiny-parts.json", "application/json", part_size=5 * MiB - 1)
    assert export_files.open_uploads(PREFIX) == []


def test_abort_leaves_no_upload_and_no_object(s3: Any) -> None:
    key = PREFIX + "aborted.json"
    upload = MultipartUpload.start(key, "application/json", part_size=5 * MiB)
    upload.write(b"x" * (6 * MiB))
    assert upload.parts == 1
    assert [u["key"] for u in export_files.open_uploads(PREFIX)] == [key]
    upload.abort()
    assert export_files.open_uploads(PREFIX) == []
    assert export_files.object_size(key) is None
    upload.abort()  # again: nothing left, nothing raised
    with pytest.raises(RuntimeError):
        upload.write(b"more")
    with pytest.raises(RuntimeError):
        upload.complete()


def test_abort_upload_by_id_is_idempotent(s3: Any) -> None:
    key = PREFIX + "started-elsewhere.json"
    started = MultipartUpload.start(key, "application/json")
    started.write(b"[1,2,3]")
    # Another function knows only the key and the id recorded on the job.
    export_files.abort_upload(key, started.upload_id)
    export_files.abort_upload(key, started.upload_id)
    assert export_files.open_uploads(PREFIX) == []
    assert export_files.object_size(key) is None


def test_open_uploads_lists_only_its_prefix(s3: Any) -> None:
    mine = MultipartUpload.start(PREFIX + "a.json", "application/json")
    other = MultipartUpload.start("exports/ws_other/p/b.json", "application/json")
    assert [(u["key"], u["uploadId"]) for u in export_files.open_uploads(PREFIX)] == [
        (mine.key, mine.upload_id)
    ]
    assert isinstance(export_files.open_uploads(PREFIX)[0]["initiatedAt"], int)
    mine.abort()
    other.abort()


def test_object_size_of_a_missing_object_is_none(s3: Any) -> None:
    assert export_files.object_size(PREFIX + "never-written.json") is None


def test_presigned_download_url_serves_the_file_as_an_attachment(s3: Any) -> None:
    key = PREFIX + "job_1.csv"
    upload = MultipartUpload.start(key, "text/csv; charset=utf-8")
    upload.write(b"Type,ID\r\nMetric,m_1\r\n")
    upload.complete()
    url = export_files.presigned_download_url(key, 86_400, "tallyboard-export-20240315-job_1.csv")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path.endswith("/" + key)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]  # SigV4: S3 refuses SigV2 on new buckets
    assert query["X-Amz-Expires"] == ["86400"]
    assert query["response-content-disposition"] == [
        'attachment; filename="tallyboard-export-20240315-job_1.csv"'
    ]
    # the URL is the local S3 endpoint's: it serves the bytes over HTTP.
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content == b"Type,ID\r\nMetric,m_1\r\n"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="tallyboard-export-20240315-job_1.csv"'
    )


def test_presigned_url_filename_cannot_inject_header_content(s3: Any) -> None:
    url = export_files.presigned_download_url(PREFIX + "x.json", 60, 'evil"; filename*=x\r\nSet: y.json')
    disposition = parse_qs(urlsplit(url).query)["response-content-disposition"][0]
    assert disposition.startswith('attachment; filename="') and disposition.count('"') == 2
    assert "\r" not in disposition and "\n" not in disposition and ";" not in disposition[21:]


@pytest.mark.parametrize("expires_in_s", [0, 7 * 24 * 3600 + 1])
def test_presigned_url_expiry_within_sigv4_limits(s3: Any, expires_in_s: int) -> None:
    with pytest.raises(ValueError):
        export_files.presigned_download_url(PREFIX + "x.json", expires_in_s, "x.json")
