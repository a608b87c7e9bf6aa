"""Browser journeys against the real app: `mutua serve` (gunicorn + huey worker) in a
subprocess, a real SMTP server (aiosmtpd) in this process, Debian's Chromium via Playwright.

No live_server: Playwright's sync API runs an event loop, and Django would then refuse
synchronous database access in this process (see STACK-NOTES "Playwright").
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.ports import free_port, wait_for_http
from tests.support.services import chromium_path, gate

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 375, "height": 800}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            # One xdist worker runs every journey, so they share one server and one browser.
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    gate(item)


@dataclass
class Mailbox:
    """Messages received by the SMTP server, newest last."""

    messages: list[EmailMessage] = field(default_factory=list)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, to: str, *, subject: str = "", timeout: float = 60.0) -> EmailMessage:
        """The first message to `to` (whose subject contains `subject`), waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for message in self.messages:
                    if to.lower() in str(message["To"]).lower() and subject in str(
                        message["Subject"]
                    ):
                        return message
            time.sleep(0.2)
        with self.lock:
            seen = [(str(m["To"]), str(m["Subject"])) for m in self.messages]
        raise TimeoutError(f"no e-mail to {to} ({subject!r}) within {timeout:.0f} s; got {seen}")

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    def link(self, message: EmailMessage, pattern: str) -> str:
        """The first http(s) link in the message whose path matches `pattern`."""
        for url in re.findall(r"https?://[^\s<>\"']+", self.body(message)):
            if re.search(pattern, url):
                return url
        raise AssertionError(f"no link matching {pattern!r} in:\n{self.body(message)}")


class _Collect:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls this name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.mailbox.lock:
            self.mailbox.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    # hostname given: aiosmtpd would otherwise call getfqdn(), which blocks without a network.
    controller = Controller(_Collect(box), hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@dataclass
class App:
    url: str
    var_dir: Path
    log: Path


@pytest.fixture(scope="session")
def app_server(mailbox, tmp_path_factory) -> Iterator[App]:
    """A fresh site, set up as an operator would, served by `mutua serve` (web + worker)."""
    if chromium_path() == "":
        pytest.skip("browser tests need MUTUA_TEST_CHROMIUM")  # gate() explains; avoid setup
    base = tmp_path_factory.mktemp("e2e-site")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutua.settings",
        "MUTUA_VAR_DIR": str(base / "var"),
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "SITE_URL": url,
        "SECRET_KEY": "e2e-tests-only",
        "WEB_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "HUEY_URL", "CACHE_URL", "DEBUG", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    mutua = [sys.executable, "-m", "mutua.cli"]
    log = base / "server.log"
    with log.open("w") as out:
        for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
            setup = subprocess.run(
                [*mutua, *command], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                timeout=180,
            )  # fmt: skip
            if setup.returncode != 0:
                out.flush()
                pytest.fail(f"`mutua {command[0]}` failed:\n{log.read_text()[-6000:]}")
        proc = subprocess.Popen(
            [*mutua, "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so teardown can stop gunicorn and the worker together
        )
    try:
        # /health answers 503 until the worker's first heartbeat; the login page means "web up".
        wait_for_http(f"{url}/accounts/login/", timeout=90, proc=proc)
    except Exception as exc:
        _stop(proc)
        pytest.fail(f"the app did not start ({exc}):\n{log.read_text()[-6000:]}")
    yield App(url=url, var_dir=base / "var", log=log)
    _stop(proc)
    print(f"server log: {log}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # `mutua serve` stops gunicorn and the worker
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, app_server):
    """Make fresh browser contexts (separate cookies: separate people) at phone width."""
    contexts = []

    def make():
        context = browser.new_context(viewport=VIEWPORT, base_url=app_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


class Look:
    """Check a page the way a person meets it: a full-page screenshot under
    test-artifacts/screenshots/ and axe-core, collecting serious and critical violations."""

    def __init__(self, test_name: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.test_name = test_name
        self.count = 0
        self.problems: list[str] = []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        self.count += 1
        shot = SCREENSHOTS / f"{self.test_name}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        for violation in self.axe.run(page).response["violations"]:
            if violation.get("impact") in ("serious", "critical"):
                nodes = [" ".join(map(str, n["target"])) for n in violation["nodes"]][:5]
                self.problems.append(
                    f"{name} ({page.url}): {violation['impact']} {violation['id']}: "
                    f"{violation['help']} -> {nodes}"
                )

    def assert_accessible(self) -> None:
        if self.problems:
            print("\n".join(self.problems))
        assert not self.problems, "accessibility violations:\n" + "\n".join(self.problems)


@pytest.fixture
def look(request) -> Look:
    return Look(request.node.name)
