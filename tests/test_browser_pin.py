"""Pinning and downloading in a real browser, JavaScript on and off; and the log's search
staying true after an edit."""

from pathlib import Path

import pytest
from helpers import assert_no_reload, mark_document, seed
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ROWS = "#submission-rows li"


def row_texts(page: Page) -> list[str]:
    return page.locator(f"{ROWS} > a:first-child").all_inner_texts()


def pin_button(page: Page, text: str):
    return page.get_by_role("button", name=f"Pin “{text}”")


def test_pin_moves_the_row_first_in_place_and_keeps_focus_on_the_toggle(watched):
    page, events = watched
    seed(page, "oldest", "middle", "newest")
    page.goto("/submissions")
    mark_document(page, events)

    pin_button(page, "oldest").click()
    expect(page.locator("#status")).to_have_text("Pinned.")
    expect(page.locator(f"{ROWS} > a:first-child").first).to_have_text("oldest")
    assert row_texts(page) == ["oldest", "newest", "middle"]
    toggle = pin_button(page, "oldest")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_be_focused()

    # Pressed again with the keyboard: unpinned, it goes back to its place.
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("Unpinned.")
    expect(page.locator(f"{ROWS} > a:first-child").last).to_have_text("oldest")
    expect(pin_button(page, "oldest")).to_have_attribute("aria-pressed", "false")
    expect(pin_button(page, "oldest")).to_be_focused()
    assert row_texts(page) == ["newest", "middle", "oldest"]
    assert_no_reload(page, events)

    page.goto("/")
    assert page.locator("#recent li > a").all_inner_texts() == ["newest", "middle", "oldest"]


def test_pin_on_the_result_card_updates_it_in_place(watched):
    page, events = watched
    seed(page, "first", "second")
    page.goto("/submissions")
    page.locator(f"{ROWS} > a", has_text="first").first.click()
    expect(page.locator("h1")).to_have_text("Your submission")
    mark_document(page, events)

    pin_button(page, "first").click()
    expect(pin_button(page, "first")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#recent li > a").first).to_have_text("first")
    expect(page.locator("#status")).to_have_text("Pinned.")
    assert_no_reload(page, events)


def test_pin_without_javascript_is_a_form_that_lands_on_the_log(new_context, base_url):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    seed(page, "quiet", "loud")
    page.goto("/submissions")

    pin_button(page, "quiet").click()
    expect(page).to_have_url(f"{base_url}/submissions")
    expect(page.locator("#status")).to_have_text("Pinned.")
    assert row_texts(page) == ["quiet", "loud"]
    expect(pin_button(page, "quiet")).to_have_attribute("aria-pressed", "true")

    pin_button(page, "quiet").click()
    expect(page.locator("#status")).to_have_text("Unpinned.")
    assert row_texts(page) == ["loud", "quiet"]
    context.close()


def test_an_edit_in_a_search_that_no_longer_matches_leaves_the_results(watched):
    page, events = watched
    seed(page, "apple pie", "pear", "apple tart")
    page.goto("/submissions?q=apple")
    expect(page.locator("#results-summary")).to_contain_text("2 matching")
    mark_document(page, events)

    row = page.locator(ROWS, has_text="apple pie")
    row.get_by_role("link", name="Edit “apple pie”").click()
    field = row.get_by_label("Your text")
    field.fill("cherry pie")
    field.press("Enter")

    expect(page.locator("#status")).to_have_text("Saved your changes.")
    expect(page.locator(ROWS)).to_have_count(1)
    assert row_texts(page) == ["apple tart"]
    expect(page.locator("#results-summary")).to_contain_text("1 matching")
    assert_no_reload(page, events)


def test_download_is_a_file_with_javascript_on_not_a_swap(watched):
    page, events = watched
    seed(page, "to keep")
    page.goto("/submissions")
    mark_document(page, events)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("submissions-")
    assert download.value.suggested_filename.endswith(".csv")
    assert "to keep" in Path(download.value.path()).read_text(encoding="utf-8-sig")
    expect(page.locator("h1")).to_contain_text("Your submissions")
    assert_no_reload(page, events)
