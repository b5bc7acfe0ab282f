"""The pages in French or English: the browser's language until the account chooses one."""

from __future__ import annotations

from clinic_shared.auth import Role

FRENCH = {"accept-language": "fr-FR,fr;q=0.9,en;q=0.8"}


async def test_a_french_browser_gets_the_sign_in_page_in_french(dashboard) -> None:
    page = await dashboard.client.get("/signin", headers=FRENCH)

    assert '<html lang="fr">' in page.text
    assert "Se connecter" in page.text
    assert "Mot de passe" in page.text
    english = await dashboard.client.get("/signin")
    assert '<html lang="en">' in english.text
    assert "Password" in english.text


async def test_the_account_choice_outlasts_the_browser_and_can_go_back_to_it(dashboard) -> None:
    csrf = await dashboard.sign_in_as(Role.RECEPTIONIST)
    french = await dashboard.client.get("/", headers=FRENCH)
    assert "Aujourd&#39;hui" in french.text or "Aujourd'hui" in french.text
    assert "Calendrier" in french.text
    assert "Se déconnecter" in french.text

    chosen = await dashboard.client.post(
        "/account/language",
        data={"language": "en", "csrf_token": csrf},
        headers={**FRENCH, "referer": "http://testserver/calendar?view=week"},
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/calendar?view=week", "back to the page it came from"
    english = await dashboard.client.get("/", headers=FRENCH)
    assert '<html lang="en">' in english.text
    assert ">Calendar</a>" in english.text
    assert "Calendrier" not in english.text

    await dashboard.client.post(
        "/account/language", data={"language": "", "csrf_token": csrf}, headers=FRENCH
    )
    assert ">Calendrier</a>" in (await dashboard.client.get("/", headers=FRENCH)).text


async def test_an_unknown_language_is_refused_naming_the_field_and_changes_nothing(
    dashboard,
) -> None:
    csrf = await dashboard.sign_in_as(Role.ADMIN)
    await dashboard.client.post("/account/language", data={"language": "fr", "csrf_token": csrf})

    refused = await dashboard.client.post(
        "/account/language", data={"language": "de", "csrf_token": csrf}
    )
    assert refused.status_code == 422
    assert "Choisissez une langue de la liste." in refused.text
    assert '<html lang="fr">' in (await dashboard.client.get("/")).text


async def test_the_language_form_needs_the_csrf_token_and_never_redirects_elsewhere(
    dashboard,
) -> None:
    csrf = await dashboard.sign_in_as(Role.PRACTITIONER)
    forged = await dashboard.client.post("/account/language", data={"language": "fr"})
    assert forged.status_code == 403
    assert '<html lang="en">' in (await dashboard.client.get("/")).text

    elsewhere = await dashboard.client.post(
        "/account/language",
        data={"language": "fr", "csrf_token": csrf},
        headers={"referer": "https://attacker.example/phish"},
    )
    assert elsewhere.headers["location"] == "/"
