from django.contrib import admin

from villages.models import District, Province, Regency, RoleAssignment, Village


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
