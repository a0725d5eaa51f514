"""The report as CSV: one file, the per-village table (tables.VILLAGE_COLUMNS), one row per
enrolled village, UTF-8 with a byte-order mark so that spreadsheet programs read the names right.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from portal.reports.figures import Figures
from portal.reports.tables import VILLAGE_COLUMNS, headings, values

# A cell beginning with one of these is a formula to a spreadsheet program: written with a
# leading apostrophe so that a name typed into the portal can never run as one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def write_csv(figures: Figures, out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(headings(VILLAGE_COLUMNS))
    for row in figures.rows:
        writer.writerow([_cell(value) for value in values(VILLAGE_COLUMNS, row)])
    text.flush()
    # Leave `out` open for the caller.
    text.detach()
