"""The notifications app's background tasks (queue ``mail``), run by ``bin/worker``.

Tasks take ids, not rows, and are safe to run twice: the state they act on lives in rows
(``Delivery``, ``Subscription``), and a send task only ever claims ``queued`` deliveries.
"""

from datetime import datetime

from django.conf import settings
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.urls import reverse

from forum.tasks import background

from . import delivery
from .models import Subscription
from .subscriptions import confirm_token, unsubscribe_link


@background(queue_name="mail", retry_on=(DatabaseError,))
def send_roundup(roundup_id: int) -> dict:
    """Send a published roundup's queued deliveries; come back when the next retry is due.

    A failed send waits in its row (``retry_at``), not in this task: the task ends and enqueues
    itself for the earliest retry, so a mail server that is down holds no worker.
    """
    outcome = delivery.run(roundup_id)
    if outcome["next"]:
        send_roundup.using(run_after=datetime.fromisoformat(outcome["next"])).enqueue(roundup_id)
    return outcome


@background(queue_name="mail", retry_on=(OSError, DatabaseError))
def send_confirmation(subscription_id: int) -> bool:
    """The double opt-in mail: the one mail an unconfirmed address ever gets."""
    row = Subscription.objects.select_related("series").filter(pk=subscription_id).first()
    if row is None or row.confirmed_at is not None or row.unsubscribed_at is not None:
        return False  # confirmed or withdrawn since it was asked for: nothing to send
    confirm_url = settings.SITE_URL + reverse(
        "series_mail:confirm", args=[row.series.slug, confirm_token(row)]
    )
    text = render_to_string(
        "notifications/mail/confirm.txt", {"series": row.series, "confirm_url": confirm_url}
    )
    from forum.mail import build_message

    build_message(
        to=row.email,
        subject=f"Confirm: {row.series.name} by email",
        text=text,
        unsubscribe=unsubscribe_link(row),
    ).send()
    return True
