"""Hot queries compiled to SQL once per process and database, then run with fresh values.

Django compiles a QuerySet to SQL on every call. For the one-row reads and
one-row updates that every vote and comment makes, that costs several times
the query itself (about 0.4 ms against 0.05 ms on SQLite), so the write paths
keep their few hot statements here: each is written as an ordinary QuerySet
over placeholder values, compiled by Django the first time it runs, and its SQL
reused with the real values after that.

The placeholders must be distinct values no real call passes and no constant
of the query equals (a negative id, an impossible string or date). Compiled
parameters equal to a placeholder take the call's value; any other is a
constant of the query and is kept. Compilation refuses a placeholder that the
SQL does not use, so a value is never silently ignored.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models.sql import UpdateQuery


def _adapt(value, connection):
    """A value as Django's lookups pass it to this database's driver."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # For each parameter of the SQL: the position of the call's value, or None
    # for a constant of the query, kept in ``constants`` at the same index.
    order: list[int | None]
    constants: list
    converters: list = ()  # (position, converters, expression) of the columns that need one
    attnames: list = ()
    model: type | None = None


class _Prepared:
    def __init__(self, build: Callable, placeholders: Sequence):
        self.build = build
        self.placeholders = tuple(placeholders)
        if len(set(self.placeholders)) != len(self.placeholders):
            raise ValueError("placeholders must be distinct")
        self._compiled: dict[str, _Compiled] = {}

    def _order(self, params, connection) -> tuple[list, list]:
        adapted = [_adapt(p, connection) for p in self.placeholders]
        order = [adapted.index(p) if p in adapted else None for p in params]
        unused = set(range(len(adapted))) - set(order)
        if unused:
            raise ValueError(f"the compiled SQL does not use the placeholders {[adapted[i] for i in sorted(unused)]!r}")
        return order, list(params)

    def _params(self, compiled: _Compiled, values, connection) -> list:
        if len(values) != len(self.placeholders):
            raise TypeError(f"expected {len(self.placeholders)} values, got {len(values)}")
        return [
            compiled.constants[n] if i is None else _adapt(values[i], connection) for n, i in enumerate(compiled.order)
        ]


class Select(_Prepared):
    """A read: ``Select(lambda debate_id: PollOption.objects.filter(debate_id=debate_id), [-1])``.

    ``rows(...)`` gives converted tuples of the selected columns;
    ``objects(...)`` gives model instances, as iterating the QuerySet would.
    """

    def _get(self, connection) -> _Compiled:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            queryset = self.build(*self.placeholders)
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
            converters = [(i, *pair) for i, pair in compiler.get_converters(columns).items()]
            attnames = [getattr(getattr(column, "target", None), "attname", None) for column in columns]
            compiled = _Compiled(sql, *self._order(params, connection), converters, attnames, queryset.model)
            self._compiled[connection.vendor] = compiled
        return compiled

    def rows(self, *values, using: str = "default") -> list[tuple]:
        connection = connections[using]
        compiled = self._get(connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, self._params(compiled, values, connection))
            rows = cursor.fetchall()
        if not compiled.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, converters, expression in compiled.converters:
                for convert in converters:
                    row[position] = convert(row[position], expression, connection)
            converted.append(tuple(row))
        return converted

    def objects(self, *values, using: str = "default") -> list:
        compiled = self._get(connections[using])
        return [compiled.model.from_db(using, compiled.attnames, row) for row in self.rows(*values, using=using)]


class Update(_Prepared):
    """A write, built as the QuerySet to update and the values to set::

        Update(lambda pk, n: (Debate.objects.filter(pk=pk), {"version": F("version") + n}), [-1, -2])

    Returns the number of rows updated, as ``QuerySet.update`` does.
    """

    def __call__(self, *values, using: str = "default") -> int:
        connection = connections[using]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            queryset, updates = self.build(*self.placeholders)
            # What QuerySet.update does, short of running it.
            query = queryset.query.chain(UpdateQuery)
            query.add_update_values(updates)
            sql, params = query.get_compiler(connection=connection).as_sql()
            compiled = self._compiled[connection.vendor] = _Compiled(sql, *self._order(params, connection))
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, self._params(compiled, values, connection))
            return cursor.rowcount
