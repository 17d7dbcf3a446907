"""What every page shares: the language, CSRF, error pages that also work for htmx."""
from webapp.auth.models import Role
from webapp.extensions import db


def test_the_browser_language_chooses_the_interface(client):
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)


def test_chinese_is_the_default_when_the_browser_says_nothing_we_speak(client):
    assert "登录" in client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_the_users_choice_is_remembered_across_sign_in(client, make_user):
    user = make_user(Role.HQ_ADMIN, username="lang")
    db.session.commit()
    client.post("/locale", data={"locale": "en"}, headers={"Accept-Language": "zh-CN"})
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    client.post("/login", data={"username": "lang", "password": "secret-pass-1"})
    db.session.expire_all()
    assert db.session.get(type(user), user.id).locale == "en"
    # a new browser session of the same user still gets English
    fresh = client.application.test_client()
    fresh.post("/login", data={"username": "lang", "password": "secret-pass-1"}, headers={"Accept-Language": "zh-CN"})
    assert "Sign out" in fresh.get("/admin/products/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_an_unknown_language_is_refused(client):
    assert client.post("/locale", data={"locale": "xx"}).status_code == 400


def test_a_missing_page_says_so_in_the_users_language(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_an_htmx_request_gets_its_error_as_a_toast(client):
    response = client.get("/no-such-page", headers={"HX-Request": "true", "Accept-Language": "en"})
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#toasts"
    body = response.get_data(as_text=True)
    assert 'class="toast error"' in body and "<html" not in body


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(app, client, make_user, make_store, login):
    store = make_store(name="原名店")
    login(make_user(Role.HQ_ADMIN, username="csrf"))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": "csrf", "password": "secret-pass-1"},
                               headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
        response = client.post(f"/admin/stores/{store.id}", data={"code": store.code, "name": "改名店", "kind": "direct"},
                               headers={"HX-Request": "true"})
        assert response.status_code == 400 and response.headers["HX-Retarget"] == "#toasts"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(type(store), store.id).name == "原名店"


def test_an_htmx_post_with_the_csrf_header_is_accepted(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        response = client.post("/locale", data={"locale": "en"},
                               headers={"HX-Request": "true", "X-CSRFToken": token})
        assert response.status_code == 204 and "HX-Location" in response.headers
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_each_role_lands_where_it_works(client, make_user, make_store, login):
    welcome = client.get("/").get_data(as_text=True)
    assert 'href="/shop/"' in welcome and 'href="/login"' in welcome  # a visitor: the shop or the staff sign-in
    assert client.get("/admin").location.startswith("/login")
    store = make_store()
    for role, landing in ((Role.HQ_ADMIN, "/manage/"), (Role.STORE_MANAGER, "/manage/"),
                          (Role.FRANCHISEE, "/manage/"), (Role.CASHIER, "/pos/"), (Role.CUSTOMER, "/shop/")):
        login(make_user(role, stores=[store] if role not in (Role.HQ_ADMIN, Role.CUSTOMER) else []))
        assert client.get("/").location.endswith(landing), role
        client.post("/logout")


def test_admin_opens_the_back_office_home_for_hq_only(client, make_user, make_store, login):
    login(make_user(Role.HQ_ADMIN))
    assert "/admin/products/" in client.get("/admin").get_data(as_text=True)
    assert client.get("/admin/").status_code == 200
    client.post("/logout")
    login(make_user(Role.STORE_MANAGER, stores=[make_store()]))
    assert client.get("/admin").status_code == 403


def test_absurd_ids_and_pages_are_not_found_rather_than_a_crash(client, make_user, login):
    login(make_user(Role.HQ_ADMIN))
    assert client.get("/admin/products/99999999999999999999").status_code == 404
    assert client.get("/stock/stores/99999999999999999999").status_code == 404
    assert client.get("/admin/products/?page=99999999999999999999&category=99999999999999999999").status_code == 200
    assert client.get("/admin/products/?page=-3").status_code == 200
