"""After a write, every region of the page it came from shows what a fresh load would: the log's
rows (in their place in the order, or gone once they no longer match its search), the count
and the "N matching" line."""

import pytest
from helpers import FROM_LOG, HTMX, csrf_token, parse, submission_id, submit


def from_search(q: str) -> dict[str, str]:
    return {**HTMX, "HX-Current-URL": f"http://localhost/submissions?q={q}"}


@pytest.fixture
def fruit(client):
    """Three submissions, newest last: two match "apple"."""
    return {text: submission_id(submit(client, text)) for text in ("apple pie", "pear", "apple")}


def token(client) -> dict[str, str]:
    return {"csrf_token": csrf_token(client.get("/submit").text)}


def edit(client, submission_id: str, text: str, headers: dict):
    form = parse(client.get(f"/submissions/{submission_id}/edit"))
    version = form.find("input", attrs={"name": f"edit-{submission_id}-version"})["value"]
    data = {
        **token(client),
        f"edit-{submission_id}-version": version,
        f"edit-{submission_id}-user_input": text,
    }
    return client.post(f"/submissions/{submission_id}/edit", data=data, headers=headers)


def summary(doc) -> str:
    return doc.find(id="results-summary").get_text().strip()


def test_an_edit_that_no_longer_matches_the_search_takes_the_row_away(client, fruit):
    doc = parse(edit(client, fruit["apple pie"], "cherry pie", from_search("apple")))

    assert doc.find(attrs={"hx-swap-oob": f"delete:#row-{fruit['apple pie']}"}) is not None
    assert doc.find("li", id=f"row-{fruit['apple pie']}") is None  # not put back anywhere
    assert summary(doc) == "1 matching “apple”"
    assert doc.find(id="results-summary")["hx-swap-oob"] == "true"
    assert doc.find(id="submission-count").get_text() == "(3)"


def test_an_edit_that_still_matches_keeps_the_row_in_its_place(client, fruit):
    doc = parse(edit(client, fruit["apple pie"], "apple crumble", from_search("apple")))

    # "apple" is newer: in the search's order the edited row comes right after it.
    placed = doc.find(attrs={"hx-swap-oob": f"afterend:#row-{fruit['apple']}"})
    assert placed.find("li", id=f"row-{fruit['apple pie']}").a.get_text() == "apple crumble"
    assert summary(doc) == "2 matching “apple”"


def test_delete_and_undo_in_a_search_keep_the_matching_line_true(client, fruit):
    doomed = fruit["apple"]
    response = client.post(
        f"/submissions/{doomed}/delete", data=token(client), headers=from_search("apple")
    )
    doc = parse(response)
    assert summary(doc) == "1 matching “apple”"
    assert doc.find(id="submission-count").get_text() == "(2)"

    response = client.post(
        f"/submissions/{doomed}/undo", data=token(client), headers=from_search("apple")
    )
    doc = parse(response)
    assert summary(doc) == "2 matching “apple”"
    # Newest of all: it goes back first.
    placed = doc.find(attrs={"hx-swap-oob": "afterbegin:#submission-rows"})
    assert placed.find("li", id=f"row-{doomed}") is not None


def test_undo_in_a_search_it_does_not_match_puts_no_row_back(client, fruit):
    doomed = fruit["pear"]
    client.post(f"/submissions/{doomed}/delete", data=token(client), headers=FROM_LOG)
    response = client.post(
        f"/submissions/{doomed}/undo", data=token(client), headers=from_search("apple")
    )
    doc = parse(response)
    assert doc.find("li", id=f"row-{doomed}") is None
    assert summary(doc) == "2 matching “apple”"


def test_a_write_from_another_page_sends_no_log_regions(client, fruit):
    response = edit(client, fruit["pear"], "plum", {**HTMX, "HX-Current-URL": "http://localhost/"})
    doc = parse(response)
    assert doc.find(id="submission-count") is None
    assert doc.find(id="results-summary") is None
    assert doc.find(attrs={"hx-swap-oob": f"delete:#row-{fruit['pear']}"}) is None
    assert doc.find(id="recent")["hx-swap-oob"] == "true"
    assert doc.find(id=f"result-{fruit['pear']}").select_one(".entered").get_text() == "plum"


def test_load_more_takes_away_a_row_the_page_already_shows(client):
    for i in range(21):
        submit(client, f"row {i}")
    doc = parse(client.get("/submissions"))
    more = doc.find(id="load-more")["href"]
    page = parse(client.get(more, headers=HTMX))
    (last,) = page.select("ul[hx-swap-oob] > li")
    # Whichever rows it brings, any copy of them on the page leaves first.
    assert page.find(attrs={"hx-swap-oob": f"delete:#{last['id']}"}) is not None


def test_on_a_later_page_a_row_shows_only_where_that_page_would_show_it(client):
    ids = [submission_id(submit(client, f"row {n:02}")) for n in range(25)]
    later = {**HTMX, "HX-Current-URL": "http://localhost" + load_more_href(client)}
    token_ = token(client)

    # Pinning a row of page two sends it to page one: page two only loses it.
    doc = parse(
        client.post(f"/submissions/{ids[2]}/pin", data={**token_, "pinned": "1"}, headers=later)
    )
    assert doc.find(attrs={"hx-swap-oob": f"delete:#row-{ids[2]}"}) is not None
    assert doc.find("li", id=f"row-{ids[2]}") is None

    # Unpinned, it comes back after row 03, which page two shows.
    doc = parse(
        client.post(f"/submissions/{ids[2]}/pin", data={**token_, "pinned": "0"}, headers=later)
    )
    placed = doc.find(attrs={"hx-swap-oob": f"afterend:#row-{ids[3]}"})
    assert placed.find("li", id=f"row-{ids[2]}") is not None


def load_more_href(client) -> str:
    return parse(client.get("/submissions")).find(id="load-more")["href"]


def test_undo_on_an_empty_log_has_a_list_to_put_the_row_in(client):
    only = submission_id(submit(client, "the only one"))
    client.post(f"/submissions/{only}/delete", data=token(client))
    page = parse(client.get(f"/submissions?deleted={only}"))
    assert page.find(id="submission-rows") is not None  # empty, but there
    assert "Nothing yet" in page.find(id="results").get_text()

    doc = parse(client.post(f"/submissions/{only}/undo", data=token(client), headers=FROM_LOG))
    placed = doc.find(attrs={"hx-swap-oob": "afterbegin:#submission-rows"})
    assert placed.find("li", id=f"row-{only}") is not None
