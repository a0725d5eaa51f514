from django.urls import path

from villages import programme_views, views

app_name = "villages"

urlpatterns = [
    path("", views.RegencyListView.as_view(), name="regency-list"),
    path("kabupaten/<str:pk>/", views.RegencyDetailView.as_view(), name="regency-detail"),
    path("kecamatan/<str:pk>/", views.DistrictDetailView.as_view(), name="district-detail"),
    path("desa/", views.VillageListView.as_view(), name="village-list"),
    path("desa/unduh.csv", views.VillageCsvView.as_view(), name="village-csv"),
    path("desa/<str:pk>/", views.VillageDetailView.as_view(), name="village-detail"),
    path(
        "desa/<str:pk>/profil/",
        views.VillageProfileUpdateView.as_view(),
        name="village-profile-update",
    ),
    path(
        "desa/<str:code>/penilaian/tambah/",
        programme_views.assessment_create_view,
        name="assessment-create",
    ),
]
