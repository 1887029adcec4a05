"""The Jinja2 templates in activities/templates/, loaded one way for messages and reports."""

from jinja2 import Environment, PackageLoader, StrictUndefined


def template_environment() -> Environment:
    """Plain-text templates as written; `*.html.j2` autoescaped, so a title cannot inject markup."""
    return Environment(
        loader=PackageLoader("activities", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
    )
