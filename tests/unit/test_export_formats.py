"""Export encoders without AWS: the contract's JSON document and CSV rows (from the examples of
the export document), streaming in bounded chunks, RFC 4180 quoting and formula neutralisation."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tallyboard.logic import export_formats
from tallyboard.logic.export_formats import CHUNK_CHARS, iso_utc, open_writer

# The example document of the export contract, record for record.
EXPORTED_AT = 1678901234000
DATE_RANGE = {"startDate": 1676309234000, "endDate": 1678901234000}
PROJECT = {"id": "j57abc123", "name": "My SaaS App", "slug": "my-saas-app", "createdAt": 1670000000000}
METRIC = {
    "id": "m_abc123",
    "metricId": "stripe_mrr",
    "metricName": "Monthly Recurring Revenue",
    "value": 15000,
    "unit": "USD",
    "timestamp": 1678901234000,
    "service": "stripe",
    "metadata": {"currency": "usd", "interval": "month"},
    "dataQuality": "synced",
    "createdAt": 1678901234000,
}
CONNECTION = {
    "id": "conn_abc123",
    "service": "stripe",
    "serviceName": "Stripe",
    "category": "payment",
    "authType": "oauth",
    "status": "active",
    "accountInfo": {"accountId": "acct_123", "accountName": "My Company"},
    "lastSyncedAt": 1678901234000,
    "totalSyncsCompleted": 42,
    "createdAt": 1670000000000,
}
DASHBOARD = {
    "id": "dash_abc123",
    "name": "Revenue Dashboard",
    "slug": "revenue",
    "type": "custom",
    "category": "payment",
    "isDefault": False,
    "createdAt": 1670000000000,
    "updatedAt": 1678901234000,
    "widgets": [
        {
            "id": "widget_abc123",
            "type": "metric-card",
            "title": "MRR",
            "position": {"x": 0, "y": 0, "w": 4, "h": 2},
            "visible": True,
            "config": {"metricId": "stripe_mrr", "aggregation": "latest"},
            "createdAt": 1670000000000,
        }
    ],
}
AUDIT_LOG = {
    "id": "log_abc123",
    "userId": "user_123",
    "action": "dashboard_created",
    "resource": "dashboards",
    "resourceId": "dash_abc123",
    "metadata": {"dashboardName": "Revenue Dashboard"},
    "ipAddress": "192.168.1.1",
    "userAgent": "Mozilla/5.0...",
    "createdAt": 1670000000000,
}
ALL_SECTIONS = {
    "metrics": [METRIC],
    "connections": [CONNECTION],
    "dashboards": [DASHBOARD],
    "auditLogs": [AUDIT_LOG],
}
HEADER = "Type,ID,Name,Value,Unit,Timestamp,Service,Status,Created At"


class ChunkSink:
    """Records every write, as the S3 upload would receive it."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> None:
        assert isinstance(data, bytes)
        self.chunks.append(data)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def export(export_format: str, sections: dict[str, list[dict[str, Any]]], sink: Any = None) -> bytes:
    sink = sink if sink is not None else ChunkSink()
    writer = open_writer(export_format, sink)
    writer.begin(EXPORTED_AT, DATE_RANGE, PROJECT)
    for name, records in sections.items():
        writer.section(name)
        for record in records:
            writer.write(name, record)
    writer.end()
    assert writer.records == sum(len(records) for records in sections.values())
    return sink.data


def csv_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    return text.split("\r\n")[:-1]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


# ----------------------------------------------------------------------------- JSON


def test_json_is_the_contract_document() -> None:
    sections = copy.deepcopy(ALL_SECTIONS)
    data = export("json", sections)
    expected = {"exportedAt": EXPORTED_AT, "dateRange": DATE_RANGE, "project": PROJECT, **sections}
    document = json.loads(data)
    assert document == expected
    assert list(document) == ["exportedAt", "dateRange", "project", *sections]
    assert document["dashboards"][0]["widgets"][0]["position"] == {"x": 0, "y": 0, "w": 4, "h": 2}
    # Compact, in the contract's key order, byte for byte.
    assert data == json.dumps(expected, separators=(",", ":"), ensure_ascii=False).encode()


