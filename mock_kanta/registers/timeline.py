"""The geometry of a register-usage-right timeline (drawn as inline SVG by `registers_timeline.html`).

Pure functions of dates: one bar per right (from its start to its end, or open to the right
edge), month ticks, and vertical markers (the register in Kanta, providers from, the
sandbox clock). Coordinates are in the SVG's viewBox units.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH = 1000
LABEL_W = 330  # the left column holding each row's labels
PLOT_X0, PLOT_X1 = 345, 985
AXIS_H = 30  # month labels above the rows
ROW_H = 44
MARKER_LINE_H = 20  # one line per marker label below the rows
MIN_DAYS = 180


@dataclass
class Bar:
    y: float
    x: float
    w: float
    state: str  # in-force | future | past | replaced
    open_end: bool
    labels: tuple[str, str]
    period: str
    title: str
    data: dict = field(default_factory=dict)


@dataclass
class Marker:
    x: float
    label: str
    kind: str  # now | kanta | providers
    label_y: float = 0.0


@dataclass
class Timeline:
    width: int
    height: int
    rows_top: int
    rows_bottom: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    markers: list[Marker]
    start: date
    end: date


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def span(dates: list[date], today: date) -> tuple[date, date]:
    """From the month before the earliest date to the month after the latest, at least MIN_DAYS long."""
    lo, hi = min([*dates, today]), max([*dates, today])
    start, end = _add_months(_month_start(lo), -1), _add_months(_month_start(hi), 2)
    while (end - start).days < MIN_DAYS:
        end = _add_months(end, 1)
    return start, end


def build(rows: list[dict], markers: list[tuple[date, str, str]], today: date, month_label) -> Timeline:
    """rows: dicts with start, end (or None), state, labels (two lines), period, title, data.
    markers: (date, label, kind). month_label(date) -> text."""
    dates = [r["start"] for r in rows] + [r["end"] for r in rows if r["end"]] + [m[0] for m in markers]
    start, end = span(dates, today)
    days = (end - start).days

    def x_of(d: date) -> float:
        return round(PLOT_X0 + (PLOT_X1 - PLOT_X0) * max(0, min(days, (d - start).days)) / days, 1)

    bars = []
    for i, row in enumerate(rows):
        x0 = x_of(row["start"])
        x1 = x_of(row["end"] + timedelta(days=1)) if row["end"] else PLOT_X1
        bars.append(Bar(y=AXIS_H + i * ROW_H, x=x0, w=max(3.0, x1 - x0), state=row["state"], open_end=row["end"] is None,
                        labels=row["labels"], period=row["period"], title=row["title"], data=row.get("data", {})))
    stride = 1 if days <= 550 else 3 if days <= 1500 else 12
    ticks, tick = [], start
    while tick <= end:
        if (tick.month - 1) % stride == 0 and x_of(tick) < PLOT_X1 - 40:  # no label cut at the right edge
            ticks.append((x_of(tick), month_label(tick)))
        tick = _add_months(tick, 1)
    rows_bottom = AXIS_H + max(1, len(rows)) * ROW_H
    placed = []
    for n, (day, label, kind) in enumerate(sorted(markers, key=lambda m: m[0])):
        placed.append(Marker(x=x_of(day), label=label, kind=kind, label_y=rows_bottom + (n + 1) * MARKER_LINE_H - 5))
    height = rows_bottom + len(markers) * MARKER_LINE_H + 8
    return Timeline(WIDTH, height, AXIS_H, rows_bottom, bars, ticks, placed, start, end)
