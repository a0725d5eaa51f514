"""Read-only, scoped API over the region registry."""

import django_filters
from rest_framework import serializers, viewsets

from portal.lib.api import ScopedViewSetMixin
from portal.lib.api_cache import CachedReadMixin
from villages.api.profiles import VillageProfileActionsMixin, VillageSummarySerializer
from villages.models import District, Province, Regency, Village
from villages.selectors.profiles import VillageListFilter, with_latest_idm


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


class VillageViewSet(
    CachedReadMixin,
    VillageProfileActionsMixin,
    ScopedViewSetMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Villages with the village list page's filters; the list adds connectivity and latest IDM."""

    scoped_model = Village
    serializer_class = VillageSerializer
    filterset_class = VillageListFilter
    cache_labels = ()  # villages: among the user's apps already
    lookup_field = "code"
    lookup_value_regex = r"[\d.]+"

    def scope_queryset(self, queryset):
        if self.action == "list":
            return with_latest_idm(queryset.select_related("profile"))
        return queryset

    def get_serializer_class(self):
        return VillageSummarySerializer if self.action == "list" else VillageSerializer
