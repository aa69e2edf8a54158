"""Editing in place in a real browser: save, cancel, Escape, 422, 409, keyboard, no JavaScript."""

import re

import pytest
from bs4 import BeautifulSoup
from helpers import assert_no_reload, mark_document, seed
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def open_log_row(page: Page, events: dict, text: str):
    """The log page with a row for a new submission `text`, marked against reloads."""
    seed(page, text)
    page.goto("/submissions")
    mark_document(page, events)
    row_id = page.locator("#submission-rows li").filter(has_text=text).get_attribute("id")
    return page.locator(f"#{row_id}")  # by id: its text is about to change


def stored_texts(page: Page) -> list[str]:
    """What the server now lists for this visitor (a fresh request, not the live page)."""
    html = page.request.get("/submissions").text()
    rows = BeautifulSoup(html, "html.parser").select("#submission-rows li > a:first-child")
    return [a.get_text() for a in rows]


def test_edit_in_a_row_then_enter_saves_in_place(watched):
    page, events = watched
    row = open_log_row(page, events, "tpyo here")

    row.get_by_role("link", name="Edit “tpyo here”").click()
    field = row.get_by_label("Your text")
    expect(field).to_be_focused()
    expect(field).to_have_value("tpyo here")
    expect(row.locator("a").first).to_be_hidden()  # the form covers the row's view
    field.fill("typo here")
    field.press("Enter")

    expect(row.locator(".edit-form")).to_have_count(0)
    expect(row.locator("a").first).to_have_text("typo here")
    expect(row.get_by_role("link", name="Edit “typo here”")).to_be_focused()
    expect(page.locator("#status")).to_have_text("Saved your changes.")
    assert "typo here" in stored_texts(page)
    assert_no_reload(page, events)


def test_cancel_and_escape_restore_the_row_without_a_request(watched):
    page, events = watched
    row = open_log_row(page, events, "leave me be")
    requests = []
    page.on("request", lambda request: requests.append(request.method))

    for close in ("cancel", "escape"):
        row.get_by_role("link", name="Edit “leave me be”").click()
        field = row.get_by_label("Your text")
        expect(field).to_be_focused()
        field.fill("changed my mind")
        requests.clear()
        if close == "cancel":
            row.get_by_role("link", name="Cancel").click()
        else:
            field.press("Escape")
        expect(row.locator(".edit-form")).to_have_count(0)
        expect(row.locator("a").first).to_have_text("leave me be")
        expect(row.get_by_role("link", name="Edit “leave me be”")).to_be_focused()
        page.wait_for_timeout(400)  # past live validation's debounce
        assert requests == [], close
    assert "leave me be" in stored_texts(page)
    assert_no_reload(page, events)


def test_invalid_text_shows_the_error_in_place_with_focus_in_the_field(watched):
    page, events = watched
    row = open_log_row(page, events, "keep this")
    row.get_by_role("link", name="Edit “keep this”").click()
    field = row.get_by_label("Your text")

    field.fill("   ")
    field.press("Enter")

    expect(row.locator(".field-error")).to_have_text("Error: Please enter some text.")
    field = row.get_by_label("Your text")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "keep this" in stored_texts(page)
    assert_no_reload(page, events)


def test_a_save_from_an_older_version_shows_the_conflict_and_lets_them_choose(watched, context):
    page, events = watched
    row = open_log_row(page, events, "version one")
    row.get_by_role("link", name="Edit “version one”").click()
    field = row.get_by_label("Your text")
    field.fill("from the first tab")

    other = context.new_page()  # a second tab of the same visitor
    other.goto(page.url)
    other_row = other.locator(f"#{row.get_attribute('id')}")
    other_row.get_by_role("link", name="Edit “version one”").click()
    other_row.get_by_label("Your text").fill("from the second tab")
    other_row.get_by_label("Your text").press("Enter")
    expect(other.locator("#status")).to_have_text("Saved your changes.")

    field.press("Enter")

    conflict = row.locator(".conflict")
    expect(conflict).to_contain_text("changed in another tab")
    expect(conflict.locator(".entered")).to_have_text("from the second tab")
    expect(row.get_by_label("Your text")).to_have_value("from the first tab")
    assert "from the second tab" in stored_texts(page)

    row.get_by_role("button", name="Save my text").click()
    expect(row.locator("a").first).to_have_text("from the first tab")
    assert "from the first tab" in stored_texts(page)
    assert_no_reload(page, events)


def test_the_card_on_the_result_page_edits_in_place_by_keyboard_alone(watched):
    page, events = watched
    seed(page, "card text")
    page.goto("/submissions")
    page.locator("#submission-rows li a").first.click()
    expect(page.locator("#result .entered")).to_have_text("card text")
    mark_document(page, events)

    edit = page.locator("#result").get_by_role("link", name="Edit")
    edit.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#result").get_by_label("Your text")).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("card text, edited")
    page.keyboard.press("Enter")

    expect(page.locator("#result .entered")).to_have_text("card text, edited")
    expect(page.locator("#result .meta")).to_contain_text("edited")
    expect(page.locator("#result a.edit")).to_be_focused()
    expect(page.locator("#recent-list li a").first).to_have_text("card text, edited")
    assert_no_reload(page, events)


def test_without_javascript_edit_is_a_page_and_saving_redirects(browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    seed(page, "no script")
    page.goto("/submissions")
    page.locator("#submission-rows li").filter(has_text="no script").get_by_role(
        "link", name="Edit “no script”"
    ).click()

    expect(page).to_have_url(re.compile(r"/submissions/[A-Za-z0-9_-]{22}/edit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your submission")
    page.get_by_label("Your text").fill("no script, edited")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#result .entered")).to_have_text("no script, edited")
    expect(page.locator("#status")).to_have_text("Saved your changes.")
    context.close()
