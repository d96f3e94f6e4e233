"""The entity screen's SVG charts: the waterfall's bars run from the running total to the
next, the total and the threshold are written as text; the network labels each associate
with its strength, escaped, lines as thick as the tie."""

from __future__ import annotations

import re

from lexhub.service.console.charts import Bar, network_chart, waterfall_chart


def texts(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", svg)


def test_the_waterfall_bars_step_from_total_to_total() -> None:
    steps = [Bar("prior", -10.0, "-10.00"), Bar("surname: exact", 6.0, "+6.00"),
             Bar("dob: exact", 8.0, "+8.00")]  # fmt: skip
    svg = str(waterfall_chart("Match weight", steps, 4.0))
    assert svg.startswith('<svg class="chart" role="img" aria-label="Match weight"')
    assert texts(svg) == ["prior", "-10.00", "surname: exact", "+6.00", "dob: exact", "+8.00",
                          "match weight", "+4.00", "threshold +4.00"]  # fmt: skip
    rects = [(float(x), float(w)) for x, w in
             re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)]  # fmt: skip
    prior, surname, dob, total = rects
    # Each step starts where the one before ended (prior runs leftwards from 0 to -10).
    assert abs(surname[0] - prior[0]) < 0.2  # -10 -> -4 starts at -10
    assert abs(dob[0] - (surname[0] + surname[1])) < 0.2  # -4 -> +4
    assert abs(total[1] - 4 / 6 * surname[1]) < 0.5  # 0 -> +4 is two thirds of 6
    line = re.search(r'<line x1="([\d.]+)"', svg)
    assert line is not None and abs(float(line.group(1)) - (dob[0] + dob[1])) < 0.2


def test_the_network_names_every_associate_with_its_strength() -> None:
    svg = str(network_chart("Network", "ABLE, ANN", [Bar("<i>BOB</i>", 6, "6"),
                                                     Bar("CY", 2, "2")]))  # fmt: skip
    assert texts(svg) == ["&lt;i&gt;BOB&lt;/i&gt; (6)", "CY (2)", "ABLE, ANN"] and "<i>" not in svg
    widths = [float(w) for w in re.findall(r'stroke-width="([\d.]+)"', svg)]
    assert widths == [6.0, round(1 + 5 * 2 / 6, 1)]
