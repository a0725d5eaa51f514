"""Writes the roster from a spreadsheet: the volunteer CSV import.

The file has one row per corps membership (a volunteer with no membership has one row with the
corps columns blank); rows sharing a WhatsApp number describe the same volunteer. The roster's CSV
export (volunteers.views.roster_csv) writes the same columns, so an exported file re-imports with
no change. Every row is checked before anything is written.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from portal.accounts.models import User
from portal.lib import api_cache
from portal.lib.errors import ErrorCollector
from portal.lib.phone import normalise_phone
from villages.models import District, Village
from volunteers.models import Corps, Gender, Membership, Volunteer, VolunteerStatus
from volunteers.permissions import managed_districts, manages_roster_in

VOLUNTEER_COLUMNS = (
    "full_name",
    "gender",
    "whatsapp",
    "email",
    "district_code",
    "home_village_code",
    "skills",
    "status",
    "joined_on",
    "left_on",
)
MEMBERSHIP_COLUMNS = (
    "corps",
    "level",
    "komisariat",
    "position",
    "appointing_village_code",
    "decree_number",
    "decree_date",
    "member_since",
)
COLUMNS = VOLUNTEER_COLUMNS + MEMBERSHIP_COLUMNS

# A cell starting with one of these is a formula to a spreadsheet; the export writes it after a
# quote (the CSV injection guard) and the import drops that quote again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 50

# Model field (attname) -> the CSV column it comes from, to name the column in errors.
VOLUNTEER_FIELDS = {
    "full_name": "full_name",
    "gender": "gender",
    "whatsapp": "whatsapp",
    "email": "email",
    "district_id": "district_code",
    "home_village_id": "home_village_code",
    "skills": "skills",
    "status": "status",
    "joined_on": "joined_on",
    "left_on": "left_on",
}
MEMBERSHIP_FIELDS = {
    "level_id": "level",
    "komisariat": "komisariat",
    "position": "position",
    "appointing_village_id": "appointing_village_code",
    "decree_number": "decree_number",
    "decree_date": "decree_date",
    "since": "member_since",
}
# Foreign keys are checked against codes fetched in bulk, not by full_clean's query per value.
_FOREIGN_KEYS = [
    "district",
    "home_village",
    "user",
    "volunteer",
    "corps",
    "level",
    "appointing_village",
]

_GENDERS = {
    "female": Gender.FEMALE,
    "p": Gender.FEMALE,
    "perempuan": Gender.FEMALE,
    "male": Gender.MALE,
    "l": Gender.MALE,
    "laki-laki": Gender.MALE,
}
_STATUSES = {
    "": VolunteerStatus.ACTIVE,
    "active": VolunteerStatus.ACTIVE,
    "inactive": VolunteerStatus.INACTIVE,
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# DD-MM-YYYY or DD/MM/YYYY, as Indonesian spreadsheets write dates.
_LOCAL_DATE = re.compile(r"^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$")


class VolunteerImportError(ValidationError):
    """The file was refused; each message names the row and column of one problem."""


@dataclass
class ImportResult:
    """What the import did (or, for a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    memberships_created: int = 0
    memberships_updated: int = 0
    memberships_unchanged: int = 0
    dry_run: bool = False


@dataclass
class _Record:
    """One volunteer of the file: their fields, and their memberships by corps id."""

    row: int
    values: dict
    memberships: dict[int, tuple[int, dict]] = field(default_factory=dict)


class _Problems:
    """Errors as (row, column, message), reported in row order however they were found."""

    def __init__(self):
        self.items: list[tuple[int, str | None, str]] = []

    def add(self, row: int, column: str | None, message: str) -> None:
        self.items.append((row, column, message))

    def raise_if_any(self) -> None:
        errors = ErrorCollector(VolunteerImportError, limit=MAX_ERRORS)
        for row, column, message in sorted(self.items, key=lambda item: item[0]):
            if column is None:
                errors.add("%(problem)s", problem=message)
            else:
                errors.add(
                    gettext("Row %(row)s, %(column)s: %(problem)s"),
                    row=row,
                    column=column,
                    problem=message,
                )
        errors.raise_if_any()


@transaction.atomic
def import_volunteers(*, file: IO[bytes], actor: User, dry_run: bool = False) -> ImportResult:
    """Create and update volunteers and their corps memberships from a roster CSV file.

    `file` is UTF-8 (a BOM is fine), `,` or `;` separated, with a header row naming COLUMNS in
    any order (other columns are ignored). A row's volunteer is matched by WhatsApp number and
    updated, or created; a row without a number always creates one. Memberships are created or
    updated per (volunteer, corps); volunteers and memberships absent from the file are left alone.

    Raises PermissionDenied unless the actor manages the roster of some kecamatan;
    VolunteerImportError, listing up to MAX_ERRORS problems each naming its row (as a spreadsheet
    numbers them, the header being row 1) and column, for a file over MAX_BYTES or MAX_ROWS, not
    UTF-8 or lacking a column, and for rows with a bad value, an unknown code, corps or level, a
    kecamatan (or an existing volunteer) whose roster the actor does not manage, or volunteer
    columns that disagree with an earlier row of the same number. Nothing is written unless every
    row is valid; with `dry_run` nothing is written at all and the counts say what would change.
    """
    if not managed_districts(actor).exists():
        raise PermissionDenied(gettext("You do not manage any kecamatan's volunteer roster."))
    problems = _Problems()
    rows = _read_rows(file, problems)
    problems.raise_if_any()

    records = _check_rows(rows, actor, problems)
    numbers = [number for number in records if isinstance(number, str)]
    matches = Volunteer.objects.filter(whatsapp__in=numbers).select_related("district")
    if not dry_run:
        matches = matches.select_for_update(of=("self",))
    existing = {volunteer.whatsapp: volunteer for volunteer in matches}
    unmanaged = [v for v in existing.values() if not manages_roster_in(actor, v.district_id)]
    # The number's owner is named only to those who see them: the file must not turn the import
    # into a directory of who has which number elsewhere.
    seen = (
        set(
            Volunteer.objects.visible_to(actor)
            .filter(pk__in=[volunteer.pk for volunteer in unmanaged])
            .values_list("pk", flat=True)
        )
        if unmanaged
        else set()
    )
    for volunteer in unmanaged:
        number = volunteer.whatsapp
        if volunteer.pk not in seen:
            problems.add(
                records[number].row,
                "whatsapp",
                gettext("%(number)s belongs to a volunteer whose roster you do not manage.")
                % {"number": number},
            )
            continue
        problems.add(
            records[number].row,
            "whatsapp",
            gettext(
                "%(number)s belongs to %(name)s of kecamatan %(district)s, whose roster you "
                "do not manage."
            )
            % {
                "number": number,
                "name": volunteer.full_name,
                "district": volunteer.district.name,
            },
        )
    problems.raise_if_any()
    return _write(records, existing, dry_run=dry_run)


# Reading


def _read_rows(file: IO[bytes], problems: _Problems) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: stripped value}) for each non-blank row; file problems go to
    `problems` (and give no rows)."""
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        problems.add(1, None, gettext("The file is larger than 2 MB; split it into parts."))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(
            line,
            None,
            gettext("Line %(line)s is not UTF-8 text; save the sheet as “CSV UTF-8” and try again.")
            % {"line": line},
        )
        return []
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        if not any(header):
            problems.add(1, None, gettext("The file is empty."))
            return []
        missing = [column for column in COLUMNS if column not in header]
        for column in missing:
            problems.add(
                1, None, gettext("The header row lacks the column %(column)s.") % {"column": column}
            )
        if missing:
            return []
        positions = {column: header.index(column) for column in COLUMNS}
        rows = []
        # Rows are counted per record, as a spreadsheet shows them even when a cell spans lines.
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                problems.add(
                    number,
                    None,
                    gettext("The file has more than %(max)s rows; split it into parts.")
                    % {"max": f"{MAX_ROWS:,}"},
                )
                return []
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                problems.add(
                    number,
                    None,
                    gettext(
                        "Row %(row)s has %(found)s cells where the header has %(expected)s; put "
                        "quotes around values holding “%(delimiter)s”."
                    )
                    % {
                        "row": number,
                        "found": len(cells),
                        "expected": len(header),
                        "delimiter": delimiter,
                    },
                )
                continue
            # Some tools drop trailing empty cells; a short row has them blank.
            cells += [""] * (len(header) - len(cells))
            rows.append((number, {c: _cell(cells[i]) for c, i in positions.items()}))
        return rows
    except csv.Error as error:
        problems.add(
            reader.line_num,
            None,
            gettext("Line %(line)s is not readable as CSV (%(error)s).")
            % {"line": reader.line_num, "error": error},
        )
        return []


def _cell(value: str) -> str:
    if value.startswith("'") and value[1:2] in FORMULA_STARTS:
        value = value[1:]
    return value.strip()


# Checking


class _Lookups:
    """The codes the file mentions, fetched in a few queries for all rows."""

    def __init__(self, rows: list[tuple[int, dict[str, str]]], actor: User):
        codes = {cells["district_code"] for _number, cells in rows}
        self.districts = {d.code: d for d in District.objects.filter(code__in=codes)}
        codes = {
            cells[c] for _n, cells in rows for c in ("home_village_code", "appointing_village_code")
        }
        # Only villages the actor sees, as on the roster forms; any other is "not a known code".
        self.villages = set(
            Village.objects.visible_to(actor).filter(code__in=codes).values_list("code", flat=True)
        )
        self.corps = {corps.code: corps for corps in Corps.objects.prefetch_related("levels")}
        levels = [level for corps in self.corps.values() for level in corps.levels.all()]
        self.levels = {(level.corps_id, level.name.casefold()): level for level in levels}
        self.levels_by_pk = {level.pk: level for level in levels}


class _Row:
    """One row being checked: its cells, and its problems named by column."""

    def __init__(self, number: int, cells: dict[str, str], problems: _Problems):
        self.number = number
        self.cells = cells
        self.problems = problems
        self.failed: set[str] = set()

    def error(self, column: str, message: str) -> None:
        self.failed.add(column)
        self.problems.add(self.number, column, message)

    def parse(self, column: str, parser):
        try:
            return parser(self.cells[column])
        except ValidationError as error:
            for message in error.messages:
                self.error(column, message)
            return None

    def model_errors(self, error: ValidationError, columns: dict[str, str]) -> None:
        for name, messages in error.message_dict.items():
            column = columns.get(name) or columns.get(f"{name}_id") or name
            for message in messages:
                self.error(column, message)


def _check_rows(rows, actor: User, problems: _Problems) -> dict[str | int, _Record]:
    """The file's volunteers keyed by WhatsApp number (or by row number when blank)."""
    lookups = _Lookups(rows, actor)
    records: dict[str | int, _Record] = {}
    for number, cells in rows:
        row = _Row(number, cells, problems)
        values = _volunteer_values(row, lookups, actor)
        membership = _membership_values(row, lookups)
        if row.failed:
            continue
        key = values["whatsapp"] or number
        record = records.get(key)
        if record is None:
            record = records[key] = _Record(row=number, values=values)
        else:
            different = [
                VOLUNTEER_FIELDS[name]
                for name, value in values.items()
                if record.values[name] != value
            ]
            if different:
                row.error(
                    "whatsapp",
                    gettext(
                        "this number is also on row %(row)s with a different %(columns)s; the "
                        "rows of one volunteer must agree."
                    )
                    % {"row": record.row, "columns": ", ".join(different)},
                )
                continue
        if membership is not None:
            corps, membership_values = membership
            if corps.pk in record.memberships:
                row.error(
                    "corps",
                    gettext("%(corps)s is already on row %(row)s for this volunteer.")
                    % {"corps": corps.code, "row": record.memberships[corps.pk][0]},
                )
                continue
            record.memberships[corps.pk] = (number, membership_values)
    return records


