"""The request pages: the queue, filing, the request page and its POST transitions,
attachments, forwarded requests and compliance."""

from django.urls import path

from services.views import requests as views

# The transitions' paths, in Bahasa Indonesia like the rest of the site.
TRANSITION_PATHS = {
    "verify": "verifikasi",
    "process": "proses",
    "ready": "siap",
    "complete": "selesai",
    "resubmit": "ajukan-ulang",
    "receive": "terima-kembali",
    "forward": "teruskan",
    "return": "kembalikan",
    "reject": "tolak",
    "cancel": "batalkan",
}

urlpatterns = [
    path("", views.request_list_view, name="request-list"),
    path("ajukan/", views.request_create_view, name="request-create"),
    path("permohonan/<int:pk>/", views.request_detail_view, name="request-detail"),
    path(
        "permohonan/<int:pk>/tanda-terima/",
        views.request_receipt_view,
        name="request-receipt",
    ),
    path("permohonan/<int:pk>/nik/", views.request_reveal_nik_view, name="request-reveal-nik"),
    *(
        path(f"permohonan/<int:pk>/{TRANSITION_PATHS[name]}/", view, name=f"request-{name}")
        for name, view in views.request_transition_views.items()
    ),
    path(
        "permohonan/<int:pk>/lampiran/",
        views.attachment_add_view,
        name="attachment-add",
    ),
    path(
        "permohonan/<int:pk>/lampiran/<int:attachment_pk>/",
        views.attachment_download_view,
        name="attachment-download",
    ),
    path("kepatuhan/", views.compliance_view, name="compliance"),
    path("diteruskan/", views.forwarded_view, name="forwarded"),
]
