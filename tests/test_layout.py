"""The project's template conventions and its two ways of being started."""

import ast
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers import TEST_CONFIG, free_port
from jinja2 import meta, nodes

from app import ROOT, create_app

PARTIALS = sorted((ROOT / "partials").glob("*.html"))
PAGES = sorted((ROOT / "templates").glob("*.html"))


@pytest.mark.parametrize("path", PARTIALS, ids=lambda p: p.name)
def test_partials_name_their_inputs_and_extend_nothing(path):
    text = path.read_text()
    assert text.startswith("{# inputs: ")
    assert "{% extends" not in text
    assert "|safe" not in text


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_templates_are_full_pages_that_name_their_inputs(path):
    text = path.read_text()
    assert text.startswith("{# inputs: ")
    assert path.name == "base.html" or '{% extends "base.html" %}' in text
    assert "|safe" not in text


def declared_inputs(text: str) -> set[str]:
    """The names in a template's first-line `{# inputs: a (...), b (...) #}` comment; a page
    may end it with "and base.html's"."""
    comment = text.removeprefix("{# inputs: ").partition("#}")[0]
    pieces, depth, piece = [], 0, ""
    for char in comment:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            pieces.append(piece)
            piece = ""
        else:
            piece += char
    pieces.append(piece)
    return {p.split()[0] for p in pieces if p.strip() and p.strip() != "and base.html's"}


@pytest.mark.parametrize("path", PARTIALS + PAGES, ids=lambda p: p.name)
def test_templates_read_exactly_the_inputs_they_declare(path):
    """Every variable a template reads is declared (or a global every template has: Flask's
    and the app's), and every declared input is read."""
    env = create_app(TEST_CONFIG).jinja_env
    every_template_has = set(env.globals) | {"request", "session", "g"}
    text = path.read_text()
    tree = env.parse(text)
    assigned = {node.target.name for node in tree.find_all(nodes.Assign)}  # by {% set %}
    read = meta.find_undeclared_variables(tree) - every_template_has - assigned
    assert read == declared_inputs(text)


def test_python_app_py_serves_on_loopback_without_debug(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "SECRET_KEY": "a-long-enough-test-secret",
    }
    env.pop("FLASK_DEBUG", None)
    server = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert f"Running on http://127.0.0.1:{port}" in output
    assert "Debug mode: off" in output


def test_the_plumbing_never_imports_the_product():
    for path in sorted((ROOT / "plumbing").glob("*.py")):
        tree = ast.parse(path.read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        imported |= {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        assert not {name for name in imported if name.split(".")[0] in ("submissions", "app")}, path
