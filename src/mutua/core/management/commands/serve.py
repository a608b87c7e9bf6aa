"""Serve the web app (gunicorn, static files through WhiteNoise) and the worker, together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


def demo_login_lines() -> list[str]:
    """The demo's logins, only when the demo people are really in this database."""
    from mutua.demo.builder import DEMO_LOGINS, DEMO_PASSWORD
    from mutua.people.models import User

    emails = [email for _role, email in DEMO_LOGINS]
    if not emails or not User.objects.filter(email__in=emails, is_active=True).exists():
        return []
    return [f"Demo logins (password: {DEMO_PASSWORD}):"] + [
        f"  {role:<12} {email}" for role, email in DEMO_LOGINS
    ]


class Command(BaseCommand):
    help = "Run the web server and the huey worker as supervised processes; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2"))
        )

    def handle(self, *args, host: str, port: int, web_workers: int, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # the default cache lives in the database
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "mutua.settings"),
            "PORT": str(port),
        }
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "mutua.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(web_workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ]
        worker = [sys.executable, "-m", "mutua.cli", "run_huey"]
        procs = {
            "web server": subprocess.Popen(web, env=env),  # noqa: S603
            "worker": subprocess.Popen(worker, env=env),  # noqa: S603
        }
        url = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(f"\nMutua is running at {url}"))
        for line in demo_login_lines():
            self.stdout.write(line)
        self.stdout.write(f"Health: {url}/health  ·  API docs: {url}/api/v1/docs")
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.\n")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, p in procs.items():
                    if p.poll() is not None:
                        self.stderr.write(f"The {name} exited with {p.returncode}; stopping.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for p in procs.values():
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
