from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = "Papers"

    def ready(self):
        # Comments cannot import papers (papers sits above it): papers adds its suggestion
        # columns and card to the thread row through the row's declared hook.
        from comments import hooks as comment_hooks
        from comments.integrity import EXTRA_CHECKS
        from comments.thread.row import register_row_extension
        from roundups import paste
        from roundups.hooks import roundup_published

        from .cards import SUGGESTION_COLUMNS, suggestion_card
        from .integrity import check_supporters, repair_supporters
        from .paste import references_add
        from .services import on_comment_visibility_changed, on_roundup_published

        register_row_extension(
            columns=SUGGESTION_COLUMNS, render_card=suggestion_card, marker="suggestion_url"
        )
        roundup_published.append(on_roundup_published)
        # A suggestion's comment deleted, removed or restored: one visible open one per paper.
        comment_hooks.comment_visibility_changed.append(on_comment_visibility_changed)
        # check_threads checks and repairs the supporter counts with the threads.
        EXTRA_CHECKS.append((check_supporters, repair_supporters))
        # The roundup form's paste box: metadata look-ups are papers', the form is roundups'.
        paste.register(references_add)
