"""Alerts on real components over loopback: an SMTP server (aiosmtpd) receives the mails, an HTTP
server records the group robots' webhook calls and the test recomputes their signatures; the clock
is injected, so one promise walks through warning 1 → warning 2 → breach → escalation."""
from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from crm_core.alerts import config, contacts, outbox
from crm_core.alerts.channels import Message, SendFailed, send
from crm_core.alerts.jobs import next_weekly_report_at, promise_alerts_job, weekly_report_job
from crm_core.audit import audit_entries
from crm_core.promises import actions, ledger
from crm_core.promises import demo as promises_demo
from crm_core.promises.queries import business_calendar
from crm_core.store import Store, close_store, open_store
from crm_core.users import Actor, PermissionDenied

TZ = ZoneInfo("Asia/Shanghai")
ADMIN = Actor("root", "admin")
MANAGER = Actor("boss", "manager")


def at(month, day, hour, minute=0, second=0, year=2026):
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


# -- loopback servers ---------------------------------------------------------------------------------
class _Mailbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, box
    controller.stop()


class _Hooks(BaseHTTPRequestHandler):
    calls: list = []
    answers: list = []  # (status, body) to give, in order; then 200 {"errcode": 0}

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        parts = urllib.parse.urlsplit(self.path)
        self.calls.append({"path": parts.path, "query": urllib.parse.parse_qs(parts.query),
                           "json": json.loads(body)})
        status, answer = self.answers.pop(0) if self.answers else (200, {"errcode": 0, "errmsg": "ok"})
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hooks():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Hooks
    server.shutdown()


@pytest.fixture
def clean(smtp, hooks):
    smtp[1].mails.clear()
    hooks[1].calls.clear()
    hooks[1].answers.clear()
    return smtp[1], hooks[1]


@pytest.fixture
def small(tmp_path):
    db = Store(tmp_path / "crm.duckdb")
    with db.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, customer_type, sales_rep) VALUES "
                    "(1, 'C1', '东方饭店', 'corporate', 'wang')")
        ledger.install_presets(cur)
        ledger.save_policy(cur, promises_demo.DEMO_POLICIES[0], "admin")  # call-back: 4 business hours
    yield db
    db.close()


def _channels(db, smtp, hooks, kinds=("email", "wecom")):
    ids = {}
    if "email" in kinds:
        ids["email"] = config.save_channel(db, ADMIN, "email", "mail", {
            "host": "127.0.0.1", "port": smtp[0].port, "security": "none", "sender": "kehu@example.com"})
    for kind in kinds:
        if kind != "email":
            ids[kind] = config.save_channel(db, ADMIN, kind, f"{kind} robot", {"url": f"{hooks[0]}/{kind}",
                                                                                 "secret": f"SEC-{kind}"})
    return ids


def _people(db):
    contacts.save_contacts(db, ADMIN, [
        contacts.Contact("wang", "wang@example.com", "13800000001", "zhao", "zh"),
        contacts.Contact("zhao", "zhao@example.com", "13900000002", None, "en")])


def _sent(db):
    return db.query_df("SELECT kind, recipient, channel_id, status, attempts FROM alert_outbox ORDER BY alert_id")


