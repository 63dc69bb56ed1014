"""Charts as inline SVG (pygal, rendered on the server): nothing to load in the browser, and
they print like the rest of the page."""

from __future__ import annotations

import pygal
from markupsafe import Markup
from pygal.style import Style

from bot.adapters.storage.review import ProgressPoint, SessionDetail, Week
from bot.clock import CHINA_TIME
from bot.methodology import DIMENSIONS

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
    colors=("#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#334155"),
)
COMMON = {"style": STYLE, "js": [], "disable_xml_declaration": True, "range": (0, 100)}


def session_radar(names: dict[str, str], detail: SessionDetail) -> Markup | None:
    """A session's radar: the automatic scores, and the trainers' corrections if any."""
    if not detail.report:
        return None
    automatic = {
        key: (value["score"] if value["observed"] else None)
        for key, value in detail.report["dimensions"].items()
    }
    corrected = {key: detail.score(key) for key in DIMENSIONS} if detail.overrides else None
    return radar(names, automatic, corrected)


def radar(
    names: dict[str, str],
    scores: dict[str, int | None],
    corrected: dict[str, int | None] | None = None,
) -> Markup:
    """The six dimensions of one session; a second series when a trainer corrected any."""
    chart = pygal.Radar(fill=True, width=520, height=420, show_legend=bool(corrected), **COMMON)
    # pygal draws a missing value at the centre, so an unscored dimension says so in its label.
    chart.x_labels = [
        names[key] + ("(未评)" if scores.get(key) is None else "") for key in DIMENSIONS
    ]
    chart.add("自动评分", [scores.get(key) for key in DIMENSIONS])
    if corrected:
        chart.add("培训师修订后", [corrected.get(key) for key in DIMENSIONS])
    return Markup(chart.render(is_unicode=True))


def progress(names: dict[str, str], points: list[ProgressPoint]) -> Markup:
    """Overall and each dimension per finished session, oldest to newest."""
    chart = pygal.Line(
        width=900,
        height=380,
        x_label_rotation=30,
        show_minor_x_labels=False,
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        **COMMON,
    )
    chart.x_labels = [f"{point.at.astimezone(CHINA_TIME):%m-%d %H:%M}" for point in points]
    chart.x_labels_major_every = max(1, len(points) // 10)
    chart.add("总分", [point.overall for point in points], stroke_style={"width": 3})
    for key in DIMENSIONS:
        chart.add(names[key], [point.dimensions.get(key) for point in points])
    return Markup(chart.render(is_unicode=True))


def weekly(names: dict[str, str], weeks: list[Week]) -> Markup:
    """A team's weekly averages: overall and each dimension."""
    chart = pygal.Line(
        width=900, height=360, legend_at_bottom=True, legend_at_bottom_columns=4, **COMMON
    )
    chart.x_labels = [f"{week.starts:%m-%d}" for week in weeks]
    chart.add("总分", [week.overall for week in weeks], stroke_style={"width": 3})
    for key in DIMENSIONS:
        chart.add(names[key], [week.dimensions.get(key) for week in weeks])
    return Markup(chart.render(is_unicode=True))