def test_json_sections_in_the_order_opened_and_only_those() -> None:
    document = json.loads(export("json", {"dashboards": [DASHBOARD], "metrics": [METRIC]}))
    assert list(document) == ["exportedAt", "dateRange", "project", "dashboards", "metrics"]


def test_json_empty_section_is_an_empty_list_and_no_section_is_valid() -> None:
    document = json.loads(export("json", {"metrics": [], "auditLogs": []}))
    assert document["metrics"] == [] and document["auditLogs"] == []
    bare = json.loads(export("json", {}))
    assert bare == {"exportedAt": EXPORTED_AT, "dateRange": DATE_RANGE, "project": PROJECT}


def test_json_header_keeps_only_the_contract_fields() -> None:
    writer_sink = ChunkSink()
    writer = open_writer("json", writer_sink)
    writer.begin(EXPORTED_AT, {**DATE_RANGE, "preset": "last_30_days"}, {**PROJECT, "workspaceId": "ws_x"})
    writer.end()
    document = json.loads(writer_sink.data)
    assert document["dateRange"] == DATE_RANGE and document["project"] == PROJECT


@pytest.mark.parametrize(
    "text",
    [
        "Ümsatz € 日本語",
        "emoji 📈🚀👩‍💻",
        "RTL עברית العربية \u200f",
        "NUL \x00 and controls \x01\x1f\x7f",
        'quotes " and \\ backslash \n newline',
        "\u2028 line separators \u2029",
    ],
)
def test_json_unicode_round_trips_as_utf8(text: str) -> None:
    record = {**METRIC, "metricName": text, "metadata": {text: text}}
    data = export("json", {"metrics": [record]})
    assert json.loads(data.decode("utf-8"))["metrics"][0] == record
    printable = text.replace("\x00", "").replace("\n", "")
    if not printable.isascii():  # kept as UTF-8, not \u escapes
        non_ascii = next(c for c in printable if not c.isascii())
        assert non_ascii.encode("utf-8") in data


def test_json_lone_surrogate_stays_valid_utf8_and_round_trips() -> None:
    record = {**METRIC, "metricName": "half \ud83d pair"}
    data = export("json", {"metrics": [record]})
    assert json.loads(data.decode("utf-8"))["metrics"][0]["metricName"] == "half \ud83d pair"


def test_json_refuses_nan_rather_than_write_invalid_json() -> None:
    writer = open_writer("json", ChunkSink())
    writer.begin(EXPORTED_AT, DATE_RANGE, PROJECT)
    writer.section("metrics")
    with pytest.raises(ValueError):
        writer.write("metrics", {**METRIC, "value": float("nan")})


@pytest.mark.parametrize("export_format", ["json", "csv"])
def test_streamed_in_bounded_chunks_never_the_whole_document(export_format: str) -> None:
    sink = ChunkSink()
    writer = open_writer(export_format, sink)
    writer.begin(EXPORTED_AT, DATE_RANGE, PROJECT)
    writer.section("metrics")
    count = 20_000
    for i in range(count):
        writer.write("metrics", {**METRIC, "id": f"m_{i:08d}", "timestamp": METRIC["timestamp"] + i})
        if i == count // 2:  # written while records arrive, not kept for end()
            assert len(sink.chunks) >= 5
    writer.end()
    total = sum(len(chunk) for chunk in sink.chunks)
    assert total > 20 * CHUNK_CHARS
    assert len(sink.chunks) >= total // (2 * CHUNK_CHARS)
    assert max(len(chunk) for chunk in sink.chunks) <= 2 * CHUNK_CHARS
    if export_format == "json":
        assert len(json.loads(sink.data)["metrics"]) == count
    else:
        assert len(csv_lines(sink.data)) == count + 1


# ----------------------------------------------------------------------------- CSV


