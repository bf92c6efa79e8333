"""The "paste links, get entries" box on the roundup form, as roundups sees it.

Reading references is ``references.py`` (here, below every app); looking their metadata up is
the papers app's (``papers/paste.py``: arXiv, Crossref, OpenReview, this site's own entries), which
sits above roundups. So papers registers its adder here in its ``AppConfig.ready()``, as it adds
its card to the thread row, and the authoring view calls ``add_pasted`` after saving the form:
roundups never imports papers.
"""

from forum.errors import Unavailable

_adder = None


def register(adder) -> None:
    """``adder(*, roundup, by, text)`` adds the pasted papers and answers its report."""
    global _adder
    _adder = adder


def add_pasted(*, roundup, by, text):
    """Add the papers referenced in ``text`` to ``roundup`` through the registered adder."""
    if _adder is None:
        raise Unavailable("Adding pasted papers is not available on this site.")
    return _adder(roundup=roundup, by=by, text=text)
