"""The report as PDF (reportlab, A4 landscape): parameters and definitions, totals, two charts
(pillar scores baseline against latest, and the share of villages done per milestone), the
villages needing attention and the per-village table.

The per-village table is printed for up to PDF_VILLAGE_LIMIT villages; a larger report (a
national one) says so and leaves the full table to the XLSX and CSV files.
"""

from __future__ import annotations

from typing import BinaryIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from portal.reports.figures import Figures
from portal.reports.tables import summary_rows
from villages.models import Dimension
from villages.selectors.programmes import PILLARS

PDF_VILLAGE_LIMIT = 2000
# Rows per table: short tables split across pages cheaply (platypus re-splits the remainder).
TABLE_CHUNK = 200
CHART_MILESTONES = 20
BASELINE_COLOUR = colors.HexColor("#8a9a94")
LATEST_COLOUR = colors.HexColor("#0b5d4b")
GRID = colors.HexColor("#c7d0cc")

_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=16, leading=20)
_HEADING = ParagraphStyle(
    "heading", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=10, spaceAfter=4
)
_BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=12)
_SMALL = ParagraphStyle("small", fontName="Helvetica", fontSize=7.5, leading=9.5)

_TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
)


def _text(value) -> str:
    if value is None:
        return "\N{EN DASH}"
    return str(value)


