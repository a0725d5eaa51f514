from django.urls import path

from services.views import catalogue as views

urlpatterns = [
    path("katalog/", views.service_type_list_view, name="service-type-list"),
    path("katalog/tambah/", views.service_type_form_view, name="service-type-create"),
    path("katalog/<int:pk>/", views.service_type_form_view, name="service-type-update"),
    path("katalog/desa/<str:code>/", views.village_services_view, name="village-services"),
]
