"""``make run`` brings up the whole loop on the embedded defaults, stops on Ctrl-C, and
starts again on the same files.

It runs the real Makefile target (migrate, demo_data, honcho with Procfile.dev: web,
worker, beat, the simulator and the announcer) on free ports and a SQLite file of its own,
so it does not meet a developer's own ``make run``. It runs in the embedded-defaults pass
of CI only: the topology it starts is the same in both.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
READY = "The whole loop is up."

pytestmark = pytest.mark.skipif(
    bool(settings.REDIS_URL) or shutil.which("make") is None,
    reason="runs in the embedded-defaults pass (REDIS_URL unset) with make installed",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _env(tmp_path, web_port, sim_port) -> dict:
    drop = {"DATABASE_URL", "REDIS_URL", "SITE_URL", "VIBES_API_URL", "CALLBACK_TOKENS"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in drop and not k.startswith(("PYTEST_", "VIBES_", "DJANGO_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        WEB_PORT=str(web_port),
        SIM_PORT=str(sim_port),
        PYTHONUNBUFFERED="1",
        DEV_ENV_FILE=str(tmp_path / "dev.env"),
        SIM_STATE_FILE=str(tmp_path / "simulator-state.pickle"),
    )
    return env


def second_terminal(tmp_path) -> dict:
    """A new shell in the checkout: none of what `make run` exported, only its file."""
    drop = {"DATABASE_URL", "REDIS_URL", "SITE_URL", "CALLBACK_TOKENS", "DEBUG"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in drop and not k.startswith(("PYTEST_", "VIBES_", "DJANGO_", "NUMBER_"))
    }
    env["DEV_ENV_FILE"] = str(tmp_path / "dev.env")
    env["DEV_ENV"] = "1"  # as every command `make run` prints says
    return env


def join_a_list(link: str) -> None:
    """What the walk-through asks: join a list on the preference page."""
    session = requests.Session()
    page = session.get(link, timeout=10).text
    shown = re.findall(r'name="shown" value="(\d+):([01])"', page)
    joined = [pk for pk, was in shown if was == "1"]
    new = next(pk for pk, was in shown if was == "0")
    answer = session.post(
        f"{link}lists/",
        data={
            "shown": [f"{pk}:{was}" for pk, was in shown],
            "list": [*joined, new],
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=10,
    )
    assert answer.status_code == 200 and "messages" in answer.text, answer.text[:2000]


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [".venv/bin/python", "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


class MakeRun:
    def __init__(self, env: dict, log: Path):
        self.log_path = log
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY in self.output():
                return
            if self.proc.poll() is not None:
                pytest.fail(f"make run exited early:\n{self.output()[-3000:]}")
            time.sleep(0.3)
        pytest.fail(f"make run not ready within {timeout}s:\n{self.output()[-3000:]}")

    def ctrl_c(self, timeout: float = 20) -> int:
        """What a terminal does on Ctrl-C: SIGINT to the foreground group (make, honcho)."""
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.stop()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()


def test_make_run_serves_the_whole_loop_and_runs_again(tmp_path):
    web_port, sim_port = _free_port(), _free_port()
    env = _env(tmp_path, web_port, sim_port)
    web, sim = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{sim_port}"
    run = MakeRun(env, tmp_path / "run-1.log")
    try:
        run.wait_ready(timeout=60)
        out = run.output()
        assert f"{web}/admin/" in out and "demo / demo-preferences-2026" in out
        assert f"{web}/preferences/" in out
        admin = requests.get(f"{web}/admin/", timeout=5)
        assert admin.status_code == 200 and "/admin/login/" in admin.url
        assert requests.get(f"{web}/healthz", timeout=5).json() == {
            "status": "ok",
            "database": True,
            "broker": True,
        }
        state = requests.get(f"{sim}/_sim/state", timeout=5).json()
        assert state["persons"] == 300
        assert state["callbacks"] and all(
            c["destination"]["url"].startswith(f"{web}/callbacks/vibes/")
            for c in state["callbacks"]
        )
        for name in ("web.1", "worker.1", "beat.1", "simulator.1"):
            assert f"{name} stopped" not in run.output(), name
        assert "celery@" in out and "celery beat v" in out
        # The ready message comes after the processes' start-up logs, in a few lines.
        assert out.rstrip().endswith("Ctrl-C stops everything.")
        assert out.count("Registered") <= 2

        # Every command it prints works as printed in a second terminal.
        shell = second_terminal(tmp_path)
        again = manage(shell, "dev_ready", "--print")
        assert again.returncode == 0, again.stderr
        assert f"{web}/admin/" in again.stdout and f"--url {sim}" in again.stdout
        join_a_list(re.search(r"Preference page:\s+(\S+)", out)[1])
        printed = re.search(
            r"DEV_ENV=1 \.venv/bin/python manage\.py (vibes_simulator_ctl reply-y .+)", out
        )
        deadline = time.monotonic() + 30
        while (replied := manage(shell, *printed[1].split())).returncode:
            # "No pending participant" until the worker has pushed the join to the simulator.
            assert time.monotonic() < deadline, replied.stderr
            time.sleep(1)
        checked = manage(shell, "check")
        assert checked.returncode == 0, checked.stderr
        assert "W001" not in checked.stderr and "W003" not in checked.stderr, checked.stderr
        renamed = manage(
            shell, "vibes_simulator_ctl", "update-person", "--mdn", "+12015550100",
            "--field", "first_name=Zed",
        )  # fmt: skip
        assert renamed.returncode == 0, renamed.stderr
        time.sleep(3)  # the simulator keeps its account every 2 s
    finally:
        run.ctrl_c()
    assert not _port_open(web_port) and not _port_open(sim_port)

    again = MakeRun(env, tmp_path / "run-2.log")
    try:
        again.wait_ready(timeout=45)
        assert requests.get(f"{web}/healthz", timeout=5).status_code == 200
        assert "300 in all" in again.output()  # demo data is not loaded twice
        # The simulator kept its account: the change made before the restart is there.
        kept = requests.get(f"{sim}/_sim/persons", params={"mdn": "+12015550100"}, timeout=5)
        assert kept.json()["custom_fields"]["first_name"] == "Zed"
        assert "Restored the account kept in" in again.output()
    finally:
        again.ctrl_c()
    assert "database is locked" not in run.output() + again.output()
