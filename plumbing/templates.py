"""Jinja for the app: pages from templates/, fragments from partials/, the vendored htmx, and
the filters that show times."""

import base64
from pathlib import Path

from flask import Flask, request, url_for
from flask.templating import Environment
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from jinja_partials import register_environment

from plumbing.humanize import ago, machine_time

HTMX_FILE = "vendor/htmx-4.0.1.min.js"
# sha256 of the vendored file, as `sha256sum` prints it; a test checks the file against it.
HTMX_SHA256 = "a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130"


class TemplateEnvironment(Environment):
    """Flask's template environment, with each template's globals the environment's own dict.

    Jinja gives each template a ChainMap of its own globals over the environment's, and every
    render copies that into a new context; no template here has globals of its own, so the
    ChainMap would only make each of those copies slower.
    """

    def make_globals(self, d):
        return super().make_globals(d) if d else self.globals


def init_app(app: Flask, root: Path) -> None:
    """Pages live in root/templates, fragments in root/partials (found as "partials/<name>")."""
    app.jinja_environment = TemplateEnvironment
    app.jinja_options = {"trim_blocks": True, "lstrip_blocks": True}
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(root / "templates"),
            PrefixLoader({"partials": FileSystemLoader(root / "partials")}),
        ]
    )
    # render_partial renders straight through Jinja (no Flask context processors or signals,
    # which no partial uses): partials are cheap enough to use freely.
    register_environment(app.jinja_env, markup=True)
    app.jinja_env.globals.update(
        htmx_file=HTMX_FILE,
        htmx_integrity="sha256-" + base64.b64encode(bytes.fromhex(HTMX_SHA256)).decode(),
    )
    app.jinja_env.globals["url_for"] = fixed_urls_once(app)
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["machine_time"] = machine_time


def fixed_urls_once(app: Flask):
    """Templates' `url_for`: Flask's, with the URL of a view that takes no values kept once
    per app root (the navigation's links are the same for every visitor and page).

    Only a plain path is kept: a URL Flask makes absolute (a SERVER_NAME, a subdomain) can
    name the request's host, and URL defaults can fill in values from the request, so those
    are Flask's on every call.
    """
    kept: dict[tuple[str, str], str] = {}

    def cached_url_for(endpoint: str, **values) -> str:
        if (
            values
            or endpoint.startswith(".")  # a view of the current blueprint
            or any(app.url_default_functions.values())
        ):
            return url_for(endpoint, **values)
        key = (endpoint, request.script_root)
        url = kept.get(key)
        if url is None:
            url = url_for(endpoint)
            if url.startswith("/") and not url.startswith("//") and len(kept) < 256:
                kept[key] = url
        return url

    return cached_url_for
