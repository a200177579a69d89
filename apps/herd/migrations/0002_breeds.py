from django.db import migrations

BREEDS = {
    "cattle": [
        "Friesian", "Holstein", "Jersey", "Ayrshire", "Guernsey", "Brown Swiss", "Sahiwal", "Boran", "Ankole", "Zebu",
        "Gir", "Angus", "Hereford", "Simmental", "Charolais", "Limousin", "Brahman", "Nguni", "Crossbreed",
    ],
    "goat": ["Saanen", "Toggenburg", "Alpine", "Boer", "Galla", "Nubian", "Small East African", "Kalahari Red", "Crossbreed"],
    "sheep": ["Dorper", "Merino", "Red Maasai", "Suffolk", "Hampshire Down", "Corriedale", "Blackhead Persian", "Crossbreed"],
    "pig": ["Large White", "Landrace", "Duroc", "Hampshire", "Pietrain", "Crossbreed"],
    "camel": ["Dromedary", "Bactrian", "Somali", "Turkana", "Crossbreed"],
    "other": ["Unknown"],
}


def add_breeds(apps, schema_editor):
    Breed = apps.get_model("herd", "Breed")
    Breed.objects.bulk_create(
        [Breed(species=species, name=name) for species, names in BREEDS.items() for name in names],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("herd", "0001_initial")]

    operations = [migrations.RunPython(add_breeds, migrations.RunPython.noop)]