# -- the time-travel walk -------------------------------------------------------------------------------
def test_one_promise_walks_warning_breach_escalation_with_one_message_per_step(small, smtp, hooks, clean):
    box, hook = clean
    ids = _channels(small, smtp, hooks)
    _people(small)
    # Monday 1 June 2026 (a working day), 09:00; 4 business hours: warnings at 50 % (11:00) and
    # 80 % (12:12), due 13:00, escalation as long after the due as warning 2 came before it (13:48).
    pid = actions.make_promise(small, MANAGER, 1, "sales_callback", at(6, 1, 9), owner="wang")
    steps = [(at(6, 1, 10, 59), None), (at(6, 1, 11), "warning_1"), (at(6, 1, 11, 30), None),
             (at(6, 1, 12, 12), "warning_2"), (at(6, 1, 13), None), (at(6, 1, 13, 0, 1), "breach"),
             (at(6, 1, 13, 47), None), (at(6, 1, 13, 48), "escalation"), (at(6, 1, 15), None),
             (at(6, 2, 10), None)]
    for now, kind in steps:
        mails, calls = len(box.mails), len(hook.calls)
        counts = promise_alerts_job(small, now)
        expected = 0 if kind is None else 2  # one mail and one robot message per step
        assert counts == {"queued": expected, "sent": expected, "retrying": 0, "failed": 0}, (now, kind)
        assert len(box.mails) - mails == len(hook.calls) - calls == expected // 2
    rows = _sent(small)
    assert rows["kind"].tolist() == ["warning_1"] * 2 + ["warning_2"] * 2 + ["breach"] * 2 + ["escalation"] * 2
    assert rows["recipient"].tolist() == ["wang"] * 6 + ["zhao"] * 2
    assert set(rows["status"]) == {"sent"} and set(rows["attempts"]) == {1}
    # The mails: to the owner in Chinese, the escalation to the manager in English.
    (to1, first), (_, second), (_, third), (to4, fourth) = box.mails
    assert to1 == ["wang@example.com"] and first["Subject"] == "【客户】承诺即将到期：东方饭店"
    assert "2026年06月01日 13:00" in first.get_body(("plain",)).get_content()
    assert f"承诺 #{pid}" in first.get_body(("plain",)).get_content()
    assert second["Subject"] == "【客户】承诺即将超时：东方饭店" and third["Subject"] == "【客户】承诺已超时：东方饭店"
    assert to4 == ["zhao@example.com"]
    assert fourth["Subject"] == "[Kehu] Escalation: wang's promise to 东方饭店 is overdue"
    assert "was due 2026-06-01 13:00 and is still open" in fourth.get_body(("plain",)).get_content()
    assert fourth.get_body(("html",)) is not None
    # The robot: the owner @-mentioned by mobile, the manager for the escalation.
    mentioned = [c["json"]["text"]["mentioned_mobile_list"] for c in hook.calls]
    assert mentioned == [["13800000001"]] * 3 + [["13900000002"]]
    assert all(c["path"] == "/wecom" for c in hook.calls)
    assert hook.calls[0]["json"]["text"]["content"].startswith("【客户】承诺即将到期：东方饭店\n致 wang：\n东方饭店——")
    assert hook.calls[3]["json"]["text"]["content"].startswith("[Kehu] Escalation: wang's promise to 东方饭店 is "
                                                               "overdue\nFor zhao:\nwang's promise")
    assert ids["wecom"] in rows["channel_id"].tolist()


def test_a_fulfilled_promise_is_not_alerted_and_a_restart_sends_nothing_twice(small, smtp, hooks, clean, tmp_path):
    box, _ = clean
    _channels(small, smtp, hooks, kinds=("email",))
    _people(small)
    kept = actions.make_promise(small, MANAGER, 1, "sales_callback", at(6, 1, 9), owner="wang")
    actions.make_promise(small, MANAGER, 1, "sales_callback", at(6, 1, 9), owner="wang")
    actions.record(small, MANAGER, kept, "fulfilled", at(6, 1, 10))
    assert promise_alerts_job(small, at(6, 1, 11))["queued"] == 1  # only the open one
    path = small.path
    small.close()
    reopened = Store(path)
    try:
        assert promise_alerts_job(reopened, at(6, 1, 11, 1)) == {"queued": 0, "sent": 0, "retrying": 0, "failed": 0}
    finally:
        reopened.close()
    assert len(box.mails) == 1


