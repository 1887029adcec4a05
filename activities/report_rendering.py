"""The final report as people read it: Markdown and HTML from the facts of escalation/report.py."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from jinja2 import Environment
from pydantic import BaseModel

from activities.message_rendering import SUBJECT_LIMIT
from activities.template_files import template_environment
from escalation.report import FinalReport
from escalation.time_text import human_duration, utc_clock


class RenderedReport(BaseModel):
    """The report as people read it: Markdown (also the email's text part), HTML, a subject."""

    markdown: str
    html: str
    subject: str


def render_report(report: FinalReport) -> RenderedReport:
    """Markdown and HTML from the same facts; the HTML escapes everything an operator typed."""
    environment = _templates()
    context = {"r": report, "updates_sent": report.client_updates_sent}
    return RenderedReport(
        markdown=environment.get_template("report.md.j2").render(context).strip() + "\n",
        html=environment.get_template("report.html.j2").render(context).strip() + "\n",
        subject=_subject(report),
    )


def _subject(report: FinalReport) -> str:
    if report.audience == "client":
        subject = f"Incident report: {report.title}"
    else:
        subject = (
            f"Final report: [{report.severity}] {report.service}: {report.title} "
            f"({report.incident_id})"
        )
    return " ".join(subject.split())[:SUBJECT_LIMIT]


def _clock(at: datetime | None) -> str:
    return utc_clock(at, seconds=False)


def _cell(value: object) -> str:
    """A Markdown table cell: pipes escaped and line breaks flattened, so the table holds."""
    return " ".join(str(value).split()).replace("|", "\\|")


@cache
def _templates() -> Environment:
    environment = template_environment()
    environment.filters.update(duration=human_duration, clock=_clock, cell=_cell)
    return environment
