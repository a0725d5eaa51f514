"""Server-rendered SVG charts: geometry computed here, markup in a template, no JavaScript.

`scorecard_chart` lays out the nine Desa Cerdas dimensions as groups of two bars, the baseline
assessment and the latest one, each bar as tall as its score's share of the highest score.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from villages.models import Dimension

PLOT_HEIGHT = 200  # px for 100 %
PLOT_TOP = 16
LEFT = 44
GROUP_WIDTH = 72
BAR_WIDTH = 24
BAR_GAP = 4
LABEL_SPACE = 44
LEGEND_SPACE = 28


@dataclass(frozen=True)
class Bar:
    series: str  # "baseline" or "latest"
    value: Decimal | None
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Group:
    dimension: str
    label: str
    label_lines: tuple[str, ...]
    center: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_bottom: float
    groups: tuple[Group, ...]
    gridlines: tuple[Gridline, ...]
    has_data: bool
    baseline_label: str
    latest_label: str
    legend_y: float

    @property
    def summary(self) -> str:
        """Each dimension's figures, as the chart's text alternative."""
        parts = []
        for group in self.groups:
            values = ", ".join(
                f"{label} {_format(bar.value)}"
                for bar, label in zip(
                    group.bars, (self.baseline_label, self.latest_label), strict=True
                )
            )
            parts.append(f"{group.label}: {values}")
        return "; ".join(parts)


def _format(value: Decimal | None) -> str:
    return "\N{EN DASH}" if value is None else f"{value.normalize():f} %"


def _wrap(label: str) -> tuple[str, ...]:
    words = label.split()
    if len(words) < 2:
        return (label,)
    middle = (len(words) + 1) // 2
    return (" ".join(words[:middle]), " ".join(words[middle:]))


def bar_height(value: Decimal | None) -> float:
    """Pixels for a percentage, clipped to the plot."""
    if value is None:
        return 0.0
    return round(float(min(max(value, Decimal(0)), Decimal(100))) * PLOT_HEIGHT / 100, 1)


def scorecard_chart(
    *,
    latest: dict[str, Decimal],
    baseline: dict[str, Decimal],
    latest_label: datetime.date | str | None = None,
    baseline_label: datetime.date | str | None = None,
) -> BarChart:
    """A grouped bar chart of the nine dimensions: the baseline's score and the latest one's,
    each a percentage of the highest score. Missing values draw no bar."""
    plot_bottom = PLOT_TOP + PLOT_HEIGHT
    groups = []
    for index, dimension in enumerate(Dimension):
        left = LEFT + index * GROUP_WIDTH + (GROUP_WIDTH - 2 * BAR_WIDTH - BAR_GAP) / 2
        bars = []
        for offset, (series, values) in enumerate((("baseline", baseline), ("latest", latest))):
            value = values.get(dimension.value)
            height = bar_height(value)
            bars.append(
                Bar(
                    series=series,
                    value=value,
                    x=left + offset * (BAR_WIDTH + BAR_GAP),
                    y=round(plot_bottom - height, 1),
                    height=height,
                )
            )
        label = str(dimension.label)
        groups.append(
            Group(
                dimension=dimension.value,
                label=label,
                label_lines=_wrap(label),
                center=LEFT + index * GROUP_WIDTH + GROUP_WIDTH / 2,
                bars=tuple(bars),
            )
        )
    gridlines = tuple(
        Gridline(y=plot_bottom - share * PLOT_HEIGHT / 100, label=f"{share}%")
        for share in (0, 25, 50, 75, 100)
    )
    return BarChart(
        width=LEFT + len(groups) * GROUP_WIDTH + 8,
        height=plot_bottom + LABEL_SPACE + LEGEND_SPACE,
        plot_bottom=plot_bottom,
        groups=tuple(groups),
        gridlines=gridlines,
        has_data=bool(latest or baseline),
        baseline_label=_series_label(gettext("Baseline"), baseline_label),
        latest_label=_series_label(gettext("Latest"), latest_label),
        legend_y=plot_bottom + LABEL_SPACE + 8,
    )


def _series_label(name: str, when: datetime.date | str | None) -> str:
    if when is None:
        return name
    if isinstance(when, datetime.date):
        when = when.strftime("%d-%m-%Y")
    return f"{name} ({when})"
