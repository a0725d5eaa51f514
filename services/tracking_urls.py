"""Public pages (no login): tracking a request by its code."""

from django.urls import path

from services.views import tracking as views

app_name = "tracking"

urlpatterns = [
    path("", views.tracking_lookup_view, name="lookup"),
    path("<str:code>/", views.tracking_detail_view, name="detail"),
]
