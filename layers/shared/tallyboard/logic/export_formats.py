"""Export file encoders: JSON and CSV streamed as UTF-8 bytes into any sink with `write(bytes)`
(the S3 multipart upload in production, a BytesIO in tests).

Both formats share one interface, driven by the export workflow::

    writer = open_writer("json", sink)
    writer.begin(exported_at_ms, {"startDate": ms, "endDate": ms}, project)
    writer.section("metrics")
    writer.write("metrics", record)       # any number of times
    writer.section("connections") …       # only the sections the export includes
    writer.end()

Nothing ever holds the whole file: records are encoded into a text buffer that goes to the sink
in chunks of about CHUNK_CHARS characters, so memory is one chunk whatever the export's size,
and the sink sees a few large writes instead of one per record (an S3 part buffer copies each).

JSON is the document of the export contract (`exportedAt`, `dateRange`, `project`, then the
sections in the order they were opened), records written as given. CSV is its flattened form:
one row per record under `Type,ID,Name,Value,Unit,Timestamp,Service,Status,Created At`, CRLF
line ends and minimal quoting (RFC 4180), times as `2024-03-15T10:30:00Z`, and every text cell
that a spreadsheet would read as a formula prefixed with `'`.
"""

from __future__ import annotations

import csv
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from tallyboard.text_format import visible_controls

SECTIONS = ("metrics", "connections", "dashboards", "auditLogs")
FORMATS = ("json", "csv")
CSV_HEADER = ("Type", "ID", "Name", "Value", "Unit", "Timestamp", "Service", "Status", "Created At")
# The buffers count characters: a chunk's bytes are as many for ASCII text and at most four times
# as many (UTF-8), plus the one record that crossed the line.
CHUNK_CHARS = 64 * 1024
# A spreadsheet evaluates a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PROJECT_FIELDS = ("id", "name", "slug", "createdAt")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_S = 86_400


class BinarySink(Protocol):
    def write(self, data: bytes, /) -> Any: ...


class ExportWriter(ABC):
    """The order every export follows (begin, sections, records, end) and the chunked buffer;
    the formats fill in how the header, a section and a record are spelt."""

    format: str = ""

    def __init__(self, sink: BinarySink, chunk_chars: int = CHUNK_CHARS) -> None:
        self.sink = sink
        self.records = 0
        self._chunk_chars = chunk_chars
        self._buffer = io.StringIO()
        self._buffered = 0
        self._section: str | None = None
        self._opened: list[str] = []
        self._state = "new"

    # -- the interface the workflow calls

    def begin(self, exported_at_ms: int, date_range: Mapping[str, Any], project: Mapping[str, Any]) -> None:
        self._expect("new", "begin")
        self._state = "open"
        self._begin(
            exported_at_ms,
            {"startDate": date_range["startDate"], "endDate": date_range["endDate"]},
            {name: project.get(name) for name in _PROJECT_FIELDS},
        )

    def section(self, name: str) -> None:
        self._expect("open", "section")
        if name not in SECTIONS:
            raise ValueError(f"Unknown export section {name!r}; expected one of {', '.join(SECTIONS)}")
        if name in self._opened:
            raise ValueError(f"Export section {name!r} is already written")
        if self._section is not None:
            self._close_section()
        self._opened.append(name)
        self._section = name
        self._open_section(name)

    def write(self, section: str, record: Mapping[str, Any]) -> None:
        if section != self._section or self._state not in ("open", "fragment"):
            raise ValueError(f"A {section!r} record outside its section (open: {self._section!r})")
        self._buffered += self._write_record(section, record)
        self.records += 1
        if self._buffered >= self._chunk_chars:
            self._flush()

    def begin_fragment(self, section: str) -> None:
        """Records of one section only, with no document around them: a segment of an export
        written in parallel, which the assembling writer takes whole (`write_fragment`)."""
        self._expect("new", "begin_fragment")
        if section not in SECTIONS:
            raise ValueError(f"Unknown export section {section!r}; expected one of {', '.join(SECTIONS)}")
        self._state, self._section = "fragment", section
        self._opened.append(section)

    def end_fragment(self) -> None:
        self._expect("fragment", "end_fragment")
        self._state = "ended"
        self._flush()

    def write_fragment(self, section: str, chunks: Iterable[bytes], records: int) -> None:
        """Append a fragment (its bytes, as `begin_fragment` … `end_fragment` wrote them) to the
        open section, with the separator the format needs between it and what came before."""
        if section != self._section or self._state != "open":
            raise ValueError(f"A {section!r} fragment outside its section (open: {self._section!r})")
        if not records:
            return
        self._flush()
        separator = self._fragment_separator()
        if separator:
            self.sink.write(separator)
        for chunk in chunks:
            self.sink.write(chunk)
        self.records += records

    def end(self) -> None:
        """Close the document and hand the rest to the sink; the sink stays open (the caller
        completes the upload)."""
        self._expect("open", "end")
        if self._section is not None:
            self._close_section()
        self._end()
        self._state = "ended"
        self._flush()

    # -- what each format spells out

    @abstractmethod
    def _begin(self, exported_at_ms: int, date_range: dict[str, Any], project: dict[str, Any]) -> None: ...

    @abstractmethod
    def _open_section(self, name: str) -> None: ...

    @abstractmethod
    def _write_record(self, section: str, record: Mapping[str, Any]) -> int:
        """Buffer one record; returns the characters it added."""
        ...

    @abstractmethod
    def _close_section(self) -> None: ...

    @abstractmethod
    def _end(self) -> None: ...

    def _fragment_separator(self) -> bytes:
        return b""

    # -- shared plumbing

    def _text(self, text: str) -> None:
        self._buffered += self._buffer.write(text)

    def _encode(self, text: str) -> bytes:
        return text.encode("utf-8")

    def _flush(self) -> None:
        if not self._buffered:
            return
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        self._buffered = 0
        self.sink.write(self._encode(text))

    def _expect(self, state: str, step: str) -> None:
        if self._state != state:
            raise ValueError(f"{step}() called when the {self.format} export is {self._state}")


