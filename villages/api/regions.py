"""Read-only, scoped API over the region registry."""

import django_filters
from rest_framework import serializers, viewsets

from portal.lib.api import ScopedViewSetMixin
from villages.models import District, Province, Regency, Village, VillageKind


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name"]


class RegencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Regency
        fields = ["code", "name", "province"]


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["code", "name", "regency"]


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["code", "name", "kind", "district"]


class NameSearchFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")


class RegencyFilter(NameSearchFilterSet):
    province = django_filters.CharFilter(field_name="province_id")

    class Meta:
        model = Regency
        fields = ["province", "name"]


class DistrictFilter(NameSearchFilterSet):
    regency = django_filters.CharFilter(field_name="regency_id")

    class Meta:
        model = District
        fields = ["regency", "name"]


class VillageFilter(NameSearchFilterSet):
    district = django_filters.CharFilter(field_name="district_id")
    # A village's code starts with its regency's code, so no join is needed.
    regency = django_filters.CharFilter(method="filter_regency")
    kind = django_filters.ChoiceFilter(choices=VillageKind.choices)

    class Meta:
        model = Village
        fields = ["district", "regency", "kind", "name"]

    def filter_regency(self, queryset, name, value):
        return queryset.filter(code__startswith=f"{value}.")


class ProvinceViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Province
    serializer_class = ProvinceSerializer
    filterset_class = None
    lookup_field = "code"
    lookup_value_regex = r"\d{2}"


class RegencyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Regency
    serializer_class = RegencySerializer
    filterset_class = RegencyFilter
    lookup_field = "code"
    lookup_value_regex = r"[\d.]+"


class DistrictViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = District
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilter
    lookup_field = "code"
    lookup_value_regex = r"[\d.]+"


class VillageViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Village
    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    lookup_field = "code"
    lookup_value_regex = r"[\d.]+"
