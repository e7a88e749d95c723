"""Reading Microsoft Access `.mdb` exports with mdbtools (the Debian package `mdbtools`).

The tools run as argument lists (never through a shell), with a timeout and a size limit on what
they print; every failure is an `ApplicationError` naming the file, and the table or the column
when one is at fault. Dates come out as ISO text (`-D`/`-T`), NULLs as empty cells.
"""

import csv
import io
import shutil
import subprocess  # noqa: S404 (argument lists only, no shell)
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from core.errors import ApplicationError

TIMEOUT_S = 120
MAX_FILE_BYTES = 512 * 1024 * 1024  # an export larger than this is refused before it is read
MAX_OUTPUT_BYTES = 256 * 1024 * 1024  # what one table may print
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ApplicationError(
            _("The mdbtools programs are not installed on this server (%(tool)s is missing).")
            % {"tool": name}
        )
    return found


def _run(args: list[str], *, filename: str, table: str = "") -> str:
    where = (
        _("“%(file)s”, table “%(table)s”") % {"file": filename, "table": table} if table else f"“{filename}”"
    )
    try:
        done = subprocess.run(  # noqa: S603 (a fixed program, arguments as a list)
            args, capture_output=True, timeout=TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise ApplicationError(
            _("Reading %(where)s took longer than %(seconds)s seconds.")
            % {"where": where, "seconds": TIMEOUT_S}
        ) from None
    if len(done.stdout) > MAX_OUTPUT_BYTES:
        raise ApplicationError(_("%(where)s is too large to be read.") % {"where": where})
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ApplicationError(
            _("%(where)s cannot be read as an Access database: %(detail)s")
            % {"where": where, "detail": (detail[-1] if detail else _("unknown error"))[:200]}
        )
    return done.stdout.decode("utf-8", "replace")


def _checked(path: Path, filename: str) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        raise ApplicationError(_("The file “%(file)s” cannot be opened.") % {"file": filename}) from None
    if size > MAX_FILE_BYTES:
        raise ApplicationError(_("The file “%(file)s” is too large to be read.") % {"file": filename})
    with open(path, "rb") as handle:
        head = handle.read(32)
    if b"Standard Jet DB" not in head and b"Standard ACE DB" not in head:
        raise ApplicationError(
            _("The file “%(file)s” is not an Access database (.mdb).") % {"file": filename}
        )


def mdb_tables(path: Path, *, filename: str = "") -> list[str]:
    """The user tables of the database (system tables left out)."""
    filename = filename or path.name
    _checked(path, filename)
    out = _run([_tool("mdb-tables"), "-1", str(path)], filename=filename)
    return [name for name in out.splitlines() if name and not name.startswith("MSys")]


def mdb_rows(path: Path, table: str, *, filename: str = "") -> tuple[list[str], Iterator[dict[str, str]]]:
    """The columns of `table` and its rows (column → text; empty for NULL)."""
    filename = filename or path.name
    tables = mdb_tables(path, filename=filename)
    if table not in tables:
        raise ApplicationError(
            _("The file “%(file)s” has no table “%(table)s” (it has: %(tables)s).")
            % {"file": filename, "table": table, "tables": ", ".join(tables)},
            field="line_table",
        )
    out = _run(
        [_tool("mdb-export"), "-D", DATE_FORMAT, "-T", DATETIME_FORMAT, "-b", "strip", str(path), table],
        filename=filename,
        table=table,
    )
    reader = csv.reader(io.StringIO(out, newline=""))
    header = next(reader, None)
    if header is None:
        raise ApplicationError(
            _("The table “%(table)s” of “%(file)s” gives no columns.") % {"table": table, "file": filename}
        )
    columns = list(header)

    def rows() -> Iterator[dict[str, str]]:
        for cells in reader:
            yield dict(zip(columns, cells, strict=False))

    return columns, rows()
