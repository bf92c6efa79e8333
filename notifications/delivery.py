"""A published roundup to each confirmed subscriber of its series: never twice, never silently lost.

Ghost's newsletter design (a row per recipient, claimed before sending, never resent when its
outcome is unknown), on our task queue:

1. **Snapshot** (``on_roundup_published``, inside the publish transaction): one ``Mailing`` row
   fixes the recipients, the subscribers confirmed at the publish time and still subscribed, and
   the send task is enqueued on commit; so the request writes one row whatever the number of
   subscribers. The worker then writes a ``Delivery`` per recipient (status ``queued``; unique on
   roundup and subscription, so nothing is written twice), ``EXPAND_BATCH`` at a time with one
   ``INSERT ... SELECT`` each (``expand``), before it sends.
2. **Claim** (``claim``): a worker takes up to ``MAIL_BATCH_SIZE`` due ``queued`` rows in id order
   with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL: two workers take different rows; on
   SQLite the write lock taken by ``BEGIN IMMEDIATE`` serializes them) and marks them ``sending``
   with a claim name (host, process, batch) and time, committed before the mail server is spoken
   to. Only ``queued`` rows are ever claimed: a ``sent`` row is never sent again, whether the task
   is retried, runs twice or two workers run it.
3. **Send** (``send_batch``): one SMTP connection per batch; the rows go out in id order, each
   marked ``sent`` (committed) right after the server accepted it, before the next one starts.
   A refused or failed send goes back to ``queued`` with ``retry_at`` set by the project's backoff
   (``forum.tasks.retry_delay``), and after ``MAIL_MAX_ATTEMPTS`` tries ends ``failed`` with the
   error. A server that cannot be reached puts the whole batch back the same way.
4. **A worker that died** (``sweep``): a claim whose rows have not moved for
   ``MAIL_SENDING_LEASE`` seconds (longer than any one send can take: each SMTP call times out
   after ``EMAIL_TIMEOUT``) belongs to a dead worker. Because a batch is sent in id order and each
   row leaves ``sending`` before the next send starts, only its lowest ``sending`` row can have
   been in the middle of a send: that one becomes ``unknown`` (the mail may have gone out; it is
   never resent by itself), the rest were never tried and go back to ``queued``. So a killed
   worker leaves at most one ``unknown``. Every send task sweeps first, and so does
   ``manage.py deliveries_resume``, which ``bin/worker`` runs on start and which then enqueues a
   send for every roundup with rows still queued (the killed worker's task never finishes).
5. **Resend** (``resend_unknown``): the author looks at the ``unknown`` rows and may queue them
   again from the edit page.
"""

import logging
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from forum.errors import NotAllowed
from forum.tasks import enqueue_on_commit, retry_delay

from .models import Delivery, Mailing, Subscription

logger = logging.getLogger(__name__)
Status = Delivery.Status
STATUSES = tuple(Status.values)  # queued, sending, sent, failed, unknown
ERROR_MAX = Delivery._meta.get_field("error").max_length
UNKNOWN_ERROR = "The worker stopped while sending this one: it may or may not have gone out."
# A server that cannot be reached, or a connection that broke: the rest of the batch waits.
# (smtplib's errors are OSErrors too: the ones about one message are told apart first.)
CONNECTION_LOST = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


# --- 1. snapshot on publish -------------------------------------------------------------------

EXPAND_BATCH = 1000  # delivery rows written per statement (and transaction) by the worker


def on_roundup_published(*, roundup) -> None:
    """Receiver of ``roundups.hooks.roundup_published``: one ``Mailing``, a send after commit.

    The request writes one row whatever the number of subscribers; the worker writes the
    deliveries (``expand``).
    """
    if roundup.series_id is None:
        return
    _, created = Mailing.objects.get_or_create(
        roundup=roundup, defaults={"as_of": roundup.published_at or timezone.now()}
    )
    if created:
        from .tasks import send_roundup  # tasks import this module

        enqueue_on_commit(send_roundup, roundup.pk)


