"""The comments admin: a tree to read, moderation through the services, nothing hard-deleted."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from comments.models import Comment, CommentRevision, ModerationAction, ReadMarker, Vote
from comments.services import comment_create, comment_edit, read_marker_touch, vote_cast
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")


def post(roundup, author, body, parent=None):
    return comment_create(
        roundup=roundup, author=author, body=body, parent=parent, enforce_rate_limit=False
    )


@pytest.fixture
def thread(roundup, reader, other_reader):
    root = post(roundup, reader, "Does the ablation in table 3 hold up?")
    reply = post(roundup, other_reader, "Only on the small model.", parent=root)
    deeper = post(roundup, reader, "Then the headline claim is weaker.", parent=reply)
    return root, reply, deeper


@pytest.fixture
def staff_moderator(db):
    return factories.make_moderator("staffmod", staff=True)


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def test_changelist_shows_the_tree_indented(as_admin, thread):
    root, reply, deeper = thread
    response = as_admin.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    # Tree order, each level indented by text (the CSP blocks inline padding styles).
    first = html.index(f"#{root.pk} Does the ablation")
    second = html.index(f"\u2003\u2003\u21b3 #{reply.pk} Only on the small model.")
    third = html.index(f"\u2003\u2003\u2003\u2003\u21b3 #{deeper.pk} Then the headline")
    assert first < second < third


def test_changelist_query_count_does_not_grow_with_comments(
    as_admin, roundup, reader, django_assert_num_queries, session_queries
):
    # Intended to prevent an n+1 issue: author and roundup come with the rows (select_related).
    # The session (session_queries) + 1 user, 2 for the roundup and author filters' choices
    # (state's are fixed), 1 count, 1 for the rows with their authors and roundups.
    post(roundup, reader, "one")
    with django_assert_num_queries(5 + session_queries):
        assert as_admin.get(CHANGELIST).status_code == 200
    for n in range(20):
        post(roundup, factories.make_user(), f"more {n}")
    with django_assert_num_queries(5 + session_queries):
        assert as_admin.get(CHANGELIST).status_code == 200


def test_filters_by_roundup_state_and_author(as_admin, thread, author, moderator, other_reader):
    root, reply, deeper = thread
    other = factories.make_roundup(author=author)
    elsewhere = post(other, other_reader, "Elsewhere entirely")
    from comments.services import comment_remove

    comment_remove(comment=reply, by=moderator, reason="off topic")

    def shown(query):
        response = as_admin.get(CHANGELIST, query)
        assert response.status_code == 200
        return {c.pk for c in response.context["cl"].result_list}

    assert shown({"roundup__id__exact": other.pk}) == {elsewhere.pk}
    assert shown({"state__exact": "removed"}) == {reply.pk}
    assert shown({"author__id__exact": other_reader.pk}) == {reply.pk, elsewhere.pk}


def test_search_in_bodies(as_admin, thread):
    root, _, deeper = thread
    response = as_admin.get(CHANGELIST, {"q": "headline"})
    assert {c.pk for c in response.context["cl"].result_list} == {deeper.pk}


def test_change_page_shows_revisions_read_only(as_admin, thread, reader):
    root, *_ = thread
    comment_edit(comment=root, by=reader, body="Does table 3 hold up?")
    response = as_admin.get(change_url(root))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Does the ablation in table 3 hold up?" in html  # the revision inline
    form = response.context["adminform"].form
    assert list(form.fields) == ["body", "edit_reason"]
    inline = response.context["inline_admin_formsets"][0]
    assert inline.has_add_permission is False and inline.has_change_permission is False


def test_editing_the_body_goes_through_comment_edit_with_a_reason(as_admin, thread, admin_user):
    root, *_ = thread
    data = {
        "body": "Tidied by staff",
        "edit_reason": "",
        "revisions-TOTAL_FORMS": "1",
        "revisions-INITIAL_FORMS": "1",
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    CommentRevision.objects.create(comment=root, body="older", edited_by=admin_user)
    data["revisions-0-id"] = str(root.revisions.get().pk)
    data["revisions-0-comment"] = str(root.pk)
    response = as_admin.post(change_url(root), data)
    assert response.status_code == 200  # the form again, with the error
    assert "Give a reason for changing the text." in response.content.decode()
    assert Comment.objects.get(pk=root.pk).text.body == "Does the ablation in table 3 hold up?"

    data["edit_reason"] = "removed an email address"
    response = as_admin.post(change_url(root), data)
    assert response.status_code == 302
    root.refresh_from_db()
    assert (root.text.body, root.edited_by) == ("Tidied by staff", admin_user)
    assert root.revisions.filter(reason="removed an email address").exists()
    action = ModerationAction.objects.get()
    assert (action.action, action.comment, action.reason) == (
        "edit", root, "removed an email address"
    )  # fmt: skip
    # The node did not move: the admin never calls save() on it.
    assert (root.tree_id, root.lft, root.rght, root.level) == (root.tree_id, 1, 6, 0)


def test_bulk_remove_asks_for_a_reason_then_logs_each(as_admin, thread, admin_user):
    root, reply, _ = thread
    selection = {"action": "remove_comments", ACTION_CHECKBOX_NAME: [root.pk, reply.pk]}

    response = as_admin.post(CHANGELIST, selection)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/comments/comment/confirm_moderation.html"
    assert "You are about to remove 2 comments." in response.content.decode()
    assert not ModerationAction.objects.exists()

    # An empty reason is refused and changes nothing.
    response = as_admin.post(CHANGELIST, {**selection, "apply": "1", "reason": " "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Comment.objects.filter(state="removed").exists()

    response = as_admin.post(CHANGELIST, {**selection, "apply": "1", "reason": "spam links"})
    assert response.status_code == 302
    assert set(Comment.objects.filter(state="removed").values_list("pk", flat=True)) == {
        root.pk,
        reply.pk,
    }
    rows = ModerationAction.objects.values_list("action", "moderator", "comment", "reason")
    assert sorted(rows) == sorted(
        [
            ("remove", admin_user.pk, root.pk, "spam links"),
            ("remove", admin_user.pk, reply.pk, "spam links"),
        ]
    )


def test_bulk_restore_logs_each_and_reports_what_it_skipped(client, thread, staff_moderator):
    from comments.services import comment_remove

    root, reply, deeper = thread
    comment_remove(comment=root, by=staff_moderator, reason="heated")
    client.force_login(staff_moderator)
    response = client.post(
        CHANGELIST,
        {
            "action": "restore_comments",
            ACTION_CHECKBOX_NAME: [root.pk, deeper.pk],
            "apply": "1",
            "reason": "appeal accepted",
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Restored 1 comment(s)." in html
    assert f"#{deeper.pk}: Only a removed comment can be restored." in html
    assert Comment.objects.get(pk=root.pk).state == "visible"
    assert list(
        ModerationAction.objects.order_by("pk").values_list("action", "comment", "reason")
    ) == [("remove", root.pk, "heated"), ("restore", root.pk, "appeal accepted")]


def test_comments_cannot_be_added_or_hard_deleted(as_admin, thread):
    root, *_ = thread
    response = as_admin.get(CHANGELIST)
    actions = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"remove_comments", "restore_comments"} <= set(actions)
    assert as_admin.get(reverse("admin:comments_comment_add")).status_code == 403
    delete_url = reverse("admin:comments_comment_delete", args=[root.pk])
    assert as_admin.post(delete_url, {"post": "yes"}).status_code == 403
    assert Comment.objects.count() == 3


def test_staff_without_moderator_role_cannot_moderate(client, thread):
    from django.contrib.auth.models import Permission

    clerk = factories.make_user("clerk", staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(clerk)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "action_form" not in response.context or response.context["action_form"] is None


def test_votes_log_and_read_markers_are_read_only(as_admin, thread, roundup, author, moderator):
    root, reply, _ = thread
    vote_cast(comment=reply, user=author, value=1)
    from comments.services import comment_remove

    comment_remove(comment=root, by=moderator, reason="rude")
    read_marker_touch(user=author, roundup=roundup)
    for model, obj in (
        ("vote", Vote.objects.get()),
        ("moderationaction", ModerationAction.objects.get()),
        ("readmarker", ReadMarker.objects.get()),
    ):
        assert as_admin.get(reverse(f"admin:comments_{model}_changelist")).status_code == 200
        change = as_admin.get(reverse(f"admin:comments_{model}_change", args=[obj.pk]))
        assert change.status_code == 200
        assert change.context["has_change_permission"] is False
        assert change.context["has_delete_permission"] is False
        assert as_admin.get(reverse(f"admin:comments_{model}_add")).status_code == 403
        delete = reverse(f"admin:comments_{model}_delete", args=[obj.pk])
        assert as_admin.post(delete, {"post": "yes"}).status_code == 403
    assert Vote.objects.count() == ModerationAction.objects.count() == 1
