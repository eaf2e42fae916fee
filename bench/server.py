"""The real server under a real browser: time to settle, bytes sent per page view, peak memory.

Starts ``streamlit run Home.py`` (CRM_DB = the store, loopback port) as a child process, opens
every page of Home.py's navigation in Debian's headless Chromium driven by Playwright (the test
harness's helpers), and records per page view:

- settle_s: from ``page.goto`` until the script run is idle (tests/browser_harness.wait_until_idle);
  the first view of a page is cold (its caches empty), the second (a reload) is warm;
- ws_bytes: bytes the browser received over the app's websocket during that view (the deltas:
  tables, charts, text) — the "sent to the browser per page view" figure; static JS/CSS assets
  are cached by the browser and not counted;
- exceptions shown on the page (their text);
and for the server process (and any children) the peak resident memory, VmHWM from /proc.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import browser_harness as harness

MB = 1_000_000


def _vm_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        try:
            kids = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            kids = []
        found += [int(k) for k in kids]
        stack += [int(k) for k in kids]
    return found


def peak_rss_mib(pid: int) -> float:
    """VmHWM of the process plus that of its children (if any), MiB."""
    return round(sum(_vm_kib(p, "VmHWM") for p in [pid, *_children(pid)]) / 1024, 1)


class Server:
    """``streamlit run Home.py`` on a free loopback port; ``.url``, ``.pid``; stop() always."""

    def __init__(self, db_path: Path, extra_env: dict | None = None, timeout: float = 300):
        self.port = harness.free_port()
        env = {**os.environ, "CRM_DB": str(db_path), **(extra_env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.url = f"http://127.0.0.1:{self.port}"
        self.pid = self.process.pid
        try:
            harness._wait_healthy(self.url, self.process, timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class WebsocketMeter:
    """Counts payload bytes received over every websocket the page opens."""

    def __init__(self, page):
        self.bytes = 0
        self.frames = 0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framereceived", self._count)

    def _count(self, payload) -> None:
        self.frames += 1
        self.bytes += len(payload) if payload is not None else 0

    def reset(self) -> None:
        self.bytes = self.frames = 0


def _view(page, meter: WebsocketMeter, url: str, reload: bool = False) -> dict:
    meter.reset()
    started = time.monotonic()
    if reload:
        page.reload(timeout=300_000)
    else:
        page.goto(url, timeout=300_000)  # a busy shared machine: the settle timeout decides
    harness.wait_until_idle(page, timeout_ms=300_000)
    settle = time.monotonic() - started
    page.wait_for_timeout(200)  # frames still in flight after idle
    exceptions = page.locator(harness.EXCEPTION)
    errors = [exceptions.nth(i).inner_text()[:300] for i in range(exceptions.count())]
    return {"settle_s": round(settle, 3), "ws_bytes": meter.bytes, "ws_frames": meter.frames, "errors": errors}


def measure_server(db_path: Path, pages: list[str], locale: str = "zh-CN", screenshots: bool = False) -> dict:
    """Open every page twice (cold, then reload = warm) in one browser session on one server."""
    results = {"pages": {}}
    began = time.monotonic()
    with Server(db_path) as server:
        results["server_start_s"] = round(time.monotonic() - began, 2)
        results["rss_after_start_mib"] = round(_vm_kib(server.pid, "VmRSS") / 1024, 1)
        with harness.browser_page(locale) as page:
            meter = WebsocketMeter(page)
            for index, name in enumerate(pages):
                url = server.url if index == 0 else f"{server.url}/{name}"
                url += "?code=C0000007" if name == "customer_360" else ""
                cold = _view(page, meter, url)
                warm = _view(page, meter, url, reload=True)
                if screenshots:
                    harness.ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(harness.ARTIFACTS / f"scale-{name}.png"), full_page=True)
                results["pages"][name] = {"cold": cold, "warm": warm,
                                          "rss_after_mib": round(_vm_kib(server.pid, "VmRSS") / 1024, 1)}
        results["peak_rss_mib"] = peak_rss_mib(server.pid)
    results["total_s"] = round(time.monotonic() - began, 1)
    return results


def main() -> None:
    import argparse

    from bench.pages import home_pages

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--pages", default="")
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p] or home_pages()
    print(json.dumps(measure_server(Path(args.db), pages, screenshots=args.screenshots)))


if __name__ == "__main__":
    main()