def test_complaint_goes_to_owner_and_manager_and_compensation_to_owner(small, smtp, hooks, clean):
    box, _ = clean
    _channels(small, smtp, hooks, kinds=("email",))
    _people(small)
    actions.log_complaint(small, MANAGER, 1, at(6, 1, 10), "hotline", "汤是凉的<b>!", owner="wang")
    counts = promise_alerts_job(small, at(6, 1, 10, 1))
    assert counts["queued"] == counts["sent"] == 2
    by_rcpt = {tuple(rcpt): mail for rcpt, mail in box.mails}
    zh = by_rcpt[("wang@example.com",)].get_body(("plain",)).get_content()
    assert "东方饭店 通过热线电话投诉：“汤是凉的<b>!”" in zh
    assert "“汤是凉的&lt;b&gt;!”" in by_rcpt[("wang@example.com",)].get_body(("html",)).get_content()
    assert "2026年06月01日 22:00" in zh and "2026年06月02日 10:00" in zh  # GM ≤ 12 h, reply ≤ 24 h
    assert by_rcpt[("zhao@example.com",)]["Subject"] == "[Kehu] Complaint from 东方饭店 (green channel)"
    # A 10-minute promise served after 16 minutes (6 late) earns the fruit plate and 20 % off (the ladder).
    late = actions.make_promise(small, MANAGER, 1, "restaurant_first_dish", at(6, 1, 12), owner="wang",
                                bill_amount=500)
    actions.record(small, MANAGER, late, "fulfilled", at(6, 1, 12, 16))
    box.mails.clear()
    counts = promise_alerts_job(small, at(6, 1, 12, 17))
    assert counts["queued"] == 2
    texts = sorted(m.get_body(("plain",)).get_content() for _, m in box.mails)
    owed = "东方饭店 因等候时间（承诺 #3，2026年06月01日 12:10 到期）应获补偿：{}。\n请尽快兑现，并在“时限承诺”页记录已交付。\n"
    assert texts == sorted([owed.format("免费果盘（¥30）"), owed.format("整餐打八折（¥100）")])


# -- the group robots' formats and signatures -------------------------------------------------------------
def test_webhook_json_and_signatures_verified_independently(hooks, clean):
    _, hook = clean
    base, now = hooks[0], at(6, 1, 10)
    message = Message("主题", "正文", address="13800000001", mentions=("13800000001",))
    send("wecom", {"url": f"{base}/cgi-bin/webhook/send?key=K"}, message, now)
    send("dingtalk", {"url": f"{base}/robot/send?access_token=T", "secret": "SECabc"}, message, now)
    send("feishu", {"url": f"{base}/open-apis/bot/v2/hook/H", "secret": "fsecret"}, message, now)
    wecom, ding, feishu = hook.calls
    assert wecom["json"] == {"msgtype": "text", "text": {"content": "主题\n正文",
                                                         "mentioned_mobile_list": ["13800000001"]}}
    assert wecom["query"] == {"key": ["K"]}
    assert ding["json"] == {"msgtype": "text", "text": {"content": "主题\n正文 @13800000001"},
                            "at": {"atMobiles": ["13800000001"]}}
    stamp = ding["query"]["timestamp"][0]
    assert stamp == str(int(now.timestamp() * 1000)) and ding["query"]["access_token"] == ["T"]
    expected = base64.b64encode(hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()).decode()
    assert ding["query"]["sign"] == [expected]  # parse_qs undid the URL encoding
    body = feishu["json"]
    assert body["msg_type"] == "text" and body["content"] == {"text": "主题\n正文"}
    assert body["timestamp"] == str(int(now.timestamp()))
    key = f"{body['timestamp']}\nfsecret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_vendor_refusal_keeps_the_vendors_words(hooks, clean):
    _, hook = clean
    hook.answers.extend([(200, {"errcode": 310000, "errmsg": "sign not match"}), (200, {"code": 19021, "msg": "sign match fail"})])
    with pytest.raises(SendFailed, match="errcode 310000: sign not match"):
        send("dingtalk", {"url": f"{hooks[0]}/d", "secret": "x"}, Message("s", "t"), at(6, 1, 10))
    with pytest.raises(SendFailed, match="code 19021: sign match fail"):
        send("feishu", {"url": f"{hooks[0]}/f", "secret": "x"}, Message("s", "t"), at(6, 1, 10))


# -- retries and quiet hours ---------------------------------------------------------------------------------
def _queue_one(db, channel_id, now, key="k1"):
    return outbox.enqueue(db, [outbox.OutboxRow(key, "warning_1", None, "wang", channel_id, "13800000001", "s", "t", None,
                                                now, now)])


def test_retry_backs_off_one_then_two_minutes_and_sends_on_the_third_attempt(small, smtp, hooks, clean):
    _, hook = clean
    ids = _channels(small, smtp, hooks, kinds=("wecom",))
    t0 = at(6, 1, 10)
    _queue_one(small, ids["wecom"], t0)
    hook.answers.extend([(500, {"errmsg": "busy"}), (500, {"errmsg": "busy"})])
    walk = [(t0, "retrying"), (t0 + timedelta(seconds=59), None), (t0 + timedelta(minutes=1), "retrying"),
            (t0 + timedelta(minutes=2, seconds=59), None), (t0 + timedelta(minutes=3), "sent")]
    for now, outcome in walk:
        counts = outbox.deliver_due(small, now)
        assert counts == {"sent": int(outcome == "sent"), "retrying": int(outcome == "retrying"), "failed": 0}, now
    row = small.query_one("SELECT status, attempts, sent_at, last_error FROM alert_outbox")
    assert row[:3] == ("sent", 3, t0 + timedelta(minutes=3)) and row[3] is None
    assert len(hook.calls) == 3


