"""Times in the visitor's own clock, with JavaScript; UTC without it."""

import re

import pytest
from helpers import seed
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def open_card(page) -> None:
    page.goto("/submissions")
    page.locator("#submission-rows li > a").first.click()
    expect(page.locator("#result .entered")).to_be_visible()


def test_times_are_shown_in_the_visitors_time_zone(new_context):
    page = new_context(timezone_id="Asia/Tokyo", locale="en-GB").new_page()
    seed(page, "in Tokyo")
    open_card(page)
    saved = page.locator("#result .meta time").first
    moment = saved.get_attribute("datetime")
    assert moment.endswith("+00:00")  # the machine-readable time stays UTC
    expected = page.evaluate(
        """m => new Intl.DateTimeFormat(undefined, {year: "numeric", month: "short",
               day: "2-digit", hour: "2-digit", minute: "2-digit", timeZoneName: "short"})
               .format(new Date(m))""",
        moment,
    )
    expect(saved).to_have_text(expected)
    assert "GMT+9" in expected and "UTC" not in expected
    row_time = page.locator("#recent time").first
    expect(row_time).to_have_text("just now")


def test_ago_advances_while_the_page_stays_open_without_a_request(new_context):
    context = new_context()
    page = context.new_page()
    page.clock.install()
    seed(page, "ticking")
    page.goto("/")
    time = page.locator("#recent time").first
    expect(time).to_have_text("just now")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.clock.fast_forward("03:05")  # three minutes and five seconds
    expect(time).to_have_text("3 minutes ago")
    page.clock.fast_forward("02:00:00")
    expect(time).to_have_text("2 hours ago")
    assert requests == []


def test_without_javascript_times_are_utc(new_context):
    page = new_context(java_script_enabled=False, timezone_id="Asia/Tokyo").new_page()
    seed(page, "plain")
    page.goto("/submissions")
    page.locator("#submission-rows li > a").first.click()
    expect(page.locator("#result .meta time").first).to_have_text(re.compile(r" UTC$"))
