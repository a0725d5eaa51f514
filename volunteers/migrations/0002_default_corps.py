"""The three corps the Desa Cerdas programme works with; officials add others as data."""

from django.db import migrations

CORPS = [
    (
        "pandu-digital",
        "Pandu Digital",
        "Kominfo",
        "Digital literacy mentors formed by the Ministry of Communication and Informatics.",
        ["Purwa", "Madya", "Utama"],
    ),
    (
        "relawan-tik",
        "Relawan TIK",
        "Relawan TIK Indonesia",
        "ICT volunteers organised in a komisariat per kecamatan.",
        [],
    ),
    (
        "kader-digital",
        "Kader Digital",
        "Kemendes PDTT",
        "Village cadres appointed by their village heads and trained in Bimtek.",
        [],
    ),
]


def add_corps(apps, schema_editor):
    Corps = apps.get_model("volunteers", "Corps")
    CorpsLevel = apps.get_model("volunteers", "CorpsLevel")
    for code, name, organiser, description, levels in CORPS:
        corps, _created = Corps.objects.get_or_create(
            code=code, defaults={"name": name, "organiser": organiser, "description": description}
        )
        for rank, level in enumerate(levels, start=1):
            CorpsLevel.objects.get_or_create(corps=corps, name=level, defaults={"rank": rank})


def remove_corps(apps, schema_editor):
    Corps = apps.get_model("volunteers", "Corps")
    Corps.objects.filter(code__in=[code for code, *_rest in CORPS], memberships=None).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_roster_trainings_visits")]

    operations = [migrations.RunPython(add_corps, remove_corps)]
