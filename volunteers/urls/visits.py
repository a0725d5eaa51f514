from django.urls import path

from volunteers.views import visits as views

urlpatterns = [
    path("saya/", views.my_visits_view, name="my-visits"),
    path("kunjungan/", views.visit_list_view, name="visit-list"),
    path("kunjungan/baru/", views.visit_create_view, name="visit-create"),
    path("kunjungan/tinjau/", views.visit_review_view, name="visit-review"),
    path("kunjungan/<int:pk>/", views.visit_detail_view, name="visit-detail"),
    path("kunjungan/<int:pk>/ubah/", views.visit_update_view, name="visit-update"),
    path("kunjungan/<int:pk>/ajukan/", views.visit_submit_view, name="visit-submit"),
    path("kunjungan/<int:pk>/verifikasi/", views.visit_verify_view, name="visit-verify"),
    path("kunjungan/<int:pk>/kembalikan/", views.visit_return_view, name="visit-return"),
    path("kunjungan/<int:pk>/foto/", views.visit_photo_add_view, name="visit-photo-add"),
    path("kunjungan/<int:pk>/foto/<int:photo_pk>/", views.visit_photo_view, name="visit-photo"),
    path(
        "kunjungan/<int:pk>/foto/<int:photo_pk>/hapus/",
        views.visit_photo_remove_view,
        name="visit-photo-remove",
    ),
]
