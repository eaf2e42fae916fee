"""A customer opens a survey link on a phone, answers, sees the thanks; the link then refuses a second
answer, and the Satisfaction page's "Survey links" tab counts the answer (issue 20)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm_core.satisfaction import links
from crm_core.satisfaction.entry import create_wave
from crm_core.store import Store
from crm_core.users import Actor
from tests.browser_harness import ARTIFACTS, EXCEPTION, browser_page, streamlit_server, wait_until_idle

MANAGER = Actor("boss", "manager")


def _small_store(path) -> str:
    """Three customers, one wave without SERVQUAL, two SMS links; returns the first link's token."""
    db = Store(path)
    with db.transaction() as cur:
        cur.execute("INSERT INTO customers (customer_id, code, name, region, sales_rep) VALUES "
                    "(1, 'K001', '甲公司', '华东', '王芳'), (2, 'K002', '乙公司', '华北', '王芳'), "
                    "(3, 'K003', '丙公司', '华南', '李强')")
    wave = create_wave(db, MANAGER, "冬季回访", date(2026, 12, 1), asks_servqual=False)
    now = datetime.now(ZoneInfo(db.timezone)).replace(microsecond=0)
    first, _ = links.generate_links(db, MANAGER, wave, [1, 2], "sms", now)
    (expires,) = db.query_one("SELECT expires_at FROM survey_invitations WHERE invitation_id = ?", [first])
    token = links.make_token(links.signing_secret(db), first, expires)
    db.close()
    return token


def test_answer_a_link_on_a_phone_then_see_it_counted(tmp_path):
    path = tmp_path / "crm.duckdb"
    token = _small_store(path)
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(path) as url, browser_page("zh-CN", 390, 844) as page:
        opened = page.goto(f"{url}/survey/{token}")
        assert opened.status == 200 and page.locator("h1").inner_text() == "客户满意度调查"
        assert page.locator('input[name="perc_empathy"]').count() == 0  # the wave asks no SERVQUAL
        page.get_by_text("一般满意", exact=True).click()
        page.locator('#q-recommend label', has_text="9").first.click()
        page.fill("textarea[name=comment]", "送货很快")
        page.screenshot(path=str(ARTIFACTS / "survey_link_phone_form.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_role("button", name="提交答卷").click()
        assert page.locator("h1").inner_text() == "感谢您的回答！"

        again = page.goto(f"{url}/survey/{token}")
        assert again.status == 410 and page.locator("h1").inner_text() == "已经回答过了"

        page.goto(f"{url}/satisfaction?sat_tab=调查链接")
        wait_until_idle(page)
        assert page.locator(EXCEPTION).count() == 0
        metrics = page.locator('[data-testid="stMetric"]')
        texts = [[part for part in metrics.nth(i).inner_text().split("\n") if part] for i in range(metrics.count())]
        assert ["已邀请", "2"] in texts and ["已回答", "1"] in texts and ["回复率", "50.0%"] in texts, texts
        page.screenshot(path=str(ARTIFACTS / "survey_link_tab_phone.png"), full_page=True)
    db = Store(path)
    try:  # what the customer chose, attributed to the invitation's customer, wave and channel
        assert db.query_one("SELECT customer_id, channel, region, satisfaction, recommend, comment "
                            "FROM survey_responses") == (1, "sms", "华东", 4, 9, "送货很快")
    finally:
        db.close()
