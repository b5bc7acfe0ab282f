"""Signing in, roles, CSRF and the admin's settings, in the browser."""

from __future__ import annotations

from playwright.async_api import expect

from clinic_shared.auth import Role

from .conftest import demo_account, screenshot, sign_in


async def test_a_wrong_password_shows_an_error_beside_the_field(stack, browser) -> None:
    page = await browser.new_page(
        base_url=stack.dashboard_url, viewport={"width": 768, "height": 1024}
    )
    await page.goto("/")
    await expect(page).to_have_url(f"{stack.dashboard_url}/signin")
    await screenshot(page, "signin")

    email, _ = demo_account(Role.RECEPTIONIST)
    await sign_in(page, email, "not-my-password")

    error = page.locator("#e-password")
    await expect(error).to_have_text("That email and password do not match an active account.")
    await expect(page.get_by_label("Password")).to_have_attribute("aria-describedby", "e-password")
    await screenshot(page, "signin-wrong-password")


async def test_a_practitioner_cannot_open_settings(signed_in) -> None:
    page = await signed_in(Role.PRACTITIONER)

    await expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    response = await page.goto("/settings/staff")

    assert response is not None
    assert response.status == 403
    await expect(page.locator("#banner")).to_contain_text("Your role does not give access")


async def test_the_admin_adds_a_room_sets_hours_and_changes_the_reminder_policy(
    signed_in,
) -> None:
    page = await signed_in(Role.ADMIN)
    await page.get_by_role("link", name="Settings").click()
    await screenshot(page, "settings-staff")
    await page.get_by_role("link", name="Practitioners and rooms").click()

    await page.get_by_label("New room's name").fill("Room 3")
    await page.get_by_role("button", name="Add the room").click()
    await expect(page.get_by_role("status")).to_have_text("The room is added.")
    await expect(page.get_by_text("Room 3", exact=True)).to_be_visible()
    await screenshot(page, "settings-clinic")

    await page.get_by_role("link", name="Weekly hours of Sam Patel").click()
    await page.locator("#f-5_weekday").select_option(label="Saturday")
    await page.locator("#f-5_start").fill("10:00")
    await page.locator("#f-5_end").fill("09:00")
    await page.get_by_role("button", name="Save the hours").click()
    await expect(page.locator("fieldset.invalid")).to_have_count(1)
    await page.locator("#f-5_end").fill("13:00")
    await page.get_by_role("button", name="Save the hours").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await expect(page.locator("#f-5_weekday")).to_have_value("5")
    await screenshot(page, "settings-hours")

    await page.get_by_role("link", name="Reminder policy").click()
    aftercare = page.get_by_label("Aftercare message, minutes after the session")
    await aftercare.fill("90")
    await page.get_by_role("button", name="Save the policy").click()
    await expect(page.get_by_role("status")).to_have_text("Saved.")
    await expect(aftercare).to_have_value("90")
    await screenshot(page, "settings-reminders")


async def test_a_form_posted_without_its_csrf_token_is_refused(stack, signed_in) -> None:
    page = await signed_in(Role.ADMIN)
    await page.goto("/settings/staff")
    form = page.locator("form[action='/settings/staff']")
    await form.get_by_label("Name").fill("Eve Forger")
    await form.get_by_label("Email").fill("eve@clinic.example")
    await form.get_by_label("Password (10 characters or more)").fill("forged-password-1")
    await form.locator("input[name=csrf_token]").evaluate("input => input.remove()")

    await form.get_by_role("button", name="Create the account").click()

    await expect(page.locator("#banner")).to_contain_text("This form has expired")
    await page.goto("/settings/staff")
    await expect(page.get_by_text("eve@clinic.example")).to_have_count(0)


async def test_switching_the_language_in_the_header_stays_with_the_account(stack, browser) -> None:
    """A browser in French gets French pages; the receptionist picks English in the header, and
    the pages stay English for her account although the browser still asks for French."""
    context = await browser.new_context(base_url=stack.dashboard_url, locale="fr-FR")
    page = await context.new_page()
    await page.goto("/signin")
    await expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    email, password = demo_account(Role.RECEPTIONIST)
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_role("button", name="Se connecter").click()
    await expect(page.get_by_role("link", name="Calendrier")).to_be_visible()
    await screenshot(page, "language-french")

    await page.get_by_label("Langue").select_option("en")
    await page.get_by_role("button", name="Changer").click()

    await expect(page.get_by_role("link", name="Calendar")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.goto("/alerts")
    await expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
    await expect(page.get_by_role("link", name="Today")).to_be_visible()
    await context.close()
