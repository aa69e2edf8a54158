"""GET /submissions: the visitor's list, cursor paging and search."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import HTMX, parse, submit


def add(client, *texts: str) -> None:
    for text in texts:
        assert submit(client, text).status_code == 303


def row_texts(doc) -> list[str]:
    return [li.a.get_text() for li in doc.select("li[id^=row-]")]


def load_more_href(doc) -> str | None:
    link = doc.find(id="load-more")
    return link["href"] if link else None


def test_empty_list(client):
    doc = parse(client.get("/submissions"))
    assert doc.h1.find(id="submission-count").get_text() == "(0)"
    assert "Nothing yet" in doc.find(id="results").get_text()
    assert doc.find(id="load-more") is None


def test_list_shows_newest_first_with_count_time_and_links(client):
    add(client, "first", "second", "<b>third</b>")
    doc = parse(client.get("/submissions"))

    assert doc.h1.find(id="submission-count").get_text() == "(3)"
    assert row_texts(doc) == ["<b>third</b>", "second", "first"]
    row = doc.select_one("li[id^=row-]")
    submission_id = row["id"].removeprefix("row-")
    assert row.a["href"] == f"/submissions/{submission_id}"
    assert row.time["datetime"].startswith("20")
    assert row.time.get_text() == "just now"
    assert row.find("b") is None  # escaped, not markup
    assert doc.find(id="load-more") is None


def test_list_is_linked_from_home_and_result_page(client):
    url = submit(client, "x").headers["Location"]
    assert parse(client.get("/")).find("main").find("a", href="/submissions") is not None
    assert parse(client.get(url)).find("main").find("a", href="/submissions") is not None


def test_twenty_per_page_and_a_plain_load_more_link(client):
    add(client, *[f"n{i}" for i in range(45)])
    doc = parse(client.get("/submissions"))
    assert row_texts(doc) == [f"n{i}" for i in range(44, 24, -1)]
    link = doc.find(id="load-more")
    assert link["hx-get"] == link["href"]
    assert link["hx-swap"] == "none"  # the answer says where its rows go (out of band)
    assert link["hx-sync"] == "this:drop"
    assert "cursor" in parse_qs(urlsplit(link["href"]).query)

    page2 = parse(client.get(link["href"]))
    assert page2.find("html") is not None
    assert row_texts(page2) == [f"n{i}" for i in range(24, 4, -1)]
    page3 = parse(client.get(load_more_href(page2)))
    assert row_texts(page3) == [f"n{i}" for i in range(4, -1, -1)]
    assert load_more_href(page3) is None
    assert page3.find(id="results").find("a", href="/submissions") is not None


def test_load_more_with_htmx_returns_rows_and_replaces_itself(client):
    add(client, *[f"n{i}" for i in range(45)])
    first_href = load_more_href(parse(client.get("/submissions")))

    response = client.get(first_href, headers=HTMX)
    doc = parse(response)
    assert response.status_code == 200
    # The rows come as a list whose children htmx appends to the list on the page.
    [rows] = doc.select('ul[hx-swap-oob="beforeend:#submission-rows"]')
    assert [child.name for child in rows.contents if child.name] == ["li"] * 20
    assert row_texts(rows) == [f"n{i}" for i in range(24, 4, -1)]
    assert doc.select_one("li a").has_attr("autofocus")  # focus moves to the first new row
    control = doc.find(id="load-more")
    assert control["hx-swap-oob"] == "true"

    last = parse(client.get(control["href"], headers=HTMX))
    assert row_texts(last) == [f"n{i}" for i in range(4, -1, -1)]
    end = last.find(id="load-more")
    assert end["hx-swap-oob"] == "delete"


def test_paging_shows_every_row_once_while_new_ones_arrive(client):
    add(client, *[f"old{i}" for i in range(30)])
    doc = parse(client.get("/submissions"))
    seen = row_texts(doc)
    add(client, "new0", "new1")  # arrive between page loads
    href = load_more_href(doc)
    while href:
        doc = parse(client.get(href, headers=HTMX))
        seen += row_texts(doc)
        control = doc.find(id="load-more")
        href = control.get("href") if control else None
    assert sorted(seen) == sorted(f"old{i}" for i in range(30))


def freeze_clock(monkeypatch, store, moment: datetime) -> None:
    """Make every submission from now on stored at `moment`."""
    monkeypatch.setattr(store, "clock", lambda: moment)


def test_rows_created_in_the_same_instant_page_by_id(client, store, monkeypatch):
    freeze_clock(monkeypatch, store, datetime(2026, 1, 1, tzinfo=UTC))
    add(client, *[f"same{i}" for i in range(25)])
    doc = parse(client.get("/submissions"))
    assert {time["datetime"] for time in doc.select("li time")} == {"2026-01-01T00:00:00.000+00:00"}
    seen = row_texts(doc) + row_texts(parse(client.get(load_more_href(doc))))
    assert sorted(seen) == sorted(f"same{i}" for i in range(25))


def test_every_time_is_stated_to_the_millisecond_with_its_offset(client, store, monkeypatch):
    # HTML allows three digits of a second's fraction at most; the database keeps six.
    freeze_clock(monkeypatch, store, datetime(2026, 1, 1, 9, 30, 5, 123456, tzinfo=UTC))
    response = submit(client, "timed")
    for path in ("/", "/submissions", response.headers["Location"]):
        times = parse(client.get(path)).select("time")
        assert times, path
        assert {time["datetime"] for time in times} == {"2026-01-01T09:30:05.123+00:00"}, path


@pytest.mark.parametrize("made", ["now", "before pins"])
def test_a_page_past_the_end_is_an_empty_state(client, made):
    add(client, "only")
    doc = parse(client.get("/submissions"))
    row_id = doc.select_one("li[id^=row-]")["id"].removeprefix("row-")
    # A cursor from before pins existed (time.id) still works: a place among the unpinned.
    cursor = f"0.1.{row_id}" if made == "now" else f"1.{row_id}"
    response = client.get(f"/submissions?cursor={cursor}")
    assert response.status_code == 200
    assert row_texts(parse(response)) == []
    assert "no more submissions" in parse(response).find(id="results").get_text()


@pytest.mark.parametrize("cursor", ["nonsense", "1.", ".abc", "1.a/b", "9" * 40 + ".x", "1.x.y"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_malformed_cursor_is_400(client, cursor, htmx):
    response = client.get(
        "/submissions", query_string={"cursor": cursor}, headers=HTMX if htmx else {}
    )
    assert response.status_code == 400
    assert (parse(response).find("html") is None) == htmx


def test_search_is_case_insensitive_substring(client):
    add(client, "Hello World", "say HELLO", "goodbye", "Ünïcode ÉCOLE")
    doc = parse(client.get("/submissions?q=hello"))
    assert row_texts(doc) == ["say HELLO", "Hello World"]
    assert "2 matching" in doc.select_one("#results .summary").get_text()
    assert doc.find("input", id="q")["value"] == "hello"
    assert doc.h1.find(id="submission-count").get_text() == "(4)"
    assert row_texts(parse(client.get("/submissions?q=école"))) == ["Ünïcode ÉCOLE"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [("%", ["100% sure"]), ("_", ["snake_case"]), ("\\", ["back\\slash"]), ("e%s", [])],
)
def test_search_treats_like_wildcards_literally(client, q, expected):
    add(client, "100% sure", "snake_case", "back\\slash", "plain text es")
    assert row_texts(parse(client.get("/submissions", query_string={"q": q}))) == expected


def test_search_with_no_hits_says_so(client):
    add(client, "something")
    doc = parse(client.get("/submissions?q=<zzz>"))
    results = doc.find(id="results")
    assert row_texts(doc) == []
    assert "No submissions match" in results.get_text()
    assert "<zzz>" in results.get_text()


@pytest.mark.parametrize("q", ["x" * 600, "a\x00b", "tab\there"])
def test_searches_that_cannot_match_are_empty_not_errors(client, q):
    add(client, "x" * 500)
    response = client.get("/submissions", query_string={"q": q})
    assert response.status_code == 200
    assert row_texts(parse(response)) == []


def test_search_paging_keeps_the_query(client):
    add(client, *[f"match {i}" for i in range(25)], "other")
    href = load_more_href(parse(client.get("/submissions?q=match")))
    assert parse_qs(urlsplit(href).query)["q"] == ["match"]
    assert len(row_texts(parse(client.get(href)))) == 5


def test_search_form_works_without_and_with_htmx(client):
    form = parse(client.get("/submissions")).find("form", id="search")
    assert form["action"] == "/submissions"
    assert form["method"] == "get"
    assert form["role"] == "search"
    assert form["hx-get"] == "/submissions"
    assert form["hx-target"] == "#results"
    assert form["hx-push-url"] == "true"
    assert form["hx-sync"] == "this:replace"
    assert "delay:300ms" in form["hx-trigger"]
    assert form.find("label", attrs={"for": "q"}) is not None


def test_another_visitor_cannot_list_search_or_page_to_my_rows(app, client):
    add(client, *[f"private {i}" for i in range(25)])
    mine = parse(client.get("/submissions"))
    other = app.test_client()
    assert row_texts(parse(other.get("/submissions"))) == []
    assert row_texts(parse(other.get("/submissions?q=private"))) == []
    assert row_texts(parse(other.get(load_more_href(mine)))) == []
    assert parse(other.get("/submissions")).find(id="submission-count").get_text() == "(0)"
    # A cursor built from one of my rows, handed to someone else, shows them nothing.
    row_id = mine.select_one("li[id^=row-]")["id"].removeprefix("row-")
    crafted = f"/submissions?cursor=99999999999999999.{row_id}"
    assert row_texts(parse(other.get(crafted))) == []


def test_a_search_answer_also_sends_the_count_for_the_heading(client):
    add(client, "one", "two")
    doc = parse(client.get("/submissions?q=one", headers=HTMX))
    count = doc.find(id="submission-count")
    assert count["hx-swap-oob"] == "true"
    assert count.get_text() == "(2)"  # all of them, as the heading says, not the matches
