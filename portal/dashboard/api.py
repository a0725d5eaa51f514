"""`/api/dashboard/`: the dashboard's KPIs and monthly trends as JSON, and the two map layers
read from the rollups. Same scoping as the pages: an area outside the user's is 404, a user
without a dashboard role 403."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.dashboard.forms import DashboardFilterForm
from portal.dashboard.selectors import (
    Area,
    cached_area,
    cached_dashboard_figures,
    dashboard_scope,
    home_area_codes,
    map_layer_labels,
    map_layers,
)

PARAMETERS = [
    OpenApiParameter(
        "area",
        OpenApiTypes.STR,
        description=(
            "Region code of a kabupaten, kecamatan or village (default: the user's own area; "
            "the whole country for administrators)."
        ),
    ),
    OpenApiParameter("programme", OpenApiTypes.INT, description="Programme id."),
    OpenApiParameter("start", OpenApiTypes.STR, description="First month, YYYY-MM."),
    OpenApiParameter("end", OpenApiTypes.STR, description="Last month, YYYY-MM."),
    OpenApiParameter(
        "kecamatan", OpenApiTypes.STR, description="Kecamatan code, narrowing a kabupaten."
    ),
]


class KpiSerializer(serializers.Serializer):
    villages_enrolled = serializers.IntegerField()
    villages_pilot = serializers.IntegerField()
    villages_in_cohort = serializers.IntegerField()
    enrolments_by_status = serializers.DictField(child=serializers.IntegerField())
    milestones_done = serializers.IntegerField()
    milestones_total = serializers.IntegerField()
    milestones_percent = serializers.IntegerField()
    pillar_average = serializers.FloatField(allow_null=True)
    pillar_change = serializers.FloatField(allow_null=True)
    visits_this_month = serializers.IntegerField()
    participants_this_month = serializers.IntegerField()
    visits = serializers.IntegerField()
    visits_verified = serializers.IntegerField()
    participants_women = serializers.IntegerField()
    participants_men = serializers.IntegerField()
    participants_youth = serializers.IntegerField()
    volunteers_active = serializers.IntegerField()
    volunteers_mentoring = serializers.IntegerField()
    mentors_current = serializers.IntegerField()
    requests_filed = serializers.IntegerField()
    requests_completed = serializers.IntegerField()
    requests_on_time = serializers.IntegerField()
    on_time_percent = serializers.IntegerField(allow_null=True)
    requests_open = serializers.IntegerField()
    requests_overdue = serializers.IntegerField()
    villages_attention = serializers.IntegerField()


class TrendSerializer(serializers.Serializer):
    month = serializers.DateField()
    visits = serializers.IntegerField()
    visits_verified = serializers.IntegerField()
    participants_women = serializers.IntegerField()
    participants_men = serializers.IntegerField()
    participants_youth = serializers.IntegerField()
    requests_filed = serializers.IntegerField()
    requests_completed = serializers.IntegerField()
    requests_on_time = serializers.IntegerField()


class ChildSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    villages_enrolled = serializers.IntegerField()
    milestones_percent = serializers.IntegerField(allow_null=True)
    visits = serializers.IntegerField()
    participants = serializers.IntegerField()
    requests_filed = serializers.IntegerField()
    requests_completed = serializers.IntegerField()
    on_time_percent = serializers.IntegerField(allow_null=True)
    requests_overdue = serializers.IntegerField()
    volunteers_active = serializers.IntegerField()


class AttentionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    district_name = serializers.CharField()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=["no_visit", "no_mentor", "overdue", "stalled"])
    )
    days_since_visit = serializers.IntegerField(allow_null=True)
    last_visit_on = serializers.DateField(allow_null=True)
    overdue = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    area = inline_serializer(
        "DashboardArea",
        {
            "level": serializers.ChoiceField(choices=["country", "regency", "district", "village"]),
            "code": serializers.CharField(allow_null=True),
            "name": serializers.CharField(),
        },
    )
    start = serializers.DateField()
    end = serializers.DateField()
    kpis = KpiSerializer()
    trend = TrendSerializer(many=True)
    children = ChildSerializer(many=True)
    attention_total = serializers.IntegerField()
    attention = AttentionSerializer(many=True)


def _area(request) -> Area:
    """The area asked for (404 outside the user's dashboard area), narrowed to `kecamatan`."""
    scope = dashboard_scope(request.user)
    if not scope.everything and not scope.codes:
        raise PermissionDenied(gettext("The dashboard is for officials and kecamatan officers."))
    code = request.query_params.get("kecamatan") or request.query_params.get("area") or None
    if code is None:
        codes = home_area_codes(request.user)
        if codes is not None and len(codes) != 1:
            raise ValidationError({"area": [gettext("Choose one of your areas.")]})
        code = codes[0] if codes else None
    if code is not None and not scope.covers(code):
        raise Http404
    area = cached_area(code)
    if area is None:
        raise Http404
    parent = request.query_params.get("area")
    if request.query_params.get("kecamatan") and parent and not code.startswith(f"{parent}."):
        raise ValidationError({"kecamatan": [gettext("This kecamatan is not in the area.")]})
    return area


def _filters(request, area: Area) -> dict:
    data = {k: v for k, v in request.query_params.items() if k in ("programme", "start", "end")}
    form = DashboardFilterForm(data, area=area)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return form.filters()


class DashboardView(APIView):
    """KPIs, monthly trends, per-kecamatan (or per-village) rows and the attention list."""

    @extend_schema(
        operation_id="dashboard_retrieve", parameters=PARAMETERS, responses=DashboardSerializer
    )
    def get(self, request):
        area = _area(request)
        figures = cached_dashboard_figures(area=area, **_filters(request, area))
        data = {
            "area": {"level": area.level, "code": area.code, "name": area.name},
            "start": figures["start"],
            "end": figures["end"],
            "kpis": figures["kpis"],
            "trend": figures["trend"],
            "children": figures["children"],
            "attention_total": figures["attention"]["total"],
            "attention": figures["attention"]["rows"],
        }
        return Response(DashboardSerializer(data).data)


class MapLayersView(APIView):
    """Per village of a kabupaten or kecamatan: visits in the period and the request backlog,
    as the map's two extra layers (values are bands, with a label)."""

    @extend_schema(
        operation_id="dashboard_map_layers",
        parameters=PARAMETERS,
        responses=inline_serializer(
            "DashboardMapLayers",
            {
                "labels": serializers.DictField(child=serializers.DictField()),
                "villages": serializers.DictField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        area = _area(request)
        filters = _filters(request, area)
        return Response(
            {"labels": map_layer_labels(), "villages": map_layers(area=area, **filters)}
        )
