"""Make a draft roundup from a Markdown or BibTeX file (``roundups/importing.py``)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from forum.errors import ServiceError
from forum.text import clean_text
from roundups.importing import roundup_import


class Command(BaseCommand):
    help = (
        "Import a roundup from a Markdown or .bib file as a draft of --author; prints its address "
        "and what could not be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .md/.txt file (Markdown) or a .bib file (BibTeX).")
        parser.add_argument(
            "--author", required=True, help="Username of the draft's author (in Authors)."
        )
        parser.add_argument("--title", default="", help="The title (default: from the file).")

    def handle(self, *args, file, author, title, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        user = get_user_model().objects.filter(username=author).first()
        if user is None:
            raise CommandError(f"There is no user {author!r}.")
        try:
            result = roundup_import(
                author=user, text=clean_text(text), filename=path.name, title=title
            )
        except ServiceError as error:
            raise CommandError(error.message) from None
        roundup = result.roundup
        self.stdout.write(
            f"Draft “{roundup.title}” with {roundup.entries.count()} papers: "
            f"/roundups/{roundup.slug}/edit/"
        )
        for problem in result.problems:
            self.stderr.write(f"Not imported: {problem}")
