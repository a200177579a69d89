import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from apps.herd.models import Animal
from tests.factories import make_member
from tests.formdata import form_data

pytestmark = pytest.mark.usefixtures("owner_scope")


def quick_rows(rows, farm):
    data = {"farm": farm.pk, "animals-TOTAL_FORMS": str(len(rows)), "animals-INITIAL_FORMS": "0",
            "animals-MIN_NUM_FORMS": "1", "animals-MAX_NUM_FORMS": "50"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"animals-{i}-{key}"] = value
    return data


def test_quick_add_creates_several(as_member, owner, farm):
    rows = [{"tag": f"Q{i}", "species": "goat", "sex": "female"} for i in range(3)] + [{"tag": "", "species": "cattle", "sex": ""}]
    response = as_member(owner).post(reverse("herd:quick_add"), quick_rows(rows, farm))
    assert response.status_code == 302
    assert Animal.objects.filter(tenant_id=owner.tenant_id, species="goat").count() == 3


def test_quick_add_as_a_browser_posts_it_skips_the_untouched_lines(as_member, owner, farm):
    client = as_member(owner)
    data = form_data(client.get(reverse("herd:quick_add")).content.decode(), "quick-add")
    assert data["animals-0-sex"] == "" and data["animals-0-species"] == "cattle"
    for i in range(2):
        data.update({f"animals-{i}-tag": f"BR-{i}", f"animals-{i}-sex": "female"})
    response = client.post(reverse("herd:quick_add"), data)
    assert response.status_code == 302
    assert sorted(Animal.objects.values_list("tag", flat=True)) == ["BR-0", "BR-1"]


def test_quick_add_line_with_a_tag_but_no_sex_asks_for_it(as_member, owner, farm):
    client = as_member(owner)
    data = form_data(client.get(reverse("herd:quick_add")).content.decode(), "quick-add")
    data["animals-0-tag"] = "NOSEX"
    response = client.post(reverse("herd:quick_add"), data)
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert not Animal.objects.exists()


def test_quick_add_with_one_bad_row_saves_nothing(as_member, owner, farm):
    rows = [{"tag": "Q1", "species": "goat", "sex": "female"}, {"tag": "Q1", "species": "goat", "sex": "male"}]
    response = as_member(owner).post(reverse("herd:quick_add"), quick_rows(rows, farm))
    assert response.status_code == 400
    assert "the same tag is on row 1" in response.content.decode()
    assert not Animal.objects.filter(tenant_id=owner.tenant_id).exists()


def upload(client, farm, text):
    file = SimpleUploadedFile("herd.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("herd:import"), {"farm": farm.pk, "file": file})


HEADER = "tag,name,species,breed,sex,date_of_birth,eid,colour,dam_tag,sire_tag,group,acquisition,acquired_on,purchase_price,seller\n"


def test_import_template_downloads(as_member, owner):
    response = as_member(owner).get(reverse("herd:import_template"))
    assert response.content.decode().startswith("tag,name,species")


def test_import_good_file_creates_all_with_lineage(as_member, owner, farm):
    text = HEADER + "K-1,Wanjiru,cattle,Friesian,female,2019-03-14,,,,,,born,,,\nK-2,Baraka,cattle,,female,2024-01-02,,,K-1,,,born,,,\n"
    response = upload(as_member(owner), farm, text)
    assert response.status_code == 302
    calf = Animal.objects.get(tenant_id=owner.tenant_id, tag="K-2")
    assert calf.dam.tag == "K-1"
    assert Animal.objects.get(tag="K-1").breed.name == "Friesian"


def test_import_with_bad_rows_reports_each_and_saves_nothing(as_member, owner, farm):
    text = HEADER + (
        "K-1,,cattle,,female,2019-03-14,,,,,,born,,,\n"
        "K-2,,llama,,female,2019-03-14,,,,,,born,,,\n"
        "K-3,,cattle,,female,14/03/2019,,,,,,born,,,\n"
        "K-4,,cattle,,female,2019-01-01,,,NOPE,,,born,,,\n"
    )
    response = upload(as_member(owner), farm, text)
    content = response.content.decode()
    assert response.status_code == 400
    assert "Row 2" in content and "llama" in content
    assert "Row 3" in content and "14/03/2019" in content
    assert not Animal.objects.filter(tenant_id=owner.tenant_id).exists()


def test_import_second_pass_reports_service_errors(as_member, owner, farm):
    text = HEADER + "K-1,,cattle,,female,2019-03-14,,,,,,born,,,\nK-2,,cattle,,female,2018-01-01,,,K-1,,,born,,,\n"
    response = upload(as_member(owner), farm, text)
    assert response.status_code == 400
    assert "not before this animal" in response.content.decode()
    assert not Animal.objects.filter(tenant_id=owner.tenant_id).exists()


def test_import_missing_columns_and_non_csv(as_member, owner, farm):
    client = as_member(owner)
    assert "Missing columns" in upload(client, farm, "name\nx\n").content.decode()
    file = SimpleUploadedFile("herd.xlsx", b"PK\x03\x04", content_type="application/zip")
    response = client.post(reverse("herd:import"), {"farm": farm.pk, "file": file})
    assert response.status_code == 400 and "Upload a .csv file" in response.content.decode()


def test_import_needs_permission(as_member, owner, farm):
    client = as_member(make_member(owner, "worker"))
    assert client.get(reverse("herd:import")).status_code == 403


def test_import_into_farm_of_another_tenant_is_refused(as_member, owner, outsider):
    from apps.farms.models import Farm

    with scope(tenant=outsider.tenant_id):
        rival_farm = Farm.objects.get(tenant_id=outsider.tenant_id)
    response = upload(as_member(owner), rival_farm, HEADER + "K-1,,cattle,,female,,,,,,,born,,,\n")
    assert response.status_code == 400
    assert not Animal.objects.filter(tenant_id=owner.tenant_id).exists()


# Hostile files: each problem is named in the per-row report, and nothing is saved.


def _import_report(as_member, owner, farm, row: str):
    response = upload(as_member(owner), farm, "tag,species,sex,eid,purchase_price,name\n" + row + "\n")
    assert response.status_code == 400
    assert not Animal.objects.exists()
    return response.content.decode()


def test_import_refuses_a_field_over_128_kb(as_member, owner, farm):
    assert "cannot be read as CSV" in _import_report(as_member, owner, farm, "A1,cattle,female,,," + "x" * 140_000)


def test_import_refuses_a_nul_byte(as_member, owner, farm):
    assert "NUL" in _import_report(as_member, owner, farm, "A1,cattle,female,,,Dai\x00sy")


def test_import_refuses_a_tag_or_eid_over_40_characters(as_member, owner, farm):
    report = _import_report(as_member, owner, farm, f"{'T' * 41},cattle,female,{'9' * 41},,")
    assert report.count("at most 40 characters") == 2


@pytest.mark.parametrize("price", ["1e20", "NaN", "-5", "12.345"])
def test_import_refuses_a_price_out_of_range(as_member, owner, farm, price):
    assert "purchase_price" in _import_report(as_member, owner, farm, f"A1,cattle,female,,{price},")
