"""The submissions log in a real browser: search, paging, delete, live validation, keyboard."""

import re

import pytest
from helpers import assert_no_reload, count_rows, csrf_token, mark_document, seed, start_on_form
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ROWS = "#submission-rows li"


def row_texts(page: Page) -> list[str]:
    return page.locator(f"{ROWS} > a:first-child").all_inner_texts()


def delay_short_searches(page: Page, shorter_than: int, milliseconds: int) -> None:
    """Hold each htmx request whose `q` is shorter than `shorter_than` for a while."""
    page.evaluate(
        """([shorterThan, milliseconds]) => {
            const realFetch = window.fetch;
            window.fetch = (url, options) => {
                const q = new URL(url, location.href).searchParams.get("q");
                const delay = q && q.length < shorterThan ? milliseconds : 0;
                return new Promise((resolve, reject) => setTimeout(
                    () => realFetch(url, options).then(resolve, reject), delay));
            };
        }""",
        [shorter_than, milliseconds],
    )


def test_typing_fast_ends_with_the_results_for_the_final_text(watched):
    page, events = watched
    seed(page, "apple", "apricot", "banana", "blueberry", "blackberry")
    page.goto("/submissions")
    mark_document(page, events)
    # The first search ("b") answers slowly: it is abandoned, not waited for, and its
    # answer must never overwrite the later one.
    delay_short_searches(page, shorter_than=2, milliseconds=4000)
    search = page.get_by_label("Search your submissions")

    search.press_sequentially("b")
    page.wait_for_timeout(450)  # past the debounce: the slow "b" search is in flight
    search.press_sequentially("lue", delay=40)

    expect(page).to_have_url(re.compile(r"/submissions\?q=blue$"), timeout=2500)
    expect(page.locator(ROWS)).to_have_count(1, timeout=2500)
    page.wait_for_timeout(4000)  # until after the slow answer would have landed
    assert row_texts(page) == ["blueberry"]
    expect(page).to_have_url(re.compile(r"\?q=blue$"))
    assert_no_reload(page, events)

    search.fill("zzz")
    expect(page.locator("#results")).to_contain_text("No submissions match")


def test_load_more_until_the_end_shows_every_row_once(watched):
    page, events = watched
    texts = [f"row {n:02d}" for n in range(45)]
    seed(page, *texts)
    page.goto("/submissions")
    mark_document(page, events)
    expect(page.locator(ROWS)).to_have_count(20)

    load_more = page.locator("#load-more")
    load_more.click()
    expect(page.locator(ROWS)).to_have_count(40)
    expect(page.locator(f"{ROWS} > a:first-child").nth(20)).to_be_focused()
    load_more.click()
    expect(page.locator(ROWS)).to_have_count(45)
    expect(load_more).to_have_count(0)

    assert row_texts(page) == list(reversed(texts))
    assert_no_reload(page, events)


def test_a_double_click_on_load_more_appends_the_next_page_once(watched):
    page, _ = watched
    seed(page, *[f"row {n:02d}" for n in range(45)])
    page.goto("/submissions")
    page.locator("#load-more").dblclick()
    expect(page.locator(ROWS)).to_have_count(40)
    page.wait_for_timeout(500)
    assert len(set(row_texts(page))) == len(row_texts(page)) == 40


def test_delete_from_the_list_in_place_then_back_and_forward(watched):
    page, events = watched
    seed(page, "keep one", "delete me", "keep two")
    page.goto("/submissions")
    mark_document(page, events)
    expect(page.locator("#submission-count")).to_have_text("(3)")

    page.get_by_role("button", name="Delete “delete me”").click()

    expect(page.locator(f"{ROWS}:visible")).to_have_count(2)
    assert "delete me" not in row_texts(page)
    expect(page.locator("#submission-count")).to_have_text("(2)")
    expect(page.locator("#status p")).to_have_text("Deleted “delete me”.")
    expect(page.locator("#status").get_by_role("button", name="Undo")).to_be_in_viewport()
    assert_no_reload(page, events)

    page.get_by_role("link", name="keep one", exact=True).click()
    expect(page.locator("#result .entered")).to_have_text("keep one")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/submissions$"))
    expect(page.locator(f"{ROWS}:visible")).to_have_count(2)
    assert "delete me" not in row_texts(page)
    page.go_forward()
    expect(page.locator("#result .entered")).to_have_text("keep one")
    page.go_back()
    expect(page.locator(f"{ROWS}:visible")).to_have_count(2)
    assert "delete me" not in row_texts(page)
    page.reload()
    assert "delete me" not in row_texts(page)


def test_undo_puts_the_row_back_in_place_and_in_the_recent_list(watched, live_app):
    page, events = watched
    seed(page, "first", "second", "third")
    rows_before = count_rows(live_app.extensions["store"])
    page.goto("/submissions")
    mark_document(page, events)
    assert row_texts(page)[:3] == ["third", "second", "first"]

    page.get_by_role("button", name="Delete “second”").click()
    expect(page.locator(ROWS, has_text="second")).to_have_count(0)
    page.locator("#status").get_by_role("button", name="Undo").click()

    expect(page.locator("#status")).to_have_text("Restored.")
    assert row_texts(page)[:3] == ["third", "second", "first"]
    expect(page.locator("#submission-count")).to_have_text("(3)")
    assert count_rows(live_app.extensions["store"]) == rows_before
    assert_no_reload(page, events)
    page.goto("/")
    expect(page.locator("#recent li a").nth(1)).to_have_text("second")


