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
from django.db.models.sql import InsertQuery, UpdateQuery

# Placeholders for a time and a day: no real call passes either.
A_TIME = datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
A_DAY = datetime.date(1901, 2, 3)


def statement_cursor(connection):
    """A cursor for a hot statement. On PostgreSQL it is prepared once per
    connection (``forum.lib.postgresql``), so that PostgreSQL neither parses nor,
    after a few runs, plans it again; SQLite's driver already keeps the
    statements it compiled (``cached_statements``)."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


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
    returning_params: tuple = ()


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

    ``server=False`` keeps the statement from being prepared on the server
    (``statement_cursor``): for the many shapes of a page read, which would
    crowd the hot statements out of each connection's prepared ones.
    """

    def __init__(self, build: Callable, placeholders: Sequence, *, server: bool = True):
        super().__init__(build, placeholders)
        self.server = server

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
        with statement_cursor(connection) if self.server else connection.cursor() as cursor:
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


class SelectIn:
    """A ``Select`` over a list of ids and then other values, compiled once for
    each number of ids (an ``IN`` list has a placeholder per id)::

        SelectIn(lambda ids: Report.objects.filter(comment_id__in=ids))

    The ids' placeholders are -1, -2, …: the other values' placeholders must be
    of another kind (a date, a string). The number of ids must be bounded, as a
    page's are; none of these statements is prepared on the server. ``rows(ids,
    ...)`` and ``objects(ids, ...)`` read nothing for no ids.
    """

    def __init__(self, build: Callable, placeholders: Sequence = ()):
        self.build = build
        self.placeholders = tuple(placeholders)
        self._selects: dict[int, Select] = {}

    def _select(self, n: int) -> Select:
        select = self._selects.get(n)
        if select is None:
            ids = [-(i + 1) for i in range(n)]

            def build(*values):
                return self.build(list(values[:n]), *values[n:])

            select = Select(build, [*ids, *self.placeholders], server=False)
            self._selects[n] = select
        return select

    def rows(self, ids, *values, using: str = "default") -> list[tuple]:
        ids = sorted(set(ids))
        return self._select(len(ids)).rows(*ids, *values, using=using) if ids else []

    def objects(self, ids, *values, using: str = "default") -> list:
        ids = sorted(set(ids))
        return self._select(len(ids)).objects(*ids, *values, using=using) if ids else []


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
        with statement_cursor(connection) as cursor:
            cursor.execute(compiled.sql, self._params(compiled, values, connection))
            return cursor.rowcount


class Insert(_Prepared):
    """A new row, built as the model instance to save::

        Insert(lambda key_hash, now: Participant(key_hash=key_hash, created_at=now), [...])

    ``create(...)`` inserts the row and returns the instance with its primary
    key, as ``Model.objects.create`` does, but sends no ``pre_save`` or
    ``post_save`` signal: use it only for models that nothing observes. Every
    field whose value is computed at save time (a callable default, ``auto_now``)
    must be given as a placeholder, or it would keep the value it had when the
    statement was compiled; compilation refuses otherwise.
    """

    def _get(self, connection) -> _Compiled:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            obj = self.build(*self.placeholders)
            meta = obj._meta
            fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
            for f in fields:
                computed = callable(f.default) or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                if computed and getattr(obj, f.attname) not in self.placeholders:
                    raise ValueError(f"{meta.label}.{f.name} is computed at save time: give it as a placeholder")
            # What Model.save does for a new row, short of running it.
            query = InsertQuery(type(obj))
            query.insert_values(fields, [obj])
            compiler = query.get_compiler(connection=connection)
            compiler.returning_fields = [meta.pk]
            [(sql, params)] = compiler.as_sql()
            compiled = _Compiled(
                sql, *self._order(params, connection), model=type(obj), returning_params=compiler.returning_params
            )
            self._compiled[connection.vendor] = compiled
        return compiled

    def create(self, *values, using: str = "default"):
        connection = connections[using]
        compiled = self._get(connection)
        with statement_cursor(connection) as cursor:
            cursor.execute(compiled.sql, self._params(compiled, values, connection))
            if connection.features.can_return_columns_from_insert:
                pk = connection.ops.fetch_returned_insert_columns(cursor, compiled.returning_params)[0]
            else:
                meta = compiled.model._meta
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        obj = self.build(*values)
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
        return obj
