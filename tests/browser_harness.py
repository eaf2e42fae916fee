"""Drive a real ``streamlit run`` in Debian's headless Chromium (selectors kept in one place).

Chromium comes from Debian (``/usr/bin/chromium``); Playwright is only the driver — it cannot
download browsers here. Screenshots are kept under ``test-artifacts/`` for people to look at.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EXCEPTION = '[data-testid="stException"]'
ERROR_ALERT = '[data-testid="stAlertContentError"]'  # st.error
SCRIPT_IDLE = '[data-test-script-state="notRunning"]'
MAIN_ELEMENT = '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]'
LOADING_ELEMENT = '[data-testid="stSkeleton"]'


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}: {process.stdout.read()[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy at {url} within {timeout} s")


@contextlib.contextmanager
def streamlit_server(db_path: Path, extra_env: dict | None = None, timeout: float = 120):
    """A ``streamlit run Home.py`` on a free loopback port; yields its base URL; always stopped."""
    port = free_port()
    env = {**os.environ, "CRM_DB": str(db_path), **(extra_env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, timeout)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def browser_page(locale: str = "zh-CN", width: int = 1400, height: int = 1000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()

QUIET_MS, QUIET_LIMIT_MS = 400, 5_000
# Resolves once the document has gone ``quiet`` ms without a change (or after ``limit`` ms in all).
DOM_QUIET = """([quiet, limit]) => new Promise(resolve => {
    let timer = setTimeout(done, quiet);
    const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
    const cap = setTimeout(done, limit);
    function done() { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(); }
    observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})"""


def wait_until_idle(page, timeout_ms: int = 60_000) -> float:
    """Wait for the script run to finish; returns the seconds it took to settle."""
    started = time.monotonic()
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # Idle *and* something drawn: before the first run starts (a slow websocket on a loaded machine)
    # the app already reads "notRunning" over an empty page.
    page.wait_for_function(f"""() => document.querySelector('{SCRIPT_IDLE}') !== null &&
        document.querySelector('{MAIN_ELEMENT}') !== null""", timeout=timeout_ms)
    # An element whose code is loaded on demand shows a grey skeleton until its chunk arrives; on a
    # loaded machine that took longer than the quiet window below (cards measured mid-load, CI).
    page.wait_for_function(f"() => document.querySelector('{LOADING_ELEMENT}') === null", timeout=timeout_ms)
    # The browser can still be drawing the last deltas after the run ends (measured: a tab's metrics
    # appeared 0.35-0.53 s after "notRunning"), so wait until the page has stopped changing.
    page.evaluate(DOM_QUIET, [QUIET_MS, QUIET_LIMIT_MS])
    page.wait_for_selector(SCRIPT_IDLE, timeout=timeout_ms, state="attached")
    return time.monotonic() - started


def open_and_check(page, url: str, shot_name: str) -> float:
    """Open ``url``, wait for the app to settle, screenshot it, and fail on any Streamlit exception."""
    page.goto(url)
    settle = wait_until_idle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot_name}.png"), full_page=True)
    exceptions = page.locator(EXCEPTION)
    if exceptions.count():
        raise AssertionError(f"{url}: {exceptions.first.inner_text()[:2000]}")
    return settle