def _paragraph(text: str, style=_BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _totals_table(figures: Figures) -> Table:
    rows = [[label, _text(value)] for label, value in summary_rows(figures)]
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    right += [["", ""]] * (len(left) - len(right))
    data = [[*a, "", *b] for a, b in zip(left, right, strict=True)]
    table = Table(data, colWidths=[7 * cm, 2.5 * cm, 1 * cm, 7 * cm, 2.5 * cm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("ALIGN", (4, 0), (4, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def pillar_chart(figures: Figures) -> Drawing:
    """Grouped bars per pillar: the villages' average baseline and latest score (%)."""
    pillars = figures.totals["pillars"]
    drawing = Drawing(26 * cm, 7 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y = 1.5 * cm, 1.6 * cm
    chart.width, chart.height = 18 * cm, 4.8 * cm
    chart.data = [
        [pillars[p]["baseline"] or 0 for p in PILLARS],
        [pillars[p]["latest"] or 0 for p in PILLARS],
    ]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.categoryNames = [str(Dimension(p).label) for p in PILLARS]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 0
    chart.bars[0].fillColor = BASELINE_COLOUR
    chart.bars[1].fillColor = LATEST_COLOUR
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 6
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 20.5 * cm, 5.5 * cm
    legend.fontSize = 8
    legend.colorNamePairs = [
        (BASELINE_COLOUR, gettext("Baseline")),
        (LATEST_COLOUR, gettext("Latest")),
    ]
    drawing.add(legend)
    return drawing


def milestone_chart(figures: Figures) -> Drawing | None:
    """One bar per milestone: the share (%) of enrolled villages that have done it."""
    milestones = figures.milestones[:CHART_MILESTONES]
    if not milestones:
        return None
    height = max(3 * cm, 0.55 * cm * len(milestones) + 1.5 * cm)
    drawing = Drawing(26 * cm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 9 * cm, 1 * cm
    chart.width, chart.height = 14 * cm, height - 1.5 * cm
    # Drawn bottom-up: reversed, so the first milestone is on top.
    chart.data = [[m.done_percent for m in reversed(milestones)]]
    several = len({m.programme for m in milestones}) > 1
    chart.categoryAxis.categoryNames = [
        (f"{m.programme}: {m.name}" if several else m.name)[:60] for m in reversed(milestones)
    ]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = LATEST_COLOUR
    chart.barLabelFormat = "%d %%"
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 10
    drawing.add(chart)
    caption = gettext("Share of enrolled villages done, in percent")
    drawing.add(String(9 * cm, 0.2 * cm, caption, fontSize=7))
    return drawing


VILLAGE_TABLE = (
    ("Village", lambda r: r.village),
    ("Kecamatan", lambda r: r.district),
    ("Status", lambda r: r.status_label),
    ("Milestones", lambda r: f"{r.milestones_done}/{r.milestones_total}"),
    ("In period", lambda r: r.milestones_done_in_period),
    ("Pillars baseline", lambda r: _text(r.baseline_average)),
    ("Pillars latest", lambda r: _text(r.latest_average)),
    ("Visits", lambda r: r.visits),
    ("Participants", lambda r: r.participants),
    ("Mentors", lambda r: r.mentors),
    ("Filed", lambda r: r.requests_filed),
    ("Completed", lambda r: r.requests_completed),
    ("On time %", lambda r: _text(r.on_time_percent)),
    ("Overdue", lambda r: r.requests_overdue),
    ("Connectivity", lambda r: r.connectivity_label),
)


def _village_heading() -> list[str]:
    labels = {
        "Village": gettext("Village"),
        "Kecamatan": gettext("Kecamatan"),
        "Status": gettext("Status"),
        "Milestones": gettext("Milestones"),
        "In period": gettext("In period"),
        "Pillars baseline": gettext("Pillars baseline"),
        "Pillars latest": gettext("Pillars latest"),
        "Visits": gettext("Visits"),
        "Participants": gettext("Participants"),
        "Mentors": gettext("Mentors"),
        "Filed": gettext("Filed"),
        "Completed": gettext("Completed"),
        "On time %": gettext("On time %"),
        "Overdue": gettext("Overdue"),
        "Connectivity": gettext("Connectivity"),
    }
    return [labels[name] for name, _value in VILLAGE_TABLE]


def _village_tables(rows) -> list:
    heading = _village_heading()
    tables = []
    for offset in range(0, len(rows), TABLE_CHUNK):
        data = [heading]
        data += [
            [_text(value(row)) for _name, value in VILLAGE_TABLE]
            for row in rows[offset : offset + TABLE_CHUNK]
        ]
        table = Table(data, repeatRows=1)
        table.setStyle(_TABLE_STYLE)
        tables.append(table)
    return tables


def _attention_tables(rows) -> list[Table]:
    heading = [gettext("Village"), gettext("Kecamatan"), gettext("Programme"), gettext("Reasons")]
    tables = []
    for offset in range(0, len(rows), TABLE_CHUNK):
        data = [heading]
        for row in rows[offset : offset + TABLE_CHUNK]:
            data.append(
                [
                    row.village,
                    row.district,
                    Paragraph(escape(row.programme), _SMALL),
                    Paragraph(escape(row.attention_text), _SMALL),
                ]
            )
        table = Table(data, colWidths=[4.5 * cm, 4 * cm, 6 * cm, 11 * cm], repeatRows=1)
        table.setStyle(_TABLE_STYLE)
        tables.append(table)
    return tables


def write_pdf(
    figures: Figures,
    out: BinaryIO,
    *,
    title: str,
    parameters: list[tuple[str, str]],
    definitions: list[str],
) -> None:
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.3 * cm,
        bottomMargin=1.3 * cm,
        title=title,
        author="Portal Desa Cerdas",
    )
    story: list = [_paragraph(title, _TITLE), Spacer(1, 4)]
    for label, value in parameters:
        story.append(_paragraph(f"{label}: {value}"))
    story.append(Spacer(1, 6))
    story.append(_paragraph(gettext("Totals"), _HEADING))
    story.append(_totals_table(figures))
    story.append(
        KeepTogether(
            [
                _paragraph(gettext("Pillar scores: baseline and latest"), _HEADING),
                pillar_chart(figures),
            ]
        )
    )
    chart = milestone_chart(figures)
    if chart is not None:
        story.append(
            KeepTogether([_paragraph(gettext("Milestones: villages done"), _HEADING), chart])
        )
    attention = figures.attention_rows
    story.append(_paragraph(gettext("Villages needing attention"), _HEADING))
    if attention:
        story.extend(_attention_tables(attention[:PDF_VILLAGE_LIMIT]))
        if len(attention) > PDF_VILLAGE_LIMIT:
            story.append(
                _paragraph(
                    gettext("%(shown)d of %(count)d shown; all are in the XLSX file.")
                    % {"shown": PDF_VILLAGE_LIMIT, "count": len(attention)}
                )
            )
    else:
        story.append(_paragraph(gettext("None.")))
    story.append(PageBreak())
    story.append(_paragraph(gettext("Villages"), _HEADING))
    if len(figures.rows) > PDF_VILLAGE_LIMIT:
        story.append(
            _paragraph(
                gettext(
                    "This report covers %(count)d villages: the per-village table is in the "
                    "XLSX and CSV files."
                )
                % {"count": len(figures.rows)}
            )
        )
    elif figures.rows:
        story.extend(_village_tables(figures.rows))
    else:
        story.append(_paragraph(gettext("No enrolled village in this scope.")))
    story.append(_paragraph(gettext("Definitions"), _HEADING))
    for line in definitions:
        story.append(_paragraph(line, _SMALL))
    document.build(story)
