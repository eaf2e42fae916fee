"""Team mode under load (issue 19): two app processes behind nginx, browser sessions reading,
editing and importing at once, then every successful write checked in PostgreSQL and in both
processes. Not part of ``python -m bench`` (it starts its own team).

    python -m bench.team_load [--sessions 10] [--seconds 60] [--customers 2000] [--dir DIR]

What it does:

1. ``python -m crm_core team up`` in a throwaway directory (``crm_core.team.local_team``): a local
   PostgreSQL with the demo, two ``streamlit run`` processes, nginx in front.
2. ``--sessions`` browser sessions per process, each a browser context of one headless Chromium
   (Debian's), its ``kehu_node`` cookie chosen so that nginx sends it to that process. Half speak
   Chinese, half English. Each opens the app first; then, for ``--seconds``, each repeats, at
   random (seeded; the first action by the session's number, so each kind happens):
   - read: open one of the pages, through the sidebar as a person does (the same Streamlit session);
   - edit: open one of its own two customers by its address (?code=), Edit, give it a new name, Save;
   - import: upload a CSV of 5 new customers (68 KB: long notes) on the Data page, Check, Import.
   Every page shown is searched for exceptions and error messages: each one is an error (with a
   screenshot in the team's directory). Before the run each process draws every page once.
3. Then: every confirmed edit's name and every confirmed import's customers are looked up in
   PostgreSQL (a missing one is a lost update), and, 5 s after the last write, opened through each
   app process directly (a customer shown with an older name is not visible).
4. The app processes' CPU seconds during the run: on one machine the browsers take most of the
   cores, so the actions' times say more about Chromium than about the server.
5. The refresh lag: each process logs, for every refresh that copied something, how long the oldest
   change it copied waited (crm_core.team.store, INFO); p50/p95/max of those lines.

Writes a JSON to bench/results/team_load-<time>.json and prints a summary.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import statistics
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from bench.common import RESULTS_DIR
from bench.server import peak_rss_mib
from crm_core.i18n import t
from crm_core.team import local_team
from crm_core.team.local_postgres import free_port
from tests.browser_harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DOM_QUIET,
    ERROR_ALERT,
    EXCEPTION,
    LOADING_ELEMENT,
    MAIN_ELEMENT,
    QUIET_LIMIT_MS,
    QUIET_MS,
    SCRIPT_IDLE,
)

# page (its URL path) → the catalog key of its title
READ_PAGES = {"overview": "page.overview", "customers": "page.customers", "segmentation": "seg.page_title",
              "promises": "promises.page.title", "satisfaction": "page.satisfaction", "churn": "churn.page_title",
              "care": "page.care", "data": "page.data"}
ACTIONS, WEIGHTS = ("read", "edit", "import"), (50, 35, 15)
IMPORT_ROWS = 5
VISIBLE_WITHIN_S = 5  # the bound from a write in one process to its view in every other
TIMEOUT_MS = 180_000  # one step of one action on a loaded 2-core machine
LAG_LINE = re.compile(r"the oldest change copied waited ([0-9.]+) s")
# the Data page's result line (locales/ingest.py "ingest.imported") for IMPORT_ROWS new rows
IMPORTED = {"zh": re.compile(rf"第 \d+ 号导入：读取 {IMPORT_ROWS} 行，新增 {IMPORT_ROWS} 行"),
            "en": re.compile(rf"Import #\d+: {IMPORT_ROWS} rows read, {IMPORT_ROWS} created")}


@dataclass
class Tally:
    """What the sessions did and saw."""

    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[dict] = field(default_factory=list)
    # per customer code, the names saved in order: (name, confirmed); unconfirmed = timed out
    edits: dict[str, list[tuple[str, bool]]] = field(default_factory=lambda: defaultdict(list))
    imports: list[list[str]] = field(default_factory=list)  # codes of each confirmed import
    last_write: float = 0.0


# -- the browser side ----------------------------------------------------------------------------
async def settle(page) -> None:
    """tests.browser_harness.wait_until_idle, for Playwright's async API."""
    await page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    await page.wait_for_function(f"""() => document.querySelector('{SCRIPT_IDLE}') !== null &&
        document.querySelector('{MAIN_ELEMENT}') !== null""", timeout=TIMEOUT_MS)
    await page.wait_for_function(f"() => document.querySelector('{LOADING_ELEMENT}') === null", timeout=TIMEOUT_MS)
    await page.evaluate(DOM_QUIET, [QUIET_MS, QUIET_LIMIT_MS])
    await page.wait_for_selector(SCRIPT_IDLE, timeout=TIMEOUT_MS, state="attached")


