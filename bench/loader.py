"""Fast bulk loading of generated rows: COPY on PostgreSQL, batched INSERTs on SQLite.

Rows are written as plain tuples in the model's column order, with ids chosen by the generator
(so rows can reference each other without a round trip). Fields the generator leaves out take
the model field's default. ``bulk_create`` is not used because it overwrites ``auto_now_add``
columns with the current time, and historical data needs historical timestamps.

On PostgreSQL the loader can drop the loaded tables' secondary indexes and foreign keys before
the load and recreate them afterwards (one index build and one validating join per constraint,
instead of maintaining them row by row). Everything happens in the caller's transaction, so a
failed run leaves the database as it was.
"""

import datetime
import json
import time

from django.core.management.color import no_style
from django.db import models
from django.utils import timezone
from tqdm import tqdm

REQUIRED = object()
_PASS_THROUGH = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.CharField,
    models.TextField,
    models.ForeignKey,
    models.OneToOneField,
)


class Table:
    """Rows for one model's table, flushed to the database in batches."""

    def __init__(self, loader, model, *, explicit_ids=True, total=None, position=0):
        self.loader = loader
        self.model = model
        self.explicit_ids = explicit_ids
        self.fields = [f for f in model._meta.concrete_fields if explicit_ids or not f.primary_key]
        self.names = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.defaults = [self._default(f) for f in self.fields]
        self.pk_index = self.names.index(model._meta.pk.attname) if explicit_ids else None
        self.prepare = loader.preparers(self.fields)
        self.rows = []
        self.count = 0
        self.next_id = 1
        self.checked = False
        self.total = total
        self.position = position
        self.bar = None

    def _default(self, field):
        if field.primary_key:
            return None
        if field.has_default():
            return field.get_default()
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self.loader.now
        if field.null:
            return None
        if field.blank and isinstance(field, models.CharField | models.TextField):
            return ""
        return REQUIRED

    def new_id(self):
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, **values):
        """Queue one row; returns its id (taken from the table's counter unless given)."""
        if self.explicit_ids and "id" not in values:
            values["id"] = self.new_id()
        if not self.checked:
            self._check(values)
            self._start_bar()
        row = [
            values.get(name, default)
            for name, default in zip(self.names, self.defaults, strict=True)
        ]
        self.rows.append(row)
        if len(self.rows) >= self.loader.batch_size:
            self.flush()
        return values.get("id")

    def _check(self, values):
        unknown = set(values) - set(self.names)
        missing = [
            n
            for n, d in zip(self.names, self.defaults, strict=True)
            if d is REQUIRED and n not in values
        ]
        if unknown or missing:
            raise ValueError(
                f"{self.model.__name__}: unknown columns {sorted(unknown)}, "
                f"missing required {missing}"
            )
        self.checked = True

    def flush(self):
        if not self.rows:
            return
        rows = self.rows
        self.rows = []
        for i, prepare in self.prepare:
            for row in rows:
                row[i] = prepare(row[i])
        self.loader.write(self, rows)
        self.count += len(rows)
        if self.bar is not None:
            self.bar.update(len(rows))

    def _start_bar(self):
        if self.loader.progress and self.bar is None:
            self.bar = tqdm(
                total=self.total,
                desc=self.model._meta.db_table[:28].ljust(28),
                unit=" rows",
                position=self.position,
                leave=True,
                dynamic_ncols=True,
            )

    def close(self):
        self.flush()
        if self.bar is not None:
            self.bar.total = self.count  # totals given up front are estimates
            self.bar.refresh()
            self.bar.close()


