from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Comments and roundups sit below us and cannot import us: they fire declared hooks.
        from accounts.settings_sections import register_settings_section
        from comments import hooks as comment_hooks
        from forum.mail import register_unsubscribe
        from roundups import hooks as roundup_hooks

        from . import delivery, mailing, services, subscriptions, views

        comment_hooks.comment_posted.append(services.on_comment_posted)
        comment_hooks.comment_edited.append(services.on_comment_edited)
        comment_hooks.comment_moderated.append(services.on_comment_moderated)
        roundup_hooks.roundup_published.append(services.on_roundup_published)
        mailing.register()  # the "notify" one-click unsubscribe links (forum/mail.py)
        register_settings_section("notifications/_settings_section.html", views.settings_section)
        roundup_hooks.roundup_published.append(delivery.on_roundup_published)
        register_unsubscribe(
            "series",
            describe=subscriptions.describe_unsubscribe,
            apply=subscriptions.apply_unsubscribe,
        )
