"""Reads for the village list, its CSV export and API, and the village page.

The list's latest IDM year, score and status and its programmes are subqueries, so the list
costs the same number of queries for one village or the whole national registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import django_filters
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery
from django.template.defaultfilters import yesno
from django.utils.translation import gettext_lazy as _

from villages.models import (
    Connectivity,
    Enrolment,
    EnrolmentStatus,
    IdmScore,
    IdmStatus,
    Programme,
    Village,
    VillageKind,
    VillageProfile,
)

PROFILE_CHANGES_SHOWN = 10
# Contacts of the head and secretary are personal data: shown only to those who may edit.
CONTACT_FIELDS = ("head_phone", "secretary_phone")


def with_latest_idm(villages: QuerySet) -> QuerySet:
    """Annotate `latest_idm_year`, `latest_idm_score`, `latest_idm_status_code` and
    `latest_idm_status_name`: the latest year's score and the IdmStatus band it falls in."""
    latest = IdmScore.objects.filter(village=OuterRef("pk")).order_by("-year")
    band = IdmStatus.objects.filter(max_score__gte=OuterRef("latest_idm_score")).order_by(
        "max_score"
    )
    return villages.annotate(
        latest_idm_year=Subquery(latest.values("year")[:1]),
        latest_idm_score=Subquery(latest.values("score")[:1]),
    ).annotate(
        latest_idm_status_code=Subquery(band.values("code")[:1]),
        latest_idm_status_name=Subquery(band.values("name")[:1]),
    )


def village_list(*, user) -> QuerySet:
    """The villages `user` may see, with their areas, profile and latest IDM."""
    villages = Village.objects.visible_to(user).select_related("district__regency", "profile")
    return with_latest_idm(villages)


def with_programme_names(villages: QuerySet) -> QuerySet:
    """Annotate `programme_names`: the programmes each village is enrolled in, comma-separated."""
    names = (
        Enrolment.objects.filter(village=OuterRef("pk"))
        .order_by()
        .values("village")
        .annotate(names=StringAgg("programme__name", ", ", order_by="programme__name"))
        .values("names")
    )
    return villages.annotate(programme_names=Subquery(names, output_field=CharField()))


def _visible_programmes(request):
    if request is None:
        return Programme.objects.none()
    return Programme.objects.visible_to(request.user)


class VillageListFilter(django_filters.FilterSet):
    """The village list's filters, shared by the page, its CSV export and `/api/villages/`.

    The queryset must come from `village_list` (or carry `with_latest_idm`'s annotations).
    """

    q = django_filters.CharFilter(method="filter_search", label=_("Name or code"))
    district = django_filters.CharFilter(field_name="district_id", label=_("Kecamatan code"))
    # A village's code starts with its regency's code, so no join is needed.
    regency = django_filters.CharFilter(method="filter_regency", label=_("Regency code"))
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=VillageKind.choices, label=_("Kind"))
    # Programme and enrolment status narrow together (see filter_queryset).
    programme = django_filters.ModelChoiceFilter(
        queryset=_visible_programmes,
        to_field_name="slug",
        field_name="enrolments__programme",
        label=_("Programme"),
    )
    enrolment_status = django_filters.ChoiceFilter(
        choices=EnrolmentStatus.choices,
        field_name="enrolments__status",
        label=_("Enrolment status"),
    )
    idm_status = django_filters.ModelChoiceFilter(
        queryset=IdmStatus.objects.all(),
        to_field_name="code",
        field_name="latest_idm_status_code",
        method="filter_idm_status",
        label=_("IDM status"),
    )
    connectivity = django_filters.ChoiceFilter(
        field_name="profile__connectivity", choices=Connectivity.choices, label=_("Connectivity")
    )

    class Meta:
        model = Village
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_regency(self, queryset, name, value):
        return queryset.filter(code__startswith=f"{value}.")

    def filter_queryset(self, queryset):
        data = dict(self.form.cleaned_data)
        enrolment = {
            field: value
            for name, field in (("programme", "programme"), ("enrolment_status", "status"))
            if (value := data.pop(name, None))
        }
        for name, value in data.items():
            queryset = self.filters[name].filter(queryset, value)
        if enrolment:
            # One enrolment with both the programme and the status, not one of each.
            enrolments = Enrolment.objects.filter(village=OuterRef("pk"), **enrolment)
            queryset = queryset.filter(Exists(enrolments))
        return queryset

    def filter_idm_status(self, queryset, name, value):
        return queryset.filter(latest_idm_status_code=value.code)


def idm_history(*, village: Village) -> QuerySet:
    """The village's IDM scores, newest year first, each with its status."""
    return IdmScore.objects.filter(village=village).with_status().order_by("-year")


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class ProfileChange:
    user: object
    date: datetime
    created: bool
    changes: list[FieldChange]


def profile_changes(
    *, village: Village, show_contacts: bool, limit: int = PROFILE_CHANGES_SHOWN
) -> list[ProfileChange]:
    """The last `limit` changes to the village's profile, newest first: who, when, which fields.

    One query: `limit + 1` history records with their users, each compared with the one before.
    Without `show_contacts`, changes to the contact phones are left out (personal data).
    """
    records = list(
        VillageProfile.history.filter(village_id=village.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    if not records:
        return []
    audit = {"updated_by"} if show_contacts else {"updated_by", *CONTACT_FIELDS}
    fields = {field.name: field for field in VillageProfile._meta.concrete_fields}
    changes = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(changes) == limit:
            break
        if older is None:
            diff = [
                FieldChange(str(fields[name].verbose_name), None, _display(newer, name))
                for name in fields
                if name not in audit | {"village", "updated_at"}
                and getattr(newer, name) not in (None, "", False)
            ]
        else:
            delta = newer.diff_against(older, excluded_fields=list(audit))
            diff = [
                FieldChange(
                    str(fields[change.field].verbose_name),
                    _display(older, change.field),
                    _display(newer, change.field),
                )
                for change in delta.changes
            ]
        if not diff and older is not None:
            continue
        changes.append(
            ProfileChange(
                user=newer.history_user,
                date=newer.history_date,
                created=newer.history_type == "+",
                changes=diff,
            )
        )
    return changes


def _display(record, name):
    display = getattr(record, f"get_{name}_display", None)
    value = display() if display else getattr(record, name)
    if isinstance(value, bool):
        return yesno(value)
    return None if value == "" else value
