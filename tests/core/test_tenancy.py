import pytest
from django.core import checks
from django.db import models
from django_scopes import ScopeError, scope

from apps.core.checks import check_tenant_models
from apps.core.models import TenantModel
from apps.herd.models import Animal
from tests.factories import make_animal


def test_unscoped_query_on_tenant_model_raises(db):
    with pytest.raises(ScopeError):
        list(Animal.objects.all())
    with pytest.raises(ScopeError):
        Animal.objects.filter(tag="x").exists()
    with pytest.raises(ScopeError):
        Animal.objects.count()


def test_scope_limits_rows_to_the_tenant(owner, farm, outsider):
    with scope(tenant=owner.tenant_id):
        make_animal(owner, farm, tag="MINE")
        assert list(Animal.objects.values_list("tag", flat=True)) == ["MINE"]
    with scope(tenant=[]):
        assert not Animal.objects.exists()


def test_every_tenant_model_passes_the_citus_check():
    assert check_tenant_models() == []


def test_citus_check_names_a_model_with_a_unique_column_without_tenant():
    class Leaky(TenantModel):
        code = models.CharField(max_length=10, unique=True)

        class Meta:
            app_label = "core"
            indexes = [models.Index(fields=["code"], name="leaky_code_idx")]

    from django.apps import apps

    try:
        errors = check_tenant_models()
    finally:
        apps.all_models["core"].pop("leaky", None)
        apps.clear_cache()
    ids = {(e.id, "Leaky" in e.msg) for e in errors if isinstance(e, checks.Error)}
    assert ("ifarm.E002", True) in ids and ("ifarm.E004", True) in ids


def test_test_bodies_run_with_the_guard_on(owner, farm):
    """No scope is opened for a test body: a forgotten tenant filter fails here as in production."""
    with pytest.raises(ScopeError):
        Animal.objects.filter(tenant_id=owner.tenant_id).exists()
