"""``python manage.py send_digests``: start today's daily digests (cron runs it once a day).

For every reader with notifications for the digest (unread, not mailed, of a kind they get in
the digest, from the last seven days), it inserts the (reader, day) ``DigestRun`` row, which is
the claim, and enqueues one ``send_digest`` task for it. Running it twice a day, or on two hosts
at once, mails each reader once: the second run finds the rows and enqueues nothing for them
(except runs left queued for half an hour, whose task was lost: the task's own claim keeps
that to one mail). The workers send the mail.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from forum.tasks import enqueue_on_commit
from notifications import mailing, notify_tasks


class Command(BaseCommand):
    help = "Enqueue today's daily digest for every reader who has one (idempotent per day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", help="The day to claim (YYYY-MM-DD), default today (UTC): for a missed day."
        )

    def handle(self, *args, day=None, **options):
        try:
            day = date.fromisoformat(day) if day else timezone.now().date()
        except ValueError as exc:
            raise CommandError(f"--day must be YYYY-MM-DD: {exc}") from None
        created = mailing.schedule_digests(day)
        stale = mailing.stale_runs(day)
        for run_id in created + stale:
            enqueue_on_commit(notify_tasks.send_digest, run_id)
        self.stdout.write(
            f"digests for {day}: {len(created)} enqueued"
            + (f", {len(stale)} stale ones enqueued again" if stale else "")
        )
