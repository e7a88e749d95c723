"""Charts drawn on the server as SVG: no script, no CDN, nothing the CSP refuses.

`bar_chart` and `line_chart` take labelled values and return markup to put in a page: a
`role="img"` drawing with its `<title>` and `<desc>` (read by screen readers), French numbers on
the axis and in each bar's tooltip. The colours come from classes of `static/css/ism.css`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.money import format_amount

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 36
_ids = count(1)


@dataclass(frozen=True)
class Point:
    label: str
    value: Decimal


def french_number(value: Decimal | int | float, places: int = 0) -> str:
    """1 234,5 — grouped with no-break spaces, a decimal comma."""
    return format_amount(Decimal(str(value)), places=places, currency="")


def _nice_max(top: Decimal) -> Decimal:
    if top <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = magnitude * Decimal(str(step))
        if candidate >= top:
            return candidate
    return magnitude * 10


def _frame(
    title: str, desc: str, body: list[str], ceiling: Decimal, fmt: Callable[[Decimal], str]
) -> SafeString:
    uid = next(_ids)
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-t{uid} chart-d{uid}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-t{uid}">{escape(title)}</title>',
        f'<desc id="chart-d{uid}">{escape(desc)}</desc>',
    ]
    for i in range(5):
        value = ceiling * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>'
        )
    parts.extend(body)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text escaped above)


def _describe(points: Sequence[Point], fmt: Callable[[Decimal], str]) -> str:
    return "; ".join(f"{p.label} : {fmt(p.value)}" for p in points)


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    fmt: Callable[[Decimal], str] = french_number,
    axis_labels: int = 12,
) -> SafeString:
    """One bar per point, labelled under it; its value in a tooltip and in the description."""
    ceiling = _nice_max(max((p.value for p in points), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    every = max(1, -(-len(points) // axis_labels))  # at most `axis_labels` under the axis
    body = []
    for i, point in enumerate(points):
        h = float(point.value / ceiling) * plot_h if ceiling else 0.0
        x = LEFT + i * slot + slot * 0.15
        body.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}"><title>{escape(point.label)} : {escape(fmt(point.value))}</title></rect>'
        )
        if i % every == 0:
            body.append(
                f'<text class="chart-axis" x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(point.label)}</text>'
            )
    return _frame(title, _describe(points, fmt), body, ceiling, fmt)


def line_chart(
    points: Sequence[Point],
    *,
    title: str,
    fmt: Callable[[Decimal], str] = french_number,
    axis_labels: int = 12,
) -> SafeString:
    """A line through the points (a dot each, with its value in a tooltip)."""
    ceiling = _nice_max(max((p.value for p in points), default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    every = max(1, -(-len(points) // axis_labels))  # at most `axis_labels` under the axis
    coords = []
    body = []
    for i, point in enumerate(points):
        x = LEFT + i * step
        y = TOP + plot_h - (float(point.value / ceiling) * plot_h if ceiling else 0.0)
        coords.append(f"{x:.1f},{y:.1f}")
        body.append(
            f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(point.label)} : {escape(fmt(point.value))}</title></circle>"
        )
        if i % every == 0:
            body.append(
                f'<text class="chart-axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(point.label)}</text>'
            )
    body.insert(0, f'<polyline class="chart-line" points="{" ".join(coords)}"/>')
    return _frame(title, _describe(points, fmt), body, ceiling, fmt)


def revenue_margin_chart(
    months: Sequence[tuple[str, Decimal, Decimal]],
    *,
    title: str,
    fmt: Callable[[Decimal], str] = french_number,
) -> SafeString:
    """Revenue as bars and margin as a line per month, on one scale that goes below zero when a
    margin does (a negative margin is drawn under the zero line, not hidden). `months`: (label,
    revenue, margin)."""
    values = [v for _label, revenue, margin in months for v in (revenue, margin)]
    ceiling = _nice_max(max(values, default=Decimal(0)))
    low = min(values, default=Decimal(0))
    floor = -_nice_max(-low) if low < 0 else Decimal(0)
    span = ceiling - floor
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(months), 1)
    every = max(1, len(months) // 12)

    def y_of(value: Decimal) -> float:
        return TOP + plot_h - float((value - floor) / span) * plot_h

    uid = next(_ids)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-t{uid} chart-d{uid}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-t{uid}">{escape(title)}</title>',
        f'<desc id="chart-d{uid}">'
        + escape("; ".join(f"{label} : {fmt(revenue)} / {fmt(margin)}" for label, revenue, margin in months))
        + "</desc>",
    ]
    for i in range(5):
        value = floor + span * i / 4
        y = y_of(value)
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(fmt(value))}</text>'
        )
    zero = y_of(Decimal(0))
    coords = []
    for i, (label, revenue, margin) in enumerate(months):
        x = LEFT + i * slot + slot * 0.15
        top = min(y_of(revenue), zero)
        parts.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{abs(zero - y_of(revenue)):.1f}"><title>{escape(label)} : {escape(fmt(revenue))}</title></rect>'
        )
        cx = x + slot * 0.35
        coords.append((cx, y_of(margin), label, margin))
        if i % every == 0:
            parts.append(
                f'<text class="chart-axis" x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    if coords:
        parts.append(
            '<polyline class="chart-line chart-margin" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y, _l, _m in coords)
            + '"/>'
        )
    for x, y, label, margin in coords:
        parts.append(
            f'<circle class="chart-dot chart-margin" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(label)} : {escape(fmt(margin))}</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text escaped above)
