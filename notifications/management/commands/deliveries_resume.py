"""Pick series mail up again after a worker died: ``bin/worker`` runs this before it starts.

Turns the in-flight row of each dead worker's claim ``unknown`` and its untried rows ``queued``
(``notifications.delivery.sweep``), then enqueues a send for every roundup with queued rows.
Safe to run any time, from any host, and from cron (every few minutes where workers run on
several hosts and a dead one might not come back).
"""

from django.core.management.base import BaseCommand

from notifications import delivery


class Command(BaseCommand):
    help = "Mark dead workers' deliveries unknown and resume sending queued ones."

    def handle(self, *args, **options):
        swept = delivery.sweep()
        roundups = delivery.resume()
        self.stdout.write(
            f"deliveries: {swept['unknown']} unknown, {swept['requeued']} requeued; "
            f"sending resumed for {len(roundups)} roundup(s)"
        )
