"""Bar charts as inline SVG, drawn on the server: no script, no outside network, nothing
for the CSP to allow. Every bar carries its label and value as text, and each chart is
shown beside a table of the same numbers, so no reading depends on colour, on sight of
the shapes, or on a library in the browser.

Labels are escaped here (the SVG is returned as markup that Jinja will not escape again).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

__all__ = ["Bar", "bar_chart", "series_chart"]

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
