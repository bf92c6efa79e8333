"""What notifications adds to the roundup and series pages (their templates load these)."""

from django import template

from ..reader_state import reader_state

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_level(context, roundup) -> str:
    """The reader's level on ``roundup``'s discussion: watching, normal or muted.

    One query, which also reads the reader's subscription to the roundup's series (the
    subscribe box further down the page asks for it)."""
    state = reader_state(
        context["request"], roundup_id=roundup.pk, series_id=roundup.series_id or None
    )
    return state["level"]


@register.simple_tag(takes_context=True)
def series_subscription(context, series) -> str:
    """The signed-in reader's subscription to ``series``: subscribed, pending or none ("" for
    an anonymous reader: nothing is read). On a roundup page (``roundup`` in the context) the
    follow level is read in the same query, whichever partial asks first."""
    request = context["request"]
    if not request.user.is_authenticated:
        return ""
    roundup = context.get("roundup")
    roundup_id = roundup.pk if getattr(roundup, "series_id", None) == series.pk else None
    return reader_state(request, roundup_id=roundup_id, series_id=series.pk)["subscription"]