async def shown_errors(page) -> list[str]:
    return [text[:300] for text in await page.locator(f"{EXCEPTION}, {ERROR_ALERT}").all_inner_texts()]


def page_url(base: str, name: str, **params: str) -> str:
    path = "" if name == "overview" else name
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base}/{path}" + (f"?{query}" if query else "")


@dataclass
class Session:
    number: int
    base: str
    lang: str
    own_codes: list[str]
    page: object
    tally: Tally
    rng: random.Random
    uploads: Path
    done: int = 0

    def marker(self) -> str:
        self.done += 1
        return f"负载{self.number:02d}-{self.done:03d}"

    async def open(self, name: str) -> None:
        """Go to a page as a person does: through the sidebar (the same Streamlit session), or by
        loading its address when the app is not open yet; then wait for its title and the run's end."""
        link = self.page.locator(f'[data-testid="stSidebarNavLink"][href="{page_url(self.base, name)}"]')
        if await link.count():
            await link.click()
        else:
            await self.page.goto(page_url(self.base, name), wait_until="commit")
        title = re.compile(rf"^\s*{re.escape(t(READ_PAGES[name], self.lang))}\s*$")  # not the page before's
        await self.page.locator("h1").filter(has_text=title).first.wait_for()
        await settle(self.page)

    async def read(self) -> None:
        await self.open(self.rng.choice(list(READ_PAGES)))

    async def edit(self) -> None:
        code = self.rng.choice(self.own_codes)
        await self.page.goto(page_url(self.base, "customer_360", code=code), wait_until="commit")  # a link
        await self.page.locator("h2", has_text=f" · {code}").wait_for()
        await settle(self.page)
        await self.page.get_by_role("button", name=t("ui.edit_customer", self.lang)).click()
        name_box = self.page.get_by_label(t("field.name", self.lang), exact=True)
        await name_box.wait_for()
        await settle(self.page)
        name = f"客户{self.marker()}"
        await name_box.fill(name)
        await name_box.press("Tab")  # the value goes to the server before the click
        await settle(self.page)
        self.tally.edits[code].append((name, False))
        await self.page.get_by_role("button", name=t("ui.save", self.lang)).click()
        saved = self.page.locator("h2", has_text=f"{name} · {code}")  # the customer page after the save
        await saved.or_(self.page.locator(f"{EXCEPTION}, {ERROR_ALERT}")).first.wait_for()
        if await saved.count():
            self.tally.edits[code][-1] = (name, True)
            self.tally.last_write = time.monotonic()

    async def import_customers(self) -> None:
        marker = self.marker()
        codes = [f"LD{marker[2:].replace('-', '')}{k}" for k in range(IMPORT_ROWS)]
        path = self.uploads / f"import-{marker}.csv"
        notes = "长备注" * 1500  # 4,500 characters a row: the file is over nginx's 16 KB in-memory body
        path.write_text("客户编号,客户名称,备注\n" + "".join(f"{c},导入客户{c},{notes}\n" for c in codes),
                        encoding="utf-8")
        await self.open("data")
        await self.page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        check = self.page.get_by_role("button", name=t("data.validate", self.lang))
        await check.wait_for()
        await settle(self.page)
        await check.click()
        commit = self.page.get_by_role("button", name=t("data.commit", self.lang))
        await commit.or_(self.page.locator(f"{EXCEPTION}, {ERROR_ALERT}")).first.wait_for()
        await settle(self.page)
        if not await commit.count():
            return
        await commit.click()
        done = self.page.get_by_text(IMPORTED[self.lang])
        await done.or_(self.page.locator(f"{EXCEPTION}, {ERROR_ALERT}")).first.wait_for()
        if await done.count():
            self.tally.imports.append(codes)
            self.tally.last_write = time.monotonic()

    async def start(self) -> None:
        """Open the app (its overview): a session the run then uses, as a person keeps a tab open."""
        await self.act("start", lambda: self.open("overview"))

    async def act(self, action: str, step) -> None:
        """Do ``step``; every exception or error message it leaves on the page, or its failing to
        finish, is an error shown (with a screenshot)."""
        started = time.monotonic()
        try:
            await step()
            errors = await shown_errors(self.page)
        except Exception as error:  # a timeout: the session saw nothing happen
            errors = [f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"]
        self.tally.durations[action].append(time.monotonic() - started)
        if errors:
            shot = self.uploads / f"error-{self.number:02d}-{self.done:03d}-{action}.png"
            with contextlib.suppress(Exception):
                await self.page.screenshot(path=str(shot), full_page=True)
        for text in errors:
            self.tally.errors.append({"session": self.number, "action": action, "url": self.page.url, "text": text})

    async def run(self, deadline: float) -> None:
        steps = {"read": self.read, "edit": self.edit, "import": self.import_customers}
        first = True
        while time.monotonic() < deadline:
            # the first action by the session's number, so even a short run does each kind
            action = ACTIONS[self.number % len(ACTIONS)] if first else self.rng.choices(ACTIONS, WEIGHTS)[0]
            first = False
            await self.act(action, steps[action])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (/proc/<pid>/stat): the server's share of
    the run, apart from the browsers' on the same cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def warm_up(browser, ports: list[int]) -> None:
    """Each process draws every page once before the run (a server that has been up a while): the
    run measures sessions, not each process's first import of every page's code."""
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720})
    context.set_default_navigation_timeout(TIMEOUT_MS)
    pages = [await context.new_page() for _ in ports]

    async def every_page(page, port):
        for name in READ_PAGES:
            await page.goto(page_url(f"http://127.0.0.1:{port}", name))
            await settle(page)

    await asyncio.gather(*(every_page(page, port) for page, port in zip(pages, ports)))
    await context.close()


