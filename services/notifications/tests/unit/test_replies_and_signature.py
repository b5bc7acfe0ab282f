"""What a reply asks for, and Twilio's request signature."""

from __future__ import annotations

import pytest

from notifications.domain.replies import intent_of
from notifications.domain.signature import signature_matches, twilio_signature

# Twilio's documented example: token 12345, this URL and these parameters.
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}


def test_the_signature_matches_twilios_documented_example() -> None:
    assert twilio_signature("12345", URL, PARAMS) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_changed_parameter_url_or_token_breaks_the_signature() -> None:
    good = twilio_signature("12345", URL, PARAMS)
    assert signature_matches("12345", URL, PARAMS, good)
    assert not signature_matches("12345", URL, PARAMS | {"Digits": "9"}, good)
    assert not signature_matches("12345", URL + "&x=1", PARAMS, good)
    assert not signature_matches("54321", URL, PARAMS, good)
    assert not signature_matches("12345", URL, PARAMS, None)


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("C", "confirm"),
        (" c. ", "confirm"),
        ("R", "reschedule"),
        ("r please call me", "reschedule"),
        ("STOP", "opt_out"),
        ("Cancel", "opt_out"),  # a carrier opt-out word, never a session cancellation
        ("arrêt", "opt_out"),
        ("START", "opt_in"),
        ("hello", None),
        ("", None),
    ],
)
def test_a_reply_is_read_from_its_first_word(body: str, intent: str | None) -> None:
    assert intent_of(body) == intent