def test_csv_reproduces_the_contract_rows_from_its_json_records() -> None:
    data = export(
        "csv",
        {
            "metrics": [METRIC],
            "connections": [CONNECTION],
            "dashboards": [DASHBOARD],
            "auditLogs": [AUDIT_LOG],
        },
    )
    assert data.startswith(b"Type,ID,Name,Value,Unit,Timestamp,Service,Status,Created At\r\n")
    # The contract's example rows, with the times and widget count of its JSON records
    # (1678901234000 ms is 2023-03-15T17:27:14Z, 1670000000000 ms is 2022-12-02T16:53:20Z).
    assert csv_lines(data) == [
        HEADER,
        "Metric,m_abc123,Monthly Recurring Revenue,15000,USD,2023-03-15T17:27:14Z,stripe,,"
        "2023-03-15T17:27:14Z",
        "Connection,conn_abc123,Stripe,,,,,active,2022-12-02T16:53:20Z",
        "Dashboard,dash_abc123,Revenue Dashboard,1,widgets,,,custom,2022-12-02T16:53:20Z",
        "AuditLog,log_abc123,dashboard_created,,,2022-12-02T16:53:20Z,,dashboards,2022-12-02T16:53:20Z",
    ]


def test_csv_header_only_when_nothing_is_exported() -> None:
    assert export("csv", {"metrics": [], "connections": []}) == (HEADER + "\r\n").encode()


def test_csv_audit_log_rows() -> None:
    second = {**AUDIT_LOG, "id": "log_2", "action": "metric_pushed", "resource": "metrics", "createdAt": 0}
    assert csv_lines(export("csv", {"auditLogs": [AUDIT_LOG, second]}))[1:] == [
        "AuditLog,log_abc123,dashboard_created,,,2022-12-02T16:53:20Z,,dashboards,2022-12-02T16:53:20Z",
        "AuditLog,log_2,metric_pushed,,,1970-01-01T00:00:00Z,,metrics,1970-01-01T00:00:00Z",
    ]


def test_csv_missing_optional_fields_are_empty_cells_never_none() -> None:
    sparse_metric = {"id": "m_1", "metricName": "Bare", "value": None, "timestamp": 1678901234000}
    bare_dashboard = {"id": "dash_1", "name": "No widgets listed", "type": None}
    data = export("csv", {"metrics": [sparse_metric], "dashboards": [bare_dashboard]})
    assert b"None" not in data
    assert csv_lines(data)[1:] == [
        "Metric,m_1,Bare,,,2023-03-15T17:27:14Z,,,",
        "Dashboard,dash_1,No widgets listed,,widgets,,,,",
    ]


def test_csv_numbers_as_given() -> None:
    values = [-5, 0, 12.5, -0.25, 1e-07, 10**20]
    data = export("csv", {"metrics": [{**METRIC, "value": v} for v in values]})
    assert [row[3] for row in csv_rows(data)[1:]] == ["-5", "0", "12.5", "-0.25", "1e-07", str(10**20)]


def test_csv_dashboard_value_counts_its_widgets() -> None:
    many = {**DASHBOARD, "widgets": [DASHBOARD["widgets"][0]] * 5}
    empty = {**DASHBOARD, "widgets": []}
    rows = csv_rows(export("csv", {"dashboards": [many, empty]}))
    assert [(row[3], row[4]) for row in rows[1:]] == [("5", "widgets"), ("0", "widgets")]


def test_csv_quoting_is_rfc4180() -> None:
    tricky = {
        **METRIC,
        "metricName": 'Revenue, "net"',
        "unit": "per\nline",
        "service": "carriage\r\nreturn",
    }
    data = export("csv", {"metrics": [tricky]})
    text = data.decode("utf-8")
    assert '"Revenue, ""net"""' in text
    assert '"per\nline"' in text and '"carriage\r\nreturn"' in text
    row = csv_rows(data)[1]
    assert row[2] == 'Revenue, "net"' and row[4] == "per\nline" and row[6] == "carriage\r\nreturn"
    # Minimal quoting: plain cells are not quoted.
    assert text.count('"') == 2 + 4 + 2 + 2


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "+x", "-x", "@x", "\tx", "\rx"])
def test_csv_text_cells_that_look_like_formulas_are_neutralised(cell: str) -> None:
    metric = {**METRIC, "id": cell, "metricName": cell, "unit": cell, "service": cell}
    connection = {**CONNECTION, "serviceName": cell, "status": cell}
    dashboard = {**DASHBOARD, "name": cell, "type": cell}
    audit_log = {**AUDIT_LOG, "action": cell, "resource": cell}
    rows = csv_rows(
        export(
            "csv",
            {
                "metrics": [metric],
                "connections": [connection],
                "dashboards": [dashboard],
                "auditLogs": [audit_log],
            },
        )
    )
    neutral = "'" + cell
    assert rows[1][1:8] == [neutral, neutral, "15000", neutral, "2023-03-15T17:27:14Z", neutral, ""]
    assert (rows[2][2], rows[2][7]) == (neutral, neutral)
    assert (rows[3][2], rows[3][7]) == (neutral, neutral)
    assert (rows[4][2], rows[4][7]) == (neutral, neutral)


