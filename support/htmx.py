"""The page-or-fragment decision, and every HX-* header the app reads or writes.

Views call `render` (or `fragment` when a response only ever makes sense as a
fragment); nothing else in the app looks at HX-* headers.
"""

from collections.abc import Callable

from flask import Flask, Response, current_app, make_response, render_template, request

# Every header the decision below reads: caches must key on all of them.
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


def fragment(
    template: str | None,
    *,
    oob: tuple[str, ...] = (),
    push_url: str | None = None,
    retarget: str | None = None,
    status: int = 200,
    **context,
) -> Response:
    """Render a partial (or none), plus out-of-band partials, as an htmx response.

    `oob` partials are rendered with `oob=True` so their root element carries
    `hx-swap-oob`. With `push_url`, the response also pushes that URL and sets
    the document title, so the screen matches a reload of the pushed URL.
    `retarget` swaps the response into that element instead of the requester's target.
    """
    parts = [_partial(template, context)] if template else []
    parts += [_partial(name, {**context, "oob": True}) for name in oob]
    if push_url is not None:
        parts.insert(0, _partial("partials/title.html", {"title": context["title"]}))
    response = make_response("".join(parts), status)
    response.headers["Cache-Control"] = "no-store"
    if push_url is not None:
        response.headers["HX-Push-Url"] = push_url
    if retarget is not None:
        response.headers["HX-Retarget"] = retarget
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def _partial(name: str, context: dict) -> str:
    """A partial rendered as `render_partial` renders it inside a page: straight through Jinja."""
    return current_app.jinja_env.get_template(name).render(context)


def render(
    page: str,
    partial: str,
    *,
    status: int = 200,
    oob: tuple[str, ...] = (),
    retarget: str | None = None,
    page_context: Callable[[], dict] | None = None,
    **context,
) -> Response:
    """The full page for a normal request, the page's partial for an htmx one.

    `page_context`, if given, supplies what only the full page needs (called only for it).
    """
    if wants_fragment():
        return fragment(partial, status=status, oob=oob, retarget=retarget, **context)
    extra = page_context() if page_context else {}
    return make_response(render_template(page, **context, **extra), status)


def init_app(app: Flask) -> None:
    """Add `Vary` to every response from the app: any of them may have two shapes."""

    @app.after_request
    def add_vary(response: Response) -> Response:
        response.vary.update(VARY)
        return response
