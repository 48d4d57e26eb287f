"""A headless JupyterLab and Debian's Chromium, driven by Playwright, for the real-browser tests.

The server gets a free port on 127.0.0.1, a fixed token, and fresh config, data, runtime, settings and
workspace folders, so nothing from the machine's own Jupyter setup leaks in. It runs in its own process
group, which teardown always kills. Screenshots of failures go to test-artifacts/browser/.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TOKEN = "backprop-course-browser-test"
START_TIMEOUT_S = 180

# Per-user settings a fresh JupyterLab reads at start: open notebooks with a running kernel and no
# "select kernel" dialog; keep every cell in the page (no windowing); never fetch news or check for updates.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"autoStartDefaultKernel": True, "windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class Lab:
    """A running JupyterLab: its address, the folder it serves, its process and log."""

    url: str
    root: Path
    process: subprocess.Popen
    log: Path

    def tree_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?token={TOKEN}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _wait_until_ready(lab: Lab) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {lab.process.returncode}:\n{lab.log_tail()}")
        try:
            lab.api("status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{lab.log_tail()}")


def _stop(lab: Lab) -> None:
    """Shut the kernels down through the server (they run in sessions of their own), then kill its group."""
    try:
        for kernel in lab.api("kernels") or []:
            lab.api(f"kernels/{kernel['id']}", method="DELETE")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        pass
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(lab.process.pid, sig)
        except ProcessLookupError:
            break
        try:
            lab.process.wait(timeout=wait_s)
            break
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A headless JupyterLab serving an empty folder (`lab.root`) that the tests fill."""
    base = tmp_path_factory.mktemp("lab")
    root, settings = base / "root", base / "settings"
    dirs = {name: base / name for name in ("config", "data", "runtime", "workspaces", "ipython")}
    for folder in (root, settings, *dirs.values()):
        folder.mkdir()
    _write_settings(settings)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "JUPYTER_PLATFORM_DIRS": "1",
        "BACKPROP_COURSE_PROGRESS": str(base / "progress.json"),  # keep the learner's own progress file out
    }
    port = _free_port()
    command = [
        sys.executable, "-m", "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",  # CI and containers run as root
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={TOKEN}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = base / "jupyterlab.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = Lab(url=f"http://127.0.0.1:{port}", root=root, process=process, log=log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        _stop(server)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "jupyterlab.log").write_bytes(log.read_bytes())


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"real-browser tests need Debian's Chromium at {CHROMIUM}: `apt-get install -y chromium`"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (.ci/run installs it)")
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api", reason="real-browser tests need playwright (test extra)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (test-artifacts/browser/, ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def screenshot_on_failure(request):
    yield
    reports = [getattr(request.node, f"report_{when}", None) for when in ("setup", "call")]
    if not any(r is not None and r.failed for r in reports) or "page" not in request.fixturenames:
        return
    tab = request.getfixturevalue("page")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"FAILED-{request.node.name}.png"
    try:
        tab.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failure: {path}")
    except Exception as error:  # the page may be gone; the failure itself is what matters
        print(f"no screenshot ({error})")


_LATENCY: dict = {}


@pytest.fixture(scope="session")
def latency_report():
    """Figures the browser tests collect (repaint times, graph sizes), printed at the end of the run."""
    return _LATENCY


def pytest_terminal_summary(terminalreporter):
    if not _LATENCY:
        return
    from test_notebooks_in_browser import summarize

    lines = summarize(_LATENCY)
    terminalreporter.section("what a learner sees (benchmark figures, not assertions)")
    for line in lines:
        terminalreporter.write_line(line)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "figures.txt").write_text("\n".join(lines) + "\n")
