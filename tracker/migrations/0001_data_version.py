"""The data version counter and the triggers that bump it on every write to a public table."""

from django.db import migrations, models

# Public tables, by model label; many-to-many link tables are found from the models' fields.
TRACKED_MODELS = [
    "jurisdictions.Source",
    "jurisdictions.State",
    "jurisdictions.Jurisdiction",
    "jurisdictions.StatusChange",
    "agreements.Agreement",
    "agreements.AgreementStatusChange",
    "agreements.Event",
]
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def tracked_tables(apps) -> list[str]:
    tables = []
    for label in TRACKED_MODELS:
        model = apps.get_model(label)
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            tables.append(field.remote_field.through._meta.db_table)
    return tables


def sqlite_statements(tables):
    bump = (
        "INSERT INTO tracker_dataversion (id, number, changed_at) "
        "VALUES (1, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
        "ON CONFLICT (id) DO UPDATE SET number = number + 1, changed_at = excluded.changed_at;"
    )
    for table in tables:
        for operation in OPERATIONS:
            name = f"data_version_{table}_{operation.lower()}"
            yield f"DROP TRIGGER IF EXISTS {name}"
            yield f"CREATE TRIGGER {name} AFTER {operation} ON {table} BEGIN {bump} END"


def postgresql_statements(tables):
    # clock_timestamp(), not now(): now() is when the transaction began, and a long import would look older
    # than an edit that committed before it.
    yield """
        CREATE OR REPLACE FUNCTION tracker_bump_data_version() RETURNS trigger AS $$
        BEGIN
            INSERT INTO tracker_dataversion (id, number, changed_at) VALUES (1, 1, clock_timestamp())
            ON CONFLICT (id) DO UPDATE SET number = tracker_dataversion.number + 1, changed_at = clock_timestamp();
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
    """
    for table in tables:
        name = f"data_version_{table}"
        yield f"DROP TRIGGER IF EXISTS {name} ON {table}"
        # Once per statement: a bulk insert of 3,000 rows bumps the counter once.
        yield (
            f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION tracker_bump_data_version()"
        )


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    tables = tracked_tables(apps)
    if vendor == "sqlite":
        statements = sqlite_statements(tables)
    elif vendor == "postgresql":
        statements = postgresql_statements(tables)
    else:
        raise NotImplementedError(f"No data version triggers for {vendor}: the tracker supports SQLite and PostgreSQL.")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute("INSERT INTO tracker_dataversion (id, number) VALUES (1, 1)")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in tracked_tables(apps):
        if vendor == "sqlite":
            for operation in OPERATIONS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{operation.lower()}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("jurisdictions", "0002_import_batch"),
        ("agreements", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "number",
                    models.BigIntegerField(default=0, help_text="Bumped by a database trigger on every write."),
                ),
                (
                    "changed_at",
                    models.DateTimeField(help_text="When the last write happened (UTC).", null=True),
                ),
            ],
            options={"verbose_name": "data version"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
