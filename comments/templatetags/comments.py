"""Template filters for comments: the placeholder labels, from the one place that names them."""

from django import template

from comments.thread.render import PLACEHOLDER_LABELS

register = template.Library()


@register.filter
def placeholder_label(state: str) -> str:
    """ "[deleted]" or "[removed by a moderator]" for a comment that no longer shows."""
    return PLACEHOLDER_LABELS.get(state, "")
