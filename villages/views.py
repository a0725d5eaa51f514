"""The region browser: kabupaten -> kecamatan -> desa, each page showing what the user may see.

Every queryset starts from `visible_to(user)`, so a region outside the user's areas is a 404, and
counts are subqueries, so a page costs the same number of queries for 1 row or 500.
"""

import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView, ListView

from villages.actions.profiles import record_idm_score, update_village_profile
from villages.forms import IdmScoreForm, VillageProfileForm
from villages.models import District, Regency, Village, VillageKind, VillageProfile
from villages.permissions import can_edit_village_profile
from villages.selectors.maps import village_map_context
from villages.selectors.profiles import (
    VillageListFilter,
    idm_history,
    profile_changes,
    village_list,
    with_programme_names,
)
from villages.selectors.programmes import village_programme_context


def _visible_count(model, user, parent_field):
    """A subquery counting the rows of `model` the user may see under the outer region."""
    rows = (
        model.objects.visible_to(user)
        .filter(**{parent_field: OuterRef("pk")})
        .order_by()
        .values(parent_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class RegencyListView(LoginRequiredMixin, ListView):
    template_name = "villages/regency_list.html"
    context_object_name = "regencies"
    paginate_by = 50

    def get_queryset(self):
        regencies = Regency.objects.visible_to(self.request.user).select_related("province")
        if query := self.search_query:
            # A name fragment ("blitar") or the start of a Kemendagri code ("35.05").
            regencies = regencies.filter(Q(name__icontains=query) | Q(code__startswith=query))
        return regencies.annotate(
            district_count=_visible_count(District, self.request.user, "regency")
        )

    @property
    def search_query(self) -> str:
        return self.request.GET.get("q", "").strip()[:100]

    def get_context_data(self, **kwargs):
        return super().get_context_data(search_query=self.search_query, **kwargs)


class RegencyDetailView(LoginRequiredMixin, DetailView):
    template_name = "villages/regency_detail.html"
    context_object_name = "regency"

    def get_queryset(self):
        return Regency.objects.visible_to(self.request.user).select_related("province")

    def get_context_data(self, **kwargs):
        user = self.request.user
        districts = (
            District.objects.visible_to(user)
            .filter(regency=self.object)
            .annotate(village_count=_visible_count(Village, user, "district"))
        )
        return super().get_context_data(districts=districts, **kwargs)


class DistrictDetailView(LoginRequiredMixin, DetailView):
    template_name = "villages/district_detail.html"
    context_object_name = "district"

    def get_queryset(self):
        return District.objects.visible_to(self.request.user).select_related("regency__province")

    def get_context_data(self, **kwargs):
        villages = Village.objects.visible_to(self.request.user).filter(district=self.object)
        return super().get_context_data(villages=villages, **kwargs)


class VillageListView(LoginRequiredMixin, ListView):
    """Every village the user may see, filtered; the latest IDM status comes from subqueries."""

    template_name = "villages/village_list.html"
    context_object_name = "villages"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = VillageListFilter(
            self.request.GET or None,
            queryset=village_list(user=self.request.user),
            request=self.request,
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            # Ignoring a filter the user asked for would show a wrong list: show none, and why.
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


# Stable, machine-readable headers: spreadsheets and scripts key on them, whatever the language.
CSV_COLUMNS = [
    "code",
    "name",
    "kind",
    "kecamatan",
    "kabupaten",
    "population",
    "connectivity",
    "idm_year",
    "idm_score",
    "idm_status",
    "programmes",
]


class _Echo:
    """A file-like object whose `write` hands the line back, for streaming csv.writer output."""

    def write(self, value):
        return value


class VillageCsvView(LoginRequiredMixin, View):
    """The village list with the page's filters, streamed as CSV (the whole registry fits)."""

    def get(self, request):
        filterset = VillageListFilter(
            request.GET or None,
            queryset=with_programme_names(village_list(user=request.user)),
            request=request,
        )
        if filterset.is_bound and not filterset.is_valid():
            errors = "\n".join(
                f"{name}: {' '.join(problems)}" for name, problems in filterset.errors.items()
            )
            return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
        writer = csv.writer(_Echo())
        kinds = dict(VillageKind.choices)

        def rows():
            yield writer.writerow(CSV_COLUMNS)
            for village in filterset.qs.iterator(chunk_size=2000):
                profile = _profile_or_none(village)
                yield writer.writerow(
                    [
                        village.code,
                        village.name,
                        kinds.get(village.kind, village.kind),
                        village.district.name,
                        village.district.regency.name,
                        _blank(profile and profile.population),
                        profile.get_connectivity_display() if profile else "",
                        _blank(village.latest_idm_year),
                        _blank(village.latest_idm_score),
                        _blank(village.latest_idm_status_name),
                        _blank(village.programme_names),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="desa.csv"'
        return response


def _blank(value):
    return "" if value is None else value


def _profile_or_none(village: Village) -> VillageProfile | None:
    try:
        return village.profile
    except VillageProfile.DoesNotExist:
        return None


class VillageDetailView(LoginRequiredMixin, DetailView):
    template_name = "villages/village_detail.html"
    context_object_name = "village"

    def get_queryset(self):
        return Village.objects.visible_to(self.request.user).select_related(
            "district__regency__province", "profile"
        )

    def get_context_data(self, **kwargs):
        village, user = self.object, self.request.user
        profile = _profile_or_none(village)
        can_edit = can_edit_village_profile(user, village)
        social = ("facebook", "instagram", "youtube", "tiktok")
        return super().get_context_data(
            profile=profile,
            profile_social_links=[
                getattr(profile, name) for name in social if profile and getattr(profile, name)
            ],
            can_edit_profile=can_edit,
            idm_scores=idm_history(village=village),
            profile_changes=profile_changes(village=village, show_contacts=can_edit),
            **village_map_context(village=village),
            **village_programme_context(user=user, village=village),
            **kwargs,
        )


IDM_PREFIX = "idm"


class VillageProfileUpdateView(LoginRequiredMixin, View):
    """Edit a village's profile and record its IDM scores: 404 outside the user's area, 403 for
    those who may see the village but not change it."""

    template_name = "villages/village_profile_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.village = get_object_or_404(
            Village.objects.visible_to(request.user).select_related("district__regency"),
            pk=kwargs["pk"],
        )
        if not can_edit_village_profile(request.user, self.village):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.render(
            profile_form=self.profile_form(), idm_form=IdmScoreForm(prefix=IDM_PREFIX)
        )

    def post(self, request, pk):
        if f"{IDM_PREFIX}-score" in request.POST:
            return self.post_idm_score(request)
        form = self.profile_form(data=request.POST)
        if form.is_valid():
            try:
                update_village_profile(village=self.village, actor=request.user, **form.changes())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("The village profile was saved."))
                return redirect("villages:village-detail", self.village.pk)
        return self.render(profile_form=form, idm_form=IdmScoreForm(prefix=IDM_PREFIX), status=400)

    def post_idm_score(self, request):
        form = IdmScoreForm(data=request.POST, prefix=IDM_PREFIX)
        if form.is_valid():
            try:
                record_idm_score(village=self.village, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("The IDM score was saved."))
                return redirect("villages:village-detail", self.village.pk)
        return self.render(profile_form=self.profile_form(), idm_form=form, status=400)

    def profile_form(self, data=None) -> VillageProfileForm:
        profile = _profile_for_form(self.village)
        return VillageProfileForm(data=data, instance=profile, prefix="profile")

    def render(self, *, status=200, **context):
        return render(
            self.request,
            self.template_name,
            {"village": self.village, **context},
            status=status,
        )


def _profile_for_form(village: Village) -> VillageProfile:
    return VillageProfile.objects.filter(village=village).first() or VillageProfile(village=village)
