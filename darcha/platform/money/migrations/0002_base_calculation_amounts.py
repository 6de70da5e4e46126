from datetime import date

from django.db import migrations

# Base calculation amount (bazaviy hisoblash miqdori) in so‘m, by the date it took effect.
AMOUNTS = [
    (date(2021, 2, 1), 245_000),
    (date(2022, 4, 1), 270_000),
    (date(2022, 12, 1), 300_000),
    (date(2023, 6, 1), 330_000),
    (date(2024, 10, 1), 375_000),
    (date(2025, 8, 1), 412_000),
]


def load(apps, schema_editor):
    model = apps.get_model("money", "BaseCalculationAmount")
    for valid_from, som in AMOUNTS:
        model.objects.update_or_create(valid_from=valid_from, defaults={"amount_tiyin": som * 100})


def unload(apps, schema_editor):
    model = apps.get_model("money", "BaseCalculationAmount")
    model.objects.filter(valid_from__in=[valid_from for valid_from, _ in AMOUNTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("money", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
