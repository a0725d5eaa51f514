"""The tables every format shares: column headings and how each cell is read from the figures.

The CSV is the per-village table (VILLAGE_COLUMNS); the XLSX has it as its "villages" sheet
and one sheet per section besides; the PDF prints a narrower per-village table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.reports.figures import Figures, MilestoneRow, VillageRow
from villages.models import Connectivity, Dimension, EnrolmentStatus
from villages.selectors.programmes import PILLARS


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable


def _yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


VILLAGE_COLUMNS: tuple[Column, ...] = (
    Column(_("Programme"), lambda r: r.programme),
    Column(_("Cohort"), lambda r: r.cohort),
    Column(_("Regency"), lambda r: r.regency),
    Column(_("Kecamatan"), lambda r: r.district),
    Column(_("Village code"), lambda r: r.village_code),
    Column(_("Village"), lambda r: r.village),
    Column(_("Enrolment status"), lambda r: r.status_label),
    Column(_("Milestones done"), lambda r: r.milestones_done),
    Column(_("Milestones"), lambda r: r.milestones_total),
    Column(_("Milestones done in the period"), lambda r: r.milestones_done_in_period),
    Column(_("Progress %"), lambda r: r.progress_percent),
    Column(_("Pillar average, baseline %"), lambda r: r.baseline_average),
    Column(_("Pillar average, latest %"), lambda r: r.latest_average),
    Column(_("Visits"), lambda r: r.visits),
    Column(_("Participants, women"), lambda r: r.participants_female),
    Column(_("Participants, men"), lambda r: r.participants_male),
    Column(_("Participants, young people"), lambda r: r.participants_youth),
    Column(_("Last visit"), lambda r: r.last_visit),
    Column(_("Active mentors"), lambda r: r.mentors),
    Column(_("Main mentor"), lambda r: _yes_no(r.has_main_mentor)),
    Column(_("Requests filed"), lambda r: r.requests_filed),
    Column(_("Requests completed"), lambda r: r.requests_completed),
    Column(_("Completed on time"), lambda r: r.requests_on_time),
    Column(_("On time %"), lambda r: r.on_time_percent),
    Column(_("Requests overdue"), lambda r: r.requests_overdue),
    Column(_("Connectivity"), lambda r: r.connectivity_label),
    Column(_("Needs attention because"), lambda r: r.attention_text),
)

_PLACE = VILLAGE_COLUMNS[2:6]


def _pillar_columns() -> tuple[Column, ...]:
    columns = []
    for pillar in PILLARS:
        label = Dimension(pillar).label
        columns.append(
            Column(
                gettext("%(pillar)s, baseline %%") % {"pillar": label},
                lambda r, p=pillar: r.baseline_scores.get(p),
            )
        )
        columns.append(
            Column(
                gettext("%(pillar)s, latest %%") % {"pillar": label},
                lambda r, p=pillar: r.latest_scores.get(p),
            )
        )
    return tuple(columns)


def pillar_columns() -> tuple[Column, ...]:
    """Per village: each pillar's baseline and latest score, then the averages."""
    return (*_PLACE, *_pillar_columns(), VILLAGE_COLUMNS[11], VILLAGE_COLUMNS[12])


# The XLSX's "villages" sheet: who and where, enrolment and milestones, connectivity; the other
# sections have their own sheets (the CSV has everything in one table).
VILLAGE_SHEET_COLUMNS: tuple[Column, ...] = (*VILLAGE_COLUMNS[:11], VILLAGE_COLUMNS[25])
VISIT_COLUMNS: tuple[Column, ...] = (*_PLACE, *VILLAGE_COLUMNS[13:20])
SERVICE_COLUMNS: tuple[Column, ...] = (*_PLACE, *VILLAGE_COLUMNS[20:25])
ATTENTION_COLUMNS: tuple[Column, ...] = (
    VILLAGE_COLUMNS[0],
    *_PLACE,
    VILLAGE_COLUMNS[26],
)
MILESTONE_COLUMNS: tuple[Column, ...] = (
    Column(_("Programme"), lambda m: m.programme),
    Column(_("Milestone"), lambda m: m.name),
    Column(_("Villages"), lambda m: m.villages),
    Column(_("Done"), lambda m: m.done),
    Column(_("Done in the period"), lambda m: m.done_in_period),
    Column(_("Done %"), lambda m: m.done_percent),
)


def headings(columns) -> list[str]:
    return [str(column.heading) for column in columns]


def values(columns, row: VillageRow | MilestoneRow) -> list:
    return [column.value(row) for column in columns]


def summary_rows(figures: Figures) -> list[tuple[str, object]]:
    return summary_rows_from_totals(figures.totals)


def summary_rows_from_totals(totals: dict) -> list[tuple[str, object]]:
    """(label, value) pairs of a report's totals, in reading order."""
    rows: list[tuple[str, object]] = [
        (gettext("Enrolled villages"), totals["enrolments"]),
    ]
    for status in EnrolmentStatus:
        rows.append((f"  {status.label}", totals["by_status"][status.value]))
    rows += [
        (gettext("Milestones done"), totals["milestones_done"]),
        (gettext("Milestones possible"), totals["milestones_possible"]),
        (gettext("Milestones done in the period"), totals["milestones_done_in_period"]),
        (gettext("Average progress %"), totals["progress_percent"]),
        (gettext("Pillar average, baseline %"), totals["pillar_average"]["baseline"]),
        (gettext("Pillar average, latest %"), totals["pillar_average"]["latest"]),
    ]
    for pillar in PILLARS:
        scores = totals["pillars"][pillar]
        label = Dimension(pillar).label
        rows.append(
            ("  " + gettext("%(pillar)s, baseline %%") % {"pillar": label}, scores["baseline"])
        )
        rows.append(("  " + gettext("%(pillar)s, latest %%") % {"pillar": label}, scores["latest"]))
    rows += [
        (gettext("Visits"), totals["visits"]),
        (gettext("Villages visited"), totals["villages_visited"]),
        (gettext("Participants"), totals["participants"]),
        (gettext("Participants, women"), totals["participants_female"]),
        (gettext("Participants, men"), totals["participants_male"]),
        (gettext("Participants, young people"), totals["participants_youth"]),
        (gettext("Active mentors"), totals["mentors"]),
        (gettext("Villages with a main mentor"), totals["with_main_mentor"]),
        (gettext("Requests filed"), totals["requests_filed"]),
        (gettext("Requests completed"), totals["requests_completed"]),
        (gettext("Completed on time"), totals["requests_on_time"]),
        (gettext("On time %"), totals["on_time_percent"]),
        (gettext("Requests overdue"), totals["requests_overdue"]),
    ]
    for value, count in totals["connectivity"].items():
        label = gettext("Connectivity unknown") if not value else connectivity_label(value)
        rows.append((label, count))
    rows.append((gettext("Villages needing attention"), totals["attention"]))
    return rows


def connectivity_label(value: str) -> str:
    return f"{gettext('Connectivity')}: {Connectivity(value).label}"
