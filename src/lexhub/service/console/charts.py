"""Bar charts as inline SVG, drawn on the server: no script, no outside network, nothing
for the CSP to allow. Every bar carries its label and value as text, and each chart is
shown beside a table of the same numbers, so no reading depends on colour, on sight of
the shapes, or on a library in the browser.

Labels are escaped here (the SVG is returned as markup that Jinja will not escape again).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

__all__ = ["Bar", "bar_chart", "network_chart", "series_chart", "waterfall_chart"]

WIDTH = 680
LABEL = 230  # the label column, left of the bars
ROW = 26
INK, BAR, TRACK = "#1a1a1a", "#0b4f8a", "#e3e6ea"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the chart prints it, e.g. "12" or "40%"


def _svg(caption: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(caption)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" '
        f'font-size="13">{"".join(body)}</svg>'
    )


def _label(x: int, y: int, text: str, anchor: str = "start") -> str:
    return f'<text x="{x}" y="{y}" fill="{INK}" text-anchor="{anchor}">{escape(text)}</text>'


def bar_chart(caption: str, bars: Sequence[Bar], *, scale: float | None = None) -> Markup:
    """Horizontal bars, one a row, longest = `scale` (default: the largest value)."""
    top = scale or max((b.value for b in bars), default=0) or 1
    span = WIDTH - LABEL - 70
    body = []
    for i, b in enumerate(bars):
        y = i * ROW
        w = max(0.0, b.value) / top * span
        body += [
            _label(LABEL - 8, y + 17, b.label, "end"),
            f'<rect x="{LABEL}" y="{y + 5}" width="{w:.1f}" height="{ROW - 10}" fill="{BAR}"/>',
            _label(LABEL + int(w) + 6, y + 17, b.text),
        ]  # fmt: skip
    return _svg(caption, max(1, len(bars)) * ROW, body)


def series_chart(caption: str, days: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
                 ) -> Markup:  # fmt: skip
    """Small multiples over time: a row of day bars for each series, all on one scale,
    each row labelled with its name and total, the first and last day written below."""
    top = max((max(v, default=0) for _, v in series), default=0) or 1
    span = WIDTH - LABEL - 90
    step = span / max(1, len(days))
    body = []
    for i, (name, values) in enumerate(series):
        y = i * (ROW + 8)
        body.append(_label(LABEL - 8, y + 20, name, "end"))
        body.append(f'<rect x="{LABEL}" y="{y + 4}" width="{span}" height="{ROW}" '
                    f'fill="{TRACK}"/>')  # fmt: skip
        for d, v in enumerate(values):
            x, h, w = LABEL + d * step, v / top * ROW, max(1.0, step - 1)
            body.append(f'<rect x="{x:.1f}" y="{y + 4 + ROW - h:.1f}" width="{w:.1f}" '
                        f'height="{h:.1f}" fill="{BAR}"/>')  # fmt: skip
        body.append(_label(LABEL + span + 8, y + 20, f"{sum(values)} total"))
    bottom = len(series) * (ROW + 8) + 14
    if days:
        body.append(_label(LABEL, bottom, days[0]))
        body.append(_label(LABEL + span, bottom, days[-1], "end"))
    body.append(_label(LABEL + span + 8, bottom, f"tallest: {top}"))
    return _svg(caption, bottom + 6, body)


NEG = "#9a3412"  # bars against a match (a different hue AND a sign in the text)


def waterfall_chart(caption: str, steps: Sequence[Bar], threshold: float) -> Markup:
    """Splink's waterfall: one row per step (prior, each comparison, adjustment), each bar
    starting where the running total stood and ending where the step takes it, then the
    total; a dashed line marks the threshold. Values carry their sign as text, so the
    direction never rests on colour alone."""
    totals = [0.0]
    for s in steps:
        totals.append(totals[-1] + s.value)
    low = min(0.0, threshold, *totals)
    high = max(0.0, threshold, *totals)
    span = WIDTH - LABEL - 80
    scale = span / ((high - low) or 1)

    def x(v: float) -> float:
        return LABEL + (v - low) * scale

    body = []
    for i, s in enumerate(steps):
        y, a, b = i * ROW, totals[i], totals[i + 1]
        left, width = min(x(a), x(b)), max(1.0, abs(x(b) - x(a)))
        body += [
            _label(LABEL - 8, y + 17, s.label, "end"),
            f'<rect x="{left:.1f}" y="{y + 5}" width="{width:.1f}" height="{ROW - 10}" '
            f'fill="{BAR if s.value >= 0 else NEG}"/>',
            _label(int(max(x(a), x(b))) + 6, y + 17, s.text),
        ]  # fmt: skip
    y = len(steps) * ROW
    total = totals[-1]
    body += [
        _label(LABEL - 8, y + 17, "match weight", "end"),
        f'<rect x="{min(x(0), x(total)):.1f}" y="{y + 5}" '
        f'width="{max(1.0, abs(x(total) - x(0))):.1f}" height="{ROW - 10}" fill="{INK}"/>',
        _label(int(max(x(0), x(total))) + 6, y + 17, f"{total:+.2f}"),
        f'<line x1="{x(threshold):.1f}" y1="0" x2="{x(threshold):.1f}" y2="{y + ROW}" '
        f'stroke="{INK}" stroke-dasharray="4 3"/>',
        _label(int(x(threshold)) + 4, y + ROW + 14, f"threshold {threshold:+.2f}"),
    ]  # fmt: skip
    return _svg(caption, y + ROW + 20, body)


def network_chart(caption: str, centre: str, others: Sequence[Bar]) -> Markup:
    """A star: the entity in the middle, each associate on a circle around it, joined by a
    line as thick as the tie is strong; every node is labelled with its name and its
    strength as text, so the picture is readable without the lines."""
    size, radius = 420, 150
    cx = cy = size // 2
    top = max((o.value for o in others), default=1) or 1
    lines, nodes = [], []
    count = max(1, len(others))
    for i, o in enumerate(others):
        angle = 2 * math.pi * i / count - math.pi / 2
        px, py = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        width = 1 + 5 * o.value / top
        lines.append(f'<line x1="{cx}" y1="{cy}" x2="{px:.1f}" y2="{py:.1f}" '
                     f'stroke="{BAR}" stroke-width="{width:.1f}"/>')  # fmt: skip
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        dy = 18 if math.sin(angle) > 0.2 else -10 if math.sin(angle) < -0.2 else 4
        nodes += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="7" fill="{BAR}"/>',
            _label(
                int(px) + {"start": 12, "end": -12}.get(anchor, 0),
                int(py) + dy,
                f"{o.label} ({o.text})",
                anchor,
            ),
        ]
    nodes += [f'<circle cx="{cx}" cy="{cy}" r="11" fill="{INK}"/>',
              _label(cx, cy + 28, centre, "middle")]  # fmt: skip
    return Markup(
        f'<svg class="chart network" role="img" aria-label="{escape(caption)}" '
        f'viewBox="-160 0 {size + 320} {size}" width="{size + 320}" height="{size}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" '
        f'font-size="13">{"".join(lines + nodes)}</svg>'
    )
