"""Desa Cerdas scorecards: recording assessments, latest against baseline per dimension, the SVG
chart, the assessment form and the API."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import AssessmentFactory, EnrolmentFactory, ProgrammeFactory
from villages.actions.scorecards import record_assessment, save_indicator
from villages.charts import PLOT_HEIGHT, scorecard_chart
from villages.models import Assessment, AssessmentScore, Dimension, Indicator
from villages.selectors.programmes import (
    dimension_scores,
    latest_and_baseline,
    village_programme_context,
)

BASELINE_DAY = datetime.date(2021, 3, 15)
LATER_DAY = datetime.date(2022, 9, 15)


def all_indicators(score) -> dict:
    return dict.fromkeys(Indicator.objects.values_list("code", flat=True), score)


@pytest.fixture
def api_as(request):
    def log_in(persona):
        api = APIClient()
        api.force_authenticate(request.getfixturevalue(persona))
        return api

    return log_in


# Recording


def test_an_officer_records_a_scorecard_keyed_by_indicator_code_or_id(officer, regions):
    by_id = Indicator.objects.get(code="umkm-daring").pk
    assessment = record_assessment(
        village=regions.village_a,
        assessed_on=BASELINE_DAY,
        scores={"literasi-digital": 3, by_id: "2.5"},
        notes="Kunjungan lapangan",
        actor=officer,
    )

    scores = dict(assessment.scores.values_list("indicator__code", "score"))
    assert scores == {"literasi-digital": Decimal("3"), "umkm-daring": Decimal("2.5")}
    assert assessment.assessor == officer


def test_a_score_above_the_highest_is_refused_naming_the_indicator_and_nothing_is_saved(
    official, regions
):
    scores = all_indicators(2) | {"kader-digital": 5}

    with pytest.raises(ValidationError) as error:
        record_assessment(
            village=regions.village_a, assessed_on=BASELINE_DAY, scores=scores, actor=official
        )

    (message,) = error.value.message_dict["scores"]
    assert Indicator.objects.get(code="kader-digital").name in message
    assert "4" in message
    assert not Assessment.objects.exists()
    assert not AssessmentScore.objects.exists()


def test_negative_scores_unknown_and_inactive_indicators_are_each_reported(official, regions):
    Indicator.objects.filter(code="peta-desa").update(is_active=False)

    with pytest.raises(ValidationError) as error:
        record_assessment(
            village=regions.village_a,
            assessed_on=BASELINE_DAY,
            scores={"literasi-digital": -1, "tidak-ada": 1, "peta-desa": 2, "umkm-daring": 4},
            actor=official,
        )

    messages = error.value.message_dict["scores"]
    assert len(messages) == 3
    assert any("tidak-ada" in message for message in messages)
    assert not Assessment.objects.exists()


def test_an_empty_scorecard_is_refused(official, regions):
    with pytest.raises(ValidationError):
        record_assessment(
            village=regions.village_a, assessed_on=BASELINE_DAY, scores={}, actor=official
        )


@pytest.mark.parametrize("persona", ["secretary", "volunteer", "outsider"])
def test_secretaries_and_volunteers_may_not_record_an_assessment(request, regions, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        record_assessment(
            village=regions.village_a, assessed_on=BASELINE_DAY, scores={"peta-desa": 1}, actor=user
        )


# Latest against baseline


def test_dimension_scores_are_the_percentage_of_the_highest_averaged_per_dimension(
    official, regions
):
    assessment = record_assessment(
        village=regions.village_a,
        assessed_on=BASELINE_DAY,
        scores={"literasi-digital": 4, "partisipasi-daring": 2, "umkm-daring": 1},
        actor=official,
    )

    scores = dimension_scores([assessment.pk])[assessment.pk]

    assert scores == {"masyarakat": Decimal("75.0"), "ekonomi": Decimal("25.0")}


def test_the_baseline_is_the_enrolments_else_the_villages_first_assessment(official, regions):
    village = regions.village_a
    first = AssessmentFactory(village=village, assessed_on=BASELINE_DAY, assessor=official)
    chosen = AssessmentFactory(
        village=village, assessed_on=datetime.date(2021, 6, 1), assessor=official
    )
    latest = AssessmentFactory(village=village, assessed_on=LATER_DAY, assessor=official)

    assert latest_and_baseline([village.code]) == {village.code: (latest.pk, first.pk)}
    EnrolmentFactory(
        programme=ProgrammeFactory(regency=regions.regency), village=village, baseline=chosen
    )
    assert latest_and_baseline([village.code]) == {village.code: (latest.pk, chosen.pk)}


def test_the_village_panel_compares_the_latest_assessment_with_the_baseline(official, regions):
    village = regions.village_a
    record_assessment(
        village=village, assessed_on=BASELINE_DAY, scores=all_indicators(1), actor=official
    )
    record_assessment(
        village=village, assessed_on=LATER_DAY, scores=all_indicators(3), actor=official
    )

    context = village_programme_context(user=official, village=village)

    chart = context["scorecard_chart"]
    heights = {
        (group.dimension, bar.series): bar.height for group in chart.groups for bar in group.bars
    }
    assert heights[("masyarakat", "baseline")] == PLOT_HEIGHT * 25 / 100
    assert heights[("sdm", "latest")] == PLOT_HEIGHT * 75 / 100
    assert [a.assessed_on for a in context["village_assessments"]] == [LATER_DAY, BASELINE_DAY]
    assert context["village_assessments"][0].pillar_average == Decimal("75.0")


# The SVG chart


def test_the_chart_draws_nine_dimensions_with_bars_as_tall_as_their_scores():
    latest = {dimension: Decimal(50) for dimension in Dimension.values} | {"sdm": Decimal(100)}
    baseline = {"masyarakat": Decimal("12.5")}

    html = render_to_string(
        "villages/includes/scorecard_chart.html",
        {"chart": scorecard_chart(latest=latest, baseline=baseline)},
    )

    assert html.count("data-dimension=") == 9
    for dimension in Dimension.values:
        assert f'data-dimension="{dimension}"' in html
    bars = re.findall(r'<g data-dimension="(\w+)">(.*?)</g>', html, flags=re.DOTALL)
    heights = {
        (dimension, series): float(height)
        for dimension, body in bars
        for series, height in re.findall(r'data-series="(\w+)"[^>]*height="([\d.]+)"', body)
    }
    assert heights[("ekonomi", "latest")] == 100.0
    assert heights[("sdm", "latest")] == 200.0
    assert heights[("masyarakat", "baseline")] == 25.0
    assert ("ekonomi", "baseline") not in heights
    assert "<title" in html and "<desc" in html
    assert "<script" not in html


def test_the_scorecard_panel_shows_a_note_instead_of_a_chart_without_assessments(official, regions):
    with_nothing = village_programme_context(user=official, village=regions.village_a)

    html = render_to_string("villages/includes/village_scorecards.html", with_nothing)

    assert "<svg" not in html
    assert "No assessment" in html or "Belum ada penilaian" in html


def test_the_village_page_shows_the_chart_once_assessed(as_persona, official, regions):
    record_assessment(
        village=regions.village_a,
        assessed_on=BASELINE_DAY,
        scores=all_indicators(2),
        actor=official,
    )
    response = as_persona("official").get(
        reverse("villages:village-detail", args=[regions.village_a.code])
    )
    assert response.status_code == 200
    assert response.content.decode().count("data-dimension=") == 9


# The assessment form


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("officer", 200),
        ("official", 200),
        ("admin_user", 200),
        ("secretary", 403),
        ("outsider", 404),
        ("volunteer", 404),
    ],
)
def test_the_assessment_form_opens_for_assessors_403_for_the_secretary_404_outside(
    as_persona, regions, persona, expected
):
    url = reverse("villages:assessment-create", args=[regions.village_a.code])
    response = as_persona(persona).get(url)
    assert response.status_code == expected
    if expected == 200:
        assert response.content.decode().count("<legend>") == 9


def test_a_secretary_posting_an_assessment_gets_403_and_nothing_is_saved(as_persona, regions):
    url = reverse("villages:assessment-create", args=[regions.village_a.code])
    response = as_persona("secretary").post(
        url, {"assessed_on": "2021-03-15", "score_peta-desa": "2"}
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_the_assessment_form_records_a_scorecard_and_shows_a_refused_score(as_persona, regions):
    url = reverse("villages:assessment-create", args=[regions.village_a.code])
    client = as_persona("officer")

    refused = client.post(url, {"assessed_on": "2021-03-15", "score_peta-desa": "9"})
    saved = client.post(url, {"assessed_on": "2021-03-15", "score_peta-desa": "3"})

    assert refused.status_code == 200
    assert Indicator.objects.get(code="peta-desa").name in str(refused.context["form"].errors)
    assert saved.status_code == 302
    assert Assessment.objects.get().scores.get().score == 3


# API


@pytest.mark.parametrize(
    ("persona", "count"),
    [
        ("official", 2),
        ("officer", 1),
        ("secretary", 1),
        ("outsider", 1),
        ("volunteer", 0),
        ("admin_user", 2),
    ],
)
def test_the_assessments_api_lists_the_scorecards_of_the_users_villages(
    api_as, official, regions, persona, count
):
    record_assessment(
        village=regions.village_a, assessed_on=BASELINE_DAY, scores={"peta-desa": 1}, actor=official
    )
    record_assessment(
        village=regions.village_b, assessed_on=BASELINE_DAY, scores={"peta-desa": 2}, actor=official
    )

    data = api_as(persona).get("/api/assessments/").json()

    assert data["count"] == count
    if persona == "secretary":
        (row,) = data["results"]
        assert row["village"] == regions.village_a.code
        assert row["scores"][0]["indicator_code"] == "peta-desa"


def test_the_assessments_api_records_a_scorecard_all_or_nothing(api_as, regions):
    api = api_as("officer")
    body = {
        "village": regions.village_a.code,
        "assessed_on": "2021-03-15",
        "scores": {"peta-desa": 2, "kader-digital": 7},
    }

    refused = api.post("/api/assessments/", body, format="json")
    body["scores"]["kader-digital"] = 4
    created = api.post("/api/assessments/", body, format="json")

    assert refused.status_code == 400
    assert "Kader Digital" in str(refused.json()["scores"])
    assert created.status_code == 201
    assert len(created.json()["scores"]) == 2
    assert created.json()["dimensions"] == {"mobilitas": 50.0, "sdm": 100.0}
    assert Assessment.objects.count() == 1


def test_the_assessments_api_is_403_for_a_secretary_and_404_outside(api_as, regions):
    body = {
        "village": regions.village_a.code,
        "assessed_on": "2021-03-15",
        "scores": {"peta-desa": 1},
    }
    assert api_as("secretary").post("/api/assessments/", body, format="json").status_code == 403
    assert api_as("outsider").post("/api/assessments/", body, format="json").status_code == 404
    assert not Assessment.objects.exists()


def test_the_assessments_api_filters_by_village(api_as, official, regions):
    for village in (regions.village_a, regions.village_b):
        record_assessment(
            village=village, assessed_on=BASELINE_DAY, scores={"peta-desa": 1}, actor=official
        )
    data = api_as("official").get(f"/api/assessments/?village={regions.village_b.code}").json()
    assert [row["village"] for row in data["results"]] == [regions.village_b.code]


# Query budgets


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_the_scorecard_panel_and_api_cost_the_same_queries_for_1_and_50_assessments(
    api_as, official, regions
):
    village = regions.village_a
    api = api_as("official")

    def assess(day):
        record_assessment(
            village=village, assessed_on=day, scores=all_indicators(2), actor=official
        )

    assess(BASELINE_DAY)
    api.get("/api/assessments/")
    panel_one = count_queries(lambda: village_programme_context(user=official, village=village))
    api_one = count_queries(lambda: api.get("/api/assessments/"))
    for offset in range(49):
        assess(BASELINE_DAY + datetime.timedelta(days=offset + 1))
    panel_fifty = count_queries(lambda: village_programme_context(user=official, village=village))
    api_fifty = count_queries(lambda: api.get("/api/assessments/"))

    assert Assessment.objects.count() == 50
    assert panel_one == panel_fifty
    assert api_one == api_fifty


# Indicators are data that officials edit


def test_an_official_adds_an_indicator_from_the_page(client, official, regions):
    client.force_login(official)
    response = client.post(
        reverse("programmes:indicator-create"),
        {
            "dimension": Dimension.ECONOMY,
            "code": "bumdes-daring",
            "name": "BUMDes menjual produk secara daring",
            "description": "",
            "max_score": 4,
            "order": 9,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.get(code="bumdes-daring").dimension == Dimension.ECONOMY


def test_an_official_deactivates_an_indicator_and_old_scores_stay(client, official, regions):
    indicator = Indicator.objects.get(code="umkm-daring")
    client.force_login(official)
    response = client.post(
        reverse("programmes:indicator-update", args=[indicator.pk]),
        {
            "dimension": indicator.dimension,
            "code": indicator.code,
            "name": indicator.name,
            "description": "",
            "max_score": indicator.max_score,
            "order": indicator.order,
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.is_active is False


@pytest.mark.parametrize("persona", ["secretary", "officer", "volunteer", "outsider"])
def test_only_officials_and_administrators_may_edit_indicators(client, request, regions, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(reverse("programmes:indicator-create")).status_code == 403
    with pytest.raises(PermissionDenied):
        save_indicator(actor=user, dimension=Dimension.ECONOMY, code="x", name="X")
    assert client.get(reverse("programmes:indicator-list")).status_code == 200


def test_an_indicator_code_is_taken_once(official, regions):
    with pytest.raises(ValidationError) as caught:
        save_indicator(actor=official, dimension=Dimension.ECONOMY, code="umkm-daring", name="Dua")
    assert "code" in caught.value.message_dict


def test_the_indicator_list_uses_the_same_queries_for_few_and_many(
    client, official, regions, django_assert_max_num_queries
):
    client.force_login(official)
    for number in range(40):
        Indicator.objects.create(dimension=Dimension.SOCIETY, code=f"extra-{number}", name="Extra")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("programmes:indicator-list")).status_code == 200
