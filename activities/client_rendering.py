"""A client's email notice: the house's professional notice, or the client brand's own HTML.

The plain-text part always comes from the house template, so it says what the HTML says even
when a brand restyles the HTML; the From and Reply-To come from the brand.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment

from activities.template_files import template_environment
from escalation.brands import TEMPLATE_PURPOSES
from escalation.client_notice import client_notice
from escalation.messages import OutboundMessage
from escalation.notice_templates import compile_override


@cache
def _templates() -> Environment:
    return template_environment()


def render_client_email(message: OutboundMessage) -> tuple[str, str]:
    """The text and HTML of a client's notice."""
    notice = client_notice(
        message.purpose, message.facts, message.client or message.recipient, message.brand
    )
    environment = _templates()
    text = environment.get_template("client_notice.j2").render(notice=notice).strip()
    override = _override(message)
    if override is not None:
        html = compile_override(override).render(notice=notice).strip()
    else:
        html = environment.get_template("client_notice.html.j2").render(notice=notice).strip()
    return text, html


def _override(message: OutboundMessage) -> str | None:
    name = TEMPLATE_PURPOSES.get(message.purpose)
    if message.brand is None or name is None:
        return None
    return message.brand.template_sources.get(name)
