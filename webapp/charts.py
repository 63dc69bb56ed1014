"""Charts as inline SVG rendered on the server (line charts by pygal, the radar drawn here, as
pygal puts a missing value at the centre): nothing to load in the browser, and they print like
the rest of the page."""

from __future__ import annotations

import math

import pygal
from markupsafe import Markup, escape
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


RADAR_WIDTH, RADAR_HEIGHT = 520, 440
RADAR_CENTRE, RADAR_RADIUS = (RADAR_WIDTH / 2, 212.0), 150.0
AUTOMATIC_COLOUR, REVISED_COLOUR, GRID_COLOUR = "#2563eb", "#ea580c", "#cbd5e1"
AUTOMATIC_NAME, REVISED_NAME = "自动评分", "培训师修订后"


def _at(index: int, value: float) -> tuple[float, float]:
    """The point `value` (0-100) out on the axis of dimension `index`, the first at the top."""
    angle = -math.pi / 2 + 2 * math.pi * index / len(DIMENSIONS)
    distance = RADAR_RADIUS * value / 100
    return RADAR_CENTRE[0] + distance * math.cos(angle), RADAR_CENTRE[1] + distance * math.sin(
        angle
    )


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _series(
    names: dict[str, str], scores: dict[str, int | None], css: str, label: str, outline: bool
) -> str:
    """One series: a shape through the scored dimensions only (an unscored one has no point
    on its axis, not a point at 0), drawn filled, or as a dashed outline under a correction."""
    colour = AUTOMATIC_COLOUR if css.endswith("automatic") else REVISED_COLOUR
    scored = [
        (i, key, scores[key]) for i, key in enumerate(DIMENSIONS) if scores.get(key) is not None
    ]
    points = [_at(i, value) for i, _key, value in scored if value is not None]
    paint = (
        f'fill="none" stroke="{colour}" stroke-width="2.5" stroke-dasharray="7 4"'
        if outline
        else f'fill="{colour}" fill-opacity="0.22" stroke="{colour}" stroke-width="2.5"'
    )
    shape = "polygon" if len(points) >= 3 else "polyline"
    parts = [f'<g class="series {css}">']
    if len(points) >= 2:
        parts.append(f'<{shape} points="{_points(points)}" {paint}/>')
    for (_i, key, value), (x, y) in zip(scored, points, strict=True):
        dot = f'fill="#fff" stroke="{colour}" stroke-width="2"' if outline else f'fill="{colour}"'
        parts.append(
            f'<circle class="point" data-dimension="{key}" cx="{x:.1f}" cy="{y:.1f}" r="4" {dot}>'
            f"<title>{escape(names[key])}:{label} {value}</title></circle>"
        )
    parts.append("</g>")
    return "".join(parts)


def _label(index: int, name: str, automatic: int | None, revised: int | None) -> str:
    x, y = _at(index, 100)
    x += (x - RADAR_CENTRE[0]) * 0.16
    y += (y - RADAR_CENTRE[1]) * 0.16 + 4
    anchor = "middle" if abs(x - RADAR_CENTRE[0]) < 1 else "start" if x > RADAR_CENTRE[0] else "end"
    if automatic is None and revised is None:
        value = "未评"
    elif revised is None or revised == automatic:
        value = f"{automatic}"
    else:
        value = f"{'未评' if automatic is None else automatic} → {revised}"
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="13" fill="#1f2937">'
        f'<tspan x="{x:.1f}">{escape(name)}</tspan>'
        f'<tspan x="{x:.1f}" dy="16" fill="#4b5563" class="value">{escape(value)}</tspan></text>'
    )


def radar(
    names: dict[str, str],
    scores: dict[str, int | None],
    corrected: dict[str, int | None] | None = None,
) -> Markup:
    """The six dimensions of one session as an SVG radar. An unscored dimension (None) has no
    point on its axis and says 未评 in its label. With a trainer's corrections both stay
    readable: the corrected scores filled, the automatic ones as a dashed outline over them,
    a legend naming both, and each label giving the scores (82 → 88)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar-chart" role="img" '
        f'viewBox="0 0 {RADAR_WIDTH} {RADAR_HEIGHT}" width="{RADAR_WIDTH}" '
        f'height="{RADAR_HEIGHT}" font-family="{escape(STYLE.font_family)}">',
        f"<title>{'、'.join(escape(names[key]) for key in DIMENSIONS)}</title>",
    ]
    for ring in (20, 40, 60, 80, 100):
        outline = _points([_at(i, ring) for i in range(len(DIMENSIONS))])
        parts.append(
            f'<polygon class="grid" points="{outline}" fill="none" stroke="{GRID_COLOUR}"/>'
        )
    for i in range(len(DIMENSIONS)):
        x, y = _at(i, 100)
        parts.append(
            f'<line class="axis" x1="{RADAR_CENTRE[0]:.1f}" y1="{RADAR_CENTRE[1]:.1f}" '
            f'x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
        )
    if corrected:
        parts.append(_series(names, corrected, "serie-1 revised", REVISED_NAME, outline=False))
    parts.append(
        _series(names, scores, "serie-0 automatic", AUTOMATIC_NAME, outline=bool(corrected))
    )
    for i, key in enumerate(DIMENSIONS):
        parts.append(
            _label(i, names[key], scores.get(key), corrected.get(key) if corrected else None)
        )
    if corrected:
        y = RADAR_HEIGHT - 14
        parts.append(
            f'<g class="legend" font-size="13" fill="#1f2937">'
            f'<line x1="120" y1="{y - 4}" x2="150" y2="{y - 4}" stroke="{AUTOMATIC_COLOUR}" '
            f'stroke-width="2.5" stroke-dasharray="7 4"/>'
            f'<text x="156" y="{y}">{AUTOMATIC_NAME}</text>'
            f'<rect x="280" y="{y - 12}" width="24" height="14" fill="{REVISED_COLOUR}" '
            f'fill-opacity="0.22" stroke="{REVISED_COLOUR}" stroke-width="2"/>'
            f'<text x="310" y="{y}">{REVISED_NAME}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


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
