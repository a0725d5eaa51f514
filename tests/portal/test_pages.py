"""The HTML shell: language, sign-in and account pages, error pages, home page, navigation."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import permission_denied, server_error

from tests.factories import RegencyFactory, UserFactory, grant
from villages.models import Role

PASSWORD = "rahasia-desa-2026"


def log_in(client, username, password=PASSWORD):
    # A real POST to the login view: django-axes counts failures there (client.login bypasses it).
    return client.post(reverse("login"), {"username": username, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# Language


@pytest.mark.django_db
def test_the_login_page_is_in_indonesian_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "<h1>Masuk</h1>" in html
    assert "Kata sandi" in html
    assert "Lupa kata sandi?" in html


@pytest.mark.django_db
def test_the_language_switcher_turns_the_login_page_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")

    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert "Forgot your password?" in html
    assert "Kata sandi" not in html


@pytest.mark.django_db
def test_every_page_offers_the_language_switcher_posting_to_set_language(client):
    html = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert 'name="language" value="id"' in html
    assert 'name="language" value="en"' in html


# Logging in and out


def test_the_right_password_logs_in_and_lands_on_the_home_page(client, secretary):
    response = log_in(client, "secretary")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_logged_in(client)


def test_a_wrong_password_is_refused_with_an_indonesian_message(client, secretary):
    response = log_in(client, "secretary", "salah-sekali")
    assert response.status_code == 200
    assert not is_logged_in(client)
    assert "Masukkan nama pengguna dan kata sandi yang benar." in response.content.decode()


def test_fewer_failures_than_the_limit_do_not_lock_the_account(client, secretary):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "secretary", "salah-sekali")
    response = log_in(client, "secretary")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_too_many_failures_lock_the_account_even_for_the_right_password(client, secretary):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "secretary", "salah-sekali")

    response = log_in(client, "secretary")

    assert response.status_code == 429
    assert not is_logged_in(client)
    html = response.content.decode()
    assert "<h1>Akun dikunci</h1>" in html
    assert "Setelah 5 kali gagal masuk, akun ini dikunci selama satu jam." in html


def test_a_lockout_does_not_touch_another_account(client, secretary, outsider):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "secretary", "salah-sekali")
    response = log_in(client, "outsider")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_logging_out_is_a_post_that_ends_the_session(client, secretary):
    client.force_login(secretary)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not is_logged_in(client)


# Password change and reset


def test_a_user_changes_their_password(client, secretary):
    client.force_login(secretary)
    page = client.get(reverse("password_change"))
    assert "Kata sandi lama" in page.content.decode()

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "sawah-hijau-baru-77",
            "new_password2": "sawah-hijau-baru-77",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    secretary.refresh_from_db()
    assert secretary.check_password("sawah-hijau-baru-77")
    assert "Kata sandi Anda sudah diubah" in client.get(response["Location"]).content.decode()


def test_a_password_change_with_a_wrong_old_password_is_refused(client, secretary):
    client.force_login(secretary)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "bukan-ini",
            "new_password1": "sawah-hijau-baru-77",
            "new_password2": "sawah-hijau-baru-77",
        },
    )
    assert response.status_code == 200
    assert "Kata sandi lama Anda salah." in response.content.decode()
    secretary.refresh_from_db()
    assert secretary.check_password(PASSWORD)


def test_a_password_reset_mails_an_indonesian_link_that_sets_a_new_password(
    client, secretary, mailoutbox
):
    response = client.post(reverse("password_reset"), {"email": secretary.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [secretary.email]
    assert mail.subject == "Atur ulang kata sandi Portal Desa Cerdas Anda"
    assert f"Halo {secretary}," in mail.body
    assert "Nama pengguna Anda: secretary" in mail.body
    link = re.search(r"http://testserver(/akun/reset/\S+/)", mail.body).group(1)

    # Django swaps the token in the link for one kept in the session, then shows the form.
    form_page = client.get(link, follow=True)
    assert "Buat kata sandi baru" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "sawah-hijau-baru-77", "new_password2": "sawah-hijau-baru-77"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")

    assert log_in(client, "secretary", "sawah-hijau-baru-77").status_code == 302
    assert is_logged_in(client)


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client, secretary, mailoutbox
):
    response = client.post(
        reverse("password_reset"), {"email": "tidak-ada@example.org"}, follow=True
    )
    assert mailoutbox == []
    assert "Periksa email Anda" in response.content.decode()


def test_a_used_reset_link_is_refused_in_indonesian(client, secretary, mailoutbox):
    client.post(reverse("password_reset"), {"email": secretary.email})
    link = re.search(r"http://testserver(/akun/reset/\S+/)", mailoutbox[0].body).group(1)
    secretary.set_password("sudah-diganti-lain-88")
    secretary.save()

    html = client.get(link, follow=True).content.decode()
    assert "Tautan ini tidak berlaku lagi" in html


# Error pages


def test_an_out_of_scope_village_gets_the_indonesian_404_page(client, official, regions):
    client.force_login(official)
    response = client.get(reverse("villages:village-detail", args=[regions.far_village.code]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Halaman tidak ditemukan</h1>" in html
    assert regions.far_village.name not in html


def test_an_unknown_address_gets_the_404_page_with_the_navigation(client, secretary):
    client.force_login(secretary)
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Halaman tidak ditemukan</h1>" in html
    assert f'href="{reverse("villages:regency-list")}"' in html


@pytest.mark.django_db
def test_the_403_page_is_in_indonesian():
    request = RequestFactory().get("/")
    request.user = UserFactory()
    with translation.override("id"):
        response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "<h1>Akses ditolak</h1>" in response.content.decode()


def test_the_500_page_renders_without_context_in_indonesian():
    request = RequestFactory().get("/")
    with translation.override("id"):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Terjadi kesalahan</h1>" in html
    assert 'href="/"' in html


# Home page and navigation


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.parametrize(
    ("persona", "role_label", "area_name", "area_url"),
    [
        ("official", "Pejabat kabupaten", "KABUPATEN BLITAR", "/wilayah/kabupaten/35.05/"),
        ("officer", "Petugas kecamatan", "Kecamatan Wonodadi", "/wilayah/kecamatan/35.05.01/"),
        ("secretary", "Sekretaris desa", "Jaten", "/wilayah/desa/35.05.01.2001/"),
        ("outsider", "Sekretaris desa", "Bakung", "/wilayah/desa/35.05.02.2001/"),
    ],
)
def test_the_home_page_lists_the_users_role_and_links_its_area(
    client, request, persona, role_label, area_name, area_url
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert f"Selamat datang, {user}" in html
    assert f"<strong>{role_label}</strong>" in html
    assert f'<a href="{area_url}">{area_name}</a>' in html


def test_the_home_page_shows_only_the_users_own_roles(client, secretary, outsider, official):
    client.force_login(secretary)
    html = client.get(reverse("home")).content.decode()
    assert "Jaten" in html
    assert "Bakung" not in html
    assert "Pejabat kabupaten" not in html


def test_the_home_page_says_a_volunteer_has_no_area_of_their_own(client, volunteer):
    client.force_login(volunteer)
    html = client.get(reverse("home")).content.decode()
    assert "<strong>Relawan</strong>" in html
    assert "desa Anda mengikuti penugasan Anda." in html


def test_the_home_page_tells_an_administrator_they_see_all_regions(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("home")).content.decode()
    assert "Anda melihat semua wilayah." in html
    assert "Anda belum punya peran." not in html


def test_the_home_page_tells_a_user_without_role_to_ask_for_one(client, db):
    client.force_login(UserFactory())
    assert "Anda belum punya peran." in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("extra_regencies", [0, 20])
def test_the_home_page_costs_the_same_queries_for_one_role_or_many(
    client, official, regions, django_assert_max_num_queries, extra_regencies
):
    for number in range(extra_regencies):
        grant(official, Role.DISTRICT_OFFICIAL, RegencyFactory(code=f"35.{20 + number}"))
    client.force_login(official)
    # session, user, the roles with their areas, the roles for the navigation
    with django_assert_max_num_queries(4):
        response = client.get(reverse("home"))
    assert response.content.decode().count("Pejabat kabupaten</strong>") == 1 + extra_regencies


def test_the_home_page_with_its_stylesheet_stays_under_30_kb(client, official):
    client.force_login(official)
    html = client.get(reverse("home")).content
    with open(finders.find("css/portal.css"), "rb") as stylesheet:
        css = stylesheet.read()
    assert len(html) + len(css) < 30 * 1024


@pytest.mark.parametrize("persona", ["official", "officer", "secretary", "volunteer", "outsider"])
def test_the_navigation_shows_regions_and_account_links_but_no_admin_link(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("villages:regency-list")}"' in html
    assert f'href="{reverse("password_change")}"' in html
    assert f'<form method="post" action="{reverse("logout")}">' in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_the_navigation_names_the_users_roles(client, secretary, regions):
    grant(secretary, Role.VOLUNTEER)
    client.force_login(secretary)
    html = client.get(reverse("home")).content.decode()
    assert re.search(r'<span class="roles">\s*Sekretaris desa, Relawan\s*</span>', html)


def test_the_navigation_shows_the_admin_link_to_administrators(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("admin:index")}">Administrasi</a>' in html


def test_the_admin_site_refuses_a_staff_user_who_is_not_an_administrator(client, db):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_site_admits_an_administrator(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
