"""@username in forum/markdown.py: linked when the caller knows the name, never in code or links."""

from forum.markdown import find_mentions, render_markdown, sanitize_html

USERS = {"alice": "Alice"}
LINK = '<a href="/users/Alice/" rel="nofollow ugc noopener">@alice</a>'


def test_known_names_are_linked_unknown_stay_text():
    html = render_markdown("hi @alice and @bob.", mentions=USERS)
    assert html == f"<p>hi {LINK} and @bob.</p>"
    # The link is one the allowlist keeps: cleaning the output again changes nothing.
    assert sanitize_html(html) == html


def test_not_inside_code_links_or_addresses():
    for text in [
        "`@alice`", "    @alice in a block", "```\n@alice\n```", "[@alice](https://x.org)",
        "mail a@alice.org", "https://x.org/@alice", "<https://x.org/@alice>",
    ]:  # fmt: skip
        assert "/users/" not in render_markdown(text, mentions=USERS), text


def test_find_mentions_distinct_lowercased_capped():
    assert find_mentions("@Alice @alice @bob. x@carol @dave-") == ["alice", "bob", "dave"]
    assert len(find_mentions(" ".join(f"@u{i}" for i in range(50)))) == 20


def test_without_mentions_output_is_unchanged():
    assert render_markdown("@alice") == "<p>@alice</p>"
