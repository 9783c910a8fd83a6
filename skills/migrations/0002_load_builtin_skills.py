"""Load the built-in skills from skills/content, so a fresh install has the library.

Later changes to the content are loaded with ``wisemind load_skills`` (idempotent).
"""

from django.db import migrations


def load(apps, schema_editor):
    from skills.catalogue import read_catalogue
    from skills.loading import sync_builtin

    sync_builtin(apps.get_model("skills", "Skill"), read_catalogue())


class Migration(migrations.Migration):
    dependencies = [("skills", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
