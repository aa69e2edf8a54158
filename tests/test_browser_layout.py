"""Layout in a real browser, at a desktop and a phone width: what a visitor sees where."""

import re

import pytest
from helpers import seed
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.fixture
def phone(new_context) -> Page:
    return new_context(viewport=PHONE).new_page()


def test_a_status_message_shows_where_the_visitor_acted(watched):
    """Scrolled to the bottom of a long log, a delete's message appears in view."""
    page, _ = watched
    page.set_viewport_size(PHONE)
    seed(page, *[f"entry {n}" for n in range(20)])
    page.goto("/submissions")
    last = page.locator("#submission-rows li").last
    last.scroll_into_view_if_needed()
    expect(page.locator("h1")).not_to_be_in_viewport()

    last.get_by_role("button", name=re.compile("^Delete")).click()

    status = page.locator("#status")
    expect(status).to_contain_text("Deleted")
    expect(status).to_be_in_viewport(ratio=1)
    expect(status.get_by_role("button", name="Undo")).to_be_in_viewport()
    expect(page.locator("h1")).not_to_be_in_viewport()  # the page did not jump to the top
    assert page.locator("[role=status]").count() == 1


def test_the_status_region_stays_in_view_without_javascript(new_context):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    seed(page, *[f"a longer entry to fill the recent list, number {n}" for n in range(10)])
    page.goto("/submit")
    page.get_by_label("Your text").fill("saved without JavaScript")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#status")).to_have_text("Saved.")
    page.locator("#recent li").last.scroll_into_view_if_needed()
    expect(page.locator("h1")).not_to_be_in_viewport()
    expect(page.locator("#status")).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_first_card_and_the_buttons_have_room(new_context, viewport):
    page = new_context(viewport=viewport).new_page()
    page.goto("/")
    header, card = box(page, ".site-header"), box(page, "main .card")
    assert card["y"] - (header["y"] + header["height"]) >= 16
    first, second = (box(page, f".button-group .button >> nth={n}") for n in (0, 1))
    if viewport is PHONE:  # stacked, full width, apart
        assert second["y"] >= first["y"] + first["height"] + 8
        assert first["width"] == second["width"] == card["width"] - 2 * 16 - 2
    else:  # side by side, apart
        assert second["x"] >= first["x"] + first["width"] + 8
        assert second["y"] == first["y"]


def test_on_a_phone_the_search_field_takes_the_room(phone):
    phone.goto("/submissions")
    row, field = box(phone, ".search-row"), box(phone, "#q")
    assert field["width"] >= row["width"] * 0.65
    # The hidden "Searching…" takes no room anywhere.
    for indicator in phone.locator(".htmx-indicator").all():
        assert indicator.bounding_box() is None


def test_long_words_wrap_instead_of_widening_the_page(phone):
    seed(phone, LONG_WORD, f"https://example.org/{'path/' * 30}")
    for path in ("/", "/submissions", f"/submissions?q={LONG_WORD[:20]}"):
        phone.goto(path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], path
    phone.get_by_role("link", name=LONG_WORD, exact=True).click()
    expect(phone.locator("#result .entered")).to_have_text(LONG_WORD)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_colour_scheme_follows_the_system(new_context, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto("/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = map(int, re.findall(r"\d+", background)[:3])
    assert (red + green + blue < 3 * 64) == (scheme == "dark")
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light dark"
