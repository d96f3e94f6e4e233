"""Inline SVG charts: every bar carries its label and value as text, labels are escaped,
and the longest bar spans the scale."""

from __future__ import annotations

import re

from lexhub.service.console.charts import Bar, bar_chart, series_chart


def texts(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", svg)


def test_each_bar_is_labelled_with_its_name_and_value_as_text() -> None:
    svg = str(bar_chart("Shares", [Bar("OR0260200", 3, "75% (3)"), Bar("<b>x</b>", 1, "1")]))
    assert svg.startswith('<svg class="chart" role="img" aria-label="Shares"')
    assert texts(svg) == ["OR0260200", "75% (3)", "&lt;b&gt;x&lt;/b&gt;", "1"]
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert abs(widths[0] - 3 * widths[1]) < 0.5 and "<b>" not in svg


def test_a_series_row_names_its_total_and_the_first_and_last_day() -> None:
    svg = str(series_chart("Searches a day", ["2026-03-01", "2026-03-02"],
                           [("criminal-investigation", [2, 0])]))  # fmt: skip
    assert texts(svg) == ["criminal-investigation", "2 total", "2026-03-01", "2026-03-02",
                          "tallest: 2"]  # fmt: skip
