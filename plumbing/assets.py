"""Static files: content-hashed URLs cached for a year, gzip where it helps, served by WhiteNoise.

At start-up every file under static/ is copied to instance/static/ under a name carrying a
hash of its content (style.css -> style.<hash>.css), with a .gz beside it when that is
smaller. Pages link to the hashed names through `asset_url(name)`, so a changed file gets a
new URL and an unchanged one is never downloaded twice. The original names stay reachable
with a short cache lifetime, for links from elsewhere.
"""

import gzip
import hashlib
import os
from pathlib import Path

from flask import Flask, request
from whitenoise import WhiteNoise

COMPRESSIBLE = {".css", ".js", ".svg", ".txt", ".html", ".json"}


def _write(path: Path, data: bytes) -> None:
    """Write `data` unless `path` holds it already; atomic, so no start sees half a file."""
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(path)


def build(source: Path, target: Path) -> dict[str, str]:
    """Copy `source` into `target` under original and hashed names; map original -> hashed."""
    manifest = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        hashed = str(Path(name).with_suffix(f".{digest}{path.suffix}"))
        manifest[name] = hashed
        compressed = None
        if path.suffix in COMPRESSIBLE:
            compressed = gzip.compress(data, compresslevel=9, mtime=0)
            if len(compressed) >= len(data) * 0.95:
                compressed = None  # not worth a second copy
        for out in (name, hashed):
            _write(target / out, data)
            if compressed is not None:
                _write(target / f"{out}.gz", compressed)
    return manifest


def init_app(app: Flask, source: Path, headers: dict[str, str]) -> None:
    """Serve `source` at /static/ through WhiteNoise and give templates `asset_url(name)`."""
    target = Path(app.instance_path) / "static"
    manifest = build(source, target)
    immutable = {f"/static/{hashed}" for hashed in manifest.values()}

    def add_headers(response_headers, _path: str, _url: str) -> None:
        for name, value in headers.items():
            response_headers[name] = value

    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=target,
        prefix="static/",
        max_age=60,
        allow_all_origins=False,
        immutable_file_test=lambda _path, url: url in immutable,
        add_headers_function=add_headers,
    )
    urls = {name: f"/static/{hashed}" for name, hashed in manifest.items()}

    def asset_url(name: str) -> str:
        """The content-hashed URL of static/<name>; a KeyError for a file that is not there."""
        return request.script_root + urls[name]

    app.jinja_env.globals["asset_url"] = asset_url
