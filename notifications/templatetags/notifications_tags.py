"""What notifications adds to the roundup page's follow buttons (its template loads these)."""

from django import template

from ..models import Follow

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_level(context, roundup) -> str:
    """The reader's level on ``roundup``'s discussion: watching, normal or muted (one query)."""
    level = (
        Follow.objects.filter(user_id=context["request"].user.pk, roundup_id=roundup.pk)
        .values_list("level", flat=True)
        .first()
    )
    return level or "normal"