class JsonExportWriter(ExportWriter):
    """The contract's JSON document, compact, non-ASCII as UTF-8."""

    format = "json"

    def __init__(self, sink: BinarySink, chunk_chars: int = CHUNK_CHARS) -> None:
        super().__init__(sink, chunk_chars)
        # NaN and infinities are not JSON: refuse them rather than write an unreadable file.
        self._dumps: Callable[[Any], str] = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode
        self._first_in_section = True

    def _begin(self, exported_at_ms: int, date_range: dict[str, Any], project: dict[str, Any]) -> None:
        dumps = self._dumps
        self._text(
            f'{{"exportedAt":{dumps(exported_at_ms)},"dateRange":{dumps(date_range)},'
            f'"project":{dumps(project)}'
        )

    def _open_section(self, name: str) -> None:
        self._text(f",{self._dumps(name)}:[")
        self._first_in_section = True

    def _write_record(self, section: str, record: Mapping[str, Any]) -> int:
        text = self._dumps(record)
        if self._first_in_section:
            self._first_in_section = False
            return self._buffer.write(text)
        return self._buffer.write(",") + self._buffer.write(text)

    def _close_section(self) -> None:
        self._text("]")

    def _fragment_separator(self) -> bytes:
        first, self._first_in_section = self._first_in_section, False
        return b"" if first else b","

    def _end(self) -> None:
        self._text("}")

    def _encode(self, text: str) -> bytes:
        # A lone surrogate (only possible inside a string) becomes its JSON escape `\udxxx`, so
        # the file stays valid UTF-8 and reads back as the same string.
        return text.encode("utf-8", "backslashreplace")


