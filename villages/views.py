"""The region browser: kabupaten -> kecamatan -> desa, each page showing what the user may see.

Every queryset starts from `visible_to(user)`, so a region outside the user's areas is a 404, and
counts are subqueries, so a page costs the same number of queries for 1 row or 500.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.views.generic import DetailView, ListView

from villages.models import District, Regency, Village


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


class VillageDetailView(LoginRequiredMixin, DetailView):
    template_name = "villages/village_detail.html"
    context_object_name = "village"

    def get_queryset(self):
        return Village.objects.visible_to(self.request.user).select_related(
            "district__regency__province"
        )
