"""Read-only, scoped GeoJSON of village and kecamatan boundaries for the maps."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from portal.lib.api import ScopedViewSetMixin
from villages.models import DistrictBoundary, Programme, VillageBoundary
from villages.selectors.maps import (
    DEFAULT_ZOOM,
    cached_feature_collection,
    clamp_zoom,
    district_boundaries,
    district_feature,
    village_boundaries,
    village_feature,
)

ZOOM_PARAMETER = OpenApiParameter(
    "zoom",
    OpenApiTypes.INT,
    description=(
        f"Map zoom the outlines are simplified for (6-16, default {DEFAULT_ZOOM}): "
        "about half a pixel of detail."
    ),
)
PROGRAMME_PARAMETER = OpenApiParameter(
    "programme",
    OpenApiTypes.STR,
    description=(
        "Programme id or short name for `programme_status`; without it, the village's most "
        "advanced enrolment."
    ),
)
FEATURE = inline_serializer(
    "BoundaryFeature",
    {
        "type": serializers.CharField(),
        "id": serializers.CharField(),
        "properties": serializers.DictField(),
        "geometry": serializers.DictField(),
    },
)
# A GeoJSON FeatureCollection; a plain object, since OpenAPI would show a list action's answer as
# an array of features.
FEATURE_COLLECTION = OpenApiTypes.OBJECT


class VillageBoundaryFilter(django_filters.FilterSet):
    # Codes start with their parents' codes, so no join is needed.
    regency = django_filters.CharFilter(method="filter_prefix", label="regency code")
    district = django_filters.CharFilter(method="filter_prefix", label="district code")

    class Meta:
        model = VillageBoundary
        fields = ["regency", "district"]

    def filter_prefix(self, queryset, name, value):
        return queryset.filter(village__code__startswith=f"{value}.")


class DistrictBoundaryFilter(django_filters.FilterSet):
    regency = django_filters.CharFilter(method="filter_regency", label="regency code")

    class Meta:
        model = DistrictBoundary
        fields = ["regency"]

    def filter_regency(self, queryset, name, value):
        return queryset.filter(district__code__startswith=f"{value}.")


class VillageBoundaryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Village outlines as GeoJSON, with the IDM, connectivity and programme layers."""

    scoped_model = VillageBoundary
    filterset_class = VillageBoundaryFilter
    pagination_class = None
    lookup_field = "pk"
    lookup_url_kwarg = "code"
    lookup_value_regex = r"[\d.]+"

    def programme(self) -> Programme | None:
        value = self.request.query_params.get("programme", "").strip()
        if not value:
            return None
        # An id beyond any bigint would make PostgreSQL fail: look such a value up as a slug.
        condition = Q(pk=int(value)) if value.isdigit() and len(value) < 16 else Q(slug=value)
        programme = Programme.objects.visible_to(self.request.user).filter(condition).first()
        if programme is None:
            raise ValidationError({"programme": [gettext("No such programme.")]})
        return programme

    def scope_queryset(self, queryset):
        return village_boundaries(queryset, programme=self.programme())

    @extend_schema(
        operation_id="village_boundaries_list",
        parameters=[ZOOM_PARAMETER, PROGRAMME_PARAMETER],
        responses=FEATURE_COLLECTION,
    )
    def list(self, request, *args, **kwargs):
        zoom = clamp_zoom(request.query_params.get("zoom"))
        params = {
            name: request.query_params.get(name, "")
            for name in ("regency", "district", "programme")
        }
        collection = cached_feature_collection(
            user=request.user,
            kind="villages",
            params=params,
            zoom=zoom,
            build=lambda: [
                village_feature(boundary, zoom=zoom)
                for boundary in self.filter_queryset(self.get_queryset())
            ],
        )
        return Response(collection)

    @extend_schema(parameters=[PROGRAMME_PARAMETER], responses=FEATURE)
    def retrieve(self, request, *args, **kwargs):
        return Response(village_feature(self.get_object()))


class DistrictBoundaryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Kecamatan outlines as GeoJSON."""

    scoped_model = DistrictBoundary
    filterset_class = DistrictBoundaryFilter
    pagination_class = None
    lookup_field = "pk"
    lookup_url_kwarg = "code"
    lookup_value_regex = r"[\d.]+"

    def scope_queryset(self, queryset):
        return district_boundaries(queryset)

    @extend_schema(
        operation_id="district_boundaries_list",
        parameters=[ZOOM_PARAMETER],
        responses=FEATURE_COLLECTION,
    )
    def list(self, request, *args, **kwargs):
        zoom = clamp_zoom(request.query_params.get("zoom"))
        collection = cached_feature_collection(
            user=request.user,
            kind="districts",
            params={"regency": request.query_params.get("regency", "")},
            zoom=zoom,
            build=lambda: [
                district_feature(boundary, zoom=zoom)
                for boundary in self.filter_queryset(self.get_queryset())
            ],
        )
        return Response(collection)

    @extend_schema(responses=FEATURE)
    def retrieve(self, request, *args, **kwargs):
        return Response(district_feature(self.get_object()))
