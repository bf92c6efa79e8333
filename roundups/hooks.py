"""What roundups tells the apps above it, without importing them (fired with forum.hooks.fire)."""

from collections.abc import Callable

# receiver(*, roundup): a draft was published.
roundup_published: list[Callable] = []