def delete_a_result_card(page: Page) -> None:
    """Open a new submission's page from the log and delete it with the card's button; the
    page becomes the log, offering Undo."""
    seed(page, "older", "doomed card")
    page.goto("/submissions")
    page.get_by_role("link", name="doomed card", exact=True).click()
    expect(page.locator("#result .entered")).to_have_text("doomed card")

    page.locator("#result").get_by_role("button", name="Delete “doomed card”").click()

    expect(page).to_have_url(re.compile(r"/submissions\?deleted="))
    expect(page.locator("#status p")).to_have_text("Deleted “doomed card”.")
    assert "doomed card" not in row_texts(page)


def test_delete_the_result_card_then_undo_without_javascript(new_context, live_app):
    page = new_context(java_script_enabled=False).new_page()
    rows_before = count_rows(live_app.extensions["store"]) + 2
    delete_a_result_card(page)
    assert count_rows(live_app.extensions["store"]) == rows_before - 1
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#status")).to_have_text("Restored.")
    assert row_texts(page)[:2] == ["doomed card", "older"]
    assert count_rows(live_app.extensions["store"]) == rows_before


def test_delete_the_result_card_with_javascript_becomes_the_list(watched):
    page, _ = watched
    delete_a_result_card(page)
    expect(page).to_have_title(re.compile(r"^Your submissions"))
    page.go_back()
    expect(page.locator("#result article")).to_have_count(0)


def test_undo_after_deleting_the_result_card_puts_the_row_back_in_its_place(watched):
    page, events = watched
    delete_a_result_card(page)  # with JavaScript: the log, offering Undo
    expect(page.locator("#status").get_by_role("button", name="Undo")).to_be_visible()
    mark_document(page, events)
    page.locator("#status").get_by_role("button", name="Undo").click()
    expect(page.locator("#status")).to_have_text("Restored.")
    expect(page.locator(f"{ROWS} > a:first-child").first).to_have_text("doomed card")
    assert row_texts(page)[:2] == ["doomed card", "older"]
    assert_no_reload(page, events)


def test_an_undo_after_its_window_is_refused(watched, live_app):
    page, _ = watched
    seed(page, "gone for good")
    rows_before = count_rows(live_app.extensions["store"])
    page.goto("/submissions")
    page.get_by_role("button", name="Delete “gone for good”").click()
    undo = page.locator("#status").get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    action = page.locator("#status form").get_attribute("action")

    expect(undo).to_have_count(0, timeout=live_app.config["UNDO_SECONDS"] * 1000 + 3000)
    token = csrf_token(page.request.get("/submit").text())
    late = page.request.post(action, form={"csrf_token": token})
    assert late.status == 404
    assert count_rows(live_app.extensions["store"]) == rows_before - 1


def test_live_validation_counts_and_warns_while_typing(watched, live_app):
    page, events = watched
    start_on_form(page, events)
    rows_before = count_rows(live_app.extensions["store"])
    field = page.get_by_label("Your text")

    field.press_sequentially("hello")
    expect(page.locator("#user_input-hint")).to_have_text("495 characters left")
    expect(page.locator("#user_input-error")).to_be_empty()
    field.fill("   ")
    expect(page.locator("#user_input-error")).to_have_text("Error: Please enter some text.")
    expect(page.locator("#user_input-hint")).to_have_text("500 characters left")
    field.fill("x" * 500)
    expect(page.locator("#user_input-hint")).to_have_text("0 characters left")
    expect(field).to_have_value("x" * 500)  # typing was never interrupted by a swap
    assert count_rows(live_app.extensions["store"]) == rows_before
    assert_no_reload(page, events)


def test_the_error_state_clears_while_typing_without_moving_the_caret(watched):
    page, events = watched
    start_on_form(page, events)
    field = page.get_by_label("Your text")
    field.fill("   ")
    field.press("Enter")  # only spaces: a 422 in place
    expect(page.locator("#user_input-error")).to_have_text("Error: Please enter some text.")
    field = page.get_by_label("Your text")
    expect(field).to_be_focused()  # the re-rendered field has focus again
    expect(field).to_have_attribute("aria-invalid", "true")

    field.fill("")
    field.press_sequentially("fixed it")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#user_input-error")).to_be_empty()
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    assert page.evaluate("document.activeElement.selectionStart") == len("fixed it") - 2
    field.fill(" ")  # invalid again: the state follows
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#user_input-error")).to_have_text("Error: Please enter some text.")
    assert_no_reload(page, events)


def test_keyboard_alone_submits_and_focus_lands_on_the_result(watched):
    page, events = watched
    start_on_form(page, events)
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "user_input":
            break
    expect(page.get_by_label("Your text")).to_be_focused()

    page.keyboard.type("typed by keyboard")
    page.keyboard.press("Enter")

    result = page.locator("#result article")
    expect(result.locator(".entered")).to_have_text("typed by keyboard")
    expect(result).to_be_focused()
    expect(page.locator("#status")).to_have_text("Saved.")
    assert_no_reload(page, events)


def test_the_log_works_with_javascript_off(new_context):
    page = new_context(java_script_enabled=False).new_page()
    seed(page, *[f"plain {n:02d}" for n in range(25)], "needle")
    page.goto("/submissions")
    expect(page.locator(ROWS)).to_have_count(20)

    page.get_by_role("link", name="Load more").click()
    expect(page).to_have_url(re.compile(r"cursor="))
    expect(page.locator(ROWS)).to_have_count(6)

    page.goto("/submissions")
    page.get_by_label("Search your submissions").fill("needle")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?q=needle$"))
    assert row_texts(page) == ["needle"]

    page.get_by_role("button", name="Delete “needle”").click()
    expect(page).to_have_url(re.compile(r"/submissions\?deleted="))
    expect(page.locator("#status p")).to_have_text("Deleted “needle”.")
    expect(page.locator("#submission-count")).to_have_text("(25)")
