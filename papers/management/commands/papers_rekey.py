"""Recompute every PaperEntry.paper_key after roundups/references.py changes how links are read."""

from django.core.management.base import BaseCommand
from django.db import transaction

from roundups.models import PaperEntry, papers_refresh
from roundups.papers import paper_key

BATCH_SIZE = 500  # rows read and written per round trip; keeps memory flat on a big table


class Command(BaseCommand):
    help = "Recompute the paper key of every paper entry (after paper_key changed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        changed = total = 0
        touched = set()  # old and new keys: their Paper rows are recounted at the end
        entries = PaperEntry.objects.order_by("pk").only("pk", "url", "paper_key")
        with transaction.atomic():
            batch = []
            for entry in entries.iterator(chunk_size=BATCH_SIZE):
                total += 1
                key = paper_key(entry.url)
                if key != entry.paper_key:
                    if options["verbosity"] >= 2:
                        self.stdout.write(f"{entry.pk}: {entry.paper_key!r} -> {key!r}")
                    touched.update((entry.paper_key, key))
                    entry.paper_key = key
                    batch.append(entry)
                if len(batch) >= BATCH_SIZE:
                    changed += self._save(batch, dry_run)
                    batch = []
            changed += self._save(batch, dry_run)
            if not dry_run:
                papers_refresh(touched)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(f"{total} paper entries checked, {changed} {verb}.")

    def _save(self, batch, dry_run) -> int:
        # bulk_update, not save(): save() would re-render the markdown of every entry.
        if batch and not dry_run:
            PaperEntry.objects.bulk_update(batch, ["paper_key"])
        return len(batch)
