"""The two roles of the site, as Django groups, and the permissions each one holds."""

AUTHORS = "Authors"
MODERATORS = "Moderators"

ROLE_PERMISSIONS = {
    AUTHORS: [
        ("roundups", "add_roundup"),
        ("roundups", "change_roundup"),
        ("roundups", "view_roundup"),
        ("roundups", "add_paperentry"),
        ("roundups", "change_paperentry"),
        ("roundups", "delete_paperentry"),
        ("roundups", "view_paperentry"),
        ("roundups", "add_series"),
        ("roundups", "change_series"),
        ("roundups", "view_series"),
    ],
    MODERATORS: [
        ("comments", "moderate_comment"),
        ("comments", "change_comment"),
        ("comments", "view_comment"),
        ("comments", "view_commentrevision"),
        ("comments", "view_moderationaction"),
        ("comments", "view_vote"),
    ],
}


def is_author(user) -> bool:
    """May write roundups: members of Authors, and staff (who can in the admin anyway)."""
    return user.is_authenticated and (user.is_staff or user.has_perm("roundups.add_roundup"))


def is_moderator(user) -> bool:
    """May edit, remove and restore any comment and lock threads."""
    return user.is_authenticated and user.has_perm("comments.moderate_comment")
