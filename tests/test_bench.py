"""The benchmark: its check that the peer shows what the app shows, and smoke tests, a short
`make bench` that must produce every figure, with wrk when installed and with bench/loadgen.py.

No timing is asserted (these machines are noisy); only that each figure exists and the
benchmark's own checks hold: no error responses, no acknowledged submission missing.
"""

import json
import os
import shutil
import subprocess
import sys

import jinja2
import pytest
from bs4 import BeautifulSoup
from helpers import submit

from app import ROOT
from bench.visible import differences
from plumbing.humanize import ago

PEER_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(ROOT / "bench" / "peer" / "templates"), autoescape=True
)
PEER_TEMPLATES.filters["ago"] = ago


@pytest.fixture
def pages(client, store):
    """The app's home page with three submissions, and the visitor's rows as the peer gets
    them from its query."""
    for text in ("first", "second <b>bold</b> & plain", "third"):
        assert submit(client, text).status_code == 303
    with client.session_transaction() as session:
        rows = store.recent(session["visitor_id"])
    return client.get("/").get_data(as_text=True), rows


def peer_page(rows, csrf_token="a-signed-token") -> str:
    """The peer's home page, rendered from its template as the peer does."""
    return PEER_TEMPLATES.get_template("home.html").render(submissions=rows, csrf_token=csrf_token)


def test_the_peer_shows_what_the_app_shows(pages):
    app_page, rows = pages
    assert len(rows) == 3
    assert differences(app_page, peer_page(rows)) == []


def test_the_app_page_may_change_its_markup_and_copy(pages):
    """Classes, ids, order, decoration, headings, links, a message: the data is the same."""
    app_page, rows = pages
    soup = BeautifulSoup(app_page, "html.parser")
    for element in soup.find_all(True):
        for name in ("class", "id", "aria-labelledby"):
            element.attrs.pop(name, None)
    nav = soup.find("nav")
    nav.append(soup.new_tag("a", href="/about", string="About"))
    soup.find("main").insert(0, nav.extract())
    for item in soup.find_all("li"):
        item.append(soup.new_tag("span", attrs={"aria-hidden": "true"}, string="*"))
    soup.find(role="status").append(soup.new_tag("p", string="Saved."))
    for heading in soup.find_all(["h1", "h2"]):
        heading.string = "Reworded"
    soup.find("a", href="/submit").string = "Write something"
    changed = str(soup)
    assert changed != app_page
    assert differences(changed, peer_page(rows)) == []


@pytest.mark.parametrize(
    ("change", "difference"),
    [
        (lambda rows, page: peer_page(rows[:-1]), "submissions"),
        (lambda rows, page: peer_page(rows[::-1]), "submissions"),
        (
            lambda rows, page: peer_page([rows[0]._replace(text="changed"), *rows[1:]]),
            "submissions",
        ),
        (
            lambda rows, page: peer_page([rows[0]._replace(id="another"), *rows[1:]]),
            "submissions",
        ),
        (lambda rows, page: peer_page(rows, csrf_token=""), "CSRF"),
    ],
    ids=[
        "a row missing",
        "rows in another order",
        "a row's text",
        "a row's link",
        "no CSRF token",
    ],
)
def test_a_peer_page_that_shows_something_else_is_refused(pages, change, difference):
    app_page, rows = pages
    found = differences(app_page, change(rows, peer_page(rows)))
    assert len(found) == 1
    assert difference in found[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_args(request):
    if request.param == "sqlite":
        return []
    return ["--database-url", request.getfixturevalue("postgres_server")]


@pytest.mark.slow
def test_a_short_benchmark_produces_every_figure(database_args, tmp_path):
    """With wrk when it is installed, bench/loadgen.py otherwise. CI installs wrk, so that
    its path is tested too."""
    if os.environ.get("CI") == "true" and shutil.which("wrk") is None:
        pytest.fail("No wrk in CI: .ci/run installs it (apt-get install wrk)")
    figures, _ = short_benchmark(tmp_path, database_args)
    assert figures["settings"]["load"] == ("wrk" if shutil.which("wrk") else "python")
    assert figures["database"] == ("PostgreSQL" if database_args else "SQLite")


@pytest.mark.slow
def test_a_short_benchmark_with_the_python_load_generator(tmp_path):
    figures, output = short_benchmark(tmp_path, ["--load", "python"])
    assert figures["settings"]["load"] == "python"
    assert output.startswith("Load from bench/loadgen.py, the Python load generator")


def short_benchmark(tmp_path, args: list[str]) -> tuple[dict, str]:
    """Run bench.py for a few seconds a measurement; check every figure; return them and its
    output."""
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
            *args,
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
    home_rounds = figures["home_rounds"]  # the home pages, measured in alternating rounds
    assert len(home_rounds["app"]) == len(home_rounds["peer"]) == 3  # bench.py's HOME_ROUNDS
    post = figures["post"]
    for measured in [
        *figures["app"].values(),
        *figures["floor"].values(),
        *home_rounds["app"],
        *home_rounds["peer"],
        post,
    ]:
        assert measured["rps"] > 0
        assert measured["cpu_us_per_request"] > 0
        assert 0 < measured["p50_us"] <= measured["p99_us"]
        assert measured["bad_status"] == measured["socket_errors"] == 0
    assert post["acknowledged"] > 0
    assert post["acknowledged_missing"] == 0
    assert post["stored_during_run"] >= post["acknowledged"]
    assert post["integrity_check"] == ("n/a" if "--database-url" in args else "ok")
    assert post["fragment_bytes"] > 0 and post["page_bytes"] > 0
    assert figures["durable_writes_per_second"] > 0
    memory = figures["memory_mib"]
    assert all(memory[key] > 0 for key in ("start", "after_first", "after_second"))
    assert len(figures["targets"]) == 13
    assert "Targets (" in result.stdout
    for line in (
        "CPU us/req",
        "app GET / page",
        "floor GET / page",
        "peer GET / page",
        "durable-write limit",
        "x in CPU per request",
    ):
        assert line in result.stdout
    return figures, result.stdout
