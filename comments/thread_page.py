"""The comment thread shown under a roundup (being built with the threaded-discussion issue)."""


def thread_context(request, roundup) -> dict:
    """Context for ``comments/_thread_section.html``: the whole thread, sorted, ready to show."""
    return {}


def record_visit(request, roundup, context) -> None:
    """Remember that the reader saw the thread; called after the page is built."""
