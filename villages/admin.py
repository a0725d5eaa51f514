from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from villages.models import (
    Assessment,
    AssessmentScore,
    Cohort,
    District,
    Enrolment,
    IdmScore,
    IdmStatus,
    Indicator,
    Milestone,
    Programme,
    Province,
    Regency,
    RoleAssignment,
    Village,
    VillageProfile,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province")
    list_select_related = ("province",)
    search_fields = ("code", "name")


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "regency")
    list_select_related = ("regency",)
    search_fields = ("code", "name")


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "district")
    list_filter = ("kind",)
    list_select_related = ("district",)
    search_fields = ("code", "name")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "regency", "district", "village", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "regency", "district", "village")
    autocomplete_fields = ("user", "regency", "district", "village")
    search_fields = ("user__username", "user__full_name")


# Village profiles (with their change history) and IDM.


@admin.register(VillageProfile)
class VillageProfileAdmin(SimpleHistoryAdmin):
    list_display = ("village", "population", "connectivity", "updated_at", "updated_by")
    list_filter = ("connectivity", "internet_sambung_desa")
    list_select_related = ("village", "updated_by")
    search_fields = ("village__code", "village__name")
    raw_id_fields = ("village",)
    readonly_fields = ("updated_by",)


@admin.register(IdmStatus)
class IdmStatusAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "max_score")


@admin.register(IdmScore)
class IdmScoreAdmin(admin.ModelAdmin):
    list_display = ("village", "year", "score")
    list_filter = ("year",)
    list_select_related = ("village",)
    search_fields = ("village__code", "village__name")
    raw_id_fields = ("village",)


# Programmes and scorecards.


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "owner_agency", "regency", "starts_on", "ends_on")
    list_select_related = ("regency",)
    search_fields = ("name", "slug", "owner_agency")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (CohortInline, MilestoneInline)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("village", "programme", "cohort", "status", "enrolled_on")
    list_filter = ("status", "programme")
    list_select_related = ("village", "programme", "cohort")
    search_fields = ("village__code", "village__name")
    raw_id_fields = ("village", "baseline")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "dimension", "max_score", "order", "is_active")
    list_filter = ("dimension", "is_active")
    search_fields = ("code", "name")


class AssessmentScoreInline(admin.TabularInline):
    model = AssessmentScore
    extra = 0
    raw_id_fields = ("indicator",)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("village", "assessed_on", "assessor", "programme")
    list_select_related = ("village", "assessor", "programme")
    search_fields = ("village__code", "village__name")
    raw_id_fields = ("village", "assessor")
    inlines = (AssessmentScoreInline,)
