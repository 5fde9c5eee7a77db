"""Real processes for the push tests: a throwaway redis-server, a worker, beat, a save."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

from config.celery import app
from tests.conftest import ROOT, subprocess_env


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own on our own port, to stop, restart and pause."""

    def __init__(self, port: int | None = None):
        # A free port of its own (kept across restarts), so parallel runs never collide.
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> "RedisServer":
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)

        def up():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_for(up, 10, f"redis-server on {self.port}")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)


class CeleryProcess:
    """``celery worker`` or ``celery beat`` with its own environment and log."""

    def __init__(self, kind: str, log_path: Path, env: dict, extra=()):
        self.kind, self.log_path, self.env, self.extra = kind, log_path, env, list(extra)
        self.proc = None

    def start(self, *, ready_timeout: float = 40) -> "CeleryProcess":
        args = [sys.executable, "-m", "celery", "-A", "config", self.kind, "--loglevel=INFO"]
        if self.kind == "worker":
            args += [
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"push-{os.getpid()}-{time.monotonic_ns()}@%h",
            ]
        args += self.extra
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        marker = "ready." if self.kind == "worker" else "beat: Starting"
        wait_for(
            lambda: self.alive() and marker in self.log(),
            ready_timeout,
            f"{self.kind} to start (log {self.log_path})",
        )
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "_log", None):
            self._log.close()


def push_env(fake_url: str, **extra) -> dict:
    """Environment for a worker/beat/web process talking to a Vibes at ``fake_url``."""
    values = {
        "VIBES_API_URL": fake_url,
        "VIBES_COMPANY_KEY": "ck-test",
        "VIBES_USERNAME": "api@example.com",
        "VIBES_PASSWORD": "secret-password",
        "VIBES_RATE_LIMIT": "200",
        "PUSH_DEBOUNCE_SECONDS": "0.2",
        "PUSH_STALE_SECONDS": "2",
        "PUSH_LEASE_SECONDS": "4",
        "PUSH_SWEEP_INTERVAL_SECONDS": "1",
        "PUSH_RETRY_BASE_SECONDS": "0.5",
        "PUSH_BROKER_BACKOFF_SECONDS": "1",
    }
    values.update(extra)
    return subprocess_env(**values)


def save_in_subprocess(env: dict, code: str, timeout: float = 60) -> str:
    """Run ``code`` in a fresh Django process (a web process's save) and return stdout."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@contextlib.contextmanager
def publishing_to(broker_url: str):
    """Publish to another broker inside the block (a test that runs its own Redis)."""
    previous = app.conf.get("broker_write_url")
    app.conf["broker_write_url"] = broker_url
    try:
        yield
    finally:
        app.conf["broker_write_url"] = previous
