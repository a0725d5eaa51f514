"""Writes to the region registry: the national region importer.

The importer reads the Kemendagri region files in idn-area-data's format (one CSV file per
level), checks every row before writing anything, and then brings the database in line with the
files in a few large batches.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from portal.lib import api_cache
from portal.lib.errors import ErrorCollector
from villages.models import (
    CODE_PATTERNS,
    District,
    Province,
    Regency,
    Region,
    Village,
    ancestor_codes,
)

ProgressHook = Callable[[str, int, int], None]

# Rows per INSERT statement; Django lowers it further on SQLite to respect its variable limit.
BATCH_SIZE = 5000
MAX_ERRORS = 20

_CODE_PATTERNS = {name: re.compile(pattern) for name, pattern in CODE_PATTERNS.items()}

REGION_MODELS: dict[str, type[Region]] = {
    "province": Province,
    "regency": Regency,
    "district": District,
    "village": Village,
}


@dataclass(frozen=True)
class _Level:
    name: str
    file: str
    parent_column: str | None
    parent_field: str | None
    example: str

    @property
    def model(self) -> type[Region]:
        return REGION_MODELS[self.name]

    @property
    def columns(self) -> tuple[str, ...]:
        return ("code", self.parent_column, "name") if self.parent_column else ("code", "name")


# Top down: every level's parents are written before the level itself.
LEVELS = (
    _Level("province", "provinces.csv", None, None, "35"),
    _Level("regency", "regencies.csv", "province_code", "province", "35.05"),
    _Level("district", "districts.csv", "regency_code", "regency", "35.05.01"),
    _Level("village", "villages.csv", "district_code", "district", "35.05.01.2001"),
)


class RegionImportError(ValidationError):
    """The files were refused; `messages` names the file, line and problem of each error found."""


@dataclass(frozen=True)
class LevelCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # In the database (within `only`) but not in the file: left as they are.
    absent: int = 0


@dataclass(frozen=True)
class RegionImportResult:
    levels: dict[str, LevelCounts]

    @property
    def inserted(self) -> int:
        return sum(counts.inserted for counts in self.levels.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.levels.values())


class _Row(NamedTuple):
    line: int
    code: str
    parent: str | None
    name: str


class _Scope:
    """The part of the registry an import touches: everything, or one province or regency."""

    def __init__(self, only: str | None):
        self.only = only
        self.ancestors = set(ancestor_codes(only)) if only else set()

    def includes(self, code: str) -> bool:
        if self.only is None:
            return True
        return code == self.only or code.startswith(self.only + ".") or code in self.ancestors

    def q(self) -> Q:
        if self.only is None:
            return Q()
        return Q(code__in=[*self.ancestors, self.only]) | Q(code__startswith=self.only + ".")


@transaction.atomic
def import_regions(
    *, directory: Path, only: str | None = None, progress: ProgressHook | None = None
) -> RegionImportResult:
    """Bring the region registry in line with the CSV files in `directory`.

    `directory` holds provinces.csv (code,name), regencies.csv (code,province_code,name),
    districts.csv (code,regency_code,name) and villages.csv (code,district_code,name), UTF-8 with or
    without a BOM. `only` (a regency code such as "35.05", or a province code such as "35") limits
    the import to that area, the regions above it and the regions inside it; other rows are skipped.

    Raises RegionImportError, listing up to MAX_ERRORS messages that each name the file, line and
    problem, if `only` is malformed or absent from the files, a file is missing, unreadable as UTF-8
    or lacks a column, or a row has the wrong number of fields, a malformed or duplicate code, an
    empty or overlong name, or a parent that is neither in the files nor in the database.
    Every file is checked before anything is written: on error the database is left untouched.

    Effects: inserts the regions that are new and updates those whose name or parent changed;
    rows equal to the files are not written, and rows absent from the files are left alone.
    `progress(level, done, total)` is called as each level's rows are written.
    """
    directory = Path(directory)
    scope = _Scope(_clean_only(only))
    errors = ErrorCollector(RegionImportError, limit=MAX_ERRORS)
    if not directory.is_dir():
        errors.add(gettext("%(directory)s is not a folder."), directory=directory)
        errors.raise_if_any()

    existing = {level.name: _existing_rows(level, scope) for level in LEVELS}
    checked: dict[str, dict[str, _Row]] = {}
    parents: set[str] = set()
    for level in LEVELS:
        rows = _read_rows(directory, level, scope, errors)
        checked[level.name], codes = _check_rows(level, rows, parents, errors)
        if level.name == _level_of(scope.only):
            _check_only_present(level, scope.only, codes, errors)
        parents = codes | existing[level.name].keys()
    errors.raise_if_any()

    return RegionImportResult(
        levels={
            level.name: _write_level(level, checked[level.name], existing[level.name], progress)
            for level in LEVELS
        }
    )


def _clean_only(only: str | None) -> str | None:
    if only is None:
        return None
    only = only.strip()
    if _level_of(only) not in ("province", "regency"):
        raise RegionImportError(
            gettext("%(code)r is not a province or regency code; expected for example 35 or 35.05.")
            % {"code": only}
        )
    return only


def _level_of(code: str | None) -> str | None:
    if code is None:
        return None
    return next((name for name, pattern in _CODE_PATTERNS.items() if pattern.match(code)), None)


def _check_only_present(level: _Level, only: str, codes: set[str], errors: ErrorCollector) -> None:
    if only not in codes:
        errors.add(gettext("%(file)s: no row with code %(code)r."), file=level.file, code=only)


def _existing_rows(level: _Level, scope: _Scope) -> dict[str, tuple[str, str | None]]:
    """code -> (name, parent code) of the rows in the database within the scope."""
    queryset = level.model.objects.filter(scope.q()).order_by()
    if level.parent_field is None:
        return {code: (name, None) for code, name in queryset.values_list("code", "name")}
    return {
        code: (name, parent)
        for code, name, parent in queryset.values_list("code", "name", f"{level.parent_field}_id")
    }


def _read_rows(directory: Path, level: _Level, scope: _Scope, errors: ErrorCollector) -> list[_Row]:
    """The file's rows within the scope; structural problems go to `errors`."""
    try:
        data = (directory / level.file).read_bytes()
    except FileNotFoundError:
        errors.add(gettext("%(file)s: file not found."), file=level.file)
        return []
    reader = csv.reader(io.StringIO(_decode(data, level.file, errors), newline=""))
    try:
        header = [column.strip() for column in next(reader, [])]
        if not header:
            errors.add(gettext("%(file)s: the file is empty."), file=level.file)
            return []
        missing = [column for column in level.columns if column not in header]
        for column in missing:
            errors.add(
                gettext("%(file)s, line 1: missing column %(column)r."),
                file=level.file,
                column=column,
            )
        if missing:
            return []
        return list(_rows_in_scope(reader, header, level, scope, errors))
    except csv.Error as error:
        errors.add(
            gettext("%(file)s, line %(line)s: unreadable CSV (%(error)s)."),
            file=level.file,
            line=reader.line_num,
            error=error,
        )
        return []


