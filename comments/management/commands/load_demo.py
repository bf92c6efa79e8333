"""Load the demo: accounts, one series, published roundups about real papers, a draft, a thread.

It lives in comments because it composes the two apps (roundups, then a thread under one); in
roundups it would import comments, against the layering. Roundups and their papers are written
through ``roundups.services``, the one write path.

Idempotent: whatever already exists (matched by username or slug) is left as it is, so running it
again changes nothing. The accounts and passwords are printed at the end of every run.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from comments.demo import load_discussion
from roundups import demo_data
from roundups.models import Roundup, Series
from roundups.services import entry_add


class Command(BaseCommand):
    help = "Load demo accounts and roundups (safe to run again) and print the demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = {
                username: self.ensure_user(username, password, role)
                for username, password, role in demo_data.ACCOUNTS
            }
            series, _ = Series.objects.get_or_create(
                slug=demo_data.SERIES["slug"], defaults=demo_data.SERIES
            )
            author = users["author"]
            roundups = [
                self.ensure_roundup(data, author=author, series=series, published=True)
                for data in demo_data.ROUNDUPS
            ]
            self.ensure_roundup(demo_data.DRAFT, author=author, series=series, published=False)
            comments = load_discussion(
                roundup=roundups[0],
                readers=[users["reader1"], users["reader2"]],
                moderator=users["moderator"],
                author=author,
            )
        if comments:
            self.stdout.write(f"Posted {comments} demo comments.")
        self.print_accounts()

    def ensure_user(self, username, password, role):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        superuser = role == "superuser"
        changed = created
        if superuser and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            changed = True
        # Reset a changed password so the printed logins always work; an unchanged one keeps
        # its hash, so a second run writes nothing.
        if created or not user.check_password(password):
            user.set_password(password)
            changed = True
        if changed:
            user.save()
        if role not in {"superuser", "reader"}:
            user.groups.add(Group.objects.get(name=role))
        if created:
            self.stdout.write(f"Created user {username}.")
        return user

    def ensure_roundup(self, data, *, author, series, published):
        fields = {key: value for key, value in data.items() if key not in {"entries", "slug"}}
        fields.update(author=author, series=series)
        if published:
            fields["status"] = Roundup.Status.PUBLISHED
        roundup, created = Roundup.objects.get_or_create(slug=data["slug"], defaults=fields)
        if created:
            for entry in data["entries"]:
                entry_add(roundup=roundup, by=author, **entry)
            self.stdout.write(f"Created roundup “{roundup.title}”.")
        return roundup

    def print_accounts(self):
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo accounts (username / password / role):"))
        for username, password, role in demo_data.ACCOUNTS:
            self.stdout.write(f"  {username:<10} {password:<22} {role}")
        self.stdout.write("")
