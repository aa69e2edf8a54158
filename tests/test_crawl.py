"""Without JavaScript: every link and form, followed as plain HTML, lands on a full page."""

from urllib.parse import urlencode, urljoin, urlsplit

from helpers import count_rows, parse, submit


def is_destructive(form) -> bool:
    return form["action"].endswith("/delete")


def test_no_javascript_crawl_from_home(client, store):
    for n in range(25):  # more than one page of the list
        submit(client, f"seeded {n}")
    pages_to_visit = ["/"]
    seen_pages, seen_forms, checked_assets, delete_forms = set(), set(), set(), []
    downloads = set()

    def visit(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, path
        if response.headers.get("Content-Disposition", "").startswith("attachment"):
            downloads.add(path)  # a file to keep (the log's CSV and JSON), not a page
            return
        doc = parse(response)
        assert doc.find("html") is not None and doc.find("head") is not None, path

        for tag, attr in (("link", "href"), ("script", "src")):
            for asset in doc.find_all(tag, attrs={attr: True}):
                if asset[attr] not in checked_assets:
                    checked_assets.add(asset[attr])
                    with client.get(asset[attr]) as asset_response:
                        assert asset_response.status_code == 200, asset[attr]

        for link in doc.find_all("a", href=True):
            url = urlsplit(urljoin(path, link["href"]))
            assert not url.netloc, f"external link {link['href']} on {path}"
            pages_to_visit.append(url.path + (f"?{url.query}" if url.query else ""))

        for form in doc.find_all("form"):
            method = form.get("method", "get").lower()
            key = (form["action"], method)
            if key in seen_forms:
                continue
            seen_forms.add(key)
            data = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
            for field in form.find_all("input", type=["text", "search"]):
                data[field["name"]] = "seeded 1"
            if method == "get":
                pages_to_visit.append(f"{form['action']}?{urlencode(data)}")
            elif is_destructive(form):
                delete_forms.append((form["action"], data))
            else:
                result = client.post(form["action"], data=data)
                assert result.status_code == 303, form["action"]
                pages_to_visit.append(result.headers["Location"])

    def crawl() -> None:
        while pages_to_visit:
            path = pages_to_visit.pop()
            if path not in seen_pages:
                seen_pages.add(path)
                visit(path)

    crawl()
    # Deleting last keeps every link found so far valid; then crawl what the delete leads to.
    action, data = delete_forms[0]
    result = client.post(action, data=data)
    assert result.status_code == 303
    seen_pages.clear()
    pages_to_visit.append(result.headers["Location"])
    crawl()

    assert {"/", "/submit", "/submissions"} <= seen_pages
    assert any(page.startswith("/submissions?cursor=") for page in seen_pages)
    assert ("/submit", "post") in seen_forms
    assert ("/submissions", "get") in seen_forms
    assert len(delete_forms) >= 25
    # The delete led to the list offering Undo, and the crawl used that form too.
    assert any(action.endswith("/undo") for action, _ in seen_forms)
    assert any(action.endswith("/edit") for action, _ in seen_forms)
    assert downloads == {"/submissions/download.csv", "/submissions/download.json"}
    assert count_rows(store) == 25 + 1