def cookies_per_process(url: str, processes: list[str], per_process: int) -> dict[str, list[str]]:
    """``kehu_node`` values nginx sends to each app process (asked, not computed: nginx's hash)."""
    found: dict[str, list[str]] = {p: [] for p in processes}
    candidate = 0
    while any(len(v) < per_process for v in found.values()):
        cookie = f"load-{candidate}"
        candidate += 1
        request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"kehu_node={cookie}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            process = answer.headers["X-Kehu-Process"]
        if len(found[process]) < per_process:
            found[process].append(cookie)
    return found


# -- after the run: PostgreSQL and both processes ------------------------------------------------
def expected_names(tally: Tally) -> dict[str, set[str]]:
    """Per edited code, the names PostgreSQL may hold: the last confirmed one, or a later unconfirmed
    one (a save that timed out in the browser may still have landed)."""
    allowed = {}
    for code, saves in tally.edits.items():
        confirmed = [i for i, (_, ok) in enumerate(saves) if ok]
        if confirmed:
            allowed[code] = {name for name, _ in saves[confirmed[-1]:]}
    return allowed


def check_postgres(database_url: str, tally: Tally) -> dict:
    allowed = expected_names(tally)
    with psycopg.connect(database_url) as conn:
        names = dict(conn.execute("SELECT code, name FROM customers WHERE code = ANY(%s)", [list(allowed)]).fetchall())
        imported = [c for codes in tally.imports for c in codes]
        (present,) = conn.execute("SELECT count(*) FROM customers WHERE code = ANY(%s)", [imported]).fetchone()
    lost = sorted(code for code, names_ok in allowed.items() if names.get(code) not in names_ok)
    return {"edits_confirmed": sum(ok for saves in tally.edits.values() for _, ok in saves),
            "customers_edited": len(allowed), "edits_lost": lost,
            "imported_rows_confirmed": len(imported), "imported_rows_missing": len(imported) - present}


async def check_processes(browser, ports: list[int], database_url: str, tally: Tally) -> dict:
    """Each app process, opened directly, shows every edited customer with PostgreSQL's name and
    every imported customer (one per import)."""
    with psycopg.connect(database_url) as conn:
        edited = list(expected_names(tally))
        names = dict(conn.execute("SELECT code, name FROM customers WHERE code = ANY(%s)", [edited]).fetchall())
    wanted = [(code, names[code]) for code in edited] + [(codes[0], f"导入客户{codes[0]}") for codes in tally.imports]
    result = {}
    for port in ports:
        context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720})
        pages = [await context.new_page() for _ in range(4)]
        base = f"http://127.0.0.1:{port}"
        shown = await asyncio.gather(*(shows(page, base, wanted[i::4]) for i, page in enumerate(pages)))
        await context.close()
        result[str(port)] = {"looked_up": len(wanted), "not_shown": sorted(c for part in shown for c in part)}
    return result


async def shows(page, base: str, wanted: list[tuple[str, str]]) -> list[str]:
    """The codes of ``wanted`` (code, name) whose customer page does not show that name."""
    missing = []
    for code, name in wanted:
        await page.goto(page_url(base, "customer_360", code=code))
        try:
            await page.locator("h2", has_text=f"{name} · {code}").wait_for(timeout=60_000)
        except Exception:
            missing.append(code)
    return missing


