"""The database refuses to change or delete a published release or its files, beside the models' own refusal
(releases/models.py): raw SQL, a shell or another program cannot rewrite what journalists cite.

Emptying the whole database is still possible: PostgreSQL's TRUNCATE (Django's flush) fires no row triggers, and
on SQLite, which has no TRUNCATE, `manage.py flush` lifts these triggers for its one transaction
(releases/management/commands/flush.py)."""

from django.db import migrations

TABLES = ["releases_release", "releases_releasefile"]
OPERATIONS = ("UPDATE", "DELETE")
MESSAGE = "A published release and its files are never changed or deleted."


def sqlite_statements():
    for table in TABLES:
        for operation in OPERATIONS:
            name = f"releases_immutable_{table}_{operation.lower()}"
            yield f"DROP TRIGGER IF EXISTS {name}"
            yield f"CREATE TRIGGER {name} BEFORE {operation} ON {table} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"


def postgresql_statements():
    # restrict_violation (23001): drivers report it as an integrity error, as SQLite's RAISE(ABORT) is.
    yield f"""
        CREATE OR REPLACE FUNCTION releases_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
    """
    for table in TABLES:
        yield f"DROP TRIGGER IF EXISTS releases_immutable ON {table}"
        yield (
            f"CREATE TRIGGER releases_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION releases_refuse_change()"
        )


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = sqlite_statements()
    elif vendor == "postgresql":
        statements = postgresql_statements()
    else:
        raise NotImplementedError(f"No release triggers for {vendor}: the tracker supports SQLite and PostgreSQL.")
    for statement in statements:
        # No parameters: the function's % placeholders are PL/pgSQL's, not the driver's.
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for operation in OPERATIONS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS releases_immutable_{table}_{operation.lower()}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS releases_immutable ON {table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS releases_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("releases", "0003_release_files_from_folders")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
