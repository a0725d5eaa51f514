"""The report as XLSX: a sheet per section (summary, villages, pillars, milestones, visits,
services, attention), written with openpyxl's write-only mode so memory stays flat."""

from __future__ import annotations

from typing import BinaryIO

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from portal.reports.figures import Figures
from portal.reports.tables import (
    ATTENTION_COLUMNS,
    MILESTONE_COLUMNS,
    SERVICE_COLUMNS,
    VILLAGE_SHEET_COLUMNS,
    VISIT_COLUMNS,
    headings,
    pillar_columns,
    summary_rows,
    values,
)

BOLD = Font(bold=True)
# Characters a sheet title may not hold, and its longest length.
_BAD_TITLE = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _title(text: str) -> str:
    return text.translate(_BAD_TITLE)[:31]


def _header(sheet, names: list[str]) -> None:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def _table(workbook, title: str, columns, rows) -> None:
    sheet = workbook.create_sheet(_title(title))
    sheet.freeze_panes = "A2"
    _header(sheet, headings(columns))
    for row in rows:
        sheet.append(values(columns, row))


def write_xlsx(figures: Figures, out: BinaryIO, *, parameters: list[tuple[str, str]]) -> None:
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(_title(gettext("Summary")))
    _header(summary, [gettext("Figure"), gettext("Value")])
    for label, value in parameters:
        summary.append([label, value])
    for label, value in summary_rows(figures):
        summary.append([label, value])
    _table(workbook, gettext("Villages"), VILLAGE_SHEET_COLUMNS, figures.rows)
    _table(workbook, gettext("Pillars"), pillar_columns(), figures.rows)
    _table(workbook, gettext("Milestones"), MILESTONE_COLUMNS, figures.milestones)
    _table(workbook, gettext("Visits"), VISIT_COLUMNS, figures.rows)
    _table(workbook, gettext("Services"), SERVICE_COLUMNS, figures.rows)
    _table(workbook, gettext("Attention"), ATTENTION_COLUMNS, figures.attention_rows)
    workbook.save(out)
