"""The access table: every route of a service, every role, and four kinds of bad token.

Each service's README has a `## Access` table, one row per route:

    | method | path | admin | receptionist | practitioner | stock_manager |
    |---|---|---|---|---|---|
    | GET | /v1/patients | yes | yes | yes | no |
    | GET | /healthz | public | public | public | public |
    | POST | /v1/webhooks/sms/inbound | signed | signed | signed | signed |

`yes`: the role gets past authorisation (any answer but 401/403); `no`: 403. Without a token,
with an expired token, a token signed with another secret or one with `alg: none`, every `yes`/`no`
route answers 401. `public` routes take no token; `signed` routes (the SMS provider's webhooks)
ignore tokens and refuse, with 403, a request that lacks the provider's signature. Every refusal
is problem+json (a 401 with `WWW-Authenticate: Bearer`); a caller let through never gets a 5xx.
`link` routes (a patient's self-service link, in the `X-Patient-Link` header) take no staff token:
without a link, any token, good or bad, gets 401.
`secret` routes (a calendar feed, whose URL holds its secret) take no token: with a made-up
secret, any token, good or bad, gets the same 404 problem+json, which tells nothing.
The test reads the table, so the README cannot drift from the code, and a route without a row
(found from `app.routes`, so hidden from the OpenAPI document or not) fails it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
from fastapi import FastAPI, routing

from clinic_shared.auth import Role, mint_token
from clinic_shared.problems import PROBLEM_JSON

ROLES = [role.value for role in Role]
HEADER = ["method", "path", *ROLES]
CELLS = {"yes", "no", "public", "signed", "link", "secret"}
SAMPLE_VALUES = {"code": "caffeine", "product_code": "caffeine", "treatment_code": "cellulite"}
WITH_BODY = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    cells: dict[str, str]  # role -> yes | no | public | signed

    @property
    def kind(self) -> str:
        """`public`, `signed`, `link`, `secret`, or `token` (the role columns decide)."""
        kinds = set(self.cells.values())
        if kinds in ({"public"}, {"signed"}, {"link"}, {"secret"}):
            return kinds.pop()
        return "token"


def read_table(readme: Path) -> dict[tuple[str, str], Row]:
    """The rows of the README's `## Access` table, by (method, path)."""
    text = readme.read_text()
    section = re.search(r"^## Access\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, f"{readme} has no '## Access' section"
    lines = [line.strip() for line in section.group(1).splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == HEADER, f"the access table's columns must be {HEADER}, not {header}"
    rows: dict[tuple[str, str], Row] = {}
    for line in lines[2:]:
        method, path, *cells = (cell.strip().strip("`") for cell in line.strip("|").split("|"))
        bad = set(cells) - CELLS
        assert not bad, f"{method} {path}: cells must be one of {sorted(CELLS)}, not {bad}"
        key = (method.upper(), path)
        assert key not in rows, f"{method} {path} is in the table twice"
        rows[key] = Row(key[0], path, dict(zip(ROLES, cells, strict=True)))
    return rows


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, from `app.routes` and the routers included in it
    (a route left out of the OpenAPI document included); the HEAD twin of a GET left out."""
    found: set[tuple[str, str]] = set()
    for route in routing.iter_route_contexts(app.routes):
        methods = set(getattr(route, "methods", None) or ())
        if "GET" in methods:
            methods.discard("HEAD")
        found |= {(str(method), str(route.path)) for method in methods}
    return found


def concrete(path: str) -> str:
    """The path with each parameter filled in: ids get a fresh UUID, codes a real-looking code."""
    return re.sub(r"{(\w+)}", lambda m: SAMPLE_VALUES.get(m.group(1), str(uuid.uuid4())), path)


@dataclass(frozen=True)
class Tokens:
    secret: str
    issuer: str = "clinic"

    def of(self, role: str) -> str:
        """A token of `role`; a practitioner's names a practitioner, as the dashboard's do."""
        practitioner = uuid.uuid4() if role == Role.PRACTITIONER else None
        return mint_token(
            self.secret, role=Role(role), issuer=self.issuer, practitioner_id=practitioner
        )

    def bad(self) -> dict[str, str | None]:
        """Tokens that must never get in, by what is wrong with them."""
        now = datetime.now(UTC)
        claims = {"sub": "mallory", "role": "admin", "iss": self.issuer, "iat": now}
        return {
            "no token": None,
            "expired": mint_token(
                self.secret, role=Role.ADMIN, issuer=self.issuer, now=now - timedelta(hours=9)
            ),
            "wrong signature": mint_token(
                "another-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
                role=Role.ADMIN,
                issuer=self.issuer,
            ),
            "alg none": jwt.encode(
                claims | {"exp": now + timedelta(hours=1)}, key="", algorithm="none"
            ),
        }


async def _ask(client: httpx.AsyncClient, row: Row, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    body: dict[str, str] | None = {} if row.method in WITH_BODY else None
    return await client.request(row.method, concrete(row.path), headers=headers, json=body)


def _refusal(where: str, who: str, answer: httpx.Response, wanted: int) -> list[str]:
    """What is wrong with `answer`, which had to be a `wanted` (401 or 403) problem."""
    if answer.status_code != wanted:
        return [f"{where}: with {who} answered {answer.status_code}, not {wanted}"]
    problems = []
    if answer.headers.get("content-type") != PROBLEM_JSON:
        problems.append(f"{where}: with {who} refused without problem+json")
    if wanted == 401 and answer.headers.get("www-authenticate") != "Bearer":
        problems.append(f"{where}: with {who} a 401 without WWW-Authenticate: Bearer")
    return problems


def _unknown(where: str, who: str, answer: httpx.Response) -> list[str]:
    """What is wrong with `answer`, which had to be a 404 problem."""
    if answer.status_code != 404:
        return [f"{where}: with {who} answered {answer.status_code}, not 404"]
    if answer.headers.get("content-type") != PROBLEM_JSON:
        return [f"{where}: with {who} refused without problem+json"]
    return []


def _admitted(where: str, who: str, answer: httpx.Response) -> list[str]:
    """What is wrong with `answer` to a caller the table lets through."""
    if answer.status_code in (401, 403):
        return [f"{where}: {who} is allowed in the table but got {answer.status_code}"]
    if answer.status_code >= 500:
        return [f"{where}: {who} got a server error {answer.status_code}"]
    return []


async def mismatches(
    app: FastAPI, client: httpx.AsyncClient, readme: Path, tokens: Tokens
) -> list[str]:
    """Every way the running app differs from its README's access table, in words."""
    table = read_table(readme)
    served = routes_of(app)
    problems = [f"{m} {p}: served but has no row in the table" for m, p in served - table.keys()]
    problems += [f"{m} {p}: in the table but not served" for m, p in table.keys() - served]
    everyone = [*tokens.bad().items(), *((role, tokens.of(role)) for role in ROLES)]
    for key in sorted(served & table.keys()):
        row = table[key]
        where = f"{row.method} {row.path}"
        if row.kind == "public":
            for who, token in everyone:
                problems += _admitted(where, f"public, {who},", await _ask(client, row, token))
            continue
        if row.kind == "link":
            for who, token in everyone:
                problems += _refusal(where, f"{who} (no link)", await _ask(client, row, token), 401)
            continue
        if row.kind == "secret":
            for who, token in everyone:
                problems += _unknown(
                    where, f"{who} (made-up secret)", await _ask(client, row, token)
                )
            continue
        if row.kind == "signed":
            for who, token in everyone:
                problems += _refusal(
                    where, f"{who} (unsigned)", await _ask(client, row, token), 403
                )
            continue
        for what, token in tokens.bad().items():
            problems += _refusal(where, what, await _ask(client, row, token), 401)
        for role, cell in row.cells.items():
            answer = await _ask(client, row, tokens.of(role))
            if cell == "no" and answer.status_code != 403:
                problems.append(
                    f"{where}: {role} is refused in the table but got {answer.status_code}"
                )
            elif cell == "no":
                problems += _refusal(where, role, answer, 403)
            else:
                problems += _admitted(where, role, answer)
    return problems
