"""The staff pages in French or English: gettext catalogues read with Babel, the language of the
request held in a context variable so templates and the page code translate alike.

The language is the staff account's choice when it made one, else the browser's
(`Accept-Language`), else English. The French catalogue is `locale/fr/LC_MESSAGES/messages.po`,
read at import: no compiled `.mo` is committed or built. `make messages` extracts the strings
from the templates and the code, and `tests/unit/test_i18n.py` fails on any string without a
French translation, or whose placeholders differ from its translation's.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from babel import dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).parent / "locale"


def load(language: str) -> NullTranslations:
    """The catalogue of `language`, compiled in memory from its `.po`; English is the source."""
    if language == DEFAULT:
        return NullTranslations()
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled)


CATALOGUES = {language: load(language) for language in LANGUAGES}
current: ContextVar[str] = ContextVar("dashboard_language", default=DEFAULT)


def gettext(message: str) -> str:
    return CATALOGUES[current.get()].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return CATALOGUES[current.get()].ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` as `context` reads it: "cancelled" is feminine of a session, masculine of a
    message in French."""
    return str(CATALOGUES[current.get()].pgettext(context, message))


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined; it is translated where shown."""
    return message


def NC_(context: str, message: str) -> str:
    """Marks a string with its context for the catalogue; `pgettext(context, ...)` shows it."""
    return message


_ = gettext


def from_browser(accept_language: str | None) -> str:
    """The language the browser prefers among ours (`fr-FR;q=0.9, en;q=0.8` -> fr), by its
    q-values; English when it names none of ours or the header is malformed."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else DEFAULT


def choose(account_language: str | None, accept_language: str | None) -> str:
    """The account's choice when it made one, else the browser's."""
    if account_language in LANGUAGES:
        return account_language
    return from_browser(accept_language)


class LanguageMiddleware:
    """Sets the request's language from the browser before anything renders; a signed-in
    account's own choice overrides it once the account is known (`deps.current_user`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            current.set(from_browser(Headers(scope=scope).get("accept-language")))
        await self.app(scope, receive, send)


def strftime(moment: date | datetime, fmt: str) -> str:
    """`moment.strftime(fmt)` with day and month names (%a %A %b %B) in the request's language:
    the process's C locale would give English ones whatever the page's language."""
    language = current.get()
    if language != DEFAULT:
        names = {
            "%a": dates.get_day_names("abbreviated", locale=language)[moment.weekday()],
            "%A": dates.get_day_names("wide", locale=language)[moment.weekday()],
            "%b": dates.get_month_names("abbreviated", locale=language)[moment.month],
            "%B": dates.get_month_names("wide", locale=language)[moment.month],
        }
        for directive, name in names.items():
            fmt = fmt.replace(directive, name.replace("%", "%%"))
    return moment.strftime(fmt)


ROLE_NAMES = {
    "admin": N_("admin"),
    "receptionist": N_("receptionist"),
    "practitioner": N_("practitioner"),
    "stock_manager": N_("stock manager"),
}
LOT_STATUSES = {
    "available": N_("available"),
    "quarantined": N_("quarantined"),
    "expired": N_("expired"),
    "recalled": N_("recalled"),
}
SESSION_STATUSES = {
    "booked": N_("booked"),
    "confirmed": N_("confirmed"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
    "no_show": N_("no-show"),
}
COURSE_STATUSES = {
    "active": N_("active"),
    "completed": N_("completed"),
    "abandoned": N_("abandoned"),
}
MESSAGE_KINDS = {
    "confirmation": N_("Confirmation"),
    "reminder": N_("Reminder"),
    "aftercare": N_("Aftercare"),
    "nudge": N_("Nudge"),
    "cancellation": N_("Cancellation"),
    "staff_alert": N_("Staff alert"),
}
# A message's status, shown with `pgettext("message", ...)`: its French words are masculine.
MESSAGE_STATUSES = {
    "scheduled": NC_("message", "scheduled"),
    "sending": NC_("message", "sending"),
    "sent": NC_("message", "sent"),
    "delivered": NC_("message", "delivered"),
    "failed": NC_("message", "failed"),
    "cancelled": NC_("message", "cancelled"),
    "expired": NC_("message", "expired"),
    "pending": NC_("message", "pending"),
    "no_recipients": NC_("message", "not emailed: no recipients configured"),
}
