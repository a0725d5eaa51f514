"""Report contents against the hand-counted pilot (tests/reports/conftest.py): the figures, and
the same numbers read back from the CSV, the XLSX and the PDF."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from portal.reports.figures import Attention, ReportParams, compute_figures
from portal.reports.models import ReportState
from portal.reports.tables import VILLAGE_COLUMNS, VILLAGE_SHEET_COLUMNS, headings
from tests.reports.conftest import END, START, TODAY

pytestmark = pytest.mark.django_db

# Per village code: (done, in period, baseline avg, latest avg, visits, women, men, youth,
# mentors, main mentor, filed, completed, on time, overdue, connectivity, attention)
EXPECTED = {
    "35.05.01.2001": (2, 1, Decimal("37.5"), Decimal("62.5"), 2, 15, 11, 7, 1, True, 3, 2, 1, 1,
                      "4g", [Attention.OVERDUE_REQUESTS]),
    "35.05.01.1001": (1, 1, Decimal("100.0"), Decimal("100.0"), 0, 0, 0, 0, 1, False, 1, 0, 0, 0,
                      "fibre", [Attention.NO_VISIT, Attention.NO_MAIN_MENTOR]),
    "35.05.02.2001": (1, 0, None, None, 1, 5, 5, 0, 1, False, 0, 0, 0, 1,
                      "", [Attention.NO_MAIN_MENTOR, Attention.OVERDUE_REQUESTS,
                           Attention.NO_MILESTONE]),
}  # fmt: skip


def figures_for(pilot, area="35.05", **params):
    return compute_figures(
        ReportParams(
            area_code=area,
            start=START,
            end=END,
            programme_id=pilot.programme.pk,
            today=TODAY,
            **params,
        )
    )


def test_each_village_row_matches_the_hand_count(pilot):
    figures = figures_for(pilot)

    actual = {
        row.village_code: (
            row.milestones_done,
            row.milestones_done_in_period,
            row.baseline_average,
            row.latest_average,
            row.visits,
            row.participants_female,
            row.participants_male,
            row.participants_youth,
            row.mentors,
            row.has_main_mentor,
            row.requests_filed,
            row.requests_completed,
            row.requests_on_time,
            row.requests_overdue,
            row.connectivity,
            row.attention,
        )
        for row in figures.rows
    }
    assert actual == EXPECTED
    assert {row.milestones_total for row in figures.rows} == {3}


def test_the_totals_match_the_hand_count(pilot):
    totals = figures_for(pilot).totals

    assert totals["enrolments"] == totals["villages"] == 3
    assert totals["by_status"]["active"] == 3
    assert (totals["milestones_done"], totals["milestones_possible"]) == (4, 9)
    assert totals["milestones_done_in_period"] == 2
    assert totals["progress_percent"] == 44
    assert totals["pillars"]["masyarakat"] == {"baseline": 75.0, "latest": 87.5}
    assert totals["pillars"]["ekonomi"] == {"baseline": 25.0, "latest": 50.0}
    assert totals["pillars"]["lingkungan"] == {"baseline": None, "latest": None}
    # (37.5 + 100) / 2 and (62.5 + 100) / 2, halves rounded up.
    assert totals["pillar_average"] == {"baseline": 68.8, "latest": 81.3}
    assert (totals["visits"], totals["villages_visited"]) == (3, 2)
    assert (totals["participants_female"], totals["participants_male"]) == (20, 16)
    assert (totals["participants_youth"], totals["participants"]) == (7, 36)
    assert (totals["mentors"], totals["with_main_mentor"]) == (3, 1)
    assert (totals["requests_filed"], totals["requests_completed"]) == (4, 2)
    assert (totals["requests_on_time"], totals["on_time_percent"]) == (1, 50)
    assert totals["requests_overdue"] == 2
    assert totals["connectivity"]["4g"] == totals["connectivity"]["fibre"] == 1
    assert totals["connectivity"][""] == 1
    assert totals["attention"] == 3


def test_milestones_count_the_villages_done_by_the_end_and_within_the_period(pilot):
    milestones = figures_for(pilot).milestones

    assert [(m.name, m.villages, m.done, m.done_in_period, m.done_percent) for m in milestones] == [
        ("Website desa", 3, 3, 1, 100),
        ("Layanan daring", 3, 1, 1, 33),
        ("UMKM online", 3, 0, 0, 0),
    ]


def test_the_attention_list_puts_the_villages_with_most_reasons_first(pilot):
    figures = figures_for(pilot)

    assert [row.village for row in figures.attention_rows] == ["Bakung", "Kelurahan Dua", "Jaten"]


def test_a_kecamatan_report_holds_only_its_villages(pilot):
    figures = figures_for(pilot, area="35.05.01")

    assert [row.village_code for row in figures.rows] == ["35.05.01.2001", "35.05.01.1001"]
    assert figures.totals["requests_overdue"] == 1
    assert figures.totals["visits"] == 2


def test_a_cohort_report_holds_only_the_cohorts_villages(pilot):
    figures = figures_for(pilot, cohort_id=pilot.cohort.pk)

    assert sorted(row.village for row in figures.rows) == ["Bakung", "Jaten"]
    assert figures.totals["milestones_done"] == 3


def test_a_report_on_every_programme_of_the_regency_leaves_out_other_regencies(pilot):
    figures = compute_figures(ReportParams(area_code="35.05", start=START, end=END, today=TODAY))

    assert len(figures.rows) == 3
    assert figures.totals["visits"] == 3
    national = compute_figures(ReportParams(area_code="", start=START, end=END, today=TODAY))
    assert len(national.rows) == 4
    assert national.totals["visits"] == 4


def test_the_figures_cost_the_same_queries_for_three_villages_as_for_two(
    pilot, regions, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10) as three:
        figures_for(pilot)
    with django_assert_max_num_queries(10) as two:
        figures_for(pilot, area="35.05.01")
    assert len(two.captured_queries) == len(three.captured_queries)


# The files


def test_the_csv_holds_the_per_village_table_with_the_hand_counted_figures(done_report):
    assert done_report.state == ReportState.DONE
    with done_report.csv_file.open("rb") as handle:
        raw = handle.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for spreadsheet programs
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))

    header, *data = rows
    assert header == headings(VILLAGE_COLUMNS)
    by_code = {row[4]: dict(zip(header, row, strict=True)) for row in data}
    assert set(by_code) == set(EXPECTED)
    jaten = by_code["35.05.01.2001"]
    assert jaten["Village"] == "Jaten"
    assert (jaten["Milestones done"], jaten["Milestones"]) == ("2", "3")
    assert jaten["Milestones done in the period"] == "1"
    assert jaten["Progress %"] == "67"
    assert (jaten["Pillar average, baseline %"], jaten["Pillar average, latest %"]) == (
        "37.5",
        "62.5",
    )
    assert (jaten["Visits"], jaten["Participants, women"], jaten["Participants, men"]) == (
        "2",
        "15",
        "11",
    )
    assert jaten["Last visit"] == "2026-10-25"
    assert (jaten["Requests filed"], jaten["Completed on time"], jaten["On time %"]) == (
        "3",
        "1",
        "50",
    )
    bakung = by_code["35.05.02.2001"]
    assert bakung["Pillar average, latest %"] == ""
    assert bakung["Requests overdue"] == "1"
    assert bakung["Needs attention because"] == "; ".join(
        Attention.label(reason) for reason in EXPECTED["35.05.02.2001"][-1]
    )


def test_the_xlsx_has_a_sheet_per_section_with_the_same_figures(done_report):
    with done_report.xlsx_file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)

    assert workbook.sheetnames == [
        "Summary",
        "Villages",
        "Pillars",
        "Milestones",
        "Visits",
        "Services",
        "Attention",
    ]
    # Read-only openpyxl drops a row's trailing empty cells.
    summary = {
        row[0]: row[1] if len(row) > 1 else None
        for row in workbook["Summary"].iter_rows(values_only=True)
    }
    assert summary["Enrolled villages"] == 3
    assert summary["Milestones done"] == 4
    assert summary["Visits"] == 3
    assert summary["Participants"] == 36
    assert summary["Requests filed"] == 4
    assert summary["On time %"] == 50
    assert summary["Villages needing attention"] == 3
    assert summary["Area"] == "KABUPATEN BLITAR"

    villages = list(workbook["Villages"].iter_rows(values_only=True))
    assert villages[0] == tuple(headings(VILLAGE_SHEET_COLUMNS))
    assert len(villages) == 4
    jaten = dict(zip(villages[0], next(r for r in villages if r[5] == "Jaten"), strict=True))
    assert (jaten["Milestones done"], jaten["Progress %"], jaten["Connectivity"]) == (2, 67, "4G")
    pillars = list(workbook["Pillars"].iter_rows(values_only=True))
    jaten = dict(zip(pillars[0], next(r for r in pillars if r[3] == "Jaten"), strict=True))
    assert jaten["smart society, baseline %"] == 50
    assert jaten["smart society, latest %"] == 75
    assert jaten["Pillar average, latest %"] == 62.5

    milestones = list(workbook["Milestones"].iter_rows(values_only=True))
    assert milestones[1:] == [
        ("Desa Cerdas", "Website desa", 3, 3, 1, 100),
        ("Desa Cerdas", "Layanan daring", 3, 1, 1, 33),
        ("Desa Cerdas", "UMKM online", 3, 0, 0, 0),
    ]
    attention = list(workbook["Attention"].iter_rows(min_row=2, values_only=True))
    assert [row[4] for row in attention] == ["Bakung", "Kelurahan Dua", "Jaten"]
    assert attention[2][5] == "overdue service requests"
    services = {
        row[2]: row[4:] for row in workbook["Services"].iter_rows(min_row=2, values_only=True)
    }
    assert services["35.05.01.2001"] == (3, 2, 1, 50, 1)


def test_the_pdf_has_the_totals_the_charts_and_the_villages(done_report):
    with done_report.pdf_file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Desa Cerdas" in text
    assert "KABUPATEN BLITAR" in text
    for village in ("Jaten", "Kelurahan Dua", "Bakung"):
        assert village in text
    assert "Pillar scores: baseline and latest" in text
    assert "Milestones: villages done" in text
    assert "no milestone completed in the period while others did" in text
    # Totals and the per-village table: Jaten's milestones and the overall visits.
    assert "Visits 3" in text
    assert "Jaten Wonodadi active 2/3 1 37.5 62.5 2 26 1 3 2 50 1 4G" in text


def test_the_stored_totals_and_attention_list_are_those_of_the_files(done_report):
    assert done_report.totals["requests_filed"] == 4
    assert done_report.totals["progress_percent"] == 44
    assert [row["village"] for row in done_report.attention] == [
        "Bakung",
        "Kelurahan Dua",
        "Jaten",
    ]
    assert done_report.attention[0]["reasons"] == [
        "no_main_mentor",
        "overdue_requests",
        "no_milestone",
    ]
    assert done_report.progress == 100