def test_two_deliveries_at_once_send_a_row_once(small, smtp, hooks, clean):
    _, hook = clean
    ids = _channels(small, smtp, hooks, kinds=("wecom",))
    now = at(6, 1, 10)
    for n in range(6):
        _queue_one(small, ids["wecom"], now, key=f"k{n}")
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: outbox.deliver_due(small, now), range(3)))
    assert sum(r["sent"] for r in results) == 6 and len(hook.calls) == 6


def test_gives_up_after_six_attempts_with_the_last_error_kept(small, smtp, hooks, clean):
    _, hook = clean
    ids = _channels(small, smtp, hooks, kinds=("wecom",))
    now = at(6, 1, 10)
    _queue_one(small, ids["wecom"], now)
    hook.answers.extend([(500, {"errmsg": "down"})] * 6)
    for _ in range(6):
        outbox.deliver_due(small, now)
        now = small.query_one("SELECT next_attempt_at FROM alert_outbox")[0]
    status, attempts, error = small.query_one("SELECT status, attempts, last_error FROM alert_outbox")
    assert (status, attempts) == ("failed", 6) and error.startswith("HTTP 500")
    assert outbox.backoff(5) == timedelta(minutes=16) and outbox.backoff(9) == timedelta(hours=1)


def test_a_retry_falling_after_closing_waits_for_the_next_opening(small, smtp, hooks, clean):
    _, hook = clean
    ids = _channels(small, smtp, hooks, kinds=("wecom",))
    friday = at(6, 5, 17, 59, 30)  # Friday 5 June 2026; Monday 8 June is a working day
    _queue_one(small, ids["wecom"], friday)
    hook.answers.append((500, {"errmsg": "busy"}))
    assert outbox.deliver_due(small, friday)["retrying"] == 1
    assert small.query_one("SELECT next_attempt_at FROM alert_outbox")[0] == at(6, 8, 9)


def test_quiet_hours_follow_holidays_and_make_up_days(small, smtp, hooks, clean):
    box, _ = clean
    _channels(small, smtp, hooks, kinds=("email",))
    _people(small)
    # A 24-hour calendar-clock delivery made Friday 13 Feb 2026 10:00 warns at 22:00 that Friday. The
    # State Council's 2026 notice: Saturday 14 Feb is a make-up working day, 15–23 Feb Spring Festival.
    actions.make_promise(small, MANAGER, 1, "phone_order_delivery", at(2, 13, 10), owner="wang")
    assert promise_alerts_job(small, at(2, 13, 22))["queued"] == 1
    assert small.query_one("SELECT not_before FROM alert_outbox")[0] == at(2, 14, 9)
    assert outbox.deliver_due(small, at(2, 14, 8, 59))["sent"] == 0 and box.mails == []
    assert outbox.deliver_due(small, at(2, 14, 9))["sent"] == 1
    calendar = business_calendar("Asia/Shanghai")
    assert outbox.next_opening(calendar, at(2, 14, 22)) == at(2, 24, 9)  # after the holiday
    assert outbox.next_opening(calendar, at(2, 13, 15)) == at(2, 13, 15)  # open: at once


