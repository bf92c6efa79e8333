"""The thread read pipeline: ``queries`` -> ``tree`` -> ``render`` -> ``page``.

``row`` declares the row every stage reads (and how a higher app adds columns to it); ``page`` is
the one entry point for views that show a thread. Nothing here writes.
"""
