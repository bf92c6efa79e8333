"""Querysets whose SQL the ORM writes once per process: model instances, as Django builds them.

Building a queryset and compiling it costs the ORM several times what SQLite takes to run a
small indexed query (~0.45 ms against ~0.02 ms for the roundup page's roundup with its series
and author; bench/findings.md, "Round 8"). ``pinned`` builds the queryset once per process and
database with stand-in values in its slots, keeps the SQL and what the compiler learnt of its
columns, and on each call runs that SQL with the real values through Django's own
``ModelIterable`` (converters, ``select_related`` populators: the same instances). Like
``papers.queries._coverage_rows``, it refuses a shape whose stand-ins are not each found once
among the parameters.
"""

from django.db.models.query import ModelIterable


def _slot(index: int, value):
    """A stand-in of the value's type (an id or a text): unlikely as a real parameter, and
    checked to be found once."""
    return -987_654_300 - index if isinstance(value, int) else f"\x00pinned:{index}"


_COMPILED: dict[tuple[str, str], "_Compiled"] = {}


class _Compiled:
    def __init__(self, queryset, slots):
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        params = list(params)
        if any(params.count(slot) != 1 for slot in slots):
            raise RuntimeError("pinned query: a slot is not once among its parameters")
        self.params = params
        self.positions = [params.index(slot) for slot in slots]
        self.query = queryset.query
        self.model = queryset.model
        self.state = {
            name: getattr(compiler, name)
            for name in ("select", "klass_info", "annotation_col_map", "col_count",
                         "has_extra_select")
        }  # fmt: skip
        # The columns' converters, per connection (their backend's own are bound to it): working
        # them out asks every selected column, ~40% of the roundup page's two queries.
        self.converters = {}

    def compiler(self, using, values):
        compiler = self.query.get_compiler(using=using)
        for name, value in self.state.items():
            setattr(compiler, name, value)
        params = list(self.params)
        for position, value in zip(self.positions, values, strict=True):
            params[position] = value
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        converters = self.converters.get(id(compiler.connection))
        if converters is None:
            columns = [column for column, *_ in compiler.select[: compiler.col_count]]
            converters = compiler.get_converters(columns)
            # Any connection of one database has the same converters: keyed per connection only
            # because the backend's are bound to the one that asked.
            self.converters[id(compiler.connection)] = converters
        compiler.get_converters = lambda expressions: converters
        return compiler


class _Run:
    """What ``ModelIterable`` reads of a queryset, with the compiler already written."""

    def __init__(self, compiled: _Compiled, using: str, values):
        self.db = using
        self.model = compiled.model
        self._known_related_objects = {}
        self._compiler = compiled.compiler(using, values)
        self.query = self

    def get_compiler(self, using=None):
        return self._compiler


def pinned(key: str, build, values, *, using="default") -> list:
    """The instances of ``build(*slots)`` run with ``values`` in its slots.

    ``build`` takes as many arguments as ``values`` has items and returns the queryset (no
    ``prefetch_related``: the caller prefetches with another pinned query); ``key`` names its
    shape, one per distinct ``build``.
    """
    compiled = _COMPILED.get((key, using))
    if compiled is None:
        slots = [_slot(index, value) for index, value in enumerate(values)]
        compiled = _COMPILED[key, using] = _Compiled(build(*slots).using(using), slots)
    return list(ModelIterable(_Run(compiled, using, values)))
