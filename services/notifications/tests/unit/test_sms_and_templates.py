"""SMS segments, GSM-7, and the texts patients get in English and French."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.adapters.templates import Templates
from notifications.domain.sms import is_gsm7, segments, to_gsm7, typographic_to_gsm7
from notifications.service_layer.rendering import Clinic, template_values

CLINIC = Clinic(
    "Clinique Lumière",
    "12 rue de la Paix, 75002 Paris",
    "+33 1 23 45 67 89",
    ZoneInfo("Europe/Paris"),
)
CONTEXT = {
    "sequence": 3,
    "sessions_planned": 10,
    "treatment_code": "cellulite-thighs",
    "starts_at": datetime(2026, 3, 30, 7, 0, tzinfo=UTC).isoformat(),
    "window_closes_on": "2026-04-08",
}
COURSE = [datetime(2027, 1, 12, 9, 0, tzinfo=UTC) + timedelta(days=14 * n) for n in range(10)]
COURSE_CONTEXT = CONTEXT | {
    "sequence": 1,
    "starts_at": COURSE[0].isoformat(),
    "sessions": [
        {"session_id": str(n), "sequence": n + 1, "starts_at": at.isoformat()}
        for n, at in enumerate(COURSE)
    ],
}
KINDS = ("confirmation", "reminder", "aftercare", "nudge", "cancellation", "displaced")
TEMPLATES = Templates()
TIGHTEST = Templates(max_sms_segments=1)


def test_segment_limits_differ_for_gsm7_and_ucs2() -> None:
    assert [segments("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
    assert [segments("ê" * n) for n in (70, 71, 134, 135)] == [1, 2, 2, 3]
    assert [segments("€" * n) for n in (80, 81)] == [1, 2]  # two septets each


def test_accents_outside_gsm7_lose_only_the_accent() -> None:
    typographic = "Zo\u00eb\u2019s \u201cok\u201d \u2026"
    assert to_gsm7("Séance à 10h, être là ?") == "Séance à 10h, etre là ?"
    assert to_gsm7(typographic) == 'Zoe\'s "ok" ...'
    assert is_gsm7(to_gsm7("日本 Ω ç"))


def render(kind: str, language: str, channel: str = "sms", **values: object) -> str:
    merged = template_values(CONTEXT, first_name="Amelia", language=language, clinic=CLINIC)
    rendered = TEMPLATES.render(
        kind=kind, channel=channel, language=language, values=merged | values
    )
    return rendered.text if channel == "sms" else f"{rendered.subject}\n{rendered.text}"


def test_a_reminder_says_which_session_when_where_and_what_to_reply() -> None:
    english, french = render("reminder", "en"), render("reminder", "fr")
    assert "session 3 of 10 on Monday 30 March at 09:00, 12 rue de la Paix" in english
    assert "Reply C to confirm or R to reschedule." in english
    assert "séance 3 sur 10 le lundi 30 mars à 09h00, 12 rue de la Paix" in french
    assert "Répondez C pour confirmer ou R pour la déplacer." in french


def test_a_course_confirmation_sms_names_the_next_session_and_the_count() -> None:
    values = template_values(COURSE_CONTEXT, first_name="Amelia", language="en", clinic=CLINIC)
    english = TEMPLATES.render(kind="confirmation", channel="sms", language="en", values=values)
    values = template_values(COURSE_CONTEXT, first_name="Amelia", language="fr", clinic=CLINIC)
    french = TEMPLATES.render(kind="confirmation", channel="sms", language="fr", values=values)
    assert (
        "10 sessions booked, 12 Jan to 18 May. Next: session 1 of 10, Tuesday 12 January at "
        "10:00" in english.text
    )
    assert (
        "10 séances réservées, du 12 janv. au 18 mai. Prochaine : séance 1 sur 10, le mardi "
        "12 janvier à 10h00" in french.text
    )
    assert segments(english.text) <= 2
    assert segments(french.text) <= 2


def test_a_course_confirmation_email_lists_every_date() -> None:
    values = template_values(COURSE_CONTEXT, first_name="Amelia", language="en", clinic=CLINIC)
    moved = template_values(
        COURSE_CONTEXT | {"moved": True}, first_name="Amelia", language="en", clinic=CLINIC
    )
    email = TEMPLATES.render(kind="confirmation", channel="email", language="en", values=values)
    after_move = TEMPLATES.render(kind="confirmation", channel="email", language="en", values=moved)
    assert email.subject == "Your 10 sessions booked, 12 Jan to 18 May"
    assert after_move.subject == "Your 10 sessions moved, 12 Jan to 18 May"
    assert "Session 1 of 10: Tuesday 12 January at 10:00\n" in email.text
    assert "Session 10 of 10: Tuesday 18 May at 11:00\n" in email.text
    assert "Session 2 of 10: Tuesday 26 January at 10:00<br>" in (email.html or "")


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_no_message_asks_to_reply_cancel_or_stop(kind: str, language: str, channel: str) -> None:
    text = render(kind, language, channel).upper()
    assert [word for word in ("CANCEL", "STOP", "ANNUL") if word in text] == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_email_has_a_subject_text_and_escaped_html(language: str) -> None:
    merged = template_values(CONTEXT, first_name="<b>Amelia</b>", language=language, clinic=CLINIC)
    rendered = TEMPLATES.render(kind="reminder", channel="email", language=language, values=merged)
    assert "3" in (rendered.subject or "")
    assert "&lt;b&gt;Amelia&lt;/b&gt;" in (rendered.html or "")


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60)


@settings(max_examples=60)
@given(names, st.text(max_size=100), st.text(min_size=1, max_size=40))
def test_every_sms_keeps_the_name_and_fits_the_cap_or_drops_its_address(
    name: str, address: str, clinic: str
) -> None:
    """Issue 18 item 13 changed this rule: an SMS was forced into GSM-7 ('?' for a name it
    lacks) to fit two segments. Now: GSM-7 whenever the name is written in it, else UCS-2 with
    the name intact; within the cap, or else without its optional part (the address)."""
    place = Clinic(clinic, address, "+33 1 23 45 67 89", CLINIC.zone)
    for language, context in itertools.product(("en", "fr"), (CONTEXT, COURSE_CONTEXT)):
        values = template_values(context, first_name=name, language=language, clinic=place)
        shown = typographic_to_gsm7(values["first_name"])
        for kind in KINDS:
            text = TEMPLATES.render(kind=kind, channel="sms", language=language, values=values).text
            if is_gsm7(shown):
                assert is_gsm7(text)
            else:
                assert shown.strip() in text
            if segments(text) > TEMPLATES.max_sms_segments:  # it went without its options
                tightest = TIGHTEST.render(
                    kind=kind, channel="sms", language=language, values=values
                )
                assert text == tightest.text


@pytest.mark.parametrize("name", ["Владимир", "Łucja", "Zoë", "Nguyễn", "美咲"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_name_outside_gsm7_reaches_its_patient_intact_as_ucs2(name: str, language: str) -> None:
    """Issue 18 item 13: never '?????' for a name; the time stays too, whatever the cap."""
    for cap in (1, 2, 10):
        templates = Templates(max_sms_segments=cap)
        values = template_values(CONTEXT, first_name=name, language=language, clinic=CLINIC)
        text = templates.render(kind="reminder", channel="sms", language=language, values=values)
        assert name in text.text
        assert ("09:00" if language == "en" else "09h00") in text.text
        assert not is_gsm7(text.text)  # it goes as UCS-2


def test_over_the_cap_a_text_drops_the_address_never_the_name_or_time() -> None:
    values = template_values(CONTEXT, first_name="Владимир", language="fr", clinic=CLINIC)
    roomy = Templates(max_sms_segments=4).sms("reminder", "fr", values)
    tight = Templates(max_sms_segments=2).sms("reminder", "fr", values)
    assert "12 rue de la Paix" in roomy
    assert "12 rue de la Paix" not in tight
    assert "Владимир" in tight
    assert "09h00" in tight
    assert segments(tight) < segments(roomy)


def test_a_gsm7_name_keeps_the_text_in_gsm7_with_the_templates_accents_dropped() -> None:
    values = template_values(CONTEXT, first_name="Amélie", language="fr", clinic=CLINIC)
    text = Templates().sms("reminder", "fr", values)
    assert "Amélie" in text  # é is in GSM-7
    assert is_gsm7(text)


LINK = "https://rdv.clinique-lumiere.fr/p/" + "x" * 125  # a real token's length


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", ["confirmation", "reminder"])
def test_a_text_with_the_patients_link_keeps_it_whole_within_two_segments(
    kind: str, language: str
) -> None:
    context = COURSE_CONTEXT if kind == "confirmation" else CONTEXT
    values = template_values(context, first_name="Amelia", language=language, clinic=CLINIC)
    text = TEMPLATES.render(
        kind=kind, channel="sms", language=language, values=values | {"link": LINK}
    ).text
    assert LINK in text
    assert segments(text) <= 2, text
    email = TEMPLATES.render(
        kind=kind, channel="email", language=language, values=values | {"link": LINK}
    )
    assert LINK in email.text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_displaced_sessions_sms_ends_with_its_link_within_two_segments(language: str) -> None:
    link = "https://clinic.example/p/" + "x" * 125  # as long as a real link
    text = render("displaced", language, link=link)
    assert text.endswith(link)
    assert ("Monday 30 March at 09:00" if language == "en" else "lundi 30 mars à 09h00") in text
    assert segments(text) <= 2
