"""Issue 18 item 6: a patient's language is one the clinic writes in, and for each of those
languages every message has its templates."""

from __future__ import annotations

from pathlib import Path

import notifications
from clinic_shared.fields import LANGUAGES

TEMPLATES = Path(notifications.__file__).parent / "templates"


def test_every_message_has_its_sms_and_email_template_in_every_language() -> None:
    names = {p.name for p in TEMPLATES.glob("*.j2")}
    # The staff digest is written to staff and a purchase order to a supplier, both in English
    # and by email only; every other message goes to patients, in their language.
    kinds = {n.split(".")[0] for n in names if n.count(".") == 3} - {
        "staff_digest",
        "supplier_order",
    }
    assert {"confirmation", "reminder", "cancellation", "aftercare"} <= kinds
    missing = [
        f"{kind}.{channel}.{language}.j2"
        for kind in sorted(kinds)
        for channel in ("sms", "email")
        for language in LANGUAGES
        if f"{kind}.{channel}.{language}.j2" not in names
    ]
    assert not missing, missing
