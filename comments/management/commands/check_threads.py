"""``manage.py check_threads [--repair] [--roundup SLUG]``: verify (and repair) comment threads."""

from django.core.management.base import BaseCommand, CommandError

from comments.integrity import check_threads, repair_threads
from roundups.models import Roundup


class Command(BaseCommand):
    help = (
        "Check that every comment thread's nested-set fields agree with its parent links and that "
        "every comment's score, agreement and vote counts equal its stored votes and their "
        "weights, karma the scores, and every kept count (comments per roundup and per paper, "
        "a paper's coverage, a suggestion's supporters) its rows. Exits non-zero when "
        "something is wrong; --repair rebuilds what is wrong and says what it changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Rebuild broken trees and recount votes."
        )
        parser.add_argument("--roundup", metavar="SLUG", help="Only this roundup's threads.")

    def handle(self, *args, repair=False, roundup=None, **options):
        if roundup is not None:
            try:
                roundup = Roundup.objects.get(slug=roundup)
            except Roundup.DoesNotExist:
                raise CommandError(f'No roundup with slug "{roundup}".') from None
        where = f'roundup "{roundup.slug}"' if roundup else "all roundups"

        report = check_threads(roundup=roundup)
        self.stdout.write(
            f"Checked {report.comments} comment(s) in {report.trees} tree(s) of {where}."
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS("OK: every thread is consistent."))
            return
        for problem in report.problems:
            self.stdout.write(f"  {problem.message}")
        summary = f"{len(report.problems)} problem(s) found."
        if not repair:
            raise CommandError(f"{summary} Run with --repair to fix them.")

        self.stdout.write(summary + " Repairing...")
        changes, after = repair_threads(roundup=roundup)
        for change in changes:
            self.stdout.write(f"  repaired: {change}")
        if after.ok:
            self.stdout.write(self.style.SUCCESS("Checked again: OK."))
            return
        for problem in after.problems:
            self.stdout.write(f"  still wrong: {problem.message}")
        raise CommandError(
            f"{len(after.problems)} problem(s) remain after the repair; "
            "see the lines above (some need a fix by hand)."
        )
