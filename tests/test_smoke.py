def test_login_page_is_swedish(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="sv"' in html and "Logga in" in html


def test_login_and_home(web, factory):
    user = factory.user("hr_officer")
    response = web.login(user.email, factory.password)
    assert response.status_code == 302
    home = web.client.get("/home")
    assert home.status_code == 200
    assert user.name in home.get_data(as_text=True)
