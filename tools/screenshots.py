"""`make screenshots`: the main states of the real app, photographed in Chromium.

Every state (home empty and with rows, the form, a 422, a result, the log, a search with
no hits, a 404, and with JavaScript a submit that fails on the way) at 1280x800 (desktop)
and 390x844 (phone), in the light and the dark colour scheme, with JavaScript on and off,
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
    expect(page.locator("#user_input-error")).to_have_text("Please enter some text.")
    shot("error")
    page.get_by_label("Your text").fill("Water the tomatoes every other evening in July")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#result .entered")).to_be_visible()
    shot("result")
    seed(page, ROWS)
    page.goto("/")
    shot("home")
    page.goto("/submissions")
    shot("log")
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
