"""Relabel: field changes that reach no column, applied to the migration state in one step."""

import pytest
from django.db import connection, migrations, models
from django.db.migrations.state import ProjectState

from apps.core.migration_ops import Relabel

pytestmark = pytest.mark.django_db


def _apply(*alterations):
    before = ProjectState()
    migrations.CreateModel("Pen", [("id", models.AutoField(primary_key=True)),
                                   ("name", models.CharField(max_length=20))]).state_forwards("probe", before)
    migrations.CreateModel("Cow", [("id", models.AutoField(primary_key=True)),
                                   ("pen", models.ForeignKey("probe.pen", models.CASCADE))]).state_forwards("probe", before)
    before.apps  # rendered, as migrate has it when it applies a migration
    after = before.clone()
    operation = Relabel(list(alterations))
    operation.state_forwards("probe", after)
    return operation, before, after


def test_labels_reach_the_state_and_no_sql_is_written():
    operation, before, after = _apply(
        migrations.AlterField("pen", "name", models.CharField(max_length=20, verbose_name="pen name")),
        migrations.AlterField("cow", "pen", models.ForeignKey("probe.pen", models.CASCADE, verbose_name="pen")),
    )
    assert after.apps.get_model("probe", "pen")._meta.get_field("name").verbose_name == "pen name"
    cow = after.apps.get_model("probe", "cow")
    assert cow._meta.get_field("pen").verbose_name == "pen"
    assert cow._meta.get_field("pen").related_model is after.apps.get_model("probe", "pen")  # rendered together
    assert before.apps.get_model("probe", "pen")._meta.get_field("name").verbose_name == "name"

    with connection.schema_editor(collect_sql=True) as editor:
        operation.database_forwards("probe", editor, before, after)
        operation.database_backwards("probe", editor, after, before)
    assert editor.collected_sql == []


def test_a_change_to_a_column_is_refused_when_the_migration_runs():
    operation, before, after = _apply(migrations.AlterField("pen", "name", models.CharField(max_length=40)))
    with connection.schema_editor(collect_sql=True) as editor:
        with pytest.raises(ValueError, match="probe.pen.name changes its column"):
            operation.database_forwards("probe", editor, before, after)
        with pytest.raises(ValueError, match="probe.pen.name changes its column"):
            operation.database_backwards("probe", editor, after, before)
    assert editor.collected_sql == []


def test_only_field_alterations_are_taken():
    with pytest.raises(TypeError, match="AlterField operations only"):
        Relabel([migrations.RemoveField("pen", "name")])
