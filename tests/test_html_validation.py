"""Every page and fragment is conforming HTML (`make validate`), and the check can fail."""

import os
import shutil

import pytest
from validate_html import as_document, check, missing, record

import app


@pytest.fixture
def checker():
    """Skip without java and vnu.jar, except in CI, where that is a failure."""
    problem = missing()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


FRAGMENTS = {
    "unclosed": (
        "<section><h2>Title</h2><p>An <em>unclosed element</p></section>",
        "Unclosed element “em”.",
    ),
    "duplicate-id": ('<p id="a">One</p><p id="a">Two</p>', "Duplicate ID “a”."),
    # Only attributes named hx-... are accepted; any other unknown attribute is an error.
    "other-attribute": ('<p x-get="/">Hi</p>', "Attribute “x-get” not allowed on element “p”"),
    "htmx": (
        '<form action="/" method="post" hx-post="/" hx-status:422="swap:outerHTML"'
        ' hx-boost:inherited="true" hx-swap-oob="true"><button>Go</button></form>',
        None,
    ),
}


def test_the_checker_fails_broken_markup_and_accepts_htmx_attributes_only(checker, tmp_path):
    for name, (fragment, _) in FRAGMENTS.items():
        (tmp_path / f"{name}.html").write_text(as_document(name, fragment))

    errors = check(sorted(tmp_path.glob("*.html")))

    for name, (_, expected) in FRAGMENTS.items():
        found = [error for error in errors if error.startswith(f"{name}.html: ")]
        if expected is None:
            assert found == []
        else:
            assert any(expected in error for error in found), (name, errors)


def test_a_fragment_is_checked_inside_a_document_with_its_title_in_the_head():
    document = as_document("result", "<title>Submitted · Submissions</title><p>Hi</p>")
    assert document == (
        "<!doctype html><html lang=en><head><title>Submitted · Submissions</title></head>"
        "<body><p>Hi</p></body></html>"
    )
    assert "<title>count</title>" in as_document("count", "<span>(1)</span>")


def test_every_page_and_fragment_is_valid_html(checker, tmp_path):
    record(tmp_path)
    documents = sorted(tmp_path.glob("*.html"))
    assert {"load-more.fragment.html", "delete.fragment.html", "not-found.page.html"} <= {
        document.name for document in documents
    }
    assert check(documents) == []


def test_a_broken_partial_fails_the_validation(checker, tmp_path, monkeypatch):
    # The app's own templates, with an element left open in one partial and an id used twice.
    root = tmp_path / "app"
    shutil.copytree(app.ROOT / "templates", root / "templates")
    shutil.copytree(app.ROOT / "partials", root / "partials")
    (root / "static").symlink_to(app.ROOT / "static")
    count = root / "partials" / "count.html"
    count.write_text(count.read_text().replace("</span>", ""))
    status = root / "partials" / "status.html"
    status.write_text(status.read_text().replace('<p class="flash">', '<p id="main">'))
    monkeypatch.setattr(app, "ROOT", root)
    documents = tmp_path / "documents"
    documents.mkdir()

    record(documents)
    errors = check(sorted(documents.glob("*.html")))

    # Each as `document: line: message`; the line numbers depend on the templates.
    found = {(e.split(": ")[0], e.split(": ", 2)[2]) for e in errors}
    assert ("submissions-rows.page.html", "Unclosed element “span”.") in found
    assert ("result-saved.page.html", "Duplicate ID “main”.") in found
