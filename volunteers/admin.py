"""The volunteers app in the admin: corps and their levels are data that administrators keep;
the rest is for looking up and correcting records (day-to-day work happens on the pages)."""

from django.contrib import admin

from volunteers.models import (
    Assignment,
    Corps,
    CorpsLevel,
    Membership,
    Registration,
    Training,
    Visit,
    VisitEvent,
    VisitPhoto,
    Volunteer,
)


class CorpsLevelInline(admin.TabularInline):
    model = CorpsLevel
    extra = 0


@admin.register(Corps)
class CorpsAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "organiser")
    search_fields = ("name", "code")
    inlines = [CorpsLevelInline]


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("appointing_village",)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ("full_name", "district", "status", "whatsapp", "user")
    list_filter = ("status", "memberships__corps")
    list_select_related = ("district", "user")
    search_fields = ("full_name", "whatsapp", "email")
    autocomplete_fields = ("district", "home_village", "user")
    inlines = [MembershipInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("volunteer", "village", "programme", "role", "starts_on", "ends_on")
    list_filter = ("role", "programme")
    list_select_related = ("volunteer", "village", "programme")
    autocomplete_fields = ("volunteer", "village")
    search_fields = ("volunteer__full_name", "village__name", "village__code")


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    autocomplete_fields = ("volunteer",)
    readonly_fields = ("certificate_code", "completed_at")


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organiser", "regency", "starts_on", "ends_on", "capacity")
    list_filter = ("kind", "corps")
    list_select_related = ("regency",)
    search_fields = ("title", "organiser", "place")
    inlines = [RegistrationInline]


class VisitEventInline(admin.TabularInline):
    model = VisitEvent
    extra = 0
    can_delete = False
    readonly_fields = ("actor", "from_status", "to_status", "note", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


class VisitPhotoInline(admin.TabularInline):
    model = VisitPhoto
    extra = 0
    can_delete = False
    fields = ("image", "width", "height", "size_bytes", "exif_latitude", "exif_longitude")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("village", "visited_on", "volunteer", "status", "position_check")
    list_filter = ("status", "position_check")
    list_select_related = ("village", "volunteer")
    search_fields = ("volunteer__full_name", "village__name", "village__code")
    date_hierarchy = "visited_on"
    autocomplete_fields = ("volunteer", "village", "assignment")
    readonly_fields = ("position_check", "distance_km", "client_id", "submitted_at", "reviewed_at")
    inlines = [VisitPhotoInline, VisitEventInline]
