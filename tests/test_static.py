"""Static files: hashed URLs cached for a year, gzip where it helps, originals kept reachable."""

import gzip
import re

import pytest
from helpers import parse

from app import ROOT
from plumbing.assets import build

HASHED = re.compile(r"/static/(.+)\.[0-9a-f]{12}(\.[a-z]+)")


def linked_assets(client) -> list[str]:
    head = parse(client.get("/")).head
    return [link["href"] for link in head.find_all("link")] + [
        script["src"] for script in head.find_all("script")
    ]


def test_pages_link_every_asset_by_a_content_hashed_url(client):
    urls = linked_assets(client)
    assert len(urls) == 4  # stylesheet, favicon, htmx, app.js
    for url in urls:
        match = HASHED.fullmatch(url)
        assert match, url
        original = ROOT / "static" / (match[1] + match[2])
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
            assert response.get_data() == original.read_bytes()
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("name", ["style.css", "vendor/htmx-4.0.1.min.js", "app.js", "favicon.svg"])
def test_text_assets_come_gzipped_to_browsers_that_accept_it(client, name):
    url = next(url for url in linked_assets(client) if HASHED.fullmatch(url)[1] in name)
    with client.get(url, headers={"Accept-Encoding": "gzip, br"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.vary
        body = gzip.decompress(response.get_data())
    assert body == (ROOT / "static" / name).read_bytes()
    with client.get(url) as plain:
        assert "Content-Encoding" not in plain.headers


def test_a_repeat_visit_revalidates_to_304(client):
    url = linked_assets(client)[1]
    with client.get(url) as first:
        etag = first.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.get_data() == b""


def test_original_names_stay_reachable_with_a_short_lifetime(client):
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
        assert response.headers["Cache-Control"] == "max-age=60, public"


def test_unknown_static_files_are_a_404_page(client):
    response = client.get("/static/nothing-here.css")
    assert response.status_code == 404
    assert parse(response).find("h1") is not None


def test_a_changed_file_gets_a_new_url_and_the_original_name_follows(tmp_path):
    source, target = tmp_path / "static", tmp_path / "built"
    source.mkdir()
    (source / "site.css").write_text("body { color: black; }\n" * 50)
    first = build(source, target)["site.css"]
    assert build(source, target)["site.css"] == first

    (source / "site.css").write_text("body { color: navy; }\n" * 50)
    second = build(source, target)["site.css"]

    assert second != first
    assert (target / first).exists()  # pages still open in a browser keep their files
    assert (target / second).read_text() == (source / "site.css").read_text()
    assert (target / "site.css").read_text() == (source / "site.css").read_text()
    assert (
        gzip.decompress((target / "site.css.gz").read_bytes()) == (target / "site.css").read_bytes()
    )
