"""What every response from the app carries on its way out, added by one hook:

- the security headers (plumbing/security.py);
- `Vary` on the HX-* headers the page-or-fragment decision reads (plumbing/htmx.py) and on
  `Cookie`;
- `X-Answered-By: app` on every response the app itself makes. static/app.js swaps an error
  response into the page only when it carries this header: a 502 or 504 page from a proxy
  in front has no business inside ours.
- `X-Robots-Tag: noindex` on everything but the views marked `@indexed` (the public pages):
  lists and result pages belong to one visitor, and error pages to no one.
- gzip for HTML, for clients that accept it, with `Vary: Accept-Encoding` on all HTML so
  caches keep the two encodings apart. Static files come precompressed (plumbing/assets.py).
"""

import gzip

from flask import Flask, Response, current_app, request

from plumbing import htmx

ANSWERED_BY = ("X-Answered-By", "app")
# Below this, gzip's header and the CPU time cost more than the bytes it saves.
MIN_GZIP_BYTES = 512
GZIP_LEVEL = 6  # zlib's default: nearly level 9's size on our pages, and faster


def indexed(view):
    """Decorate a view whose pages search engines may index (all others say noindex)."""
    view.indexed = True
    return view


def gzipped(response: Response) -> Response:
    """The HTML response compressed, when the client accepts gzip and it is worth it."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or "HTTP_ACCEPT_ENCODING" not in request.environ  # not sent: nothing to parse
        or request.accept_encodings["gzip"] <= 0
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_GZIP_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask, security_headers: dict[str, str]) -> None:
    """Add the headers above to every response from the app, and compress HTML.

    One hook, and each header list built here once: Werkzeug's helpers (`response.vary`)
    parse and rewrite a header on every change, which every response would pay for.
    """
    always = [*security_headers.items(), ANSWERED_BY]
    # What `Vary` names, keyed by "is HTML": every answer depends on the session cookie (the
    # visitor's rows, their CSRF token); HTML also on Accept-Encoding (gzip below).
    varies = {False: [*htmx.VARY, "Cookie"]}
    varies[True] = [*varies[False], "Accept-Encoding"]
    vary_header = {html: ", ".join(names) for html, names in varies.items()}

    @app.after_request
    def on_the_way_out(response: Response) -> Response:
        headers = response.headers
        html = response.mimetype == "text/html"
        if "Vary" in headers:  # a view's own Vary is kept
            response.vary.update(varies[html])
        else:
            headers["Vary"] = vary_header[html]
        # Added, not replaced (replacing searches the headers first): no view sets these.
        headers.extend(always)
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "indexed", False):
            headers["X-Robots-Tag"] = "noindex"
        return gzipped(response) if html else response