class Loader:
    """Owns the tables being loaded and the backend-specific writing."""

    def __init__(self, connection, *, progress=False, batch_size=None, drop_indexes=True):
        self.connection = connection
        self.vendor = connection.vendor
        self.progress = progress
        self.batch_size = batch_size or (20_000 if self.vendor == "postgresql" else 2_000)
        self.drop_indexes = drop_indexes and self.vendor == "postgresql"
        self.now = timezone.now()
        self.tables = {}
        self.dropped = []  # (table, kind, name, definition)
        self.timings = {}

    def table(self, model, *, explicit_ids=True, total=None):
        key = model._meta.label
        if key not in self.tables:
            table = Table(
                self, model, explicit_ids=explicit_ids, total=total, position=len(self.tables)
            )
            if explicit_ids:
                table.next_id = self._next_id(model)
            self.tables[key] = table
        return self.tables[key]

    def _next_id(self, model):
        with self.connection.cursor() as cursor:
            pk = model._meta.pk.column
            cursor.execute(f'SELECT MAX("{pk}") FROM "{model._meta.db_table}"')  # noqa: S608
            (value,) = cursor.fetchone()
        return (value or 0) + 1

    # Value preparation ---------------------------------------------------------------------

    def preparers(self, fields):
        """(column index, function) for the columns whose values need converting."""
        out = []
        for i, field in enumerate(fields):
            if isinstance(field, _PASS_THROUGH):
                continue
            if self.vendor == "postgresql":
                if isinstance(field, models.JSONField):
                    out.append((i, _json))
            elif not isinstance(field, models.BooleanField):
                out.append((i, _sqlite_preparer(field, self.connection)))
        return out

    # Writing -------------------------------------------------------------------------------

    def write(self, table, rows):
        started = time.perf_counter()
        db_table = table.model._meta.db_table
        columns = ", ".join(f'"{c}"' for c in table.columns)
        if self.vendor == "postgresql":
            raw = self.connection.connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f'COPY "{db_table}" ({columns}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(table.columns))
            with self.connection.cursor() as cursor:
                cursor.executemany(
                    f'INSERT INTO "{db_table}" ({columns}) VALUES ({marks})',  # noqa: S608
                    rows,
                )
        self.timings[db_table] = self.timings.get(db_table, 0.0) + time.perf_counter() - started

    def close_all(self):
        for table in self.tables.values():
            table.close()

    # Indexes and constraints (PostgreSQL) -----------------------------------------------------

    def drop_secondary(self, models_):
        """Drop foreign keys and non-constraint indexes of these tables, remembering them."""
        if not self.drop_indexes:
            return
        with self.connection.cursor() as cursor:
            self._check_pending(cursor)
            for model in models_:
                db_table = model._meta.db_table
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [db_table],
                )
                for name, definition in cursor.fetchall():
                    self.dropped.append((db_table, "fk", name, definition))
                    cursor.execute(f'ALTER TABLE "{db_table}" DROP CONSTRAINT "{name}"')
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                    "current_schema() AND tablename = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [db_table, db_table],
                )
                for name, definition in cursor.fetchall():
                    self.dropped.append((db_table, "index", name, definition))
                    cursor.execute(f'DROP INDEX "{name}"')

    def restore_secondary(self):
        """Recreate what drop_secondary removed: indexes first, then foreign keys."""
        if not self.dropped:
            return
        with self.connection.cursor() as cursor:
            self._check_pending(cursor)
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
            items = [d for d in self.dropped if d[1] == "index"]
            items += [d for d in self.dropped if d[1] == "fk"]
            bar = tqdm(
                items, desc="indexes and foreign keys", disable=not self.progress, leave=True
            )
            for db_table, kind, name, definition in bar:
                started = time.perf_counter()
                if kind == "index":
                    cursor.execute(definition)
                else:
                    cursor.execute(f'ALTER TABLE "{db_table}" ADD CONSTRAINT "{name}" {definition}')
                self.timings[f"{kind}:{name}"] = time.perf_counter() - started
        self.dropped = []

    @staticmethod
    def _check_pending(cursor):
        """Run the deferred foreign-key checks queued so far in this transaction: PostgreSQL
        refuses to alter a table with pending trigger events."""
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def reset_sequences(self):
        models_ = [t.model for t in self.tables.values()]
        statements = self.connection.ops.sequence_reset_sql(no_style(), models_)
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def analyze(self):
        """Fresh planner statistics for the loaded tables. On PostgreSQL, outside a transaction,
        VACUUM as well: it sets the visibility map (index-only scans) and hint bits now rather
        than in autovacuum during the first benchmark (4 s at scale 1). Then ANALYZE the whole
        database: small seeded tables (41 hubs, code lists) stay under autovacuum's threshold,
        and without statistics the planner guessed 20 hubs and chose slow hub-first plans."""
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                command = "ANALYZE" if self.connection.in_atomic_block else "VACUUM (ANALYZE)"
                for table in self.tables.values():
                    cursor.execute(f'{command} "{table.model._meta.db_table}"')
                cursor.execute("ANALYZE")
            elif self.vendor == "sqlite":
                cursor.execute("ANALYZE")


def _json(value):
    return json.dumps(value, ensure_ascii=False)


def _sqlite_datetime(value):
    """What Django's SQLite backend stores for an aware datetime: naive UTC text."""
    if value is None:
        return None
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def _isoformat(value):
    return None if value is None else value.isoformat()


def _sqlite_preparer(field, connection):
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(field, models.DateField):
        return _isoformat
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.BooleanField):
        return lambda value: value

    def prepare(value):
        return field.get_db_prep_save(value, connection)

    return prepare