class CsvExportWriter(ExportWriter):
    """One row per record of any section; no document header, only the column names."""

    format = "csv"

    def __init__(self, sink: BinarySink, chunk_chars: int = CHUNK_CHARS) -> None:
        super().__init__(sink, chunk_chars)
        self._rows = csv.writer(self._buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._row_for: dict[str, Callable[[Mapping[str, Any]], list[Any]]] = {
            "metrics": _metric_row,
            "connections": _connection_row,
            "dashboards": _dashboard_row,
            "auditLogs": _audit_row,
        }

    def _begin(self, exported_at_ms: int, date_range: dict[str, Any], project: dict[str, Any]) -> None:
        self._buffered += self._rows.writerow(CSV_HEADER)

    def _open_section(self, name: str) -> None:
        pass

    def _write_record(self, section: str, record: Mapping[str, Any]) -> int:
        written: int = self._rows.writerow(self._row_for[section](record))  # typeshed: Any
        return written

    def _close_section(self) -> None:
        pass

    def _end(self) -> None:
        pass

    def _encode(self, text: str) -> bytes:
        return text.encode("utf-8", "replace")  # a lone surrogate has no UTF-8 form: "?"


def open_writer(export_format: str, sink: BinarySink) -> ExportWriter:
    if export_format == "json":
        return JsonExportWriter(sink)
    if export_format == "csv":
        return CsvExportWriter(sink)
    raise ValueError(f"Unknown export format {export_format!r}; expected one of {', '.join(FORMATS)}")


# ----------------------------------------------------------------------------- CSV cells


def text_cell(value: Any) -> Any:
    """A cell that holds text: a string a spreadsheet would run as a formula gets a leading `'`,
    a control character shows as its picture (␛). None is an empty cell; a number that arrives
    here is formatted as one, not as text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        if isinstance(value, int | float | Decimal):
            return number_cell(value)
        value = str(value)
    # Control characters stored before requests refused them are shown, never written raw (a
    # NUL ends the text for many readers); line breaks and tabs are the CSV quoting's to carry.
    value = visible_controls(value, keep="\t\n\r")
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def number_cell(value: Any) -> Any:
    """A number we format ourselves: ints as ints, floats by repr; never neutralised (-5 stays
    -5). A string that arrives in a number column is text, and treated as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    return text_cell(value)


_day_prefixes: dict[int, str] = {}


def iso_utc(epoch_ms: Any) -> str:
    """Epoch ms as `2024-03-15T10:30:00Z` (whole seconds, UTC); empty when missing. The date
    part is cached per day: an export's times cluster on few days, and strftime per cell would
    cost more than the rest of the row."""
    if epoch_ms is None or epoch_ms == "":
        return ""
    seconds = int(epoch_ms) // 1000
    day, second_of_day = divmod(seconds, _DAY_S)
    prefix = _day_prefixes.get(day)
    if prefix is None:
        if len(_day_prefixes) > 100_000:  # bounded whatever the data: ~270 years of days
            _day_prefixes.clear()
        prefix = _day_prefixes[day] = date.fromordinal(_EPOCH_ORDINAL + day).isoformat() + "T"
    hours, rest = divmod(second_of_day, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{prefix}{hours:02d}:{minutes:02d}:{secs:02d}Z"


def _metric_row(record: Mapping[str, Any]) -> list[Any]:
    get = record.get
    return [
        "Metric",
        text_cell(get("id")),
        text_cell(get("metricName")),
        number_cell(get("value")),
        text_cell(get("unit")),
        iso_utc(get("timestamp")),
        text_cell(get("service")),
        "",
        iso_utc(get("createdAt")),
    ]


def _connection_row(record: Mapping[str, Any]) -> list[Any]:
    # The contract's example leaves Service empty on connection rows (the name says it).
    get = record.get
    return [
        "Connection",
        text_cell(get("id")),
        text_cell(get("serviceName")),
        "",
        "",
        "",
        "",
        text_cell(get("status")),
        iso_utc(get("createdAt")),
    ]


def _dashboard_row(record: Mapping[str, Any]) -> list[Any]:
    get = record.get
    widgets = get("widgets")
    return [
        "Dashboard",
        text_cell(get("id")),
        text_cell(get("name")),
        len(widgets) if isinstance(widgets, list) else "",
        "widgets",
        "",
        "",
        text_cell(get("type")),
        iso_utc(get("createdAt")),
    ]


def _audit_row(record: Mapping[str, Any]) -> list[Any]:
    get = record.get
    created_at = iso_utc(get("createdAt"))
    return [
        "AuditLog",
        text_cell(get("id")),
        text_cell(get("action")),
        "",
        "",
        created_at,
        "",
        text_cell(get("resource")),
        created_at,
    ]
