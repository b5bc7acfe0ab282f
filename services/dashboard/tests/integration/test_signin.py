from __future__ import annotations

from clinic_shared.auth import Role

from .conftest import csrf_of


async def test_signing_in_with_the_right_password_opens_today(dashboard) -> None:
    response = await dashboard.sign_in("Reception@Clinic.example ", "demo-reception-2026")

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = await dashboard.client.get("/")
    assert "Rita Reception" in page.text
    assert "Sign out" in page.text


async def test_a_wrong_password_is_shown_beside_the_password_field(dashboard) -> None:
    response = await dashboard.sign_in("reception@clinic.example", "not-the-password")

    assert response.status_code == 401
    assert 'id="e-password"' in response.text
    assert "do not match an active account" in response.text
    assert (await dashboard.client.get("/")).status_code == 303


async def test_pages_send_a_visitor_who_is_not_signed_in_to_sign_in(dashboard) -> None:
    response = await dashboard.client.get("/")

    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


async def test_signing_out_ends_the_session(dashboard) -> None:
    token = await dashboard.sign_in_as(Role.ADMIN)
    cookie = dashboard.client.cookies["clinic_session"]

    await dashboard.client.post("/signout", data={"csrf_token": token})

    dashboard.client.cookies.set("clinic_session", cookie)
    assert (await dashboard.client.get("/")).status_code == 303


async def test_a_service_that_is_down_shows_a_banner_not_a_stack_trace(dashboard) -> None:
    await dashboard.sign_in_as(Role.RECEPTIONIST)

    response = await dashboard.client.get(
        "/agenda/sessions", params={"day": "2026-12-01"}, headers={"HX-Request": "true"}
    )

    assert response.headers["HX-Retarget"] == "#banner"
    assert "The appointments service is not answering" in response.text
    assert "Traceback" not in response.text


async def test_the_sign_in_form_carries_a_csrf_token(dashboard) -> None:
    page = await dashboard.client.get("/signin")

    assert csrf_of(page.text)
