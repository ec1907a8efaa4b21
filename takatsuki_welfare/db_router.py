"""Read replicas for reports: reads go to the ``replica`` alias only inside ``reporting()``.

Case work never reads from a replica: a worker who saves a record and reloads the page must see
it, and a replica may lag the primary by seconds. Report figures tolerate that lag, so code that
computes them opts in explicitly::

    with reporting():
        figures = referral_figures(start=..., end=...)

or as a decorator, ``@reporting()``. Without ``REPLICA_DATABASE_URL`` (no ``replica`` alias)
the context changes nothing. Inside it, writes still go to the primary, and so does everything
outside it, including reads through objects that were loaded from the replica.

Run only read-only queries inside ``reporting()`` (no ``select_for_update``), and not inside a
transaction whose uncommitted writes the report should include: the replica cannot see them.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reporting = ContextVar("tsunagu_reporting", default=False)


@contextmanager
def reporting():
    """Send this block's reads to the replica when one is configured (nests; thread-safe)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def replica_configured():
    return REPLICA in connections.settings


class ReplicaRouter:
    """Primary for everything, the replica for reads inside ``reporting()``.

    Both answers are explicit: left to Django, an object loaded from the replica would be saved
    to it, and its related managers would read from it outside the reporting block.
    """

    def db_for_read(self, model, **hints):
        if _reporting.get() and replica_configured():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        """The replica is a copy of the primary, so rows from either may be related."""
        ours = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """Migrate only the primary: a replica is a physical copy that follows it."""
        return db == DEFAULT_DB_ALIAS
