"""Indexes for the profile's comments and the moderation log's keyset order; and the first count
of each paper entry's visible comments and each ``roundups.Paper`` row (kept by the services from
here on: comments/services.py ``_count_visible``, roundups/services.py ``papers_refresh``)."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def count_papers(apps, schema_editor):
    from django.db.models import Count, Max, Sum

    Comment = apps.get_model("comments", "Comment")
    PaperEntry = apps.get_model("roundups", "PaperEntry")
    Paper = apps.get_model("roundups", "Paper")
    counts = (
        Comment.objects.filter(state="visible", paper_entry__isnull=False)
        .order_by()
        .values("paper_entry")
        .annotate(n=Count("pk"))
    )
    for row in counts:
        PaperEntry.objects.filter(pk=row["paper_entry"]).update(comment_count=row["n"])
    published = PaperEntry.objects.filter(
        roundup__status="published", roundup__published_at__isnull=False
    ).exclude(paper_key="")
    stats = (
        published.order_by()
        .values("paper_key")
        .annotate(
            roundups=Count("roundup", distinct=True),
            last=Max("roundup__published_at"),
            comments=Sum("comment_count"),
        )
    )
    Paper.objects.bulk_create(
        [
            Paper(
                paper_key=row["paper_key"],
                roundup_count=row["roundups"],
                last_covered_at=row["last"],
                comment_count=row["comments"] or 0,
            )
            for row in stats
        ],
        batch_size=500,
    )


def uncount_papers(apps, schema_editor):
    apps.get_model("roundups", "Paper").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('comments', '0010_count_roundup_comments'),
        ('roundups', '0003_paper_coverage_and_list_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='moderationaction',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['author', '-created_at', '-id'], name='comment_author_time_idx'),
        ),
        migrations.AddIndex(
            model_name='moderationaction',
            index=models.Index(fields=['-created_at', '-id'], name='modlog_time_idx'),
        ),
        migrations.RunPython(count_papers, uncount_papers),
    ]
