"""Real-browser fixtures: the app served by `streamlit run` on a free port, and Debian chromium.

Every test gets its own store file (empty unless the test fills it), its own server
process group and a fresh browser profile. Waits are on the page's own signals (the
heading, Streamlit's script state), never fixed sleeps.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1400, "height": 2400}  # the main area scrolls: a tall window shows it all
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AppServer:
    url: str
    db: Path
    log: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_app(db: Path, log: Path, *, timeout: float = 30.0) -> AppServer:
    """`streamlit run serve.py` (app.py, warmed up at start, as `make run` starts it) in its
    own process group, returned once /_stcore/health says ok."""
    port = _free_port()
    env = {**os.environ, "OPENING_DAY_DB": str(db), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "serve.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = AppServer(f"http://127.0.0.1:{port}", db, log, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return _warmed(server, deadline + WARMUP_TIMEOUT)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling a socket, not waiting on the page
    stop_app(server)
    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s:\n{server.log_text()}")


# How long a server may take to warm up (ui/warmup.py) after it answers: it runs every page
# once per business in the background; the tests start once it has logged that it is done,
# so what they time and read is never shared with the warm-up's own page runs.
WARMUP_TIMEOUT = 120.0


def _warmed(server: AppServer, deadline: float) -> AppServer:
    """The server, once its warm-up has logged "Warm-up: …" (done, or given up with why)."""
    while time.monotonic() < deadline:
        if "Warm-up:" in server.log_text():
            return server
        if server.process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {server.process.returncode}:\n{server.log_text()}"
            )
        time.sleep(0.2)  # polling the server's log, not waiting on the page
    stop_app(server)
    raise RuntimeError(f"the warm-up did not finish in time:\n{server.log_text()}")


def stop_app(server: AppServer) -> None:
    """Stop the server's whole process group (streamlit may have started children)."""
    if server.process.poll() is not None:
        return
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        reason = (
            "Debian chromium is not installed (apt-get install chromium fonts-noto-color-emoji); "
            "the browser tests never download a browser"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo business, built once per test session."""
    from analytics import demo, store

    path = tmp_path_factory.mktemp("e2e-demo") / "demo.duckdb"
    con = store.connect(path)
    demo.load_demo(con)
    con.close()
    return path


@pytest.fixture
def demo_app_db(demo_file: Path, tmp_path: Path) -> Path:
    """A copy of the demo business for one test; a module serves it by overriding `app_db`."""
    db = tmp_path / "store.duckdb"
    shutil.copy(demo_file, db)
    return db


@pytest.fixture
def app_db(tmp_path: Path) -> Path:
    """The store file the served app uses: empty until the test (or the app) fills it."""
    return tmp_path / "e2e_store.duckdb"


@pytest.fixture
def app_server(app_db: Path, tmp_path: Path) -> Iterator[AppServer]:
    server = start_app(app_db, tmp_path / "streamlit.log")
    try:
        yield server
    finally:
        stop_app(server)


@pytest.fixture
def pw(chromium_path: str) -> Iterator[Any]:
    """Playwright, driving Debian's chromium (never a downloaded browser)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        yield playwright


def fresh_page(pw: Any, chromium_path: str, profile: Path) -> tuple[Any, Any]:
    """A page in a new chromium profile (no cookies, no storage), with 30 s timeouts."""
    context = pw.chromium.launch_persistent_context(
        user_data_dir=str(profile),
        executable_path=chromium_path,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=VIEWPORT,
        locale="en-US",
        accept_downloads=True,
    )
    browser_page = context.pages[0] if context.pages else context.new_page()
    browser_page.set_default_timeout(TIMEOUT_MS)
    return context, browser_page


@pytest.fixture
def page(pw: Any, chromium_path: str, tmp_path: Path) -> Iterator[Any]:
    """The owner's browser page."""
    context, browser_page = fresh_page(pw, chromium_path, tmp_path / "chromium-profile")
    try:
        yield browser_page
    finally:
        context.close()


@pytest.fixture
def stranger(pw: Any, chromium_path: str, tmp_path: Path) -> Iterator[Any]:
    """Someone else's browser: a second, separate profile (for opening a shared link)."""
    context, browser_page = fresh_page(pw, chromium_path, tmp_path / "stranger-profile")
    try:
        yield browser_page
    finally:
        context.close()


# The run is over and everything it sent is on the page. The script state alone is not
# enough: an element whose code the browser is still loading (a chart's, a page link's)
# shows an `stSkeleton` in its place, for seconds after the run ended on a busy machine.
IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def wait_idle(page: Any) -> None:
    """Wait for Streamlit's current script run to finish and all it sent to be drawn."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT_MS
    )
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)


@dataclass
class Owner:
    """An owner at the browser: the served app, the page, and where screenshots go."""

    server: AppServer
    page: Any
    shots: Path
    test_name: str

    def open(self, path: str = "/") -> None:
        self.page.goto(self.server.url + path)

    def wait_for(self, heading: str) -> None:
        """Wait until the app is up, shows `heading`, and has finished running its script."""
        self.page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
        self.page.get_by_role("heading", name=heading).first.wait_for(timeout=TIMEOUT_MS)
        self.wait_idle()

    def wait_idle(self) -> None:
        """Wait for Streamlit's current script run to finish and all it sent to be drawn."""
        wait_idle(self.page)

    def fill(self, box: Any, text: str) -> None:
        """Type into a form's box and leave it, before reaching for the form's button.

        A box left by the press on a button is redrawn as it loses focus, and Playwright lets
        go of the button 5-10 ms after pressing it: in 4 of 138 runs of the step-edit test the
        release landed mid-redraw, outside the button (recorded in the browser: press on Save,
        focus out of the box, release and click on a div beside it), so nothing was sent and
        nothing saved. An owner's press lasts about 100 ms (three runs with 150 ms presses all
        saved). Leaving the box first has that redraw done before the press."""
        box.fill(text)
        box.blur()

    def settle(self) -> None:
        """Wait for fonts and fade-in animations, so a screenshot shows what an owner sees."""
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.page.wait_for_function(
            "document.getAnimations().every(a => a.playState !== 'running')", timeout=TIMEOUT_MS
        )

    def shot(self, name: str) -> Path:
        """Save tests/e2e/screenshots/<test>-<name>.png (the viewport is tall enough for all)."""
        self.shots.mkdir(exist_ok=True)
        path = self.shots / f"{self.test_name}-{name}.png"
        self.settle()
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def owner(app_server: AppServer, page: Any, request: pytest.FixtureRequest) -> Iterator[Owner]:
    """The app on an empty store, in a fresh browser; on failure the server log and the page's
    text are printed."""
    session = Owner(app_server, page, SCREENSHOTS, request.node.name)
    yield session
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- streamlit log ---\n{app_server.log_text()}")
        try:
            print(f"--- page at failure: {session.shot('FAILED')} ---")
            # CI keeps no screenshots: what the page said is the only view of it there
            main = page.locator('[data-testid="stMain"]')
            print(main.inner_text(timeout=5_000) if main.count() else page.content()[:20_000])
        except Exception as exc:  # the page may be gone; the log above still helps
            print(f"(no screenshot: {exc})")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the test item, so fixtures can tell whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
