"""What a visitor sees on a home page, to check that the benchmark's peer shows what the app does.

The peer renders its own template, so markup, element order, classes, ids, whitespace,
decoration and copy (headings, navigation, wording) may all differ from the app's: a change of
the app's templates never needs a change of the peer's. What must match is the data the page
is built from, which is the work the benchmark compares:
- the submissions listed: each a link to its own page (`/submissions/<id>`), with its text,
  in the same order;
- both pages carry a CSRF token (a form's `csrf_token` field, or htmx's `X-CSRFToken` header).
Standard library only: `make bench` runs with the app's requirements alone.
"""

import json
import re
from html.parser import HTMLParser

SUBMISSION = re.compile(r"/submissions/[^/?#]+")


class Content(HTMLParser):
    """The links and CSRF tokens of one page, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.tokens: list[str] = []
        self._open: list[tuple[str, str | None, list[str]]] = []  # (tag, href, text so far)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in attributes:
            self._open.append((tag, attributes.get("href"), []))
        if tag == "input" and attributes.get("name") == "csrf_token":
            self.tokens.append(attributes.get("value", ""))
        for value in attributes.values():
            if '"X-CSRFToken"' in value:  # htmx's hx-headers: a JSON object
                try:
                    headers = json.loads(value)
                except ValueError:
                    continue
                if isinstance(headers, dict):
                    self.tokens.append(str(headers.get("X-CSRFToken", "")))

    def handle_data(self, data: str) -> None:
        for _, _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                _, href, text = self._open.pop(index)
                self.links.append((href, " ".join("".join(text).split())))
                return

    @property
    def submissions(self) -> list[tuple[str, str]]:
        """The links to a submission's own page: the rows the page lists."""
        return [(href, text) for href, text in self.links if SUBMISSION.fullmatch(href)]


def differences(app_page: str, peer_page: str) -> list[str]:
    """How the peer's page differs from the app's in what it shows; empty if it does not."""
    app, peer = Content(app_page), Content(peer_page)
    found = []
    if app.submissions != peer.submissions:
        found.append(f"submissions: the app lists {app.submissions}, the peer {peer.submissions}")
    for name, content in (("app", app), ("peer", peer)):
        if not any(content.tokens):
            found.append(f"no CSRF token on the {name}'s page")
    return found