def _volunteer_values(row: _Row, lookups: _Lookups, actor: User) -> dict:
    values = {
        "full_name": row.cells["full_name"],
        "gender": row.parse("gender", _parse_gender),
        "whatsapp": row.parse("whatsapp", normalise_phone),
        "email": row.cells["email"],
        "district_id": row.parse("district_code", lambda code: _district(code, lookups, actor)),
        "home_village_id": row.parse("home_village_code", lambda c: _village(c, lookups)),
        "skills": row.cells["skills"],
        "status": row.parse("status", _parse_status),
        "joined_on": row.parse("joined_on", _parse_date),
        "left_on": row.parse("left_on", _parse_date),
    }
    joined_on, left_on = values["joined_on"], values["left_on"]
    if joined_on and left_on and left_on < joined_on:
        row.error("left_on", gettext("A volunteer cannot leave before joining."))
    failed = [name for name, column in VOLUNTEER_FIELDS.items() if column in row.failed]
    try:
        Volunteer(**values).full_clean(
            exclude=[*_FOREIGN_KEYS, *failed], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        row.model_errors(error, VOLUNTEER_FIELDS)
    return values


def _membership_values(row: _Row, lookups: _Lookups) -> tuple[Corps, dict] | None:
    """The row's corps and membership fields, or None when the corps is blank."""
    code = row.cells["corps"].lower()
    if not code:
        for column in MEMBERSHIP_COLUMNS[1:]:
            if row.cells[column]:
                row.error(column, gettext("Fill in the corps this membership detail is for."))
        return None
    corps = lookups.corps.get(code)
    if corps is None:
        row.error(
            "corps",
            gettext("%(code)s is not a known corps; use one of %(codes)s.")
            % {"code": code, "codes": ", ".join(sorted(lookups.corps))},
        )
        return None
    values = {
        "level_id": row.parse("level", lambda name: _level(name, corps, lookups)),
        "komisariat": row.cells["komisariat"],
        "position": row.cells["position"],
        "appointing_village_id": row.parse(
            "appointing_village_code", lambda code: _village(code, lookups)
        ),
        "decree_number": row.cells["decree_number"],
        "decree_date": row.parse("decree_date", _parse_date),
        "since": row.parse("member_since", _parse_date),
    }
    failed = [name for name, column in MEMBERSHIP_FIELDS.items() if column in row.failed]
    membership = Membership(corps=corps, **values)
    if values["level_id"]:
        # Membership.clean() reads the level; hand it over instead of a query per row.
        membership.level = lookups.levels_by_pk[values["level_id"]]
    try:
        membership.full_clean(
            exclude=[*_FOREIGN_KEYS, *failed], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        row.model_errors(error, MEMBERSHIP_FIELDS)
    return corps, values


def _parse_gender(value: str) -> str:
    if not value:
        raise ValidationError(gettext("Fill in female or male (P or L)."))
    gender = _GENDERS.get(value.casefold())
    if gender is None:
        raise ValidationError(
            gettext("%(value)s is not a gender; write female or male (P or L).") % {"value": value}
        )
    return gender


def _parse_status(value: str) -> str:
    status = _STATUSES.get(value.casefold())
    if status is None:
        raise ValidationError(
            gettext("%(value)s is not a status; write active or inactive.") % {"value": value}
        )
    return status


def _parse_date(value: str) -> datetime.date | None:
    if not value:
        return None
    if match := _ISO_DATE.match(value):
        year, month, day = match.groups()
    elif match := _LOCAL_DATE.match(value):
        day, _separator, month, year = match.groups()
    else:
        year = None
    try:
        if year is not None:
            return datetime.date(int(year), int(month), int(day))
    except ValueError:
        pass
    raise ValidationError(
        gettext("%(value)s is not a date; write it as YYYY-MM-DD, e.g. 2021-01-10.")
        % {"value": value}
    )


def _district(code: str, lookups: _Lookups, actor: User) -> str:
    if not code:
        raise ValidationError(gettext("Fill in the kecamatan code, e.g. 35.05.01."))
    district = lookups.districts.get(code)
    if district is None:
        raise ValidationError(gettext("%(code)s is not a known kecamatan code.") % {"code": code})
    if not manages_roster_in(actor, district):
        raise ValidationError(
            gettext("you do not manage the roster of kecamatan %(name)s (%(code)s).")
            % {"name": district.name, "code": code}
        )
    return code


def _village(code: str, lookups: _Lookups) -> str | None:
    if not code:
        return None
    if code not in lookups.villages:
        raise ValidationError(gettext("%(code)s is not a known village code.") % {"code": code})
    return code


def _level(name: str, corps: Corps, lookups: _Lookups) -> int | None:
    if not name:
        return None
    level = lookups.levels.get((corps.pk, name.casefold()))
    if level is None:
        names = [level.name for level in corps.levels.all()]
        if names:
            message = gettext("%(level)s is not a level of %(corps)s; use one of %(names)s.")
        else:
            message = gettext("%(corps)s has no levels; leave the level blank.")
        raise ValidationError(
            message % {"level": name, "corps": corps.name, "names": ", ".join(names)}
        )
    return level.pk


# Writing


def _write(records: dict, existing: dict[str, Volunteer], *, dry_run: bool) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    current_memberships = {
        (membership.volunteer_id, membership.corps_id): membership
        for membership in Membership.objects.filter(
            volunteer__in=[volunteer.pk for volunteer in existing.values()]
        )
    }
    new_volunteers: list[tuple[Volunteer, _Record]] = []
    new_memberships: list[Membership] = []
    for key, record in records.items():
        volunteer = existing.get(key) if isinstance(key, str) else None
        if volunteer is None:
            result.created += 1
            result.memberships_created += len(record.memberships)
            new_volunteers.append((Volunteer(**record.values), record))
            continue
        changed = _assign(volunteer, record.values)
        if changed:
            result.updated += 1
            if not dry_run:
                volunteer.save(update_fields=[*changed, "updated_at"])
        else:
            result.unchanged += 1
        for corps_id, (_row, values) in record.memberships.items():
            membership = current_memberships.get((volunteer.pk, corps_id))
            if membership is None:
                result.memberships_created += 1
                new_memberships.append(Membership(volunteer=volunteer, corps_id=corps_id, **values))
            elif changed := _assign(membership, values):
                result.memberships_updated += 1
                if not dry_run:
                    membership.save(update_fields=changed)
            else:
                result.memberships_unchanged += 1
    if dry_run:
        return result
    Volunteer.objects.bulk_create([volunteer for volunteer, _record in new_volunteers])
    api_cache.bump("volunteers")  # bulk writes send no model signals
    for volunteer, record in new_volunteers:
        new_memberships += [
            Membership(volunteer=volunteer, corps_id=corps_id, **values)
            for corps_id, (_row, values) in record.memberships.items()
        ]
    Membership.objects.bulk_create(new_memberships)
    return result


def _assign(instance, values: dict) -> list[str]:
    """Set the values that differ on the instance; the names of the fields changed."""
    changed = []
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed
