"""Bar charts as plain inline SVG, measured here and printed by the macros of templates/desk/_desk.html.

No script and no style attribute (the CSP forbids both): bars are rectangles with a class the stylesheet
colours. Labels stay in HTML next to the chart, so right-to-left pages mirror the bars with one CSS rule
and the numbers remain readable (and in a table, for screen readers and the CSV).
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMN_WIDTH = 10
GROUP_GAP = 6
CHART_HEIGHT = 100


@dataclass(frozen=True)
class Column:
    kind: str  # the CSS class suffix: offer, request, visits
    value: int
    title: str  # what a pointer or a screen reader gets for this bar


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str
    title: str


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    bars: list[Bar]
    label: str


def column_chart(groups: list[list[Column]], label: str, height: int = CHART_HEIGHT) -> ColumnChart:
    """Groups of columns side by side (for example offers and requests per week), scaled to the largest."""
    largest = max((column.value for group in groups for column in group), default=0) or 1
    bars = []
    x = 0.0
    for group in groups:
        for column in group:
            bar_height = round(column.value / largest * height, 2)
            top = round(height - bar_height, 2)
            bars.append(Bar(x, top, COLUMN_WIDTH, bar_height, column.kind, column.title))
            x += COLUMN_WIDTH
        x += GROUP_GAP
    width = max(int(x - GROUP_GAP), 1)
    return ColumnChart(width=width, height=height, bars=bars, label=label)


def share(value: int, largest: int) -> float:
    """``value`` as a percentage of ``largest``, for a bar in a table row (0 when there is nothing)."""
    return round(value / largest * 100, 1) if largest else 0.0
