"""Without JavaScript: every link and form, followed as plain HTML, lands on a full page."""

from urllib.parse import urljoin, urlsplit

from helpers import parse


def test_no_javascript_crawl_from_home(client, store):
    pages_to_visit = ["/"]
    seen_pages, seen_forms, checked_assets = set(), set(), set()

    while pages_to_visit:
        path = pages_to_visit.pop()
        if path in seen_pages:
            continue
        seen_pages.add(path)
        response = client.get(path)
        assert response.status_code == 200, path
        doc = parse(response)
        assert doc.find("html") is not None and doc.find("head") is not None, path

        for tag, attr in (("link", "href"), ("script", "src")):
            for asset in doc.find_all(tag, attrs={attr: True}):
                url = asset[attr]
                if url not in checked_assets:
                    checked_assets.add(url)
                    with client.get(url) as asset_response:
                        assert asset_response.status_code == 200, url

        for link in doc.find_all("a", href=True):
            url = urlsplit(urljoin(path, link["href"]))
            assert not url.netloc, f"external link {link['href']} on {path}"
            pages_to_visit.append(url.path)

        for form in doc.find_all("form"):
            key = (form["action"], form["method"])
            if key in seen_forms:
                continue
            seen_forms.add(key)
            data = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
            for field in form.find_all("input", type="text"):
                data[field["name"]] = "typed without JavaScript"
            assert form["method"] == "post"
            result = client.post(form["action"], data=data)
            assert result.status_code == 303, form["action"]
            pages_to_visit.append(result.headers["Location"])

    assert {"/", "/submit"} <= seen_pages
    assert any(page.startswith("/submissions/") for page in seen_pages)
    assert ("/submit", "post") in seen_forms
    assert store.count() == 1
