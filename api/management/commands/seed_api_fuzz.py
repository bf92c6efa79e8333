"""Seed a fresh database for `make fuzz`: a user with a known token, roundups and a thread.

Not for real databases: it refuses to run when any roundup exists.
"""

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.roles import AUTHORS, MODERATORS
from api.models import ApiToken, hash_token
from comments.services import comment_create, comment_delete, vote_cast
from roundups.models import Roundup, Series
from roundups.services import roundup_create

# bin/schemathesis.toml names these slugs (and the comment ids 1-21 made here) so that the
# fuzzer reaches real roundups and comments, not only 404s.
ROUNDUP_SLUGS = ("fuzz-weekly-1", "fuzz-weekly-2", "fuzz-weekly-3")
ENTRY = {
    "title": "Attention Is All You Need",
    "url": "https://arxiv.org/abs/1706.03762",
    "authors": "Vaswani et al.",
    "year": 2017,
    "abstract": "Transformers.",
    "opinion": "Still *the* paper.",
    "code_url": "https://github.com/tensorflow/tensor2tensor",
    "related": "See https://example.org",
}


class Command(BaseCommand):
    help = "Seed an empty database for the API fuzzer, with a token for an Author and Moderator."

    def add_arguments(self, parser):
        parser.add_argument("--token", required=True, help="The bearer token the fuzzer sends.")
        parser.add_argument(
            "--spare-token",
            required=True,
            help="A second token, sent only to DELETE /api/auth/token, so revoking it in the run "
            "does not lock the fuzzer out of every other operation.",
        )

    def handle(self, *args, token, spare_token, **options):
        if Roundup.objects.exists():
            raise CommandError("The database already has roundups; seed only a fresh one.")
        fuzzer = User.objects.create_user(
            "fuzzer", "fuzzer@example.org", password="fuzzer-password-not-secret"
        )
        fuzzer.groups.add(*Group.objects.filter(name__in=[AUTHORS, MODERATORS]))
        ApiToken.objects.create(user=fuzzer, key_hash=hash_token(token), name="fuzz")
        ApiToken.objects.create(user=fuzzer, key_hash=hash_token(spare_token), name="fuzz, spare")
        readers = [User.objects.create_user(f"reader{n}") for n in range(3)]
        Series.objects.create(name="Weekly", slug="weekly")

        for n, slug in enumerate(ROUNDUP_SLUGS, start=1):
            roundup = roundup_create(
                author=fuzzer,
                title=f"Fuzz weekly {n}",
                slug=slug,
                intro="This week: **papers**.",
                series="weekly",
                number=n,
                entries=[ENTRY, {**ENTRY, "title": "Second paper", "year": None}],
                publish=True,
            )
            self._thread(roundup, fuzzer, readers)
        roundup_create(author=fuzzer, title="A draft", entries=[ENTRY])
        self.stdout.write(f"Seeded {Roundup.objects.count()} roundups at {timezone.now():%H:%M:%S}")

    def _thread(self, roundup, fuzzer, readers):
        def post(author, body, parent=None):
            return comment_create(
                roundup=roundup, author=author, body=body, parent=parent, enforce_rate_limit=False
            )

        root = post(readers[0], "A root comment")
        reply = post(fuzzer, "The fuzzer's reply", root)
        post(readers[1], "A reply to the reply", reply)
        gone = post(readers[2], "Deleted later, with a reply", root)
        post(readers[0], "Under a deleted comment", gone)
        comment_delete(comment=gone, by=readers[2])
        own = post(fuzzer, "The fuzzer's own root comment")
        post(readers[1], "Another root")
        vote_cast(comment=root, user=fuzzer, value=1)
        vote_cast(comment=own, user=readers[0], value=-1)
