"""`make screenshots`: the main states of the real app, photographed in Chromium.

Every state (home empty and with rows, the form, a 422, a result, the log, a pinned row, a
search with no hits, a 404, and with JavaScript a submit that fails on the way) at 1280x800
(desktop) and 390x844 (phone), in the light and the dark colour scheme, with JavaScript on and off,
as full-page PNGs: docs/screenshots/all/<state>-<device>-<scheme>-<js|nojs>.png (ignored
by git). The few the README shows are copied to docs/screenshots/ (committed). Look at
them all after a change to the templates or the styles.
"""

import os
import shutil
import sys

from live import CHROMIUM, ROOT, serving
from playwright.sync_api import Page, expect, sync_playwright

OUT = ROOT / "docs" / "screenshots"
DEVICES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
ROWS = [
    "Call the plumber about the kitchen tap before Friday",
    "Ideas for the garden: lavender, rosemary, a small pear tree",
    "Book: The Left Hand of Darkness",
    "Pneumonoultramicroscopicsilicovolcanoconiosis is the longest word in the dictionary",
    "Pick up parcel",
    "Ask Sam whether the meeting moved to Thursday at 10:30 or stays on Wednesday afternoon",
    "https://example.org/a/very/long/address/that/goes/on/and/on/without/any/spaces/at/all",
    "Remember: bring the charger",
    "Quote of the day: “Simplicity is prerequisite for reliability.”",
    "Milk, eggs, flour, butter",
    "Renew the library card",
    "Flight number LH 1234 on the 14th",
] * 2
# The ones the README shows, copied next to the folder of all of them.
README = [
    "home-desktop-light-js",
    "home-phone-dark-js",
    "error-desktop-light-js",
    "result-phone-light-js",
    "log-desktop-dark-js",
    "search-phone-light-nojs",
    "not-found-desktop-dark-nojs",
    "offline-phone-light-js",
    "editing-desktop-light-js",
    "deleted-phone-dark-js",
    "conflict-desktop-dark-js",
    "error-desktop-light-nojs",
    "pinned-desktop-light-js",
    "pinned-phone-dark-js",
]


def seed(page: Page, texts: list[str]) -> None:
    """Store `texts` as this browser's visitor, with the plain form."""
    token = page.locator("#submit-form input[name=csrf_token]").get_attribute("value")
    for text in texts:
        page.request.post("/submit", form={"csrf_token": token, "user_input": text})


def photograph(page: Page, javascript: bool) -> dict[str, bytes]:
    """Walk one new visitor through every state; a full-page PNG of each, by name."""
    shots = {}

    def shot(state: str) -> None:
        page.wait_for_load_state("networkidle")
        shots[state] = page.screenshot(full_page=True)

    page.goto("/")
    shot("home-empty")
    page.goto("/submit")
    shot("submit")
    page.get_by_label("Your text").fill("   ")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#user_input-error")).to_have_text("Error: Please enter some text.")
    shot("error")
    page.get_by_label("Your text").fill("Water the tomatoes every other evening in July")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result .entered")).to_be_visible()
    shot("result")
    result_url = page.url
    page.locator("#result a.edit").click()  # in place with JavaScript, a page without
    expect(page.locator(".edit-form input[type=text]")).to_be_visible()
    shot("editing")
    # Saved meanwhile "in another tab": this form's version is now old, so saving is a 409.
    page.goto(f"{result_url}/edit")
    form = page.locator(".edit-form")
    hidden = {
        name: form.locator(f"input[name='{name}']").get_attribute("value")
        for name in ("csrf_token", form.locator("input[name$=version]").get_attribute("name"))
    }
    text_name = form.locator("input[type=text]").get_attribute("name")
    page.request.post(f"{result_url}/edit", form={**hidden, text_name: "Water the tomatoes"})
    page.get_by_label("Your text").fill("Water the tomatoes every evening")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".conflict")).to_be_visible()
    shot("conflict")
    page.get_by_role("button", name="Keep it as it is").click()
    expect(page.locator("#status")).to_contain_text("Kept")
    page.goto(result_url)
    shot("edited")
    seed(page, ROWS)
    page.goto("/")
    shot("home")
    page.goto("/submissions")
    shot("log")
    page.locator("#submission-rows button.delete").nth(1).click()
    expect(page.locator("#status").get_by_role("button", name="Undo")).to_be_visible()
    expect(page.locator("#submission-rows li:empty")).to_have_count(1 if javascript else 0)
    shot("deleted")
    page.locator("#status").get_by_role("button", name="Undo").click()
    expect(page.locator("#status")).to_contain_text("Restored")
    page.goto("/submissions")
    page.locator("#submission-rows button.pin").nth(3).click()
    expect(page.locator("#submission-rows li").first.locator("button.pin")).to_have_attribute(
        "aria-pressed", "true"
    )
    shot("pinned")
    page.goto("/")
    shot("home-pinned")
    page.goto("/submissions?q=holiday")
    shot("search")
    page.goto("/no/such/page")
    shot("not-found")
    if javascript:  # a submit that never reaches the server (static/app.js tells it)
        page.goto("/submit")
        page.route("**/submit", lambda route: route.abort())
        page.get_by_label("Your text").fill("Written while the connection was down")
        page.get_by_role("button", name="Submit").click()
        expect(page.locator("#status .failure")).to_be_visible()
        shot("offline")
    return shots


def main() -> int:
    executable = os.environ.get("CHROMIUM_PATH", CHROMIUM)
    every = OUT / "all"
    shutil.rmtree(every, ignore_errors=True)
    every.mkdir(parents=True)
    with serving() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for device, viewport in DEVICES.items():
            for scheme in ("light", "dark"):
                for javascript in (True, False):
                    context = browser.new_context(
                        base_url=base_url,
                        viewport=viewport,
                        color_scheme=scheme,
                        java_script_enabled=javascript,
                        reduced_motion="reduce",
                    )
                    shots = photograph(context.new_page(), javascript)
                    context.close()
                    suffix = f"{device}-{scheme}-{'js' if javascript else 'nojs'}"
                    for state, png in shots.items():
                        (every / f"{state}-{suffix}.png").write_bytes(png)
                    print(f"{len(shots)} states, {suffix}", flush=True)
        browser.close()
    for name in README:
        shutil.copyfile(every / f"{name}.png", OUT / f"{name}.png")
    print(f"Every picture: {every}/; the README's: {OUT}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