def expand(mailing: Mailing, *, batch: int = EXPAND_BATCH) -> int:
    """Write the mailing's ``Delivery`` rows, ``batch`` subscriptions at a time; returns how many.

    Each batch is one ``INSERT ... SELECT`` over a range of subscription ids, committed with the
    mailing's ``cursor``, so a worker killed halfway resumes where it stopped, and a second run
    adds nothing (unique on roundup and subscription).
    """
    added = 0
    while not mailing.expanded:
        with transaction.atomic():
            mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
            if mailing.expanded:
                break
            ids = list(
                _recipients(mailing)
                .filter(pk__gt=mailing.cursor)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if ids:
                added += _insert_deliveries(mailing, ids[0], ids[-1])
                mailing.cursor = ids[-1]
            mailing.expanded = len(ids) < batch
            mailing.save(update_fields=["cursor", "expanded"])
    return added


def snapshot(roundup) -> int:
    """The roundup's mailing (made if missing) expanded at once; returns the rows added."""
    mailing, _ = Mailing.objects.get_or_create(
        roundup=roundup, defaults={"as_of": roundup.published_at or timezone.now()}
    )
    return expand(mailing)


def _recipients(mailing: Mailing):
    """Subscriptions confirmed when the roundup was published and still subscribed."""
    return Subscription.objects.filter(
        Q(user__isnull=True) | Q(user__is_active=True),
        series_id=mailing.roundup.series_id,
        confirmed_at__lte=mailing.as_of,
        unsubscribed_at__isnull=True,
    )


def _insert_deliveries(mailing: Mailing, first_id: int, last_id: int) -> int:
    """One statement: a delivery per recipient with an id in ``[first_id, last_id]``.

    A reader's mail goes to their account's current address (their subscription keeps the one
    they had when they subscribed, for an account that has none any more).
    """
    now = db_connection.ops.adapt_datetimefield_value(timezone.now())
    as_of = db_connection.ops.adapt_datetimefield_value(mailing.as_of)
    params = [mailing.roundup_id, Status.QUEUED, now, now, mailing.roundup.series_id, as_of]
    with db_connection.cursor() as cursor:
        cursor.execute(_snapshot_sql(), [*params, first_id, last_id])
        return cursor.rowcount


def _snapshot_sql() -> str:
    q = db_connection.ops.quote_name
    deliveries, subscriptions = Delivery._meta.db_table, Subscription._meta.db_table
    users = get_user_model()._meta.db_table
    return f"""
        INSERT INTO {q(deliveries)}
            (roundup_id, subscription_id, address, status, attempts, error, claim,
             updated_at, created_at)
        SELECT %s, s.id, COALESCE(NULLIF(u.email, ''), s.email), %s, 0, '', '', %s, %s
        FROM {q(subscriptions)} s LEFT JOIN {q(users)} u ON u.id = s.user_id
        WHERE s.series_id = %s AND s.confirmed_at <= %s AND s.unsubscribed_at IS NULL
            AND (u.id IS NULL OR u.is_active) AND s.id >= %s AND s.id <= %s
        ON CONFLICT (roundup_id, subscription_id) DO NOTHING
    """


# --- 2. claim ----------------------------------------------------------------------------------


@dataclass
class Claim:
    name: str
    rows: list[Delivery]


def claim(roundup_id: int, *, worker: str, size: int | None = None) -> Claim:
    """Take up to ``size`` due queued rows of a roundup: ``sending``, committed, in id order."""
    size = size or settings.MAIL_BATCH_SIZE
    name = f"{worker}:{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    due = Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(due, roundup_id=roundup_id, status=Status.QUEUED)
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(id__in=ids, status=Status.QUEUED).update(
                status=Status.SENDING, claim=name, claimed_at=now, updated_at=now
            )
    rows = list(
        Delivery.objects.filter(claim=name, status=Status.SENDING)
        .select_related("subscription__series")
        .order_by("id")
    )
    return Claim(name=name, rows=rows)


# --- 3. send -----------------------------------------------------------------------------------


def send_batch(batch: Claim, mail) -> int:
    """Send a claimed batch over one connection, in id order; returns how many were sent.

    ``mail`` is the roundup's rendered mail (``roundup_mail.RoundupMail``): rendered once per
    task, only the address and the unsubscribe link change per subscriber.
    """
    from .subscriptions import unsubscribe_link

    if not batch.rows:
        return 0
    smtp = get_connection()
    try:
        smtp.open()
    except OSError as exc:
        _retry_later(batch.rows, exc)
        return 0
    sent = 0
    try:
        for index, row in enumerate(batch.rows):
            message = mail.message_for(row.address, unsubscribe_link(row.subscription), smtp)
            try:
                smtp.send_messages([message])
            except CONNECTION_LOST as exc:
                _connection_lost(batch.rows, index, exc)
                break
            except smtplib.SMTPException as exc:  # refused: this address, not the connection
                _retry_later([row], exc, counted=True)
                continue
            except OSError as exc:  # the socket broke
                _connection_lost(batch.rows, index, exc)
                break
            _mark_sent(row)
            sent += 1
    finally:
        try:
            smtp.close()
        except OSError:
            pass  # the mails already went; a dirty QUIT changes nothing
    return sent


def _connection_lost(rows: list[Delivery], index: int, exc: BaseException) -> None:
    """The row being sent counts a failed try; the ones after it were never tried."""
    _retry_later(rows[index : index + 1], exc, counted=True)
    _retry_later(rows[index + 1 :], exc)


def _mark_sent(row: Delivery) -> None:
    now = timezone.now()
    Delivery.objects.filter(pk=row.pk, status=Status.SENDING, claim=row.claim).update(
        status=Status.SENT, sent_at=now, updated_at=now, error=""
    )


def _retry_later(rows: list[Delivery], exc: BaseException, *, counted: bool = False) -> None:
    """Back to ``queued`` with a backoff (``failed`` once the attempts are spent)."""
    if not rows:
        return
    error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    now = timezone.now()
    ids = [row.pk for row in rows]
    in_flight = Delivery.objects.filter(pk__in=ids, status=Status.SENDING)
    if counted:
        attempts = rows[0].attempts + 1
        if attempts >= settings.MAIL_MAX_ATTEMPTS:
            in_flight.update(status=Status.FAILED, attempts=attempts, error=error, updated_at=now)
            logger.warning("delivery %s failed for good: %s", ids, error)
            return
        delay = retry_delay(attempts, base=settings.MAIL_RETRY_DELAY)
        in_flight.update(
            status=Status.QUEUED, attempts=attempts, error=error, claim="", updated_at=now,
            retry_at=now + timedelta(seconds=delay),
        )  # fmt: skip
        return
    delay = retry_delay(max(1, rows[0].attempts), base=settings.MAIL_RETRY_DELAY)
    in_flight.update(
        status=Status.QUEUED, claim="", updated_at=now, error=error,
        retry_at=now + timedelta(seconds=delay),
    )  # fmt: skip


# --- the task's body ----------------------------------------------------------------------------


def run(roundup_id: int, *, worker: str | None = None) -> dict:
    """Sweep dead claims, then send the roundup's due rows batch after batch.

    Returns ``{"sent": n, "next": iso time or None}``: ``next`` is when the earliest row waiting
    for a retry is due (the task enqueues itself for then).
    """
    from roundups.models import Roundup

    from .roundup_mail import render

    sweep()
    roundup = Roundup.objects.for_page().filter(pk=roundup_id).first()
    if roundup is None or not roundup.is_published:
        return {"sent": 0, "next": None}
    mailing = Mailing.objects.select_related("roundup").filter(roundup=roundup).first()
    if mailing is not None:
        expand(mailing)
    mail = render(roundup)
    worker, sent = worker or worker_name(), 0
    while True:
        batch = claim(roundup_id, worker=worker)
        if not batch.rows:
            break
        sent += send_batch(batch, mail)
    waiting = Delivery.objects.filter(roundup_id=roundup_id, status=Status.QUEUED)
    later = waiting.aggregate(at=Min("retry_at"))["at"]
    return {"sent": sent, "next": later.isoformat() if later else None}


# --- 4. dead workers ----------------------------------------------------------------------------


def sweep(now=None) -> dict:
    """Turn each dead claim's in-flight row ``unknown`` and put its untried rows back.

    A claim is dead when none of its rows moved for ``MAIL_SENDING_LEASE`` seconds.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.MAIL_SENDING_LEASE)
    held = Delivery.objects.filter(status=Status.SENDING).values_list("claim", flat=True)
    dead = (
        Delivery.objects.filter(claim__in=list(set(held)))
        .values("claim")
        .annotate(last=Max("updated_at"))
        .filter(last__lt=cutoff)
        .values_list("claim", flat=True)
    )
    done = {"unknown": 0, "requeued": 0}
    for name in list(dead):
        with transaction.atomic():
            ids = list(
                Delivery.objects.select_for_update()
                .filter(claim=name, status=Status.SENDING)
                .order_by("id")
                .values_list("id", flat=True)
            )
            if not ids:
                continue
            done["unknown"] += Delivery.objects.filter(pk=ids[0], status=Status.SENDING).update(
                status=Status.UNKNOWN, error=UNKNOWN_ERROR, updated_at=now
            )
            done["requeued"] += Delivery.objects.filter(
                pk__in=ids[1:], status=Status.SENDING
            ).update(status=Status.QUEUED, claim="", updated_at=now)
        logger.warning("claim %s of a dead worker: %s", name, done)
    return done


def resume() -> list[int]:
    """Sweep, then enqueue a send for each roundup with rows queued; returns those roundups.

    ``bin/worker`` runs this on start (``manage.py deliveries_resume``): a worker killed in the
    middle of a send task never finishes it, so its rows would otherwise wait forever.
    """
    from .tasks import send_roundup

    sweep()
    queued = Delivery.objects.filter(status=Status.QUEUED).values_list("roundup_id", flat=True)
    unexpanded = Mailing.objects.filter(expanded=False).values_list("roundup_id", flat=True)
    roundups = sorted(set(queued.distinct().order_by()) | set(unexpanded))
    for roundup_id in roundups:
        send_roundup.enqueue(roundup_id)
    return roundups


# --- 5. what authors see and do -----------------------------------------------------------------


def counts(roundup_id: int) -> dict[str, int]:
    """``{"queued", "sending", "sent", "failed", "unknown"}`` for one roundup.

    ``queued`` includes the recipients whose rows the worker has not written yet (right after
    publishing). Two queries; three while the mailing is being expanded.
    """
    found = dict(
        Delivery.objects.filter(roundup_id=roundup_id)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    result = {status: found.get(status, 0) for status in STATUSES}
    mailing = Mailing.objects.select_related("roundup").filter(roundup_id=roundup_id).first()
    if mailing is not None and not mailing.expanded:
        result[Status.QUEUED] += _recipients(mailing).filter(pk__gt=mailing.cursor).count()
    return result


def may_see(roundup, user) -> bool:
    """The roundup's author and staff see its deliveries."""
    return bool(user and user.is_authenticated and (user.is_staff or roundup.author_id == user.pk))


def resend_unknown(*, roundup, by) -> int:
    """Queue the roundup's ``unknown`` rows again (the author decided); returns how many."""
    if not may_see(roundup, by):
        raise NotAllowed("Only the author of this roundup or staff can resend its mail.")
    from .tasks import send_roundup

    with transaction.atomic():
        again = Delivery.objects.filter(roundup_id=roundup.pk, status=Status.UNKNOWN).update(
            status=Status.QUEUED, claim="", retry_at=None, updated_at=timezone.now()
        )
        if again:
            enqueue_on_commit(send_roundup, roundup.pk)
    logger.info("user %s resent %s unknown deliveries of roundup %s", by.pk, again, roundup.pk)
    return again
