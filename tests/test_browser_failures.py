"""Requests that fail on the way (network, timeout, a proxy's error page), in a real browser:
the page stays as it was, the status region says so, and trying again works."""

import re

import pytest
from helpers import assert_no_reload, count_rows, start_on_form
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

# What a reverse proxy in front of the app answers when the app does not: its own document.
PROXY_PAGE = (
    "<html><head><title>{status} Bad Gateway</title></head>"
    "<body><center><h1>{status} Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)
# Console lines the browser and htmx write for a failed request; nothing else is allowed.
EXPECTED = re.compile(r"^(Failed to load resource: net::ERR_FAILED|htmx: htmx:error: )")


def forgive_failed_requests(events: dict) -> None:
    events["errors"][:] = [error for error in events["errors"] if not EXPECTED.match(error)]


def on_post(page: Page, handler) -> None:
    """Route POST /submit through `handler`; everything else goes to the app."""

    def route(route: Route) -> None:
        if route.request.method == "POST":
            handler(route)
        else:
            route.continue_()

    page.route("**/submit", route)


def assert_intact(page: Page, events: dict, text: str, message: str) -> None:
    """The form as the visitor left it, a message in the status region, no foreign page."""
    expect(page.locator("#status")).to_contain_text(message)
    expect(page.get_by_label("Your text")).to_have_value(text)
    expect(page.get_by_role("button", name="Submit")).to_be_enabled()
    expect(page.locator("#submit-form .htmx-indicator")).to_be_hidden()
    expect(page.locator("#result")).to_be_empty()
    expect(page).to_have_title(re.compile(r"^Submit · "))
    expect(page.locator("nav")).to_have_count(1)
    assert "Bad Gateway" not in page.content()
    assert_no_reload(page, events)


def test_a_request_that_never_arrives_leaves_the_form_and_says_so(watched, live_app):
    page, events = watched
    start_on_form(page, events)
    rows_before = count_rows(live_app.extensions["store"])
    on_post(page, lambda route: route.abort())

    page.get_by_label("Your text").fill("written offline")
    page.get_by_role("button", name="Submit").click()

    assert_intact(page, events, "written offline", "Could not reach the site")
    assert count_rows(live_app.extensions["store"]) == rows_before

    # Back online: the same button sends the same text, and the message gives way.
    page.unroute("**/submit")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result .entered")).to_have_text("written offline")
    expect(page.locator("#status")).to_have_text("Saved.")
    assert count_rows(live_app.extensions["store"]) == rows_before + 1
    forgive_failed_requests(events)


@pytest.mark.parametrize("status", [502, 504])
def test_a_proxy_error_page_is_never_swapped_in_and_a_retry_stores_once(watched, live_app, status):
    page, events = watched
    start_on_form(page, events)
    rows_before = count_rows(live_app.extensions["store"])

    # The app stores the submission, but the answer is lost: a proxy answers instead.
    def proxy_fails(route: Route) -> None:
        route.fetch()
        route.fulfill(
            status=status, content_type="text/html", body=PROXY_PAGE.format(status=status)
        )

    on_post(page, proxy_fails)
    page.get_by_label("Your text").fill("sent through a proxy")
    page.get_by_role("button", name="Submit").click()

    assert_intact(page, events, "sent through a proxy", f"(error {status})")
    assert count_rows(live_app.extensions["store"]) == rows_before + 1

    # Trying again sends the same form (the same request_id): still one row.
    page.unroute("**/submit")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result .entered")).to_have_text("sent through a proxy")
    expect(page.locator("#recent li a", has_text="sent through a proxy")).to_have_count(1)
    assert count_rows(live_app.extensions["store"]) == rows_before + 1


def test_an_error_the_app_answers_is_still_shown(watched):
    """An error page that carries the app's header is the app's own, and is swapped in."""
    page, events = watched
    start_on_form(page, events)

    def app_unavailable(route: Route) -> None:
        response = route.fetch()
        assert response.headers["x-answered-by"] == "app"
        route.fulfill(
            status=503,
            headers={**response.headers, "hx-retarget": "#status", "hx-reswap": "innerHTML"},
            body='<section class="card error" role="alert"><h2>Temporarily unavailable</h2>'
            "</section>",
        )

    on_post(page, app_unavailable)
    page.get_by_label("Your text").fill("while the database is away")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator("#status")).to_have_text("Temporarily unavailable")
    expect(page.get_by_label("Your text")).to_have_value("while the database is away")
    expect(page.get_by_role("button", name="Submit")).to_be_enabled()
    assert_no_reload(page, events)


def test_a_request_that_takes_too_long_is_given_up_and_said_so(watched):
    page, events = watched
    start_on_form(page, events)
    page.evaluate("htmx.config.defaultTimeout = 500")
    on_post(page, lambda route: None)  # never answered

    page.get_by_label("Your text").fill("waiting forever")
    page.get_by_role("button", name="Submit").click()

    assert_intact(page, events, "waiting forever", "took too long")
    forgive_failed_requests(events)


def test_a_double_click_while_a_submit_is_slow_stores_one_row(watched, live_app):
    page, events = watched
    start_on_form(page, events)
    rows_before = count_rows(live_app.extensions["store"])
    page.evaluate(
        """() => {
            const realFetch = window.fetch;
            window.fetch = (...args) =>
                new Promise((resolve) => setTimeout(() => resolve(realFetch(...args)), 800));
        }"""
    )
    page.get_by_label("Your text").fill("clicked twice")
    page.get_by_role("button", name="Submit").dblclick()

    expect(page.locator("#result .entered")).to_have_text("clicked twice")
    page.wait_for_timeout(1000)  # time for a second request to land, were there one
    expect(page.locator("#recent li a", has_text="clicked twice")).to_have_count(1)
    assert count_rows(live_app.extensions["store"]) == rows_before + 1
    assert_no_reload(page, events)
