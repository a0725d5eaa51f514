"""Monthly trend charts as server-rendered SVG: geometry here, markup in
templates/dashboard/includes/trend_chart.html, no JavaScript (as villages.charts)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats

PLOT_HEIGHT = 160
PLOT_TOP = 12
LEFT = 40
BAR_GAP = 2
GROUP_GAP = 10
LABEL_SPACE = 22


@dataclass(frozen=True)
class Bar:
    series: int
    value: int
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class MonthGroup:
    label: str
    center: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    title: str
    width: int
    height: int
    plot_bottom: float
    groups: tuple[MonthGroup, ...]
    gridlines: tuple[Gridline, ...]
    series: tuple[str, ...]
    has_data: bool

    @property
    def summary(self) -> str:
        """The figures as text, for screen readers (the chart's <desc>)."""
        return "; ".join(
            f"{group.label}: " + ", ".join(f"{bar.label} {bar.value}" for bar in group.bars)
            for group in self.groups
        )


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (4 at least)."""
    if value <= 4:
        return 4
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def trend_chart(
    *, title: str, months: list[dict], series: list[tuple[str, str]], group_width: int = 56
) -> TrendChart:
    """Grouped bars, one group per month, one bar per (field, label) in `series`."""
    plot_bottom = PLOT_TOP + PLOT_HEIGHT
    top = _nice_ceiling(max([row[name] for row in months for name, _ in series] or [0]))
    bar_width = (group_width - GROUP_GAP - BAR_GAP * (len(series) - 1)) / len(series)
    groups = []
    for index, row in enumerate(months):
        left = LEFT + index * group_width + GROUP_GAP / 2
        bars = []
        for number, (name, label) in enumerate(series):
            value = row[name] or 0
            height = round(value * PLOT_HEIGHT / top, 1)
            bars.append(
                Bar(
                    series=number,
                    value=value,
                    x=round(left + number * (bar_width + BAR_GAP), 1),
                    y=round(plot_bottom - height, 1),
                    width=round(bar_width, 1),
                    height=height,
                    label=label,
                )
            )
        month: datetime.date = row["month"]
        groups.append(
            MonthGroup(
                label=formats.date_format(month, "M y"),
                center=LEFT + index * group_width + group_width / 2,
                bars=tuple(bars),
            )
        )
    gridlines = tuple(
        Gridline(y=plot_bottom - share * PLOT_HEIGHT / 4, label=str(top * share // 4))
        for share in range(5)
    )
    return TrendChart(
        title=title,
        width=LEFT + len(months) * group_width + 8,
        height=plot_bottom + LABEL_SPACE,
        plot_bottom=plot_bottom,
        groups=tuple(groups),
        gridlines=gridlines,
        series=tuple(label for _name, label in series),
        has_data=any(bar.value for group in groups for bar in group.bars),
    )
