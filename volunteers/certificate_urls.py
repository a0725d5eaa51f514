"""Public pages that check a training certificate by its code (no login)."""

from django.urls import path

from volunteers.views import trainings as views

app_name = "certificates"

urlpatterns = [
    path("", views.certificate_lookup_view, name="lookup"),
    path("<str:code>/", views.certificate_verify_view, name="verify"),
]
