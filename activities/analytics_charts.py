"""The analytics page's charts, drawn by matplotlib as inline SVG.

Figures are made without pyplot, so no display backend or global state is involved.
Text is drawn as paths (matplotlib's default `svg.fonttype`), so a chart needs no font, no
script and no network to display: the page stays one self-contained file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from escalation.analytics import Analytics

WIDTH, HEIGHT = 7.0, 2.8
COLOURS = ("#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df")


def charts(figures: Analytics) -> dict[str, str]:
    """Chart name to SVG markup; a chart with nothing to show is left out."""
    drawn = {
        "mtta": _weekly(figures, "mtta", "Time to acknowledge (minutes)"),
        "mttr": _weekly(figures, "mttr", "Time to resolve (hours)"),
        "compliance": _bars(
            "SLA compliance by severity (%)",
            list(figures.compliance_by_severity),
            [
                [100 * c.ack_compliance for c in figures.compliance_by_severity.values()],
                [100 * c.resolve_compliance for c in figures.compliance_by_severity.values()],
            ],
            ["acknowledge", "resolve"],
        ),
        "breaches": _bars(
            "Breaches by clock and tier",
            [f"{p.clock}\n{p.tier}" for p in figures.breach_places],
            [[p.count for p in figures.breach_places]],
        ),
        "depth": _bars(
            "Incidents by how far they escalated",
            list(figures.depth),
            [list(figures.depth.values())],
        ),
        "services": _bars(
            "Top services: hours lost",
            [r.name for r in figures.top_services],
            [[_hours(r.time_lost) for r in figures.top_services]],
        ),
    }
    return {name: svg for name, svg in drawn.items() if svg}


def _weekly(figures: Analytics, measure: str, title: str) -> str | None:
    unit = 60.0 if measure == "mtta" else 3600.0
    points = [(w.week, getattr(w, measure)) for w in figures.weekly]
    points = [(week, s) for week, s in points if s.median is not None]
    if not points:
        return None
    figure, axes = _figure(title)
    weeks = [week for week, _ in points]
    for label, field, colour in (("median", "median", COLOURS[0]), ("p90", "p90", COLOURS[1])):
        values = [getattr(s, field).total_seconds() / unit for _, s in points]
        axes.plot(weeks, values, marker="o", markersize=3, label=label, color=colour)
    axes.legend(frameon=False)
    figure.autofmt_xdate()
    return _svg(figure)


def _bars(
    title: str, labels: Sequence[str], series: Sequence[Sequence[float]], names: Sequence[str] = ()
) -> str | None:
    if not labels:
        return None
    figure, axes = _figure(title)
    width = 0.8 / len(series)
    for n, values in enumerate(series):
        positions = [i + n * width for i in range(len(labels))]
        label = names[n] if names else None
        axes.bar(positions, values, width=width, color=COLOURS[n % len(COLOURS)], label=label)
    axes.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))], labels)
    if names:
        axes.legend(frameon=False)
    return _svg(figure)


def _figure(title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH, HEIGHT), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML declaration or DOCTYPE


def _hours(value: timedelta) -> float:
    return value.total_seconds() / 3600
