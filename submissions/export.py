"""A visitor's submissions to take away, as CSV or JSON, streamed: memory stays flat however
many there are (store.every reads them in batches)."""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from submissions.schema import Entry

FIELDS = ("id", "text", "created", "edited", "pinned")
# A cell a spreadsheet would run as a formula starts with one of these: such a cell gets a
# leading apostrophe, which spreadsheets show as text (the OWASP advice for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _row(entry: Entry) -> dict:
    return {
        "id": entry.id,
        "text": entry.text,
        "created": entry.created_at.isoformat(),
        "edited": entry.edited_at.isoformat() if entry.edited_at else None,
        "pinned": entry.pinned,
    }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def as_csv(entries: Iterable[Entry]) -> Iterator[str]:
    """A header, then a line per entry; a byte order mark first, so that spreadsheets read
    the file as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(FIELDS)
    for entry in entries:
        row = _row(entry)
        yield line(_cell(row[field]) for field in FIELDS)


def as_json(entries: Iterable[Entry]) -> Iterator[str]:
    """One JSON array of objects, written an entry at a time."""
    yield "["
    for n, entry in enumerate(entries):
        yield ("," if n else "") + "\n  " + json.dumps(_row(entry), ensure_ascii=False)
    yield "\n]\n"
