"""Run in a process of its own against the end-to-end test's database (DATABASE_URL).

python -m tests.notifications.e2e_helper setup 200     # author, series, subscribers, a draft
python -m tests.notifications.e2e_helper publish       # publish it: snapshot + enqueue
python -m tests.notifications.e2e_helper statuses      # {address: status} as JSON
python -m tests.notifications.e2e_helper unsubscribe PATH ADDRESS   # one-click POST, no session
"""

import json
import sys

import django


def setup(n: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from notifications.models import Subscription
    from roundups.models import PaperEntry, Roundup, Series

    author = User.objects.create_user("e2e-author", "author@example.org", "x")
    author.groups.add(Group.objects.get(name="Authors"))
    series = Series.objects.create(name="End to end", slug="e2e")
    now = timezone.now()
    Subscription.objects.bulk_create(
        Subscription(series=series, email=f"r{i:03d}@example.org", confirmed_at=now)
        for i in range(n)
    )
    draft = Roundup.objects.create(
        title="Roundup mailed end to end", slug="e2e-roundup", author=author, series=series,
        intro="Links: [papers](/papers/).",
    )  # fmt: skip
    PaperEntry.objects.create(
        roundup=draft, position=1, title="A paper", url="https://arxiv.org/abs/2401.00001"
    )


def publish() -> None:
    from django.contrib.auth.models import User

    from roundups.models import Roundup
    from roundups.services import roundup_publish

    roundup_publish(
        roundup=Roundup.objects.get(slug="e2e-roundup"), by=User.objects.get(username="e2e-author")
    )


def statuses() -> None:
    from notifications.models import Delivery

    print(json.dumps(dict(Delivery.objects.values_list("address", "status"))))


def unsubscribe(path: str, address: str) -> None:
    from django.test import Client

    from notifications.models import Subscription

    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    row = Subscription.objects.get(email=address)
    print(json.dumps({"status": response.status_code, "active": row.is_active}))


if __name__ == "__main__":
    django.setup()
    command, *args = sys.argv[1:]
    {"setup": lambda: setup(int(args[0])), "publish": publish, "statuses": statuses,
     "unsubscribe": lambda: unsubscribe(*args)}[command]()  # fmt: skip
