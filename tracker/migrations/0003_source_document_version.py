"""The data version's triggers on the table of sources' documents: attaching, replacing or removing a document
changes what the public pages say ("archived copy" with its SHA-256). Link checks are editors' notes: not tracked."""

import importlib

from django.db import migrations

_data_version = importlib.import_module("tracker.migrations.0001_data_version")


def _tables(apps) -> list[str]:
    return [apps.get_model("jurisdictions", "SourceDocument")._meta.db_table]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _data_version.sqlite_statements(_tables(apps))
    else:
        # The trigger function exists since 0001; only the DROP/CREATE TRIGGER statements are wanted here.
        statements = list(_data_version.postgresql_statements(_tables(apps)))[1:]
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for table in _tables(apps):
        if schema_editor.connection.vendor == "sqlite":
            for operation in _data_version.OPERATIONS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{operation.lower()}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_dataset_seed"),
        ("jurisdictions", "0006_link_check"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
