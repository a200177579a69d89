"""A migration operation for field changes that reach no column.

Marking the models' labels for translation altered some 750 fields (verbose names only). As plain
`AlterField` operations each change to a relation re-rendered every model related to it, one after the
other, and those steps took most of the time `migrate` needed on an empty database (45 of 63 seconds).
`Relabel` applies the same changes to the migration state and renders the models they touch once.

Its promise is that no column changes: a wrapped change the schema editor would act on is refused when
the migration runs, so it can never skip real work silently.
"""

from __future__ import annotations

from django.db import migrations


class Relabel(migrations.operations.base.Operation):
    """Several `AlterField` changes that touch no column (labels, help texts, choices, validators)."""

    category = migrations.operations.base.OperationCategory.ALTERATION

    def __init__(self, operations: list[migrations.AlterField]):
        for operation in operations:
            if not isinstance(operation, migrations.AlterField):
                raise TypeError(f"Relabel takes AlterField operations only, not {type(operation).__name__}")
        self.operations = operations

    def deconstruct(self):
        return self.__class__.__qualname__, [self.operations], {}

    def state_forwards(self, app_label, state):
        # ProjectState.alter_field renders the related models again after each change when the state's
        # models are rendered; hold them back for the changes and render the touched models once.
        rendered = state.__dict__.pop("apps", None)
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)
        finally:
            if rendered is not None:
                state.__dict__["apps"] = rendered
        touched = {(app_label, operation.model_name_lower) for operation in self.operations}
        state.reload_models(touched, delay=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._refuse_column_changes(app_label, schema_editor, from_state, to_state)

    database_backwards = database_forwards  # the check compares the two states either way

    def _refuse_column_changes(self, app_label, schema_editor, from_state, to_state):
        for operation in self.operations:
            fields = [state.apps.get_model(app_label, operation.model_name)._meta.get_field(operation.name)
                      for state in (from_state, to_state)]
            if schema_editor._field_should_be_altered(*fields):
                raise ValueError(
                    f"{app_label}.{operation.model_name}.{operation.name} changes its column: "
                    "write it as an AlterField of its own, not inside Relabel"
                )

    def describe(self):
        return f"Relabel {len(self.operations)} fields"
