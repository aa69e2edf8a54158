"""Download: all of a visitor's submissions as CSV or JSON, streamed, safe in a spreadsheet,
and nobody else's."""

import csv
import io
import json
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from helpers import HTMX, csrf_token, parse, submission_id, submit
from sqlalchemy import insert

from submissions.schema import submissions


def visitor_of(client) -> str:
    with client.session_transaction() as session:
        return session["visitor_id"]


def rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheets read the file as UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_the_csv_holds_every_submission_in_list_order(client, headers):
    older = submission_id(submit(client, "Grüße, “quoted” and, commas"))
    newer = submission_id(submit(client, "newer"))
    token = csrf_token(client.get("/submit").text)
    client.post(f"/submissions/{older}/pin", data={"csrf_token": token, "pinned": "1"})

    response = client.get("/submissions/download.csv", headers=headers)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="submissions-{datetime.now(UTC).date()}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    header, *lines = rows(response)
    assert header == ["id", "text", "created", "edited", "pinned"]
    # An id may begin with "-", which a spreadsheet would take for a formula: it gets the
    # apostrophe too (and shows without it).
    assert [(line[0].removeprefix("'"), line[1], line[4]) for line in lines] == [
        (older, "Grüße, “quoted” and, commas", "true"),
        (newer, "newer", "false"),
    ]
    for line in lines:
        assert line[0].startswith("'") == line[0].removeprefix("'").startswith("-")
    assert datetime.fromisoformat(lines[0][2]).tzinfo is not None
    assert lines[0][3] == ""  # never edited


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(client, store, start):
    submit(client, "first")  # gives the client its visitor id
    text = f'{start}HYPERLINK("http://example.org","x")'
    store.add(visitor_of(client), text)  # the form refuses tabs and returns; the store not
    (_, *lines) = rows(client.get("/submissions/download.csv"))
    assert lines[0][1] == "'" + text
    exported = json.loads(client.get("/submissions/download.json").text)
    assert exported[0]["text"] == text  # JSON is data, not a spreadsheet: as stored


def test_the_json_holds_the_same_with_types(client, store):
    stored = submission_id(submit(client, "one <b>&</b>"))
    edited = store.edit(stored, visitor_of(client), "one, edited", 1)

    response = client.get("/submissions/download.json", headers=HTMX)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Disposition"].endswith('.json"')
    assert json.loads(response.text) == [
        {
            "id": stored,
            "text": "one, edited",
            "created": edited.created_at.isoformat(),
            "edited": edited.edited_at.isoformat(),
            "pinned": False,
        }
    ]


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_another_visitor_or_none_gets_nothing_of_it(app, client, kind):
    submit(client, "mine alone")
    for other in (app.test_client(), app.test_client()):
        if kind == "csv":
            assert rows(other.get("/submissions/download.csv")) == [
                ["id", "text", "created", "edited", "pinned"]
            ]
        else:
            assert json.loads(other.get("/submissions/download.json").text) == []
        submit(other, "theirs")  # the second one has a visitor id of its own


def test_the_log_offers_both_files_as_links_that_are_never_boosted(client):
    assert parse(client.get("/submissions")).select(".download a") == []  # nothing yet
    submit(client, "something")
    links = parse(client.get("/submissions")).select(".download a")
    assert [a["href"] for a in links] == [
        "/submissions/download.csv",
        "/submissions/download.json",
    ]
    assert all(a["hx-boost"] == "false" and a.has_attr("download") for a in links)


def test_an_unknown_kind_is_a_404(client):
    assert client.get("/submissions/download.xml").status_code == 404


def peak_bytes_while_downloading(app, client, rows_wanted: int) -> tuple[int, int]:
    """(peak traced memory, bytes received) while streaming a CSV of `rows_wanted` rows."""
    submit(client, "seed")
    visitor = visitor_of(client)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    store = app.extensions["store"]
    with store.engine.begin() as connection:
        connection.execute(
            insert(submissions),
            [
                {
                    "id": f"row{n:08d}",
                    "visitor_id": visitor,
                    "text": f"line {n} with some words in it, as a person might write them",
                    "created_at": start + timedelta(seconds=n),
                }
                for n in range(rows_wanted - 1)
            ],
        )
    tracemalloc.start()
    response = client.get("/submissions/download.csv", buffered=False)
    received = sum(len(chunk) for chunk in response.response)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    response.close()
    return peak, received


@pytest.mark.slow
def test_the_download_streams_in_constant_memory(make_app, tmp_path):
    small_app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'small.db'}")
    big_app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'big.db'}")
    small, small_bytes = peak_bytes_while_downloading(small_app, small_app.test_client(), 10_000)
    big, big_bytes = peak_bytes_while_downloading(big_app, big_app.test_client(), 100_000)
    assert big_bytes > 9 * small_bytes  # ten times the rows, ten times the file
    assert big < 2 * small  # but not ten times the memory
    print(
        f"\n10,000 rows: {small_bytes:,} bytes, peak {small:,} B; 100,000: {big_bytes:,}, {big:,}"
    )
