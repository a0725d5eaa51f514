"""Staff: a request's letter as PDF."""

from django.urls import path

from services.views import letters as views

urlpatterns = [
    path("permohonan/<int:pk>/surat.pdf", views.letter_pdf_view, name="letter-pdf"),
]
