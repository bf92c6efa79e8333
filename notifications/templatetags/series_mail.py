"""Template tags roundups' templates load to show mail parts (roundups cannot import us)."""

from django import template

from .. import delivery

register = template.Library()


@register.inclusion_tag("notifications/_deliveries.html", takes_context=True)
def delivery_panel(context, roundup):
    """The roundup's delivery counts and the resend button, for its author (one query)."""
    return {
        "roundup": roundup,
        "counts": delivery.counts(roundup.pk),
        "csrf_token": context.get("csrf_token"),
    }
