"""The benchmark's floor: a Flask view answering each measured URL with the app's own bytes.

bench/bench.py captures what the app answers for each route, page and fragment, and serves
this with `python -m bench.floor`: serve.py's server, with the same settings as the app. No
database, no session, no template: what is left is the cost of the server and of Flask itself.
"""

import json
import os
from pathlib import Path

from flask import Flask, request

import serve


def create_app() -> Flask:
    app = Flask(__name__, static_folder=None)
    # {path: {"page": [content type, body], "fragment": [content type, body]}}
    captured = json.loads(Path(os.environ["FLOOR_RESPONSES"]).read_text(encoding="utf-8"))
    bodies = {
        path: {shape: (kind, body.encode()) for shape, (kind, body) in shapes.items()}
        for path, shapes in captured.items()
    }

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def constant(path: str):
        shape = "fragment" if request.headers.get("HX-Request") == "true" else "page"
        content_type, body = bodies["/" + path][shape]
        return body, 200, {"Content-Type": content_type}

    return app


if __name__ == "__main__":
    serve.server("bench.floor:create_app").serve()
