"""The reports pages under /laporan/."""

from django.urls import path

from portal.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list_view, name="report-list"),
    path("<int:pk>/", views.report_detail_view, name="report-detail"),
    path(
        "<int:pk>/unduh/<str:file_format>/",
        views.report_download_view,
        name="report-download",
    ),
]
