"""The README and the guides in docs/ cannot drift from the code: every shell block is either
run here, in a scratch copy of the checkout, or says what runs it instead; every relative
link leads to a file that exists."""

import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from app import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
NOT_RUN_NOTE = re.compile(r"<!-- not run here: [^>]+ -->\s*$")
LINK = re.compile(r"\]\((?!https?://|mailto:|#)(?P<target>[^)#\s]+)(?:#[^)]*)?\)")
SHELL = {"sh", "bash", "shell", "console"}


def blocks(path: Path) -> list[tuple[str, str, str]]:
    """(info string, body, the text before the block) of each fenced block in `path`."""
    text = path.read_text()
    return [(m["info"].strip(), m["body"], text[: m.start()]) for m in FENCE.finditer(text)]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_shell_block_is_run_or_says_what_runs_it(path):
    for info, body, before in blocks(path):
        words = info.split()
        if not words or words[0] not in SHELL:
            continue
        assert words in (["sh", "runnable"], ["sh", "not-run"]), f"{path.name}: ```{info}"
        if words[1] == "not-run":
            assert NOT_RUN_NOTE.search(before), f"{path.name}: no note before:\n{body}"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_relative_links_lead_to_files_that_exist(path):
    for match in LINK.finditer(path.read_text()):
        target = (path.parent / match["target"]).resolve()
        assert target.exists(), f"{path.name}: {match['target']}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A copy of the checkout's tracked files, with the project's .venv and a new .env."""
    copy = tmp_path_factory.mktemp("docs") / "checkout"
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (copy / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name.decode())
    (copy / ".venv").symlink_to(ROOT / ".venv")
    (copy / ".env").write_text(f"SECRET_KEY={secrets.token_hex(32)}\n")
    return copy


RUNNABLE = [
    pytest.param(path, n, body, id=f"{path.name}-{n}")
    for path in DOCS
    for n, (info, body, _) in enumerate(blocks(path))
    if info.split() == ["sh", "runnable"]
]


@pytest.mark.parametrize(("path", "n", "body"), RUNNABLE)
def test_runnable_shell_blocks_run(scratch, path, n, body):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "DATABASE_"))}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", body],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{path.name} block {n}:\n{body}\n{result.stderr}"
