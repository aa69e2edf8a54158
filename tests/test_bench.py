"""The benchmark's smoke test: a short `make bench` that must produce every figure.

No timing is asserted (these machines are noisy); only that each figure exists and the
benchmark's own checks hold: no error responses, no acknowledged submission missing.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers import service_url

from app import ROOT


@pytest.fixture
def wrk():
    if shutil.which("wrk") is None:
        message = "No wrk: install it (Debian: apt-get install wrk) to run the benchmark"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_args(request):
    if request.param == "sqlite":
        return []
    return ["--database-url", service_url("TEST_POSTGRES_URL", "PostgreSQL server")]


@pytest.mark.slow
def test_a_short_benchmark_produces_every_figure(wrk, database_args, tmp_path):
    figures_file = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable,
            "bench/bench.py",
            "--duration",
            "1",
            "--warmup",
            "0",
            "--memory-requests",
            "300",
            "600",
            "--json",
            str(figures_file),
            *database_args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(figures_file.read_text())
    routes = {
        f"GET {path} {shape}"
        for path in ("/", "/submit", "/submissions/<id>")
        for shape in ("page", "fragment")
    }
    assert set(figures["app"]) == routes
    assert set(figures["floor"]) == routes
    for measured in [*figures["app"].values(), *figures["floor"].values()]:
        assert measured["rps"] > 0
        assert 0 < measured["p50_us"] <= measured["p99_us"]
        assert measured["bad_status"] == measured["socket_errors"] == 0
    assert figures["peer"]["GET / page"]["rps"] > 0
    post = figures["post"]
    assert post["rps"] > 0
    assert post["acknowledged"] > 0
    assert post["acknowledged_missing"] == 0
    assert post["stored_during_run"] >= post["acknowledged"]
    assert post["integrity_check"] == ("n/a" if database_args else "ok")
    assert post["fragment_bytes"] > 0 and post["page_bytes"] > 0
    assert figures["durable_writes_per_second"] > 0
    memory = figures["memory_mib"]
    assert all(memory[key] > 0 for key in ("start", "after_first", "after_second"))
    assert len(figures["targets"]) == 13
    assert "Targets (" in result.stdout
    assert figures["database"] == ("PostgreSQL" if database_args else "SQLite")
    for line in ("app GET / page", "floor GET / page", "peer GET / page", "durable-write limit"):
        assert line in result.stdout
