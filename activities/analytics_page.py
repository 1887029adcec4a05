"""The analytics page: one self-contained HTML file (charts inline as SVG, no script, no link)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment

from activities.analytics_charts import charts
from activities.template_files import template_environment
from escalation.analytics import Analytics
from escalation.time_text import human_duration


def render_analytics(figures: Analytics, scope: str) -> str:
    """The page; everything typed by people (causes, feedback) is escaped by the template."""
    return (
        _templates()
        .get_template("analytics.html.j2")
        .render(a=figures, scope=scope, charts=charts(figures))
    )


def _duration(value: object) -> str:
    return human_duration(value) if value is not None else "-"  # type: ignore[arg-type]


def _share(value: float) -> str:
    return f"{100 * value:.1f}%"


@cache
def _templates() -> Environment:
    environment = template_environment()
    environment.filters.update(duration=_duration, share=_share)
    return environment
