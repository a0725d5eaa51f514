"""The roster's filters, shared by the roster page, its CSV export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from volunteers.models import Assignment, Corps, Volunteer, VolunteerStatus


class VolunteerFilter(django_filters.FilterSet):
    """`?corps=pandu-digital&district=35.05.01&regency=35.05&status=active&assigned=false&q=sri`.

    `assigned` means a current assignment (today in Asia/Jakarta); `q` searches names and skills.
    """

    corps = django_filters.ModelChoiceFilter(
        label=_("corps"),
        queryset=Corps.objects.all(),
        to_field_name="code",
        field_name="memberships__corps",
        distinct=True,
    )
    district = django_filters.CharFilter(label=_("kecamatan code"), field_name="district_id")
    regency = django_filters.CharFilter(label=_("regency code"), method="filter_regency")
    status = django_filters.ChoiceFilter(label=_("status"), choices=VolunteerStatus.choices)
    assigned = django_filters.BooleanFilter(label=_("assigned"), method="filter_assigned")
    q = django_filters.CharFilter(label=_("search"), method="filter_search")

    class Meta:
        model = Volunteer
        fields = ["corps", "district", "regency", "status", "assigned", "q"]

    def filter_regency(self, queryset, name, value):
        return queryset.filter(district_id__startswith=f"{value}.")

    def filter_assigned(self, queryset, name, value):
        current = Assignment.objects.current().filter(volunteer=OuterRef("pk"))
        return queryset.filter(Exists(current)) if value else queryset.exclude(Exists(current))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(skills__icontains=value))
