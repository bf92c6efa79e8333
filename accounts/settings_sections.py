"""Sections the apps above accounts add to the settings page (``/settings/``), without accounts
importing them: an app registers a template and a function that makes its context, in its
``AppConfig.ready()``, as hooks are declared (``forum/hooks.py``)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str  # rendered with ``section`` (the context below) and the page's own context
    context: Callable  # context(request) -> dict


sections: list[Section] = []


def register_settings_section(template: str, context: Callable) -> None:
    if all(section.template != template for section in sections):  # ready() may run twice
        sections.append(Section(template=template, context=context))


def sections_for(request) -> list[dict]:
    return [{"template": s.template, **s.context(request)} for s in sections]