def _rows_in_scope(
    reader, header: Sequence[str], level: _Level, scope: _Scope, errors: ErrorCollector
) -> Iterator[_Row]:
    positions = [header.index(column) for column in level.columns]
    # Errors name a record's first line; `line_num` is its last when a quoted field spans lines.
    next_line = reader.line_num + 1
    for fields in reader:
        line, next_line = next_line, reader.line_num + 1
        if not fields:
            continue
        if len(fields) != len(header):
            errors.add(
                gettext(
                    "%(file)s, line %(line)s: %(found)s fields where %(expected)s are expected."
                ),
                file=level.file,
                line=line,
                found=len(fields),
                expected=len(header),
            )
            continue
        values = [fields[position].strip() for position in positions]
        if scope.includes(values[0]):
            parent = values[1] if level.parent_column else None
            yield _Row(line, values[0], parent, values[-1])


def _decode(data: bytes, file: str, errors: ErrorCollector) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        for number, line in enumerate(data.split(b"\n"), start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                errors.add(
                    gettext("%(file)s, line %(line)s: the text is not valid UTF-8."),
                    file=file,
                    line=number,
                )
        # Keep reading, so that one bad byte does not hide the file's other errors.
        return data.decode("utf-8-sig", errors="replace")


def _check_rows(
    level: _Level, rows: list[_Row], parents: set[str], errors: ErrorCollector
) -> tuple[dict[str, _Row], set[str]]:
    """The valid rows by code, and every well-formed code seen (so that a row with a bad name does
    not also make each of its children report an unknown parent)."""
    pattern = _CODE_PATTERNS[level.name]
    max_length = level.model._meta.get_field("name").max_length
    first_lines: dict[str, int] = {}
    valid: dict[str, _Row] = {}
    for row in rows:
        where = {"file": level.file, "line": row.line}
        if not pattern.match(row.code):
            errors.add(
                gettext(
                    "%(file)s, line %(line)s: malformed code %(code)r (expected like %(example)s)."
                ),
                code=row.code,
                example=level.example,
                **where,
            )
            continue
        if row.code in first_lines:
            errors.add(
                gettext(
                    "%(file)s, line %(line)s: duplicate code %(code)r (first on line %(first)s)."
                ),
                code=row.code,
                first=first_lines[row.code],
                **where,
            )
            continue
        first_lines[row.code] = row.line
        problems = errors.count
        _check_name(row, max_length, where, errors)
        if level.parent_column:
            _check_parent(row, parents, where, errors)
        if errors.count == problems:
            valid[row.code] = row
    return valid, set(first_lines)


def _check_name(row: _Row, max_length: int, where: dict, errors: ErrorCollector) -> None:
    if not row.name:
        errors.add(gettext("%(file)s, line %(line)s: empty name."), **where)
    elif len(row.name) > max_length:
        errors.add(
            gettext("%(file)s, line %(line)s: name longer than %(max)s characters."),
            max=max_length,
            **where,
        )
    elif "\n" in row.name or "\r" in row.name:
        # Most likely a field opened with a quote that was never closed.
        errors.add(gettext("%(file)s, line %(line)s: line break inside a name."), **where)


def _check_parent(row: _Row, parents: set[str], where: dict, errors: ErrorCollector) -> None:
    if row.code.rpartition(".")[0] != row.parent:
        errors.add(
            gettext("%(file)s, line %(line)s: code %(code)r is not under its parent %(parent)r."),
            code=row.code,
            parent=row.parent,
            **where,
        )
    elif row.parent not in parents:
        errors.add(
            gettext("%(file)s, line %(line)s: unknown parent code %(code)r."),
            code=row.parent,
            **where,
        )


def _write_level(
    level: _Level,
    rows: dict[str, _Row],
    existing: dict[str, tuple[str, str | None]],
    progress: ProgressHook | None,
) -> LevelCounts:
    new, changed = [], []
    for code, row in rows.items():
        if code not in existing:
            new.append(row)
        elif existing[code] != (row.name, row.parent):
            changed.append(row)
    total = len(new) + len(changed)
    done = 0
    if progress:
        progress(level.name, done, total)
    for pending, upsert in ((new, False), (changed, True)):
        for batch in _batches(pending):
            _save_batch(level, batch, upsert=upsert)
            done += len(batch)
            if progress:
                progress(level.name, done, total)
    return LevelCounts(
        inserted=len(new),
        updated=len(changed),
        unchanged=len(rows) - total,
        absent=len(existing.keys() - rows.keys()),
    )


def _batches(rows: list[_Row]) -> Iterator[list[_Row]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


def _save_batch(level: _Level, rows: list[_Row], *, upsert: bool) -> None:
    model = level.model
    if level.parent_field:
        parent_attname = f"{level.parent_field}_id"
        objects = [model(code=r.code, name=r.name, **{parent_attname: r.parent}) for r in rows]
    else:
        objects = [model(code=r.code, name=r.name) for r in rows]
    if upsert:
        model.objects.bulk_create(
            objects,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", level.parent_field] if level.parent_field else ["name"],
        )
    else:
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    api_cache.bump("villages")  # bulk writes send no model signals
