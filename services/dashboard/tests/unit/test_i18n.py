"""The pages' wording: every marked string has its French translation, and the language is the
account's choice, else the browser's."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dashboard import i18n

ROOT = Path(i18n.__file__).parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")  # gettext's, and calendar.js's
Marked = tuple[str | None, str | tuple[str, str]]  # (context, message or singular and plural)


def placeholders(text: str) -> set[str]:
    return {python or script for python, script in PLACEHOLDER.findall(text)}


def marked_strings() -> set[Marked]:
    """What `make messages` extracts: the templates' and the code's marked strings."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
        "N_": None,
        "NC_": ((1, "c"), 2),
    }
    found: set[Marked] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, method_map, options, keywords=keywords
    ):
        found.add((context, message if isinstance(message, str) else (message[0], message[1])))
    return found


def test_every_marked_string_has_a_french_translation_with_the_same_placeholders() -> None:
    catalog = read_po(PO.open("rb"), locale="fr")
    translated = {(m.context, m.id): m for m in catalog if m.id and not m.fuzzy}
    marked = marked_strings()
    assert len(marked) > 200, "the extraction finds the pages' strings"

    missing = sorted(str(s) for s in marked if s not in translated)
    assert missing == [], "run `make messages`, then translate these"
    for key in marked:
        message, message_id = translated[key], key[1]
        sources = [message_id] if isinstance(message_id, str) else list(message_id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"an empty translation of {message_id!r}"
        wanted = placeholders(" ".join(sources))
        for string in strings:
            assert placeholders(string) == wanted, (message_id, string)


def test_french_plural_forms_count_one_and_many() -> None:
    i18n.current.set("fr")
    try:
        one = i18n.ngettext(
            "%(num)d wrong password was tried since %(since)s",
            "%(num)d wrong passwords were tried since %(since)s",
            1,
        )
        five = i18n.ngettext(
            "%(num)d wrong password was tried since %(since)s",
            "%(num)d wrong passwords were tried since %(since)s",
            5,
        )
    finally:
        i18n.current.set("en")
    assert "mauvais mot de passe a été" in one
    assert "mauvais mots de passe ont été" in five  # fmt: skip


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,de;q=0.9,fr;q=0.5", "fr"),
        ("de-DE", "en"),
        ("fr;q=0.2, en;q=0.7", "en"),
        ("fr;q=0", "en"),
        ("fr;q=abc, en", "en"),
        ("", "en"),
        (None, "en"),
        ("*", "en"),
    ],
)
def test_the_browser_language_is_its_preferred_one_among_ours(
    header: str | None, language: str
) -> None:
    assert i18n.from_browser(header) == language


def test_the_account_choice_comes_before_the_browser() -> None:
    assert i18n.choose("en", "fr-FR") == "en"
    assert i18n.choose("fr", "en-GB") == "fr"
    assert i18n.choose(None, "fr-FR") == "fr"
    assert i18n.choose("xx", "fr-FR") == "fr", "an unknown stored value falls back"


def test_day_and_month_names_follow_the_language() -> None:
    monday = date(2030, 3, 11)
    assert i18n.strftime(monday, "%A %d %B %Y") == "Monday 11 March 2030"
    i18n.current.set("fr")
    try:
        assert i18n.strftime(monday, "%A %d %B %Y") == "lundi 11 mars 2030"
        assert i18n.strftime(monday, "%a %d %b") == "lun. 11 mars"
    finally:
        i18n.current.set("en")
