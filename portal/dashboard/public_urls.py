"""Public pages (no login): the programme in numbers per kabupaten."""

from django.urls import path

from portal.dashboard import views

app_name = "public"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<str:code>/", views.public_regency, name="regency"),
    path("<str:code>/peta/", views.public_regency_map, name="regency-map"),
]
