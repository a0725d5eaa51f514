"""Public pages (no login): checking a letter by its verification code."""

from django.urls import path

from services.views import letters as views

app_name = "letters"

urlpatterns = [
    path("", views.letter_lookup_view, name="lookup"),
    path("<str:code>/", views.letter_verify_view, name="verify"),
]
