"""What comments tells the apps above it (notifications), without importing them.

Receivers are appended in the higher app's ``AppConfig.ready()``; the services fire them with
``forum.hooks.fire``, inside the write's transaction (each receiver in a savepoint).
"""

from collections.abc import Callable

# receiver(*, comment, mentioned_ids): a comment was posted; ``mentioned_ids`` are the ids of
# the users its text names with @username (resolved when the text was rendered).
comment_posted: list[Callable] = []
# receiver(*, comment, by, action, reason): a moderator edited, removed or restored a comment.
comment_moderated: list[Callable] = []
# receiver(*, comment, mentioned_ids): an edit changed a comment's text; ``mentioned_ids`` are
# the users the new text names and the old one did not.
comment_edited: list[Callable] = []
# receiver(*, comment, visible): a comment left the thread (deleted by its author, removed by a
# moderator: ``visible`` False) or came back (restored: True); ``comment.state`` is the new one.
comment_visibility_changed: list[Callable] = []