def refresh_lags(directory: Path, offsets: dict[str, int]) -> dict:
    waits = []
    for name, offset in offsets.items():
        with open(directory / name, "rb") as log:
            log.seek(offset)
            waits += [float(m.group(1)) for m in LAG_LINE.finditer(log.read().decode("utf-8", "replace"))]
    if not waits:
        return {"refreshes": 0}
    waits.sort()
    return {"refreshes": len(waits), "p50_s": round(statistics.median(waits), 3),
            "p95_s": round(waits[min(len(waits) - 1, int(0.95 * len(waits)))], 3), "max_s": round(waits[-1], 3)}


# -- the run -------------------------------------------------------------------------------------
async def load(url: str, state: dict, sessions: int, seconds: float, seed: int, uploads: Path) -> dict:
    from playwright.async_api import async_playwright

    ports = [app["port"] for app in state["apps"]]
    cookies = cookies_per_process(url, [f"127.0.0.1:{p}" for p in ports], sessions)
    with psycopg.connect(state["database_url"]) as conn:
        codes = [c for (c,) in conn.execute("SELECT code FROM customers ORDER BY customer_id LIMIT %s",
                                            [2 * sessions * len(ports)]).fetchall()]
    tally = Tally()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        runners = []
        for number, cookie in enumerate(c for process in cookies.values() for c in process):
            lang = "zh" if number % 2 == 0 else "en"
            context = await browser.new_context(locale="zh-CN" if lang == "zh" else "en-US",
                                                viewport={"width": 1280, "height": 720})
            await context.add_cookies([{"name": "kehu_node", "value": cookie, "url": url}])
            context.set_default_timeout(TIMEOUT_MS)
            context.set_default_navigation_timeout(TIMEOUT_MS)
            page = await context.new_page()
            runners.append(Session(number, url, lang, codes[2 * number:2 * number + 2], page, tally,
                                   random.Random(seed + number), uploads))
        await warm_up(browser, ports)
        await asyncio.gather(*(s.start() for s in runners))
        cpu_before = {app["pid"]: cpu_seconds(app["pid"]) for app in state["apps"]}
        started = time.monotonic()
        await asyncio.gather(*(s.run(started + seconds) for s in runners))
        ran_s = time.monotonic() - started
        app_cpu = {f"app-{i + 1}": round(cpu_seconds(pid) - before, 1) for i, (pid, before) in enumerate(cpu_before.items())}
        await asyncio.sleep(max(0.0, tally.last_write + VISIBLE_WITHIN_S - time.monotonic()))
        seen = await check_processes(browser, ports, state["database_url"], tally)
        await browser.close()
    return {"ran_s": round(ran_s, 1), "app_cpu_s": app_cpu, "tally": tally, "processes": seen}


def summary(tally: Tally) -> dict:
    return {action: {"count": len(d), "median_s": round(statistics.median(d), 2),
                     "max_s": round(max(d), 2)} for action, d in tally.durations.items() if d}


def measure(directory: Path, sessions: int = 10, seconds: float = 60, customers: int = 2000,
            seed: int = 20261205) -> dict:
    """Team up in ``directory``, the load, the checks, team down: the result (module docstring)."""
    load_before = os.getloadavg()
    url = local_team.up(directory, port=free_port(), customers=customers)
    try:
        state = json.loads((directory / local_team.STATE_FILE).read_text())
        logs = [f"app-{i + 1}.log" for i in range(len(state["apps"]))]
        offsets = {name: (directory / name).stat().st_size for name in logs}
        outcome = asyncio.run(load(url, state, sessions, seconds, seed, directory))
        tally = outcome.pop("tally")
        return {
            "when": datetime.now().isoformat(timespec="seconds"), "load_average_before": load_before,
            "load_average_after": os.getloadavg(), "sessions": sessions * len(state["apps"]),
            "seconds": seconds, "customers": customers, **outcome, "actions": summary(tally),
            "errors_shown": tally.errors, "postgres": check_postgres(state["database_url"], tally),
            "refresh_lag": refresh_lags(directory, offsets),
            "peak_rss_mib": {f"app-{i + 1}": peak_rss_mib(app["pid"]) for i, app in enumerate(state["apps"])},
        }
    finally:
        local_team.down(directory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help="browser sessions per app process")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--customers", type=int, default=2000, help="demo customers loaded into PostgreSQL")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--dir", help="the team's directory (default: a new temporary one)")
    args = parser.parse_args()
    directory = Path(args.dir or tempfile.mkdtemp(prefix="kehu-load-"))
    result = measure(directory, args.sessions, args.seconds, args.customers, args.seed)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"team_load-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "errors_shown"}, ensure_ascii=False, indent=2))
    print(f"errors shown: {len(result['errors_shown'])}", *[f"  {e}" for e in result["errors_shown"][:20]], sep="\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
