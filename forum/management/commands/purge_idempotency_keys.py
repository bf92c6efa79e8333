"""Delete stored Idempotency-Key responses older than their 24 hours.

Each write already drops its own user's expired keys; this clears those of users who stopped
writing. Run it daily (cron, a scheduled task); it is safe to run at any time.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from forum.idempotency import LIFETIME
from forum.models import IdempotencyKey


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key responses older than 24 hours."

    def handle(self, *args, **options):
        deleted, _ = IdempotencyKey.objects.filter(
            created_at__lt=timezone.now() - LIFETIME
        ).delete()
        self.stdout.write(f"Deleted {deleted} expired idempotency keys.")
