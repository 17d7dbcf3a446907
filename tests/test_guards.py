"""Input no database accepts is refused in the user's language, the same on SQLite and PostgreSQL."""
import pytest

from webapp.auth.models import Role
from webapp.extensions import db

HX = {"HX-Request": "true", "Accept-Language": "zh-CN"}
NUL_REFUSED = "空字符"


@pytest.mark.parametrize("url", ["/shop/search?q=a%00b", "/shop/orders/%00", "/shop/?x%00=1", "/login%00"])
def test_a_nul_byte_in_a_url_is_a_clear_400_not_a_server_error(client, url):
    response = client.get(url, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    assert NUL_REFUSED in response.get_data(as_text=True)


def test_a_nul_byte_in_a_form_is_refused_as_a_toast_and_nothing_is_saved(client, make_store, make_user, login):
    store = make_store()
    login(make_user(Role.HQ_ADMIN))
    response = client.post(f"/admin/stores/{store.id}", data={"code": store.code, "name": "新\x00名"}, headers=HX)
    assert response.status_code == 400
    assert NUL_REFUSED in response.get_data(as_text=True) and response.headers["HX-Retarget"] == "#toasts"
    db.session.expire_all()
    assert "\x00" not in store.name


def test_a_nul_byte_in_the_shops_sign_in_is_a_clear_400(client):
    response = client.post("/shop/account/sign-in", data={"phone": "1380013800\x00", "password": "x"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
