from django.urls import path

from volunteers.views import trainings as views

urlpatterns = [
    path("pelatihan/", views.training_list_view, name="training-list"),
    path("pelatihan/tambah/", views.training_create_view, name="training-create"),
    path("pelatihan/<int:pk>/", views.training_detail_view, name="training-detail"),
    path("pelatihan/<int:pk>/ubah/", views.training_update_view, name="training-update"),
    path("pelatihan/<int:pk>/daftar/", views.training_register_view, name="training-register"),
    path(
        "pelatihan/<int:pk>/kehadiran/",
        views.registration_attendance_view,
        name="registration-attendance",
    ),
    path(
        "pelatihan/pendaftaran/<int:pk>/batal/",
        views.registration_cancel_view,
        name="registration-cancel",
    ),
    path(
        "pelatihan/pendaftaran/<int:pk>/sertifikat/",
        views.certificate_issue_view,
        name="certificate-issue",
    ),
    path("pelatihan/sertifikat/<str:code>.pdf", views.certificate_pdf_view, name="certificate-pdf"),
]
