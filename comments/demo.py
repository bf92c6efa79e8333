"""Demo discussion for ``manage.py load_demo``: a believable thread under the first roundup.

Everything is written through the services (so the tree, counters and logs are exactly what the
site would produce), then ``created_at`` is spread over the last few days with ``update()`` so the
sorts have something real to sort.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Comment, CommentRevision, ModerationAction
from .services import comment_create, comment_delete, comment_edit, vote_cast

DEMO_SPAN = timedelta(days=4)  # the thread grew over the days after publication

# (key, who, parent key, body). "r1"/"r2" are the two readers, "author" wrote the roundup.
# Parents come before their replies.
DISCUSSION = [
    ("dpo", "r1", None,
     "I'm not fully convinced by the DPO derivation. The closed-form optimal policy assumes the "
     "KL-regularised objective is solved exactly, but in practice the reference model drifts "
     "during training. Does that break the equivalence with RLHF?"),
    ("dpo-a", "author", "dpo",
     "It doesn't break it, but it does change what you're optimising. The reference is frozen "
     "in DPO, so the drift you describe is the *policy* moving away from it, which is exactly "
     "what the beta term penalises. The mismatch is more about the preference data being "
     "off-policy."),
    ("dpo-a-r1", "r1", "dpo-a",
     "Right, off-policy data is the real issue. Is there a paper that measures how much it "
     "matters?"),
    ("dpo-a-r1-r2", "r2", "dpo-a-r1",
     "Yes: \"Is DPO Superior to PPO for LLM Alignment?\" (Xu et al., 2024) finds PPO wins when "
     "the preference data comes from a different model. Also the iterative/online DPO papers "
     "basically exist because of this."),
    ("dpo-a-r1-r2-r1", "r1", "dpo-a-r1-r2",
     "Thanks, that's exactly the comparison I wanted. Adding it to my reading list."),
    ("dpo-a-r1-r2-a", "author", "dpo-a-r1-r2",
     "Good pointer. I'll include the online-DPO line of work in a later week."),
    ("dpo-r2", "r2", "dpo",
     "Practical note: DPO is far easier to get running than PPO. No reward model, no value "
     "head, no rollouts. That alone explains a lot of its popularity."),
    ("scaling", "r2", None,
     "The Kaplan scaling laws section could mention that Chinchilla revised the compute-optimal "
     "ratio quite a lot. Reading Kaplan alone gives the wrong impression about model vs. data "
     "size."),
    ("scaling-a", "author", "scaling",
     "Fair point. I left Chinchilla for next week on purpose, but I should have said so in the "
     "note. Will edit."),
    ("scaling-r1", "r1", "scaling",
     "Isn't part of the difference just the learning-rate schedule? Kaplan didn't tune the "
     "cosine schedule per run length, if I remember right."),
    ("scaling-r1-r2", "r2", "scaling-r1",
     "Yes, that's the usual explanation: their smaller runs were effectively undertrained "
     "because the schedule didn't match the token budget."),
    ("scaling-r1-r2-r1", "r1", "scaling-r1-r2",
     "So the law itself is fine, but the fitted exponents were biased by the setup. Makes sense."),
    ("superposition", "r1", None,
     "Toy Models of Superposition is my favourite paper in this list. The phase diagrams for "
     "when features get their own dimension vs. share one are really clarifying."),
    ("superposition-r2", "r2", "superposition",
     "Agreed, though I wonder how much transfers to real models. The toy setting has "
     "independent sparse features, which real data certainly doesn't."),
    ("superposition-r2-a", "author", "superposition-r2",
     "The sparse autoencoder work since then (\"Towards Monosemanticity\") is the best evidence "
     "that it does transfer, at least partly. Worth reading as a follow-up."),
    ("superposition-r2-a-r2", "r2", "superposition-r2-a",
     "I read it. The features are interpretable, but dictionary size changes which features you "
     "find, so I'm still not sure what the \"true\" features are."),
    ("superposition-r2-a-r2-r1", "r1", "superposition-r2-a-r2",
     "Maybe there is no unique answer and feature splitting is just how it works: you get a "
     "hierarchy depending on how many dictionary entries you can afford."),
    ("weak", "r2", None,
     "Weak-to-strong generalization feels like the most important result here for the long "
     "run. If a GPT-2-level supervisor can recover most of GPT-4's performance, that's a big "
     "deal."),
    ("weak-r1", "r1", "weak",
     "\"Most\" is doing a lot of work though. The recovered performance gap varies a lot by task, "
     "and for reward modelling it was pretty poor."),
    ("weak-r1-a", "author", "weak-r1",
     "Yes, and the paper is upfront about it. I read it as a research direction more than a "
     "solution."),
    ("weak-r1-a-r2", "r2", "weak-r1-a",
     "Fair. The auxiliary confidence loss trick was the most interesting bit to me."),
    ("mesa", "r1", None,
     "Risks from Learned Optimization is a strange one to read next to the empirical papers. "
     "Has anyone actually found a mesa-optimizer in a trained model?"),
    ("mesa-r2", "r2", "mesa",
     "Not convincingly, as far as I know. Goal misgeneralization examples (Langosco et al.) are "
     "the closest empirical thing, and they're a weaker claim."),
    ("mesa-r2-r1", "r1", "mesa-r2",
     "Thanks, I'll look at the goal misgeneralization paper."),
    ("attention", "r2", None,
     "Not sure Attention Is All You Need belongs in an alignment roundup. It's foundational, "
     "but everyone has read it."),
    ("attention-a", "author", "attention",
     "It's there for newcomers: this series is meant to be readable without a background in "
     "the field. But I take the point."),
    ("attention-r1", "r1", "attention",
     "I'd keep it. Half my lab still can't explain why the scaling by sqrt(d_k) is there."),
    ("cai", "r1", None,
     "Constitutional AI: does anyone know how sensitive the results are to the wording of the "
     "constitution? Contact me at reader1@example.org if you have notes."),
    ("cai-r2", "r2", "cai",
     "There's some follow-up on collective constitutions (Anthropic's \"Collective "
     "Constitutional AI\"), where the public wrote the principles. Results were similar, which "
     "suggests it's not very sensitive."),
    ("cai-r2-r1", "r1", "cai-r2",
     "Interesting, I didn't know about that one."),
]  # fmt: skip

# (comment key, voter, value). Nobody votes on their own comment.
VOTES = [
    ("dpo", "r2", 1), ("dpo", "author", 1), ("dpo", "moderator", 1),
    ("dpo-a", "r1", 1), ("dpo-a", "r2", 1),
    ("dpo-a-r1-r2", "r1", 1), ("dpo-a-r1-r2", "author", 1), ("dpo-a-r1-r2", "moderator", 1),
    ("dpo-r2", "r1", 1), ("dpo-r2", "author", -1),
    ("scaling", "r1", 1), ("scaling", "author", 1),
    ("scaling-r1", "r2", 1), ("scaling-r1-r2", "r1", 1), ("scaling-r1-r2", "author", 1),
    ("superposition", "r2", 1), ("superposition", "author", 1), ("superposition", "moderator", 1),
    ("superposition-r2-a", "r1", 1), ("superposition-r2-a", "r2", 1),
    ("superposition-r2-a-r2-r1", "r2", 1),
    ("weak", "r1", -1), ("weak", "author", 1),
    ("weak-r1", "r2", 1), ("weak-r1", "author", 1),
    ("mesa", "r2", 1), ("mesa-r2", "r1", 1), ("mesa-r2", "author", 1),
    ("attention", "r1", -1), ("attention", "author", -1), ("attention", "moderator", -1),
    ("attention-a", "r1", 1), ("attention-r1", "r2", 1), ("attention-r1", "author", 1),
    ("cai-r2", "r1", 1),
]  # fmt: skip
# Agreement, the second axis: (comment key, voter, value, strong). A divided "attention" shows
# the controversial sort at work.
AGREEMENT_VOTES = [
    ("dpo", "r2", 1, False), ("dpo", "moderator", 1, True), ("dpo-r2", "r1", -1, False),
    ("attention", "r1", 1, False), ("attention", "author", -1, False),
    ("attention", "moderator", 1, False), ("attention", "r2", -1, True),
    ("scaling-r1", "r2", -1, False), ("weak", "r2", 1, True),
]  # fmt: skip

# The moderator takes a personal email address out of a comment, with a reason.
MODERATOR_EDIT = (
    "cai",
    "Constitutional AI: does anyone know how sensitive the results are to the wording of the "
    "constitution?",
    "Removed a personal email address; please use private messages for contact details.",
)
# The author withdraws a comment that already has replies: it stays as a placeholder.
DELETED_BY_AUTHOR = "mesa-r2"


def load_discussion(*, roundup, readers, moderator, author) -> int:
    """Post the demo discussion under ``roundup`` unless it has one; return comments created."""
    if Comment.objects.filter(roundup=roundup).exists():
        return 0
    who = {"r1": readers[0], "r2": readers[1 % len(readers)], "author": author,
           "moderator": moderator}  # fmt: skip
    with transaction.atomic():
        posted = {}
        for key, person, parent, body in DISCUSSION:
            posted[key] = comment_create(
                roundup=roundup,
                author=who[person],
                body=body,
                parent=posted[parent] if parent else None,
                enforce_rate_limit=False,
            )
        for key, voter, value in VOTES:
            if posted[key].author_id != who[voter].pk:  # one reader given twice: skip own
                vote_cast(comment=posted[key], user=who[voter], value=value)
        for key, voter, value, strong in AGREEMENT_VOTES:
            if posted[key].author_id != who[voter].pk:
                vote_cast(comment=posted[key], user=who[voter], value=value, axis="agreement",
                          strong=strong)  # fmt: skip
        key, body, reason = MODERATOR_EDIT
        comment_edit(comment=posted[key], by=moderator, body=body, reason=reason)
        comment_delete(comment=posted[DELETED_BY_AUTHOR], by=posted[DELETED_BY_AUTHOR].author)
        _backdate(posted)
    return len(posted)


def _backdate(posted) -> None:
    """Spread the comments over ``DEMO_SPAN``, in posting order, so every reply is later than its
    parent; an edit happens a few hours after its comment.

    The new times reorder ``new``, ``old``, ``active`` and ``hot`` without moving the roundup's
    ``thread_version``: safe, since this runs in the transaction of the posts, which moved it,
    so no reader ever ranks the thread between the posts and this."""
    start = timezone.now() - DEMO_SPAN
    step = (DEMO_SPAN - timedelta(hours=2)) / len(posted)
    for n, comment in enumerate(posted.values()):
        # Uneven gaps: discussions come in bursts.
        created = start + step * n + timedelta(minutes=(n * 37) % 50)
        Comment.objects.filter(pk=comment.pk).update(created_at=created)
        if comment.edited_at is not None:
            edited = created + timedelta(hours=3)
            Comment.objects.filter(pk=comment.pk).update(edited_at=edited)
            CommentRevision.objects.filter(comment=comment).update(edited_at=edited)
            ModerationAction.objects.filter(comment=comment).update(created_at=edited)
