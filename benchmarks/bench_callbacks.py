"""Benchmark the Vibes callback endpoint against a bare insert view (`make bench-callbacks`).

Starts gunicorn on 127.0.0.1 with ``benchmarks.settings`` on the PostgreSQL database in
DATABASE_URL, then posts realistic callbacks from concurrent client threads to:

- ``baseline``: a bare Django view that inserts one row (the yardstick);
- ``callbacks``: the real endpoint: store, then ask a worker (at most once a second per
  process) to apply what was received;
- ``plain``: the same steps in a plain Django view instead of DRF's APIView;
- ``inline``: the alternative of applying each event in the request;
- ``per-task``: the alternative of publishing one Celery task per event (needs REDIS_URL).

No worker runs during the load, so the figures are what the request pays. Afterwards the
backlog the runs left is applied by ``vibes_replay_callbacks --received`` and timed: the
rate one worker process applies events at.

Rounds are interleaved so that drift on a shared machine hits every target alike. Prints
callbacks/second, p50/p99, the ratio to the baseline, and the CPU the web workers spent per
request (steadier than rates when other work shares the machine). Not collected by pytest.

Environment: DATABASE_URL (PostgreSQL, required), REDIS_URL (for ``per-task``; skipped
when unset), BENCH_PORT (8131), BENCH_CLIENTS (8), BENCH_REQUESTS (per target and round,
300; a third of that for the slow alternatives), BENCH_ROUNDS (6), BENCH_WORKERS (2).
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8131"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
TOKEN = "bench-token-" + "x" * 32


def payloads(run: str, n: int):
    """Realistic traffic: a person subscribes, then (every third) opts out again."""
    out = []
    for i in range(n):
        person = {"id": f"{run}-{i // 2}", "external_id": f"ex-{run}-{i // 2}"}
        removed = i % 2 == 1 and (i // 2) % 3 == 0
        sub = {
            "person": person,
            "subscription_list": {"id": "1234", "url": "/companies/x/mobiledb/lists/1234"},
            "opt_in_date": "2017-01-15T15:34:52Z",
            "acquisition_campaign": {"id": "2342312"},
        }
        if removed:
            sub.update(opt_out_date="2017-03-15T15:34:52+0000", opt_out_reason="user_opt_out")
        out.append(
            json.dumps(
                {
                    "callback_id": f"cb-{run}-{i}",
                    "event_id": f"{run}-{i}",
                    "event_type": "subscription_removed" if removed else "subscription_added",
                    "event_date": f"2017-02-15T15:42:{i % 60:02d}Z",
                    "delivery_attempt": "1",
                    "subscription": sub,
                }
            ).encode()
        )
    return out


def post(path: str, body: bytes) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.perf_counter() - start


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn's worker processes (Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return float("nan")
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load(path: str, bodies: list[bytes]) -> dict:
    latencies, errors, lock = [], [], threading.Lock()
    queue = list(reversed(bodies))

    def client():
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            status, seconds = post(path, body)
            with lock:
                latencies.append(seconds)
                if status != 200:
                    errors.append(status)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {"elapsed": elapsed, "latencies": latencies, "errors": errors}


def summary(results: list[dict]) -> dict:
    latencies = sorted(x for r in results for x in r["latencies"])
    q = statistics.quantiles(latencies, n=100)
    return {
        "rate": len(latencies) / sum(r["elapsed"] for r in results),
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "errors": sum(len(r["errors"]) for r in results),
        "n": len(latencies),
        "cpu_ms": 1000 * sum(r["cpu"] for r in results) / len(latencies),
    }


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("DATABASE_URL must point at PostgreSQL", file=sys.stderr)
        return 2
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CALLBACK_TOKENS": TOKEN,
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    manage = [python, "manage.py"]
    migrate = [*manage, "migrate", "--noinput", "-v0", "--skip-checks"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [
            python, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS),
            "--access-logfile", "-", "--error-logfile", "-", "--log-level", "warning",
        ],
        cwd=ROOT,
        env={**env, "GUNICORN_CMD_ARGS": ""},
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    targets = {
        "baseline": "/bench/baseline/",
        "callbacks": f"/callbacks/vibes/{TOKEN}/",
        "plain": f"/bench/plain/{TOKEN}/",
        "inline": f"/bench/inline/{TOKEN}/",
    }
    if os.environ.get("REDIS_URL"):
        targets["per-task"] = f"/bench/task-per-event/{TOKEN}/"
    try:
        deadline = time.monotonic() + 30
        while post("/healthz", b"")[0] == 0:
            if time.monotonic() > deadline or server.poll() is not None:
                print("gunicorn did not start", file=sys.stderr)
                return 2
            time.sleep(0.2)
        results = {name: [] for name in targets}
        for name, path in targets.items():  # warm up every worker and code path
            load(path, payloads(f"warm-{name}-{uuid.uuid4().hex[:8]}", 60))
        for _ in range(ROUNDS):
            for name, path in targets.items():
                # The slow alternatives get fewer requests; rates are per second anyway.
                n = REQUESTS if name in ("baseline", "callbacks", "plain") else REQUESTS // 3
                bodies = payloads(uuid.uuid4().hex[:12], n)
                before = server_cpu(server.pid)
                result = load(path, bodies)
                result["cpu"] = server_cpu(server.pid) - before
                results[name].append(result)
    finally:
        server.terminate()
        server.wait(timeout=20)

    base = summary(results["baseline"])
    print(f"{CLIENTS} clients, {WORKERS} gunicorn workers, {ROUNDS} interleaved rounds")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"{'target':<10} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'web CPU ms/req':>15}"
    )
    ok = True
    for name in targets:
        s = summary(results[name])
        ratio = s["rate"] / base["rate"]
        print(
            f"{name:<10} {s['rate']:>8.1f} {ratio:>7.0%} {s['p50']:>8.1f} {s['p99']:>8.1f} "
            f"{s['errors']:>7} {s['cpu_ms']:>15.2f}"
        )
        if name == "callbacks":
            ok = ratio >= 0.8 and s["errors"] == 0 and s["p99"] <= 50
    verdict = "met" if ok else "NOT met"
    print(f"target (callbacks >= 80% of baseline, 0 errors, p99 <= 50 ms): {verdict}")
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [python, "manage.py", "vibes_replay_callbacks", "--received"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    print(f"backlog applied by one process in {seconds:.1f} s: {done.stdout.strip()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
