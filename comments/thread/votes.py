"""A comment's two vote axes in the thread's markup: the scores in its head, the vote form.

Approval (the score: karma and the sorts) and agreement (never karma) are voted apart, each up
or down, normal or strong (``comments/karma.py``: what each weighs). The form works without
JavaScript: every button posts its axis and a state, ``-2`` (strong down), ``-1``, ``0`` (take
the vote back), ``1`` or ``2`` (strong up), and the pressed one posts ``0``, so pressing it
again takes the vote back. ``static/js/thread.js`` posts the same fields in place, and adds the
other ways to a strong vote: Shift with a click or a key, and press-and-hold on touch.

Part of the hot loop of the biggest pages, so nothing here is built per comment that can be
built once: the buttons of each of the 25 pairs of states the viewer can hold on a comment are
written when the module loads, and a comment's form is three strings joined.
"""

AXES = ("approval", "agreement")
STATES = (-2, -1, 0, 1, 2)  # strong down, down, none, up, strong up


class VoteDOM:
    """Class names and attributes ``static/js/thread.js`` finds the votes by (and CSS styles):
    rename one only in both places."""

    SCORES = "scores"  # the head's scores, with the hover text
    SCORE = "data-score"  # approval: "12 points"
    AGREEMENT = "data-agreement"  # "+3 agreement"
    AXIS = "vote-axis"  # one group of four buttons per axis, data-axis="approval|agreement"
    STRONG = "vote-strong"  # a strong button, the next sibling of its normal one


# Per axis: (class, label) of each button, in the order they stand: normal before strong.
_BUTTONS = {
    "approval": (
        (1, "vote-up", "Vote up", "&#9650;"),
        (2, "vote-up-strong", "Strong vote up", "&#9650;&#9650;"),
        (-1, "vote-down", "Vote down", "&#9660;"),
        (-2, "vote-down-strong", "Strong vote down", "&#9660;&#9660;"),
    ),
    "agreement": (
        (1, "vote-agree", "Agree", "&#10003;"),
        (2, "vote-agree-strong", "Strongly agree", "&#10003;&#10003;"),
        (-1, "vote-disagree", "Disagree", "&#10007;"),
        (-2, "vote-disagree-strong", "Strongly disagree", "&#10007;&#10007;"),
    ),
}
_AXIS_LABELS = {"approval": "Approval", "agreement": "Agreement"}


def _button(axis: str, state: int, name: str, label: str, glyph: str, mine: int) -> str:
    pressed = state == mine
    strong = f" {VoteDOM.STRONG}" if state in (2, -2) else ""
    title = f' title="{label}"' if strong else ""
    return (
        f'<button class="vote {name}{strong}" name="{axis}" value="{0 if pressed else state}" '
        f'aria-pressed="{"true" if pressed else "false"}" aria-label="{label}"{title}>'
        f"{glyph}</button>"
    )


def _axis_halves(axis: str, mine: int) -> tuple[str, str]:
    """One axis's group when the viewer's vote on it is ``mine``, split where its score goes:
    the up buttons, the score, then the down buttons (as LessWrong and Reddit set them)."""
    buttons = [_button(axis, *spec, mine) for spec in _BUTTONS[axis]]
    head = f'<span class="{VoteDOM.AXIS}" data-axis="{axis}" role="group" '
    head += f'aria-label="{_AXIS_LABELS[axis]}">'
    return head + buttons[0] + buttons[1], buttons[2] + buttons[3] + "</span>"


# Both axes' groups for every pair of states the viewer may hold, split around the two scores:
# looked up per comment, the scores put in between.
_FORMS = {
    (approval, agreement): (
        _axis_halves("approval", approval)[0],
        _axis_halves("approval", approval)[1] + _axis_halves("agreement", agreement)[0],
        _axis_halves("agreement", agreement)[1],
    )
    for approval in STATES
    for agreement in STATES
}
_NO_VOTE = (0, 0)


def csrf_input(token: str) -> str:
    """The form's CSRF field: once per page (``token`` is escaped already)."""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'


def vote_form(base: str, csrf: str, mine, row) -> str:
    """The vote form of the comment at ``base`` ("/comments/5/"), for a viewer who may vote on
    it and whose votes on it are ``mine`` ((approval, agreement), or None for no vote): each
    axis's score stands between its up and down arrows."""
    up, middle, down = _FORMS[mine or _NO_VOTE]
    score, agreement = row.score, row.agreement
    title = hover_text(
        score, row.upvotes, row.downvotes, agreement, row.agree_votes, row.disagree_votes
    )
    # "1 point", "-1 point", else "N points" (static/js/thread.js words it the same), written
    # out here and in scores() rather than through helpers: once per comment, the hot loop.
    return (
        f'<form class="vote-form" method="post" action="{base}vote/">{csrf}{up}'
        f'<span class="{VoteDOM.SCORES}" title="{title}"><span class="score" {VoteDOM.SCORE}>'
        f"{score} {'point' if score == 1 or score == -1 else 'points'}</span></span>{middle}"
        f'<span class="agreement" {VoteDOM.AGREEMENT}>{signed(agreement)} agreement</span>'
        f"{down}</form>"
    )


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def hover_text(score, upvotes, downvotes, agreement, agree_votes, disagree_votes) -> str:
    """ "12 karma from 5 votes; agreement +3 from 4 votes": both axes with their vote counts."""
    votes = upvotes + downvotes
    agreeing = agree_votes + disagree_votes
    return (
        f"{score} karma from {votes} vote{'' if votes == 1 else 's'}; agreement "
        f"{signed(agreement)} from {agreeing} vote{'' if agreeing == 1 else 's'}"
    )


def scores(row) -> str:
    """The head's scores without arrows (for a reader who may not vote on the comment): points
    and agreement, with both and their vote counts on hover."""
    score, agreement = row.score, row.agreement
    title = hover_text(
        score, row.upvotes, row.downvotes, agreement, row.agree_votes, row.disagree_votes
    )
    return (
        f'<span class="{VoteDOM.SCORES}" title="{title}"><span class="score" {VoteDOM.SCORE}>'
        f"{score} {'point' if score == 1 or score == -1 else 'points'}</span> &middot; "
        f'<span class="agreement" {VoteDOM.AGREEMENT}>{signed(agreement)} agreement</span></span>'
    )


def parse_state(raw) -> int | None:
    """A button's posted state (``"-2"`` .. ``"2"``), or None when it is not one."""
    if isinstance(raw, str) and raw.strip() in _STATE_TEXT:
        return _STATE_TEXT[raw.strip()]
    return None


_STATE_TEXT = {str(state): state for state in STATES}
