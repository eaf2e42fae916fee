"""Survey links (issue 20): signed, single-use, expiring tokens; answers validated like any input and
stored in survey_responses; reps generate links for their own customers only; response rates by
channel; the public HTTP routes (a real uvicorn server on loopback with the same routes Home.py's st.App serves)."""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette

from crm_core.satisfaction import links
from crm_core.satisfaction.entry import create_wave
from crm_core.users import Actor, PermissionDenied

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
MANAGER = Actor("boss", "manager")
REP = Actor("wang", "rep", rep_codes=("王芳",))
BASE = "https://crm.example.cn"


def _seed(store) -> int:
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, region, sales_rep, phone) VALUES "
                    "(1, 'K001', '甲公司', '华东', '王芳', '13800138000'), (2, 'K002', '乙公司', '华北', '王芳', NULL), "
                    "(3, 'K003', '丙公司', '华南', '李强', NULL), (4, 'K004', '丁公司', '华东', '李强', NULL)")
    return create_wave(store, MANAGER, "2026 冬季回访", date(2026, 12, 1), asks_servqual=False)


def _token(store, invitation_id: int) -> str:
    (expires,) = store.query_one("SELECT expires_at FROM survey_invitations WHERE invitation_id = ?", [invitation_id])
    return links.make_token(links.signing_secret(store), invitation_id, expires)


def test_token_signed_forgery_and_expiry(store):
    wave = _seed(store)
    (first,) = links.generate_links(store, MANAGER, wave, [1], "sms", NOW, days=30)
    token = _token(store, first)
    number, expires, signature = token.split(".")
    assert number == str(first) and int(expires) == int((NOW + timedelta(days=30)).timestamp())
    assert "K001" not in token and "甲" not in token and len(signature) == 22
    assert links.link_state(store, token, NOW).status == "open"
    # Another invitation's number, a later expiry, a changed signature: all forged.
    for forged in (f"{first + 1}.{expires}.{signature}", f"{first}.{int(expires) + 86400}.{signature}",
                   f"{number}.{expires}.{'A' * 22}", token + "x", "", "../../etc"):
        assert links.link_state(store, forged, NOW).status == "invalid", forged
    # A token signed with another secret is refused too.
    assert links.read_token(b"x" * 32, token) is None
    assert links.link_state(store, token, NOW + timedelta(days=30)).status == "expired"
    assert links.link_state(store, token, NOW + timedelta(days=29, hours=23)).status == "open"


def test_single_use_and_validation(store):
    wave = _seed(store)
    (first,) = links.generate_links(store, MANAGER, wave, [1], "wechat", NOW)
    token = _token(store, first)
    with pytest.raises(ValidationError) as bad:
        links.submit_answer(store, token, {"satisfaction": "7", "recommend": "11"}, NOW)
    assert {e["loc"][0] for e in bad.value.errors()} == {"satisfaction", "recommend"}
    with pytest.raises(ValidationError):
        links.submit_answer(store, token, {}, NOW)  # nothing answered
    assert store.query_one("SELECT count(*) FROM survey_responses")[0] == 0
    assert links.link_state(store, token, NOW).status == "open"  # a refused answer does not use the link

    answer = {"satisfaction": "4", "recommend": "9", "repurchase_intent": "yes", "comment": " 送货快 ",
              "customer_code": "K003", "wave_id": "99", "exp_tangibles": "7"}  # not asked: ignored
    response_id = links.submit_answer(store, token, answer, NOW)
    with pytest.raises(links.LinkRefused) as again:
        links.submit_answer(store, token, {"satisfaction": "1"}, NOW + timedelta(minutes=1))
    assert again.value.status == "used"
    assert store.query_one("SELECT count(*) FROM survey_responses")[0] == 1
    assert store.query_one(
        "SELECT response_id, wave_id, customer_id, channel, region, responded_on, satisfaction, recommend, "
        "repurchase_intent, comment, exp_tangibles FROM survey_responses") == \
        (response_id, wave, 1, "wechat", "华东", date(2026, 12, 1), 4, 9, True, "送货快", None)
    assert store.query_one("SELECT response_id, used_at IS NOT NULL FROM survey_invitations")[0] == response_id
    assert links.link_state(store, token, NOW).status == "used"


def test_expired_link_takes_no_answer(store):
    wave = _seed(store)
    (first,) = links.generate_links(store, MANAGER, wave, [2], "email", NOW, days=1)
    with pytest.raises(links.LinkRefused) as late:
        links.submit_answer(store, _token(store, first), {"satisfaction": "5"}, NOW + timedelta(days=2))
    assert late.value.status == "expired"
    # A link whose customer was removed since (an undone import) has nobody to answer for.
    (gone,) = links.generate_links(store, MANAGER, wave, [3], "email", NOW)
    with store.transaction() as cur:
        cur.execute("DELETE FROM customers WHERE customer_id = 3")
    with pytest.raises(links.LinkRefused) as orphan:
        links.submit_answer(store, _token(store, gone), {"satisfaction": "5"}, NOW)
    assert orphan.value.status == "invalid"
    assert store.query_one("SELECT count(*) FROM survey_responses")[0] == 0


