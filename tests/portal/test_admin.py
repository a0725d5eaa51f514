"""The admin site works for every registered model and admits only administrators."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda model: model._meta.label_lower
)
def test_every_admin_changelist_and_add_page_opens_for_an_administrator(
    client, admin_user, regions, model
):
    client.force_login(admin_user)
    info = (model._meta.app_label, model._meta.model_name)
    assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    request = RequestFactory().get("/")
    request.user = admin_user
    if admin.site._registry[model].has_add_permission(request):
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200


def test_a_staff_user_who_is_not_an_administrator_is_sent_to_the_admin_login(client, regions):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
