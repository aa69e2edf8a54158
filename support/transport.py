"""What every response from the app carries on its way out, besides the security headers.

- `X-Answered-By: app` on every response the app itself makes. static/app.js swaps an error
  response into the page only when it carries this header: a 502 or 504 page from a proxy
  in front has no business inside ours.
- `X-Robots-Tag: noindex` on everything but the two public pages (home and the empty form):
  lists and result pages belong to one visitor, and error pages to no one.
- gzip for HTML, for clients that accept it, with `Vary: Accept-Encoding` on all HTML so
  caches keep the two encodings apart. Static files come precompressed (support/assets.py).
"""

import gzip

from flask import Flask, Response, request

ANSWERED_BY = ("X-Answered-By", "app")
INDEXED = {"main.home", "main.submit_form"}
# Below this, gzip's header and the CPU time cost more than the bytes it saves.
MIN_GZIP_BYTES = 512
GZIP_LEVEL = 6  # zlib's default: within 1% of level 9's size on our pages, and faster


def gzipped(response: Response) -> Response:
    """The HTML response compressed, when the client accepts gzip and it is worth it."""
    if response.mimetype != "text/html":
        return response
    response.vary.add("Accept-Encoding")
    if (
        response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or request.accept_encodings["gzip"] <= 0
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_GZIP_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    """Add the headers above and compress HTML on every response from the app."""

    @app.after_request
    def on_the_way_out(response: Response) -> Response:
        response.headers.setdefault(*ANSWERED_BY)
        if request.endpoint not in INDEXED:
            response.headers["X-Robots-Tag"] = "noindex"
        return gzipped(response)
