"""The milk charts as SVG drawn on the server: the herd's days by session and a cow's lactation curve.

A phone drew them with a charting library of some 200 kB whose evaluation blocked the page for a quarter of a
second with its CPU slowed four times (bench/phone.py); shapes computed here cost nothing to show, need no script,
and read the same without one. Each chart comes with the words a screen reader says of it.
"""

from __future__ import annotations

import datetime as dt
import math

from apps.core.words import amount, day, label

from .models import Session

SESSIONS = ("morning", "midday", "evening")
COLOURS = {"morning": "#198754", "midday": "#b58105", "evening": "#0d6efd"}


def _nice_top(value: float) -> float:
    """A round number at or above `value` for the top of an axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _grid(top: float, height: float, pad_top: float, pad_bottom: float) -> list[dict]:
    """Three horizontal lines with their values: 0, half and the top."""
    span = height - pad_top - pad_bottom
    return [{"y": f"{height - pad_bottom - share * span:.1f}", "label": _figure(top * share)} for share in (0, 0.5, 1)]


def _figure(value: float) -> str:
    """A figure on an axis: 500, not 500.0; 2.5 as the language writes it."""
    value = round(value, 1)
    return amount(int(value) if value == int(value) else value)


def sessions_chart(series: dict, *, width: int = 360, height: int = 200) -> dict | None:
    """Stacked bars of each day's milk by session (`daily_series`); None when nothing was recorded."""
    days = series["labels"]
    totals = [sum(series[s][n] for s in SESSIONS) for n in range(len(days))]
    if not days or not any(totals):
        return None
    left, right, top_pad, bottom = 34, 4, 8, 22
    top = _nice_top(max(totals))
    step = (width - left - right) / len(days)
    scale = (height - top_pad - bottom) / top
    dates = [dt.date.fromisoformat(iso) for iso in days]
    width_of_bar = f"{max(step - 0.6, 0.6):.1f}"
    bars = []
    for n, date in enumerate(dates):
        base, written = height - bottom, day(date)  # one day's bars share its date, written once
        for session in SESSIONS:
            value = series[session][n]
            if value <= 0:
                continue
            tall = value * scale
            base -= tall
            bars.append({"x": f"{left + n * step:.1f}", "y": f"{base:.1f}", "w": width_of_bar, "h": f"{tall:.1f}",
                         "fill": COLOURS[session], "session": session, "title": f"{written}: {amount(round(value, 1))}"})
    ticks = [{"x": f"{left + n * step + step / 2:.1f}", "label": day(dates[n], year=False)}
             for n in range(0, len(days), max(len(days) // 4, 1))]
    used = [s for s in SESSIONS if any(series[s])]
    return {"width": width, "height": height, "bars": bars, "grid": _grid(top, height, top_pad, bottom), "left": left,
            "right": width - right, "ticks": ticks, "tick_y": height - 6, "sessions": [(s, COLOURS[s]) for s in used],
            "legend": [(label(Session, s), COLOURS[s]) for s in used],
            "first": dates[0], "last": dates[-1],
            "most": amount(round(max(totals), 1))}


def curve_chart(points: list[list], *, width: int = 320, height: int = 150) -> dict | None:
    """A lactation curve, yield per day by days in milk ([[dim, yield], ...]); None with fewer than two points."""
    if len(points) < 2:
        return None
    left, right, top_pad, bottom = 30, 6, 8, 24
    last_dim = max(max(p[0] for p in points), 1)
    top = _nice_top(max(p[1] for p in points))
    x = lambda dim: left + dim / last_dim * (width - left - right)  # noqa: E731
    y = lambda value: height - bottom - value / top * (height - top_pad - bottom)  # noqa: E731
    peak = max(points, key=lambda p: p[1])
    return {"width": width, "height": height, "polyline": " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points),
            "grid": _grid(top, height, top_pad, bottom), "left": left, "right": width - right,
            "ticks": [{"x": f"{x(d):.1f}", "label": d} for d in range(0, last_dim + 1, max(50, last_dim // 4 // 50 * 50))],
            "tick_y": height - 10, "peak": {"x": f"{x(peak[0]):.1f}", "y": f"{y(peak[1]):.1f}", "dim": peak[0],
                                            "value": amount(round(peak[1], 1))}}
