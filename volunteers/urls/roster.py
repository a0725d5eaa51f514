from django.urls import path

from volunteers.views import roster

urlpatterns = [
    path("", roster.volunteer_list_view, name="volunteer-list"),
    path("tambah/", roster.volunteer_create_view, name="volunteer-create"),
    path("penugasan/", roster.assignment_list_view, name="assignment-list"),
    path("penugasan/tambah/", roster.assignment_create_view, name="assignment-create"),
    path("penugasan/<int:pk>/akhiri/", roster.assignment_end_view, name="assignment-end"),
    path("<int:pk>/", roster.volunteer_detail_view, name="volunteer-detail"),
    path("<int:pk>/ubah/", roster.volunteer_update_view, name="volunteer-update"),
    path("<int:pk>/keanggotaan/tambah/", roster.membership_create_view, name="membership-create"),
    path("<int:pk>/akun/", roster.volunteer_login_view, name="volunteer-login"),
]
