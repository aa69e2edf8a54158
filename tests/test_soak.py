"""The short version of `make soak`: a few seconds of load with killed workers, then SIGTERM."""

import json
import subprocess
import sys

import pytest

from app import ROOT


@pytest.mark.slow
def test_short_soak_loses_nothing(tmp_path):
    figures_file = tmp_path / "soak.json"
    result = subprocess.run(
        [
            sys.executable,
            "bench/soak.py",
            "--clients",
            "16",
            "--seconds",
            "6",
            "--kill-every",
            "2",
            "--json",
            str(figures_file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(figures_file.read_text())
    assert figures["workers_killed"] >= 1
    assert figures["submissions_acknowledged"] > 0
    assert figures["lost_submissions"] == 0
    assert figures["server_errors"] == 0
    assert figures["in_flight_at_sigterm_completed"] == "2/2"
    assert figures["integrity_check"] == "ok"
