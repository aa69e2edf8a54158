"""The htmx behaviour in a real browser, and the same flow with JavaScript turned off."""

import re

import pytest
from helpers import assert_no_reload, count_rows, seed, start_on_form
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RESULT_URL = re.compile(r"/submissions/[A-Za-z0-9_-]{22}$")


def test_htmx_is_loaded(watched):
    page, _ = watched
    page.goto("/")
    assert page.evaluate("htmx.version") == "4.0.1"


def test_a_duplicate_id_after_a_swap_is_an_error(watched):
    page, events = watched
    start_on_form(page, events)
    page.evaluate("document.querySelector('footer').id = 'status'")  # #status is in <main>

    with page.expect_console_message(lambda m: m.text.startswith("Duplicate ids")) as message:
        page.get_by_label("Your text").fill("hello")  # live validation swaps the feedback

    assert message.value.text == "Duplicate ids after an htmx swap: status"
    assert events["errors"] == [message.value.text]
    events["errors"].clear()  # seen; otherwise `watched` fails this test on it


def test_submit_swaps_the_result_in_place(watched, live_app):
    page, events = watched
    start_on_form(page, events)
    rows_before = count_rows(live_app.extensions["store"])

    page.get_by_label("Your text").fill("Hello from the browser")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator("#result .entered")).to_have_text("Hello from the browser")
    expect(page).to_have_url(RESULT_URL)
    expect(page).to_have_title(re.compile(r"^Your submission"))
    expect(page.locator("#recent li a").first).to_have_text("Hello from the browser")
    expect(page.get_by_label("Your text")).to_have_value("")
    assert_no_reload(page, events)
    assert count_rows(live_app.extensions["store"]) == rows_before + 1

    # A reload of the pushed URL shows the same thing, as a full page.
    page.reload()
    expect(page.locator("#result .entered")).to_have_text("Hello from the browser")
    expect(page.locator("#recent li a").first).to_have_text("Hello from the browser")
    expect(page.locator("nav")).to_have_count(1)

    # Back returns to the full form page, with an empty result region.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/submit$"))
    expect(page.locator("#submit-form")).to_have_count(1)
    expect(page.locator("#result")).to_be_empty()
    expect(page.locator("nav")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)


def test_back_after_an_in_place_submit_restores_the_form_page(watched):
    page, events = watched
    start_on_form(page, events)
    page.get_by_label("Your text").fill("then back")
    page.get_by_label("Your text").press("Enter")
    expect(page).to_have_url(RESULT_URL)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/submit$"))
    expect(page.locator("#result")).to_be_empty()
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("#recent li a").first).to_have_text("then back")

    page.go_forward()
    expect(page).to_have_url(RESULT_URL)
    expect(page.locator("#result .entered")).to_have_text("then back")
    expect(page.locator("main")).to_have_count(1)


def test_invalid_submission_shows_its_error_in_place(watched, live_app):
    page, events = watched
    start_on_form(page, events)
    rows_before = count_rows(live_app.extensions["store"])

    page.get_by_label("Your text").fill("   ")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator("#user_input-error")).to_have_text("Error: Please enter some text.")
    expect(page.get_by_label("Your text")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/submit$"))
    expect(page.locator("#submit-form")).to_have_count(1)
    assert_no_reload(page, events)
    assert count_rows(live_app.extensions["store"]) == rows_before

    # Correcting the text then submits normally.
    page.get_by_label("Your text").fill("fixed")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result .entered")).to_have_text("fixed")
    expect(page.locator("#user_input-error")).to_be_empty()


def test_a_double_submit_stores_one_row(watched, live_app):
    page, events = watched
    start_on_form(page, events)
    rows_before = count_rows(live_app.extensions["store"])

    page.get_by_label("Your text").fill("only once")
    page.locator("#submit-form").evaluate("form => { form.requestSubmit(); form.requestSubmit(); }")

    expect(page.locator("#result .entered")).to_have_text("only once")
    expect(page.locator("#recent li a", has_text="only once")).to_have_count(1)
    assert count_rows(live_app.extensions["store"]) == rows_before + 1


def test_a_new_submission_joins_the_recent_list_and_pushes_out_the_eleventh(watched):
    page, events = watched
    seed(page, *(f"older {n}" for n in range(10)))
    start_on_form(page, events)
    expect(page.locator("#recent li")).to_have_count(10)

    page.get_by_label("Your text").fill("newest")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator("#recent li a").first).to_have_text("newest")
    expect(page.locator("#recent li")).to_have_count(10)
    expect(page.locator("#recent li a", has_text="older 0")).to_have_count(0)
    shown = page.locator("#recent li a").all_text_contents()
    assert_no_reload(page, events)
    page.reload()
    expect(page.locator("#recent li a")).to_have_text(shown)


def test_the_same_flow_works_with_javascript_off(new_context, live_app):
    page = new_context(java_script_enabled=False).new_page()
    rows_before = count_rows(live_app.extensions["store"])

    page.goto("/")
    page.get_by_role("link", name="Make a submission").click()
    expect(page).to_have_url(re.compile(r"/submit$"))

    page.get_by_label("Your text").fill("   ")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#user_input-error")).to_have_text("Error: Please enter some text.")

    page.get_by_label("Your text").fill("No JavaScript here")
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(RESULT_URL)
    expect(page.locator("#result .entered")).to_have_text("No JavaScript here")
    expect(page.locator(".htmx-indicator")).to_be_hidden()
    assert count_rows(live_app.extensions["store"]) == rows_before + 1

    page.reload()
    expect(page.locator("#result .entered")).to_have_text("No JavaScript here")
    assert count_rows(live_app.extensions["store"]) == rows_before + 1

    page.get_by_role("navigation").get_by_role("link", name="Submissions", exact=True).click()
    expect(page.locator("#recent li a").first).to_have_text("No JavaScript here")


def test_while_in_flight_the_button_is_disabled_and_the_indicator_shows(watched):
    page, events = watched
    start_on_form(page, events)
    # Hold every request for a moment so the in-flight state can be seen.
    page.evaluate(
        """() => {
            const realFetch = window.fetch;
            window.fetch = (...args) =>
                new Promise((resolve) => setTimeout(() => resolve(realFetch(...args)), 700));
        }"""
    )
    button = page.get_by_role("button", name="Submit")
    indicator = page.locator("#submit-form .htmx-indicator")
    expect(indicator).to_be_hidden()

    page.get_by_label("Your text").fill("slow one")
    button.click()

    expect(button).to_be_disabled()
    expect(indicator).to_be_visible()
    expect(page.locator("#result .entered")).to_have_text("slow one")
    expect(button).to_be_enabled()
    expect(indicator).to_be_hidden()
