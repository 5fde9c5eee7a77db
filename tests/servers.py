"""The production entry point in tests: gunicorn with several workers, configured as a
deployment is (DEBUG off, a real key, no simulator), on a database of its own that
``manage.py migrate`` made. What a test does to it goes through HTTP; what it sets up or
reads back goes through ``manage.py shell`` with the same environment."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "served-test-" + "k" * 40,
    "HTTPS_ONLY": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "http://127.0.0.1",
    "COMPANY_NAME": "Acme Outfitters",
    "CALLBACK_TOKENS": "served-callback-token-0123456789",
    "NUMBER_CODE_SENDER": "subscribers.services.proofs.log_sender",
    "SUPPRESSION_KEY": "served-suppression-" + "s" * 40,
    "CONN_MAX_AGE": "0",
    "PYTHONUNBUFFERED": "1",
}


def form_token(html: str) -> str:
    """The CSRF token of the form on a page, as a browser would post it back."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Deployment:
    """A deployment's environment and its database, made by ``migrate``:
    ``Deployment(tmp_path, **env).migrate()``, then ``manage(...)``, ``shell(code)``.
    Without DATABASE_URL in ``env``, a fresh SQLite file."""

    def __init__(self, tmp_path: Path, **env):
        self.tmp_path = tmp_path
        keep = ("PATH", "HOME", "LANG")
        self.env = {k: v for k, v in os.environ.items() if k in keep}
        self.env.update(PRODUCTION_ENV)
        self.env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'served.sqlite3'}"
        self.env.update({k: str(v) for k, v in env.items()})

    def migrate(self) -> "Deployment":
        self.manage("migrate", "--noinput")
        return self

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def shell(self, code: str) -> str:
        """Run ``code`` in ``manage.py shell``; its standard output."""
        return self.manage("shell", "--no-startup", "--verbosity", "0", "-c", code).stdout


class Served(Deployment):
    """``with Served(tmp_path, workers=4, **env) as site:`` then ``site.url``,
    ``site.shell(code)``: gunicorn in front of a fresh deployment."""

    def __init__(self, tmp_path: Path, *, workers: int = 4, **env):
        super().__init__(tmp_path, **env)
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "gunicorn.log"
        self.server: subprocess.Popen | None = None

    def __enter__(self) -> "Served":
        self.migrate()
        with open(self.log_path, "wb") as out:
            self.server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--no-control-socket",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{self.url}/healthz", timeout=10, allow_redirects=False)
                break
            except requests.RequestException:
                assert self.server.poll() is None, self.log()
                assert time.monotonic() < deadline, self.log()
                time.sleep(0.2)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def __exit__(self, *exc) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=30)
