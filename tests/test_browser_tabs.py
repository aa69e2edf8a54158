"""Two tabs of one visitor stay in step: a write in one brings the other's regions up to
date without a reload, and leaves alone what the visitor is doing there."""

import pytest
from helpers import seed
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROWS = "#submission-rows li"


@pytest.fixture
def tabs(new_context):
    """Three tabs of one browser (one visitor): the form, the log and the home page."""
    context = new_context()
    form, log, home = (context.new_page() for _ in range(3))
    seed(form, "already here", "second one")
    form.goto("/submit")
    log.goto("/submissions")
    home.goto("/")
    for page in (log, home):
        page.evaluate("window.__marker = 1")
    yield form, log, home
    for page in (log, home):
        assert page.evaluate("window.__marker") == 1  # never reloaded
    context.close()


def test_a_submit_in_one_tab_shows_in_the_others(tabs):
    form, log, home = tabs
    form.get_by_label("Your text").fill("from the form tab")
    form.get_by_role("button", name="Submit").click()
    expect(form.locator("#result .entered")).to_have_text("from the form tab")

    expect(log.locator(f"{ROWS} > a:first-child").first).to_have_text("from the form tab")
    expect(log.locator("#submission-count")).to_have_text("(3)")
    expect(home.locator("#recent li > a").first).to_have_text("from the form tab")


def test_a_tab_with_an_open_edit_form_keeps_its_typed_text(tabs):
    form, log, home = tabs
    row = log.locator(ROWS, has_text="second one")
    row.get_by_role("link", name="Edit “second one”").click()
    field = row.get_by_label("Your text")
    field.fill("half typed")

    form.get_by_label("Your text").fill("meanwhile")
    form.get_by_role("button", name="Submit").click()
    expect(home.locator("#recent li > a").first).to_have_text("meanwhile")
    log.wait_for_timeout(500)

    expect(field).to_have_value("half typed")
    expect(field).to_be_focused()


def test_acting_on_a_row_deleted_in_another_tab_says_so(tabs):
    _, log, home = tabs
    home.locator("#recent li > a", has_text="already here").click()
    expect(home.locator("h1")).to_have_text("Your submission")

    log.locator(ROWS, has_text="already here").get_by_role(
        "button", name="Delete “already here”"
    ).click()
    expect(log.locator("#status")).to_contain_text("Deleted")

    # The card's tab asks again for its card: it is gone, and the status says why.
    expect(home.locator("#status")).to_contain_text("it may have been deleted")
    home.get_by_role("button", name="Pin “already here”").click()
    expect(home.locator("#status")).to_contain_text("in another tab or window")


def test_each_write_in_the_log_tab_reaches_the_home_tab(tabs):
    _, log, home = tabs
    recent = home.locator("#recent li > a")

    row = log.locator(ROWS, has_text="already here")
    row.get_by_role("link", name="Edit “already here”").click()
    row.get_by_label("Your text").fill("edited here")
    row.get_by_label("Your text").press("Enter")
    expect(recent.last).to_have_text("edited here")  # edit

    log.get_by_role("button", name="Pin “edited here”").click()
    expect(recent.first).to_have_text("edited here")  # pin
    expect(home.locator("#recent .pinned")).to_have_count(1)

    log.get_by_role("button", name="Delete “edited here”").click()
    expect(recent).to_have_count(1)  # delete

    log.locator("#status").get_by_role("button", name="Undo").click()
    expect(recent).to_have_count(2)  # undo
    expect(recent.first).to_have_text("edited here")
