from django.urls import path

from villages import views

app_name = "villages"

urlpatterns = [
    path("", views.RegencyListView.as_view(), name="regency-list"),
    path("kabupaten/<str:pk>/", views.RegencyDetailView.as_view(), name="regency-detail"),
    path("kecamatan/<str:pk>/", views.DistrictDetailView.as_view(), name="district-detail"),
    path("desa/<str:pk>/", views.VillageDetailView.as_view(), name="village-detail"),
]
