from django.urls import path

from villages import programme_views as views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list_view, name="programme-list"),
    path("tambah/", views.programme_create_view, name="programme-create"),
    path("indikator/", views.indicator_list_view, name="indicator-list"),
    path("indikator/tambah/", views.indicator_form_view, name="indicator-create"),
    path("indikator/<int:pk>/", views.indicator_form_view, name="indicator-update"),
    path("bukti/<int:pk>/", views.evidence_file_view, name="evidence-file"),
    path("<slug:slug>/", views.programme_detail_view, name="programme-detail"),
    path("<slug:slug>/tahapan/tambah/", views.milestone_create_view, name="milestone-create"),
    path("<slug:slug>/peserta/tambah/", views.enrolment_create_view, name="enrolment-create"),
    path(
        "<slug:slug>/peserta/<int:pk>/status/",
        views.enrolment_status_view,
        name="enrolment-status",
    ),
    path(
        "<slug:slug>/peserta/<int:pk>/tahapan/<int:milestone_pk>/",
        views.progress_update_view,
        name="progress-update",
    ),
]
