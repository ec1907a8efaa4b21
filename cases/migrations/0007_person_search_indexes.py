"""Indexes for person search at city scale (docs/search.md).

* Prefix (``startswith``) and equality on name_key/kana_key: btree ``text_pattern_ops``, which
  works whatever the database's collation. They replace the plain btree indexes, which the
  planner walked in ORDER BY kana_key order for rare names (1.3 s at 350,000 persons).
* Partial match: the IMMUTABLE function ``tsunagu_bigrams(text)`` and GIN indexes on
  ``tsunagu_bigrams(name_key)`` and ``tsunagu_bigrams(kana_key)``, used by the
  ``bigrams_cover`` lookup (takatsuki_welfare/search.py).

The function and the GIN indexes are created with RunPython on PostgreSQL only, not declared in
Person.Meta.indexes: SQLite has neither the function nor GIN, and the model state does not know
them, so makemigrations ignores them. Another database gets no GIN index and the lookup falls
back to a plain LIKE there.
"""

from django.db import migrations, models

# IMMUTABLE so that it can be indexed and folded to a constant on the query side. It calls
# pg_catalog functions by qualified name, so it behaves the same under the restricted search_path
# of autovacuum's ANALYZE and pg_restore. It needs a UTF8 database (as Django does) so that substr
# counts characters, not bytes. Not inlinable (it has a subquery), which costs nothing here: the
# index stores its results and the query side calls it once on a constant.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION tsunagu_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT ARRAY(
        SELECT pg_catalog.substr(value, i, 2)
        FROM pg_catalog.generate_series(1, pg_catalog.char_length(value) - 1) AS i
    )
$$
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS tsunagu_bigrams(text)"
BIGRAM_INDEXES = {"person_name_key_bigrams": "name_key", "person_kana_key_bigrams": "kana_key"}


def create_bigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    for name, column in BIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {name} ON cases_person USING gin (tsunagu_bigrams({column}))"
        )


def drop_bigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in BIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_supportplan_return_comment"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="person", name="person_name_key"),
        migrations.RemoveIndex(model_name="person", name="person_kana_key"),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["name_key"], name="person_name_key_prefix", opclasses=["text_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["kana_key"], name="person_kana_key_prefix", opclasses=["text_pattern_ops"]
            ),
        ),
        migrations.RunPython(create_bigram_indexes, drop_bigram_indexes, elidable=False),
    ]
