from django.contrib import admin

from portal.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "area_name",
        "programme",
        "period_start",
        "period_end",
        "state",
        "created_at",
    ]
    list_filter = ["state"]
    search_fields = ["area_name", "area_code", "programme__name"]
    list_select_related = ["programme"]
    raw_id_fields = ["requested_by", "programme", "cohort"]
    readonly_fields = [
        "state",
        "progress",
        "stage",
        "error",
        "schedule_key",
        "created_at",
        "started_at",
        "finished_at",
        "pdf_file",
        "xlsx_file",
        "csv_file",
        "totals",
        "attention",
    ]

    def has_add_permission(self, request):
        # Reports are requested on the reports page or the API, which check the area.
        return False
