"""Helpers for the series mail tests: publish with the commit's callbacks run, read the outbox."""

import email
import re
from email import policy

from django.core import mail

from roundups.services import roundup_publish
from tests import factories


def publish(author, series, capture, **fields):
    """A draft in ``series`` published through the service, its on-commit callbacks run."""
    draft = factories.make_roundup(
        author=author, series=series, published=False, entries=2, **fields
    )
    with capture(execute=True):
        return roundup_publish(roundup=draft, by=author)


def parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text)


def outbox_to(address: str):
    return [m for m in mail.outbox if m.to == [address]]