def test_no_secret_no_valid_token_and_checking_writes_nothing(store):
    assert links.link_state(store, "1.1798682400.AAAAAAAAAAAAAAAAAAAAAA", NOW).status == "invalid"
    assert store.query_one("SELECT count(*) FROM survey_link_secret")[0] == 0
    assert len(links.signing_secret(store)) == 32 and links.signing_secret(store) == links.signing_secret(store)


def test_rep_generates_for_own_customers_only(store):
    wave = _seed(store)
    with pytest.raises(PermissionDenied):
        links.generate_links(store, REP, wave, [1, 3], "sms", NOW)  # K003 is 李强's
    assert store.query_one("SELECT count(*) FROM survey_invitations")[0] == 0
    with pytest.raises(PermissionDenied):
        links.generate_links(store, Actor("v", "viewer"), wave, [1], "sms", NOW)
    assert links.candidate_customers(store, MANAGER, wave, NOW, reps=["李强"])[0]["code"].tolist() == ["K003", "K004"]
    assert links.candidate_customers(store, MANAGER, wave, NOW, regions=["华东"])[0]["code"].tolist() == ["K001", "K004"]
    assert links.candidate_customers(store, REP, wave, NOW, reps=["李强"])[1] == 0  # not theirs to choose
    candidates, matching = links.candidate_customers(store, REP, wave, NOW)
    assert candidates["code"].tolist() == ["K001", "K002"] and matching == 2
    assert links.generate_links(store, REP, wave, candidates["customer_id"], "sms", NOW) == [1, 2]
    audit = store.query_one("SELECT actor, entity, new_value FROM audit_log WHERE entity = 'survey_invitations'")
    assert audit[0] == "wang" and audit[2].startswith("2 sms until 2026-12-31")
    # Invited and still open: not offered again; the manager sees only the other rep's two.
    assert links.candidate_customers(store, MANAGER, wave, NOW)[0]["code"].tolist() == ["K003", "K004"]
    shown = links.invitation_links(store, REP, wave, BASE + "/", NOW)
    assert shown["code"].tolist() == ["K002", "K001"]
    assert shown["link"].iloc[1] == f"{BASE}/survey/{_token(store, 1)}"
    assert shown["phone"].iloc[1] == "13800138000" and set(shown["status"]) == {"open"}


def test_response_rates_by_channel(store):
    wave = _seed(store)
    sms = links.generate_links(store, MANAGER, wave, [1, 2, 3], "sms", NOW, days=10)
    (mail,) = links.generate_links(store, MANAGER, wave, [4], "email", NOW, days=2)
    links.submit_answer(store, _token(store, sms[0]), {"satisfaction": "5"}, NOW)
    links.submit_answer(store, _token(store, sms[1]), {"satisfaction": "3"}, NOW)
    rates = links.response_rates(store, MANAGER, NOW + timedelta(days=5)).set_index("channel")
    # sms: 3 invited, 2 answered, 1 still open; e-mail: 1 invited, none answered, expired.
    assert rates.loc["sms", ["invited", "answered", "expired", "still_open"]].tolist() == [3, 2, 0, 1]
    assert rates.loc["email", ["invited", "answered", "expired", "still_open"]].tolist() == [1, 0, 1, 0]
    assert rates.loc["sms", "rate"] == pytest.approx(2 / 3)
    # Wilson 95% for 2 of 3: 0.2077 to 0.9385 (by hand: centre 0.6106, half-width 0.3642).
    assert rates.loc["sms", "rate_low"] == pytest.approx(0.2077, abs=1e-4)
    assert rates.loc["sms", "rate_high"] == pytest.approx(0.9385, abs=1e-4)
    # A rep sees the rates of their own customers' invitations: K001 and K002, both answered.
    mine = links.response_rates(store, REP, NOW + timedelta(days=5))
    assert mine[["channel", "invited", "answered"]].values.tolist() == [["sms", 2, 2]]
    assert mail == 4


# -- the HTTP routes --------------------------------------------------------------------------
@dataclass
class Reply:
    status_code: int
    text: str


class Client:
    """A few HTTP calls to a real server on loopback (starlette's TestClient needs httpx2, not installed)."""

    def __init__(self, base: str):
        self.base = base

    def _send(self, request) -> Reply:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as refused:
            return Reply(refused.code, refused.read().decode())

    def get(self, path: str, headers: dict | None = None) -> Reply:
        return self._send(urllib.request.Request(self.base + path, headers=headers or {}))

    def post(self, path: str, data: dict | None = None, content: bytes | None = None, headers: dict | None = None) -> Reply:
        body = content if content is not None else urlencode(data or {}).encode()
        return self._send(urllib.request.Request(self.base + path, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})}))


