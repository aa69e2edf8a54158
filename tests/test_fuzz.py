"""Property-based tests: thousands of generated requests, hostile text and headers included."""

import unicodedata

import pytest
from helpers import TEST_CONFIG, count_rows, csrf_token, parse, ready_app, submission_id
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run, so CI is repeatable
)

# All of Unicode (but lone surrogates, which UTF-8 cannot carry), control characters included.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=600)
VALID_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc"]), min_size=1, max_size=500
)
HEADER_VALUE = st.one_of(
    st.sampled_from(["true", "false", "full", "partial", "TRUE", "", "1", "body#main"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
)
HX_HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "HX-Request",
            "HX-Boosted",
            "HX-History-Restore-Request",
            "HX-Request-Type",
            "HX-Target",
            "HX-Source",
            "HX-Current-URL",
            "HX-Trigger",
        ]
    ),
    HEADER_VALUE,
)
MARKER = "<zq-fuzz"  # never in a template: seeing it raw means an echo went unescaped
HOSTILE = st.builds(
    lambda before, after: f"{before}{MARKER} x=\"'{after}'\" onload=alert(1)>&amp;",
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=30),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=30),
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    return ready_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{db}"})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def token(client):
    return csrf_token(client.get("/submit").text)


def is_valid(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= 500 and not any(unicodedata.category(c) == "Cc" for c in text)


def result_url(response) -> str:
    return response.headers.get("Location") or response.headers["HX-Push-Url"]


@SETTINGS
@given(
    text=st.one_of(ANY_TEXT, VALID_TEXT),
    csrf=st.sampled_from(["valid", "missing", "wrong"]),
    headers=HX_HEADERS,
)
def test_submitting_anything(app, client, token, text, csrf, headers):
    store = app.extensions["store"]
    before = count_rows(store)
    data = {"user_input": text}
    if csrf != "missing":
        data["csrf_token"] = token if csrf == "valid" else token[::-1]

    response = client.post("/submit", data=data, headers=headers)

    assert response.status_code < 500
    stored = count_rows(store) - before
    event(f"status {response.status_code}")  # --hypothesis-show-statistics shows the mix
    if csrf == "valid" and is_valid(text):
        assert stored == 1
        assert response.status_code in (200, 303)
        page = parse(client.get(result_url(response)))
        assert page.select_one("#result .entered").get_text() == text.strip()
    else:
        assert stored == 0
        assert response.status_code in (400, 422)


@SETTINGS
@given(payload=HOSTILE, headers=HX_HEADERS)
def test_hostile_text_is_never_echoed_raw(client, token, payload, headers):
    response = client.post("/submit", data={"user_input": payload, "csrf_token": token})
    responses = [response, client.get("/", headers=headers), client.get("/submissions")]
    if response.status_code == 303:
        responses.append(client.get(response.headers["Location"], headers=headers))
    responses.append(client.get("/submissions", query_string={"q": payload}, headers=headers))
    responses.append(
        client.get("/submit/validate", query_string={"user_input": payload}, headers=headers)
    )
    for each in responses:
        assert each.status_code < 500
        assert MARKER not in each.get_data(as_text=True)


@SETTINGS
@given(
    path=st.sampled_from(["/", "/submit", "/submissions", "/submit/validate?user_input=x"]),
    headers=HX_HEADERS,
)
def test_any_htmx_headers_get_a_page_or_a_fragment(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    fragment = (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Request-Type") != "full"
    )
    assert (parse(response).find("html") is None) == fragment
    assert "HX-Request" in response.headers["Vary"]


@SETTINGS
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]),
    path=st.text(st.characters(codec="utf-8", exclude_characters="?#"), max_size=80),
    headers=HX_HEADERS,
)
def test_any_path_and_method_is_answered_without_a_server_error(client, method, path, headers):
    # A leading "//" would make the test client read a host name out of the path.
    response = client.open("/" + path.lstrip("/"), method=method, headers=headers)
    assert response.status_code < 500


@SETTINGS
@given(q=ANY_TEXT, cursor=st.one_of(st.none(), ANY_TEXT, st.from_regex(r"\d{1,20}\.[\w-]{1,30}")))
def test_any_search_or_cursor_is_answered_without_a_server_error(client, q, cursor):
    query = {"q": q} | ({"cursor": cursor} if cursor is not None else {})
    response = client.get("/submissions", query_string=query)
    assert response.status_code in (200, 400, 414)


@pytest.fixture(scope="module")
def owner_ids(app, client, token):
    """Another visitor's submissions, made through the app (and one of the intruder's own)."""
    client.post("/submit", data={"user_input": "the intruder's own", "csrf_token": token})
    owner = app.test_client()
    owner_token = csrf_token(owner.get("/submit").text)
    return [
        submission_id(
            owner.post(
                "/submit", data={"user_input": f"owner secret {n}", "csrf_token": owner_token}
            )
        )
        for n in range(25)
    ]


CRAFTED = st.sampled_from(["", "'", "' OR '1'='1", "%", "_", "*", "..", "%00", "0", "-1"])


@SETTINGS
@given(data=st.data())
def test_no_crafted_id_or_cursor_reaches_another_visitors_submission(
    app, client, token, owner_ids, data
):
    target = data.draw(st.sampled_from(owner_ids))
    crafted = data.draw(
        st.one_of(
            st.just(target),
            st.builds(str.upper, st.just(target)),
            st.builds(lambda a, b: a + b, st.just(target), CRAFTED),
            st.builds(lambda a, b: a + b, CRAFTED, st.just(target)),
        )
    )
    cursor = data.draw(st.from_regex(r"\d{1,17}", fullmatch=True)) + "." + target
    store = app.extensions["store"]
    before = count_rows(store)
    responses = [
        client.get(f"/submissions/{crafted}"),
        client.get(f"/submissions/{crafted}/delete"),
        client.post(f"/submissions/{crafted}/delete", data={"csrf_token": token}),
        client.get("/submissions", query_string={"cursor": cursor}),
        client.get("/submissions", query_string={"q": "owner secret"}),
    ]
    for response in responses:
        assert response.status_code in (200, 400, 404, 405)
        doc = parse(response)
        links = " ".join(a["href"] for a in doc.find_all("a", href=True))
        assert not any(owner_id in links for owner_id in owner_ids)
        shown = [tag.get_text() for tag in doc.select(".entered, li[id^=row-] a, #recent li a")]
        assert not [text for text in shown if text.startswith("owner secret")]
    assert count_rows(store) == before
