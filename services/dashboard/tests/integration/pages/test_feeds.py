"""Settings, calendar feeds: an admin reads each practitioner's secret feed URL, which serves
the practitioner's sessions from scheduling, and makes a new one, after which the old one
opens nothing; any other role is refused."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic
from .test_french_pages import in_french

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

ADMIN = bearer(Role.ADMIN)
DR_DUBOIS = "00000000-0000-4000-8000-0000000000a1"  # Amelia Hart's course, from tomorrow
SAM_PATEL = "00000000-0000-4000-8000-0000000000a2"
PAGE = "/settings/feeds"
REFUSED = "Your role does not give access to this page."


def feed_urls(page: str) -> dict[str, str]:
    """Each practitioner's feed URL, as the page's read-only fields show it."""
    fields = re.findall(r'<input id="feed-([0-9a-f-]+)-url" type="text" value="([^"]+)"', page)
    return {practitioner: html.unescape(url) for practitioner, url in fields}


async def served_feed(clinic: Clinic, url: str) -> tuple[int, str, str]:
    """What scheduling answers a calendar app asking for `url`: status, type, body."""
    answer = await clinic.api("scheduling").get(urlsplit(url).path)
    return answer.status_code, answer.headers.get("content-type", ""), answer.text


async def test_an_admin_sees_each_practitioners_url_which_serves_the_feed(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.ADMIN)

    answer = await clinic.client.get(PAGE)
    urls = feed_urls(answer.text)
    status, kind, feed = await served_feed(clinic, urls[DR_DUBOIS])
    asked = await clinic.api("scheduling").get(f"/v1/practitioners/{DR_DUBOIS}/feed", headers=ADMIN)

    assert answer.status_code == 200, answer.text
    assert 'href="/settings/feeds" aria-current="page">Calendar feeds<' in answer.text
    assert set(urls) == {DR_DUBOIS, SAM_PATEL}
    assert urls[DR_DUBOIS] != urls[SAM_PATEL]
    assert urls[DR_DUBOIS] == asked.json()["url"]
    assert '<label for="feed-' + DR_DUBOIS + '-url">Feed URL of Dr Claire Dubois</label>' in (
        answer.text
    )
    assert "the patient's initials" in answer.text
    assert (status, kind.split(";")[0]) == (200, "text/calendar")
    assert "X-WR-CALNAME:Dr Claire Dubois" in feed
    assert feed.count("BEGIN:VEVENT") == 10
    assert "A.H." in feed
    assert "Amelia" not in feed
    assert "Hart" not in feed


async def test_a_new_url_replaces_the_old_which_stops_at_once(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    before = feed_urls((await clinic.client.get(PAGE)).text)

    unchecked = await clinic.client.post(f"{PAGE}/{DR_DUBOIS}/rotate")
    rotated = await clinic.client.post(f"{PAGE}/{DR_DUBOIS}/rotate", data={"csrf_token": csrf})
    shown = await clinic.client.get(rotated.headers["location"])
    after = feed_urls(shown.text)

    assert unchecked.status_code == 403
    assert rotated.status_code == 303
    assert rotated.headers["location"] == f"{PAGE}?rotated={DR_DUBOIS}#feed-{DR_DUBOIS}"
    assert "Dr Claire Dubois has a new feed URL, shown below: the old one no longer works." in (
        shown.text
    )
    assert after[DR_DUBOIS] != before[DR_DUBOIS]
    assert after[SAM_PATEL] == before[SAM_PATEL]
    assert (await served_feed(clinic, before[DR_DUBOIS]))[0] == 404
    assert (await served_feed(clinic, after[DR_DUBOIS]))[:2] == (
        200,
        "text/calendar; charset=utf-8",
    )


async def test_the_new_url_button_asks_first_and_says_the_old_one_stops(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.ADMIN)

    page = (await clinic.client.get(PAGE)).text
    form = re.search(
        rf'<form method="post" action="{PAGE}/{SAM_PATEL}/rotate"(.*?)</form>', page, re.S
    )

    assert form
    assert 'data-confirm="Make a new feed URL for Sam Patel? The current one stops working' in (
        form.group(0)
    )
    assert 'name="csrf_token"' in form.group(1)
    assert 'aria-label="New URL for Sam Patel">New URL</button>' in form.group(1)


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.PRACTITIONER, Role.STOCK_MANAGER])
async def test_other_roles_are_refused_and_change_nothing(clinic: Clinic, role: Role) -> None:
    scheduling = clinic.api("scheduling")
    path = f"/v1/practitioners/{DR_DUBOIS}/feed"
    before = (await scheduling.get(path, headers=ADMIN)).json()["url"]
    csrf = await clinic.sign_in_as(role)

    page = await clinic.client.get(PAGE)
    rotate = await clinic.client.post(f"{PAGE}/{DR_DUBOIS}/rotate", data={"csrf_token": csrf})
    after = (await scheduling.get(path, headers=ADMIN)).json()["url"]

    assert (page.status_code, rotate.status_code) == (403, 403)
    assert REFUSED in page.text
    assert REFUSED in rotate.text
    assert before not in page.text
    assert after == before


async def test_the_feeds_page_is_in_french(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    await in_french(clinic, csrf)

    page = (await clinic.client.get(PAGE)).text

    assert "Flux d'agenda des praticiens" in page
    assert "URL du flux de Dr Claire Dubois" in page
    assert ">Nouvelle URL</button>" in page
    assert "Practitioners' calendar feeds" not in page
    assert ">New URL<" not in page


async def test_a_new_url_for_no_such_practitioner_is_a_page_saying_so(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    nobody = "00000000-0000-4000-8000-00000000dead"

    unknown = await clinic.client.post(f"{PAGE}/{nobody}/rotate", data={"csrf_token": csrf})
    garbled = await clinic.client.post(f"{PAGE}/not-an-id/rotate", data={"csrf_token": csrf})

    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert garbled.status_code == 422
    assert "address is not valid" in garbled.text
