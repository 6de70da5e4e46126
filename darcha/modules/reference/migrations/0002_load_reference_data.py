from django.db import migrations


def load(apps, schema_editor):
    from darcha.modules.reference.services import upsert_reference_data

    upsert_reference_data(apps.get_model("reference", "Area"), apps.get_model("reference", "Agency"))


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