def test_csv_shows_stored_control_characters_as_pictures_never_raw() -> None:
    """Text stored before requests refused control characters: a NUL ends the text for many
    readers, ESC drives a terminal that cats the file. Line breaks and tabs are the quoting's."""
    metric = {**METRIC, "metricName": "Sales\x00", "unit": "\x1b[31mUSD\x7f", "service": "a\tb\nc"}
    dashboard = {**DASHBOARD, "name": "=\x07Board"}
    data = export("csv", {"metrics": [metric], "dashboards": [dashboard]})

    assert not any((byte < 0x20 and byte not in b"\t\n\r") or byte == 0x7F for byte in data)
    rows = csv_rows(data)
    assert (rows[1][2], rows[1][4], rows[1][6]) == ("Sales␀", "␛[31mUSD␡", "a\tb\nc")
    assert rows[2][2] == "'=␇Board"  # still neutralised as a formula


def test_csv_negative_numeric_value_is_not_neutralised_but_negative_text_is() -> None:
    rows = csv_rows(export("csv", {"metrics": [{**METRIC, "value": -5}, {**METRIC, "value": "-5"}]}))
    assert rows[1][3] == "-5"
    assert rows[2][3] == "'-5"


def test_csv_harmless_text_is_untouched() -> None:
    row = csv_rows(export("csv", {"metrics": [{**METRIC, "metricName": "a=b+c-d@e", "unit": "'quoted"}]}))[1]
    assert row[2] == "a=b+c-d@e" and row[4] == "'quoted"


def test_csv_is_utf8_with_unicode_names() -> None:
    data = export("csv", {"metrics": [{**METRIC, "metricName": "Umsatz 📈 עברית"}]})
    assert "Umsatz 📈 עברית".encode() in data
    assert csv_rows(data)[1][2] == "Umsatz 📈 עברית"


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
        datetime(2024, 3, 15, 10, 30, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 58, tzinfo=UTC),
        datetime(2286, 11, 20, 17, 46, 39, tzinfo=UTC),
    ],
)
def test_iso_times_are_utc_whole_seconds(moment: datetime) -> None:
    epoch_ms = int(moment.timestamp()) * 1000
    expected = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert iso_utc(epoch_ms) == expected
    assert iso_utc(epoch_ms + 999) == expected  # fractions dropped, never rounded up
    assert iso_utc(None) == ""


# ----------------------------------------------------------------------------- the interface


@pytest.mark.parametrize("export_format", ["json", "csv"])
def test_order_is_enforced(export_format: str) -> None:
    writer = open_writer(export_format, ChunkSink())
    with pytest.raises(ValueError):
        writer.section("metrics")  # before begin
    writer.begin(EXPORTED_AT, DATE_RANGE, PROJECT)
    with pytest.raises(ValueError):
        writer.write("metrics", METRIC)  # no section open
    with pytest.raises(ValueError):
        writer.section("widgets")  # not an export section
    writer.section("metrics")
    with pytest.raises(ValueError):
        writer.write("connections", CONNECTION)  # another section's record
    with pytest.raises(ValueError):
        writer.section("metrics")  # twice
    writer.end()
    with pytest.raises(ValueError):
        writer.end()


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        open_writer("xml", ChunkSink())


def test_sections_are_the_contract_ones() -> None:
    assert export_formats.SECTIONS == ("metrics", "connections", "dashboards", "auditLogs")