# -- the weekly report -----------------------------------------------------------------------------------------
def test_weekly_report_once_per_week_as_html_without_the_pdf(small, smtp, hooks, clean):
    box, _ = clean
    _channels(small, smtp, hooks, kinds=("email",))
    assert weekly_report_job(small, at(6, 1, 8, 30), pdf=False) == {"skipped": "no_addresses"}
    config.save_weekly_report_settings(small, ADMIN, ["ceo@example.com", "cfo@example.com"], "en")
    counts = weekly_report_job(small, at(6, 1, 8, 30), pdf=False)
    assert counts["queued"] == counts["sent"] == 2 and counts["pdf"] is False
    assert sorted(r for rcpts, _ in box.mails for r in rcpts) == ["cfo@example.com", "ceo@example.com"][::-1]
    mail = box.mails[0][1]
    assert mail["Subject"] == "[Kehu] Weekly management report 2026-W23"
    assert "attached as an HTML document" in mail.get_body(("plain",)).get_content()
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "kehu-report-2026-06-01-en.html"
    assert "<html" in attachment.get_content() and "Management report" in attachment.get_content()
    assert weekly_report_job(small, at(6, 3, 14), pdf=False) == {"skipped": "sent_this_week"}
    assert len(box.mails) == 2
    assert weekly_report_job(small, at(6, 8, 8, 30), pdf=False)["sent"] == 2  # the next week
    exports = audit_entries(small, ADMIN, action="export")[0]
    assert (exports["actor"] == "alerts").sum() == 4


def test_next_weekly_report_time():
    # Monday 28 Sep 2026 is a working day: 08:30. The next week starts with National Day (1–7 Oct),
    # so its report waits for Thursday 8 Oct's opening.
    assert next_weekly_report_at(at(9, 27, 12)) == at(9, 28, 8, 30)
    assert next_weekly_report_at(at(9, 28, 8, 30)) == at(10, 8, 9)
    assert next_weekly_report_at(at(10, 8, 9)) == at(10, 12, 8, 30)


# -- the admin's settings ---------------------------------------------------------------------------------------
def test_secrets_are_masked_and_never_audited_and_only_admins_configure(small, smtp, hooks):
    channel_id = config.save_channel(small, ADMIN, "dingtalk", "sales group",
                                     {"url": "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123",
                                      "secret": "SECRET456"})
    (saved,) = config.channels(small)
    assert config.masked(saved) == {"url": "oapi.dingtalk.com/••••", "secret": "••••"}
    config.save_channel(small, ADMIN, "dingtalk", "sales group 2", {"url": "", "secret": ""}, channel_id=channel_id)
    assert config.channel(small, channel_id).config["secret"] == "SECRET456"  # left empty: kept
    log = audit_entries(small, ADMIN)[0].to_string()
    assert "alert_channel" in log and "sales group 2" in log
    assert "TOKEN123" not in log and "SECRET456" not in log
    with pytest.raises(PermissionDenied):
        config.save_channel(small, MANAGER, "wecom", "x", {"url": "https://x"})
    with pytest.raises(config.AlertError) as bad:
        contacts.save_contacts(small, ADMIN, [contacts.Contact("wang", "not-an-address")])
    assert bad.value.key == "alerts.err.email"
    _people(small)
    contacts.save_contacts(small, ADMIN, [contacts.Contact("wang", "w2@example.com", "13800000001", "zhao", "zh")])
    assert list(contacts.all_contacts(small)) == ["wang"]
    changes = audit_entries(small, ADMIN)[0].query("entity == 'alert_contact'")
    assert {"wang.email", "person"} <= set(changes["field"])


# -- the Admin page ------------------------------------------------------------------------------------------------
def test_admin_page_shows_channels_masked_contacts_and_recent_alerts(tmp_path, monkeypatch):
    from tests.app_pages import page_app

    path = tmp_path / "page.duckdb"
    db = Store(path)
    config.save_channel(db, ADMIN, "dingtalk", "销售群", {"url": "https://oapi.dingtalk.com/robot/send?access_token=TOK9",
                                                          "secret": "SEC9"})
    _people(db)
    _queue_one(db, 1, at(6, 1, 10))
    with db.transaction() as cur:  # an open promise of li, who is not among the contacts
        cur.execute("INSERT INTO customers (customer_id, code, name, customer_type) VALUES (1, 'C1', '东方饭店', 'corporate')")
        ledger.install_presets(cur)
        ledger.save_policy(cur, promises_demo.DEMO_POLICIES[0], "admin")
    actions.make_promise(db, MANAGER, 1, "sales_callback", at(6, 1, 9), owner="li")
    db.close()
    monkeypatch.setenv("CRM_DB", str(path))
    for lang, title, waiting, nobody in (("zh", "提醒通知", "待发送", "有 1 位承诺负责人尚未登记联系方式，他们的提醒无法送达：li"),
                                         ("en", "Alerts", "Waiting",
                                          "1 person who owns open promises has no contact here, so their alerts reach nobody: li")):
        app = page_app("admin.py", lang, actor=ADMIN)
        assert not app.exception
        assert title in [s.value for s in app.subheader]
        assert nobody in [w.value for w in app.warning]  # (the sidebar's promise signal is a warning too)
        shown = " ".join(str(getattr(e, "value", "")) for e in app.main) + str(app.get("arrow_data_frame"))
        frames = [f.value for f in app.dataframe]
        text = shown + " ".join(f.to_string() for f in frames)
        assert "oapi.dingtalk.com/••••" in text and "TOK9" not in text and "SEC9" not in text
        assert any(waiting in f.to_string() and "wang" in f.to_string() for f in frames)
    # Saving the weekly report's recipients through the form.
    app.text_area[0].set_value("ceo@example.com\ncfo@example.com")
    form_save = [b for b in app.button if b.label == "Save" and "alerts_weekly" in str(b.form_id)]
    form_save[0].click().run()
    assert not app.exception
    assert config.weekly_report_settings(open_store(path))["addresses"] == ["ceo@example.com", "cfo@example.com"]
    close_store(path)


