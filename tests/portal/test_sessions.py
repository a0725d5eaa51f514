"""Sessions are read from the cache and written through to the database."""

import pytest


@pytest.mark.django_db
def test_a_session_read_from_the_cache_ends_at_logout(client, official, regions):
    client.force_login(official)
    session_key = client.cookies["sessionid"].value
    assert client.get("/dasbor/").status_code == 200
    client.post("/akun/logout/")
    client.cookies["sessionid"] = session_key  # an old cookie, replayed
    assert client.get("/dasbor/").status_code == 302
