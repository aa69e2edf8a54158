"""The project's template conventions and its two ways of being started."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers import free_port

from app import ROOT

PARTIALS = sorted((ROOT / "partials").glob("*.html"))
PAGES = sorted((ROOT / "templates").glob("*.html"))


@pytest.mark.parametrize("path", PARTIALS, ids=lambda p: p.name)
def test_partials_name_their_inputs_and_extend_nothing(path):
    text = path.read_text()
    assert text.startswith("{# inputs: ")
    assert "{% extends" not in text
    assert "|safe" not in text


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_templates_are_full_pages(path):
    text = path.read_text()
    assert path.name == "base.html" or '{% extends "base.html" %}' in text
    assert "|safe" not in text


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
