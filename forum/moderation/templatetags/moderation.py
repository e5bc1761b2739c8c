"""Template filters of the moderation pages."""

from django import template

from ..reasons import label

register = template.Library()


@register.filter
def reason_label(code: str) -> str:
    """A reason code in a few plain words."""
    return label(code)


@register.filter
def short_hash(value: str) -> str:
    """The first eight characters of a keyed network hash: enough to tell bursts apart."""
    return (value or "")[:8]
