"""axe-core in the real browser: no violation of any impact on any page or state, in the
light and the dark colour scheme."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import seed
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SCHEMES = ["light", "dark"]


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']]}"
        for v in results.response["violations"]
    ]


def visit_every_state(page: Page) -> dict[str, list[str]]:
    """Each page, and the states that matter (errors, results, status), with its violations."""
    seed(page, *[f"entry {n}" for n in range(22)])
    found = {}
    for path in ("/", "/submit", "/submissions", "/submissions?q=zzz", "/no/such/page"):
        page.goto(path)
        found[path] = violations(page)
    page.goto("/submissions")
    page.locator("#submission-rows li a").first.click()
    expect(page.locator("#result .entered")).to_have_count(1)
    found["result page"] = violations(page)
    page.locator("#result a.edit").click()  # in place with JavaScript, a page without
    expect(page.locator(".edit-form input[type=text]")).to_be_focused()
    found["editing"] = violations(page)
    page.goto("/submissions")
    page.locator("#submission-rows button.delete").first.click()
    expect(page.locator("#status").get_by_role("button", name="Undo")).to_be_visible()
    expect(page.locator("#submission-rows li.htmx-swapping")).to_have_count(0)  # faded
    found["deleted, offering undo"] = violations(page)
    page.goto("/submit")
    page.get_by_label("Your text").fill("   ")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#user_input-error")).to_have_text("Error: Please enter some text.")
    found["invalid submission"] = violations(page)
    page.get_by_label("Your text").fill("fine")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#status")).to_have_text("Saved.")
    found["after submit"] = violations(page)
    return found


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_violations_with_javascript(watched, scheme):
    page, _ = watched  # also fails on any console error or CSP violation on these pages
    page.emulate_media(color_scheme=scheme)
    found = visit_every_state(page)
    assert {state: v for state, v in found.items() if v} == {}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_violations_without_javascript(page: Page, scheme):
    page.emulate_media(color_scheme=scheme)
    # axe runs as JavaScript itself, so here "off" means the app's own script never loads:
    # the pages and flows are the plain-HTML ones.
    page.route("**/static/vendor/*.js", lambda route: route.abort())
    found = visit_every_state(page)
    assert page.evaluate("typeof window.htmx") == "undefined"
    assert {state: v for state, v in found.items() if v} == {}
