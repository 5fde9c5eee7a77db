"""Reading a Subscription Extract as Vibes writes it: one row a line, fields separated by
tabs, nothing quoted or escaped (docs/vibes.md, "Quirks").

A quote is a character like any other: read as CSV, a field that begins with ``"`` and
never closes it would swallow the lines after it into one field. Each line is read on its
own, at most ``MAX_LINE_BYTES`` of it held at once, and a line that cannot be a row (too
long, not UTF-8, a NUL byte, another number of fields than the header) is refused with its
number and why; the next line is read as if nothing happened. So memory stays flat
whatever a line holds, and one bad line costs that line only.
"""

from collections.abc import Iterator

# A row is ten short columns plus the company's custom fields: far below this. A longer
# line is refused whole (a field cap: no field can be longer either).
MAX_LINE_BYTES = 64 * 1024


class NotAnExtract(ValueError):
    """The file as a whole cannot be an extract: nothing in it is loaded."""


def header(handle) -> list[str]:
    """The column names of the first line, lower case; raise ``NotAnExtract`` for a file
    that is empty or whose first line is not text."""
    first = next(_lines(handle), None)
    if first is None:
        raise NotAnExtract("the file is empty: not even a header line")
    _number, text, why = first
    if text is None:
        raise NotAnExtract(f"the first line is not a header ({why}): not an extract file")
    return [name.strip().lower() for name in text.removeprefix("\ufeff").split("\t")]


def rows(handle, width: int) -> Iterator[tuple[int, list[str] | None, str]]:
    """Each line after the header as ``(line number, fields, "")``, or ``(line number,
    None, why)`` for a line that cannot be a row. Blank lines are passed over."""
    for number, text, why in _lines(handle, first=2):
        if text is None:
            yield number, None, why
            continue
        if not text.strip():
            continue
        fields = text.split("\t")
        if len(fields) != width:
            yield number, None, f"{len(fields)} fields where the header has {width}"
            continue
        yield number, [field.strip() for field in fields], ""


def _lines(handle, first: int = 1) -> Iterator[tuple[int, str | None, str]]:
    """``(number, text, "")`` for each line of ``handle`` (bytes or text) without its
    line ending, or ``(number, None, why)``."""
    number = first - 1
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        newline = b"\n" if isinstance(line, bytes) else "\n"
        if len(line) > MAX_LINE_BYTES and not line.endswith(newline):
            while line and not line.endswith(newline):  # the rest of it, a piece at a time
                line = handle.readline(MAX_LINE_BYTES)
            yield number, None, f"longer than {MAX_LINE_BYTES} bytes"
            continue
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, f"not UTF-8 text (byte {exc.start + 1} of the line)"
                continue
        if "\x00" in line:
            yield number, None, "holds a NUL byte"
            continue
        yield number, line.removesuffix("\n").removesuffix("\r"), ""