@pytest.fixture(scope="module")
def server():
    """The survey routes (the ones Home.py's st.App serves) on a uvicorn server, once per module."""
    from tests.browser_harness import free_port
    from ui import survey_web

    port = free_port()
    web = uvicorn.Server(uvicorn.Config(Starlette(routes=survey_web.ROUTES), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    web.should_exit = True
    thread.join(5)


@pytest.fixture
def client(server, store, monkeypatch):
    from ui import survey_web

    monkeypatch.setattr(survey_web, "_store", lambda: store)
    monkeypatch.setattr(survey_web, "_now", lambda db: NOW)
    return Client(server)


def test_http_form_answer_and_refusals(store, client):
    wave = create_wave(store, MANAGER, "<b>SERVQUAL 波次</b>", date(2026, 12, 1), asks_servqual=True)
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, region) VALUES (1, 'K001', '甲公司', '华东'), "
                    "(2, 'K002', '乙公司', '华北')")
    first, second = links.generate_links(store, MANAGER, wave, [1, 2], "sms", NOW)
    token = _token(store, first)

    page = client.get(f"/survey/{token}", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert page.status_code == 200 and 'name="perc_empathy"' in page.text and "how satisfied are you" in page.text
    assert "&lt;b&gt;SERVQUAL 波次&lt;/b&gt;" in page.text and "<b>SERVQUAL" not in page.text
    assert "甲公司" not in page.text and "K001" not in page.text
    assert "满意" in client.get(f"/survey/{token}?lang=zh").text

    refused = client.post(f"/survey/{token}?lang=en", data={"satisfaction": "5", "recommend": "12"})
    assert refused.status_code == 422 and "Likelihood" in refused.text and 'value="5" checked' in refused.text
    assert store.query_one("SELECT count(*) FROM survey_responses")[0] == 0

    thanks = client.post(f"/survey/{token}?lang=en", data={"satisfaction": "5", "recommend": "10",
                                                           "exp_empathy": "6", "perc_empathy": "4"})
    assert thanks.status_code == 200 and "Thank you" in thanks.text
    assert store.query_one("SELECT satisfaction, recommend, exp_empathy, perc_empathy, customer_id "
                           "FROM survey_responses") == (5, 10, 6, 4, 1)
    for answered in (client.get(f"/survey/{token}?lang=en"), client.post(f"/survey/{token}?lang=en",
                                                                         data={"satisfaction": "1"})):
        assert answered.status_code == 410 and "Already answered" in answered.text
    assert store.query_one("SELECT count(*) FROM survey_responses")[0] == 1

    number, expires, signature = _token(store, second).split(".")
    assert client.get(f"/survey/{number}.{expires}.{signature[::-1]}").status_code == 404
    assert client.post(f"/survey/{token}", content=b"comment=" + b"x" * 40_000).status_code == 413


def test_http_expired_link(store, client, monkeypatch):
    from ui import survey_web

    wave = _seed(store)
    (first,) = links.generate_links(store, MANAGER, wave, [1], "sms", NOW, days=1)
    monkeypatch.setattr(survey_web, "_now", lambda db: NOW + timedelta(days=3))
    gone = client.get(f"/survey/{_token(store, first)}?lang=en")
    assert gone.status_code == 410 and "expired" in gone.text


# -- the Satisfaction page's tab (AppTest) -----------------------------------------------------
def test_tab_generates_a_reps_own_links(tmp_path, monkeypatch):
    from crm_core.i18n import t
    from crm_core.store import Store
    from tests.app_pages import page_app

    path = tmp_path / "crm.duckdb"
    db = Store(path)
    wave = _seed(db)
    db.close()
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.setenv("CRM_PUBLIC_URL", BASE)
    app = page_app("satisfaction.py", "en", actor=REP, sat_tab=t("sat.tab.links", "en"))
    assert not app.exception, [e.value for e in app.exception]
    assert [m.label for m in app.multiselect] == ["Region"]  # a rep chooses no rep: their own customers
    assert any("2 customers match" in c.value for c in app.caption)
    app.button(key="sat_link_go").click().run()
    assert not app.exception and "2 links made" in app.success[0].value
    links_grid = app.dataframe[-1].value
    assert links_grid["Customer code"].tolist() == ["K002", "K001"]
    assert links_grid["Link"].str.startswith(f"{BASE}/survey/").all()
    db = Store(path)
    try:
        assert db.query_one("SELECT count(*), min(customer_id), max(customer_id), any_value(created_by) "
                            "FROM survey_invitations WHERE wave_id = ?", [wave]) == (2, 1, 2, "wang")
    finally:
        db.close()


def test_sign_in_redirect_lets_survey_links_through():
    from starlette.requests import Request

    from ui.web import ROUTES, _is_page_load

    def load(path: str) -> Request:
        return Request({"type": "http", "method": "GET", "path": path, "query_string": b"",
                        "headers": [(b"accept", b"text/html")]})

    assert not _is_page_load(load("/survey/1.1798682400.AAAAAAAAAAAAAAAAAAAAAA"))  # no sign-in for respondents
    assert _is_page_load(load("/satisfaction"))  # the app's pages still go through sign-in
    assert any(getattr(route, "path", "") == "/survey/{token}" for route in ROUTES)
