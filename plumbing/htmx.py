"""The page-or-fragment decision, and every HX-* header the app reads or writes.

Views call `render` (or `fragment` when a response only ever makes sense as a
fragment); nothing else in the app looks at HX-* headers.
"""

from collections.abc import Callable, Iterable

from flask import Response, current_app, make_response, render_template, request

# Every header the decision below reads: caches must key on all of them (plumbing/transport.py
# adds them to Vary on every response).
VARY = ("HX-Request", "HX-Request-Type", "HX-History-Restore-Request", "HX-Boosted")


def is_htmx() -> bool:
    """True for any request htmx made (used for logging, not for the decision)."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """True when the request should get a fragment rather than a full page.

    Boosted navigation, history restores (htmx 2 and 4) and htmx 4's "full"
    requests replace the whole body, so they get the full page.
    """
    headers = request.headers
    return (
        is_htmx()
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type") != "full"
    )


def current_url() -> str | None:
    """The address of the page an htmx request was made from (None without htmx)."""
    return request.headers.get("HX-Current-URL") if is_htmx() else None


# An out-of-band part of a fragment response: a partial and the inputs it is rendered with.
Part = tuple[str, dict]


def fragment(
    partial: str | None,
    context: dict | None = None,
    *,
    oob: Iterable[Part] = (),
    title: str | None = None,
    push_url: str | None = None,
    retarget: str | None = None,
    reswap: str | None = None,
    status: int = 200,
) -> Response:
    """An htmx response: `partial` (or nothing) rendered with `context`, then each
    out-of-band part rendered with its own inputs plus `oob=True`.

    Each other parameter does one thing: `title` sets the document title, `push_url` sets
    HX-Push-Url, `retarget` HX-Retarget, `reswap` HX-Reswap.
    """
    parts = [_partial("partials/title.html", {"title": title})] if title is not None else []
    if partial is not None:
        parts.append(_partial(partial, context or {}))
    parts += [_partial(name, {**inputs, "oob": True}) for name, inputs in oob]
    # Nothing between the parts: with only out-of-band parts, what is left for the target
    # is truly empty (not a line break), so an emptied element matches CSS `:empty`.
    response = make_response("".join(part.strip() for part in parts), status)
    response.headers["Cache-Control"] = "no-store"
    for header, value in (
        ("HX-Push-Url", push_url),
        ("HX-Retarget", retarget),
        ("HX-Reswap", reswap),
    ):
        if value is not None:
            response.headers[header] = value
    return response


def _partial(name: str, context: dict) -> str:
    """A partial rendered as `render_partial` renders it inside a page: straight through Jinja."""
    return current_app.jinja_env.get_template(name).render(context)


def render(
    page: str,
    partial: str,
    context: dict,
    *,
    page_context: Callable[[], dict] | None = None,
    oob: Callable[[], Iterable[Part]] | None = None,
    retarget: str | None = None,
    reswap: str | None = None,
    status: int = 200,
) -> Response:
    """The full page for a normal request, its `partial` for an htmx one (plus the parts
    `oob()` gives, out of band).

    Page and partial get `context`; `page_context`, if given, supplies what only the full
    page needs (called only for it).
    """
    if wants_fragment():
        parts = oob() if oob else ()
        return fragment(
            partial, context, oob=parts, retarget=retarget, reswap=reswap, status=status
        )
    extra = page_context() if page_context else {}
    return make_response(render_template(page, **context, **extra), status)
