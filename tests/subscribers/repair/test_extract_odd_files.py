"""Odd Subscription Extract files through the real command (``manage.py
vibes_import_extract`` on a migrated database): each bad row refused with its line number
and why, every other row loaded, and an exit status that says which (0 all loaded, 2 rows
refused, 1 nothing loaded). Vibes writes the file tab-separated with no quoting
(subscribers/repair/extract_lines.py)."""

import random
import subprocess
import sys

import pytest

from subscribers.repair.extract_lines import MAX_LINE_BYTES
from tests.servers import ROOT, Deployment

COLUMNS = (
    "person_id\texternal_person_id\tmdn\tcarrier_code\tsubscription_list_id\t"
    "subscription_list_name\topt_in_date\topt_out_date\tsubscription_event\topt_out_reason"
)
IN, OUT = "2017-04-05 14:30:00 -0600", "2017-05-01 10:00:00 -0600"


def opt_in(key: str, n: int, name: str = "Deals") -> str:
    return f"{key}\t\t+1299555{n:04d}\t104\tL1\t{name}\t{IN}\t\tOPT_IN\t"


def opt_out(key: str, n: int) -> str:
    return f"{key}\t\t+1299555{n:04d}\t104\tL1\tDeals\t{IN}\t{OUT}\tOPT_OUT\tUSER_OPT_OUT"


def extract(*lines: str) -> bytes:
    return (COLUMNS + "\n" + "\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    return Deployment(tmp_path_factory.mktemp("extract")).migrate()


def load(deployment, tmp_path, content: bytes) -> subprocess.CompletedProcess:
    path = tmp_path / "extract.tsv"
    path.write_bytes(content)
    return deployment.manage("vibes_import_extract", str(path), check=False)


def statuses(deployment, keys) -> dict:
    code = (
        "from subscribers.models import Subscription as S; "
        f"print(dict(S.objects.filter(person__person_key__in={list(keys)!r})"
        ".values_list('person__person_key', 'status')))"
    )
    return eval(deployment.shell(code))  # noqa: S307 - a dict this test's own shell printed


def test_an_unclosed_quote_is_a_character_and_swallows_no_row(deployment, tmp_path):
    outs = [opt_out(f"q-{n}", 100 + n) for n in range(1, 6)]
    result = load(deployment, tmp_path, extract(opt_in("q-0", 100, name='"Deals'), *outs))
    assert result.returncode == 0, result.stderr
    assert "opted in: 1, opted out: 5, persons created: 6" in result.stdout
    assert statuses(deployment, [f"q-{n}" for n in range(1, 6)]) == {
        f"q-{n}": "opted_out" for n in range(1, 6)
    }


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (opt_in("f-x", 200).replace("104", "1" * 200_000), f"longer than {MAX_LINE_BYTES} bytes"),
        (opt_in("f-x", 200).replace("104", "1\x000"), "holds a NUL byte"),
        (opt_in("f-x", 200) + "\textra", "11 fields where the header has 10"),
        (opt_in("f-x", 200).rsplit("\t", 1)[0], "9 fields where the header has 10"),
    ],
    ids=["field-over-128KB", "nul-byte", "a-field-too-many", "a-field-short"],
)
def test_a_bad_row_is_refused_with_its_line_and_the_rest_loaded(
    deployment, tmp_path, bad, why, request
):
    tag = request.node.callspec.id
    first = 300 + 10 * request.node.callspec.indices["bad"]  # numbers of their own per case
    good = [opt_in(f"{tag}-{n}", first + n) for n in range(3)]
    result = load(deployment, tmp_path, extract(good[0], bad, good[1], good[2]))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"line 3: {why}" in result.stderr
    assert "1 rows refused" in result.stderr and "Traceback" not in result.stderr
    assert "bad rows: 1" in result.stdout and "opted in: 3" in result.stdout
    assert set(statuses(deployment, [f"{tag}-{n}" for n in range(3)]).values()) == {"active"}


def test_binary_lines_between_good_rows_are_each_refused(deployment, tmp_path):
    noise = random.Random(7).randbytes(20_000).replace(b"\n", b"").replace(b"\r", b"")
    garbage = [noise[i : i + 4000] for i in range(0, 20_000, 4000)][:5]
    content = (
        (COLUMNS + "\n" + opt_in("b-0", 400) + "\n").encode()
        + b"\n".join(garbage)
        + ("\n" + opt_in("b-1", 401) + "\n").encode()
    )
    result = load(deployment, tmp_path, content)
    assert result.returncode == 2, result.stderr
    assert "bad rows: 5" in result.stdout and "opted in: 2" in result.stdout
    for line in range(3, 8):
        assert f"line {line}: " in result.stderr


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "the file is empty"),
        (random.Random(3).randbytes(300_000), "not an extract file"),
        (b"\x1f\x8b\x08\x00" + random.Random(4).randbytes(5000), "not an extract file"),
    ],
    ids=["empty", "binary", "gzip"],
)
def test_a_file_that_is_no_extract_loads_nothing_and_exits_1(deployment, tmp_path, content, said):
    result = load(deployment, tmp_path, content)
    assert result.returncode == 1
    assert said in result.stderr and "Traceback" not in result.stderr


def test_a_header_alone_loads_nothing_and_exits_0(deployment, tmp_path):
    result = load(deployment, tmp_path, (COLUMNS + "\n").encode())
    assert result.returncode == 0 and result.stdout.strip() == "no rows"


PEAK = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def peak_kib(deployment, path) -> tuple[int, int]:
    """The command's exit status and its peak resident memory in KiB."""
    result = subprocess.run(
        [sys.executable, "-c", PEAK, sys.executable, "manage.py", "vibes_import_extract", path],
        cwd=ROOT,
        env=deployment.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, int(result.stderr.strip().splitlines()[-1])


def test_memory_stays_flat_whatever_a_row_holds(deployment, tmp_path):
    small = tmp_path / "small.tsv"
    small.write_bytes(extract(opt_in("m-0", 500), opt_in("m-1", 501)))
    big = tmp_path / "big.tsv"
    with open(big, "wb") as out:
        out.write((COLUMNS + "\n" + opt_in("m-2", 502) + "\n").encode())
        block = b"x" * (1 << 20)
        for _ in range(48):  # one line of 48 MiB
            out.write(block)
        out.write(("\n" + opt_in("m-3", 503) + "\n").encode())
    status, baseline = peak_kib(deployment, str(small))
    assert status == 0
    status, peak = peak_kib(deployment, str(big))
    assert status == 2
    assert peak < baseline + 16 * 1024, (baseline, peak)