def test_the_test_message_is_sent_at_once_and_a_refusal_is_not_retried(small, smtp, hooks, clean):
    box, hook = clean
    ids = _channels(small, smtp, hooks)
    now = at(6, 1, 22)  # outside business hours: a test the admin asked for goes at once all the same
    assert outbox.send_test_message(small, ADMIN, ids["email"], "it@example.com", "en", now) is None
    ((rcpt, mail),) = box.mails
    assert rcpt == ["it@example.com"] and mail["Subject"] == "[Kehu] Test message"
    hook.answers.append((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    problem = outbox.send_test_message(small, ADMIN, ids["wecom"], "", "zh", now)
    assert problem == "errcode 93000: invalid webhook url"
    assert small.query_one("SELECT status, attempts FROM alert_outbox WHERE channel_id = ?", [ids["wecom"]]) \
        == ("failed", 1)
    with pytest.raises(PermissionDenied):
        outbox.send_test_message(small, MANAGER, ids["email"], "it@example.com", "en", now)


def test_the_scheduler_runs_the_registered_alert_job_once_a_minute(small, smtp, hooks, clean):
    """The alerts capability's job, through the scheduler (as the server's runner calls it): first
    seen at 10:58:30 it is due at 10:59:00; the warning point 11:00 is sent by the 11:00 run, once."""
    from crm_core import scheduler

    box, _ = clean
    _channels(small, smtp, hooks, kinds=("email",))
    _people(small)
    actions.make_promise(small, MANAGER, 1, "sales_callback", at(6, 1, 9), owner="wang")
    job = [j for j in scheduler.registered_jobs() if j.name == "promise_alerts"]
    ran = [len(scheduler.run_due(small, now, "test-runner", jobs=job))
           for now in (at(6, 1, 10, 58, 30), at(6, 1, 10, 59), at(6, 1, 10, 59, 30), at(6, 1, 11), at(6, 1, 11, 0, 40))]
    assert ran == [0, 1, 0, 1, 0]
    assert [message["Subject"] for _, message in box.mails] == ["【客户】承诺即将到期：东方饭店"]
    state = scheduler.job_states(small, ADMIN, job).iloc[0]
    assert state["runs"] == 2 and state["last_result"] == {"queued": 1, "sent": 1, "retrying": 0, "failed": 0}
    assert state["next_run_at"] == at(6, 1, 11, 1)


def test_owners_whose_alerts_would_go_nowhere_are_named(small):
    """wang owns an open promise: with no contacts he is named; on file without a manager he is named
    for the escalation; with zhao as his manager nobody is (zhao owns no promise, so needs none)."""
    actions.make_promise(small, MANAGER, 1, "sales_callback", at(6, 1, 9), owner="wang")
    assert contacts.uncovered_owners(small) == (["wang"], [])
    contacts.save_contacts(small, ADMIN, [contacts.Contact("wang", "wang@example.com", None, None, "zh")])
    assert contacts.uncovered_owners(small) == ([], ["wang"])
    _people(small)
    assert contacts.uncovered_owners(small) == ([], [])
