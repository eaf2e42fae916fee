"""``python -m crm_core team up`` / ``down`` (issue 19): a real PostgreSQL, two app processes and
Debian's nginx on this machine, then everything stopped again."""
from __future__ import annotations

import json
import os
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from crm_core.team import local_team
from crm_core.team.local_postgres import free_port
from tests.browser_harness import EXCEPTION, browser_page, wait_until_idle


def answered_by(url: str, cookie: str | None = None) -> tuple[str, str]:
    """(the app process that answered, the kehu_node cookie nginx set)."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": f"kehu_node={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        cookies = [value for name, value in answer.headers.items() if name.lower() == "set-cookie"]
        node = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("kehu_node="))
        return answer.headers["X-Kehu-Process"], node


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    directory = tmp_path_factory.mktemp("team")
    url = local_team.up(directory, port=free_port(), customers=300)
    yield url, directory
    local_team.down(directory)


def test_nginx_spreads_new_browsers_over_both_processes_and_keeps_each_on_its_own(team):
    url, directory = team
    apps = json.loads((directory / local_team.STATE_FILE).read_text())["apps"]
    processes = {f"127.0.0.1:{app['port']}" for app in apps}
    first_answers = [answered_by(url) for _ in range(24)]
    assert {process for process, _ in first_answers} == processes  # 24 new browsers: both get some
    for process, cookie in first_answers[:6]:  # a browser's later requests go where its first went
        assert {answered_by(url, cookie)[0] for _ in range(4)} == {process}


def test_a_big_file_passes_nginx_whole_from_a_private_directory(team):
    """The biggest script bundle (Plotly's, ~4 MB) through nginx equals the app's own: nginx streams it
    rather than spilling it to a temporary file its workers (www-data) could not open under the
    team's private directory (pytest's are 0700), which cut it off and broke every chart."""
    import streamlit

    url, directory = team
    assert (directory.stat().st_mode & 0o077) == 0  # the case: nobody but the owner may enter
    bundle = max((Path(streamlit.__path__[0]) / "static" / "static" / "js").glob("*.js"), key=lambda f: f.stat().st_size)
    assert bundle.stat().st_size > 1_000_000
    with urllib.request.urlopen(f"{url}/static/js/{bundle.name}", timeout=60) as answer:
        time.sleep(2)  # a browser busy elsewhere: the app sends faster than it reads
        assert answer.read() == bundle.read_bytes()


def test_the_overview_renders_through_nginx_from_the_shared_database(team):
    url, _ = team
    with browser_page("zh-CN", 1280, 720) as page:
        page.goto(url)
        wait_until_idle(page, 180_000)
        assert page.locator(EXCEPTION).count() == 0
        assert "300" in page.locator('[data-testid="stMetricValue"]').first.inner_text()  # the demo's customers


def test_down_stops_nginx_the_app_processes_and_postgresql(tmp_path):
    port = free_port()
    url = local_team.up(tmp_path, port=port, customers=50)
    state = json.loads((tmp_path / local_team.STATE_FILE).read_text())
    assert answered_by(url)[0]
    assert local_team.down(tmp_path) is True
    for app in state["apps"]:
        with pytest.raises(ProcessLookupError):
            os.kill(app["pid"], 0)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=5)
    with pytest.raises(psycopg.OperationalError):  # PostgreSQL is stopped too
        psycopg.connect(state["database_url"], connect_timeout=5)
    assert not (tmp_path / local_team.STATE_FILE).exists()
    assert local_team.down(tmp_path) is False  # nothing up any more
