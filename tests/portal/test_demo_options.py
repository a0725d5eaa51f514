"""`manage.py demo` on an empty database: its refusal on production, a bad outline file, and the
visits checked against the real Blitar outlines (a first load with them)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_refuses_to_load_on_a_production_instance_without_force():
    with translation.override("en"), pytest.raises(CommandError, match="published password"):
        call_command("demo", stdout=StringIO())
    assert not User.objects.filter(username="admin").exists()


def test_a_bad_outline_file_stops_the_demo_with_its_message(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    with translation.override("en"), pytest.raises(CommandError, match="not valid JSON"):
        call_command("demo", force=True, boundaries=str(path), stdout=StringIO())


def test_the_demo_visits_are_checked_against_the_real_blitar_outlines():
    from tests.shared_data import shared_data_dir
    from volunteers.models import Visit

    geo = shared_data_dir("geo")
    with translation.override("en"):
        call_command(
            "demo", force=True, boundaries=str(geo / "blitar_villages.geojson"), stdout=StringIO()
        )

    checks = set(Visit.objects.values_list("position_check", flat=True))
    assert {"inside", "far", "no_gps"} <= checks
