"""The patients list: paged, sorted by a column's header, searched as the name is typed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import Services
from dashboard.deps import ServicesDep, require_roles
from dashboard.web import render

router = APIRouter(tags=["patient"])
# A practitioner's list is scheduling's: the patients they treat only.
Reader = Annotated[
    SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER))
]
PAGE_SIZE = 20
Sort = Literal["name", "-name", "registered", "-registered"]
SortQuery = Annotated[Sort, Query(description="A column, `-` first for descending.")]
PageQuery = Annotated[int, Query(ge=1, le=10_000, description="From 1.")]
SearchQuery = Annotated[str, Query(max_length=100)]


async def listing(services: Services, q: str, sort: Sort, page: int) -> dict[str, Any]:
    """One page of patients (one more is asked for, to know whether a next page exists)."""
    params: dict[str, Any] = {"sort": sort, "limit": PAGE_SIZE + 1}
    params["offset"] = (page - 1) * PAGE_SIZE
    if q.strip():
        params["q"] = q.strip()
    found = await services.scheduling.get("/v1/patients", **params)
    return {
        "found": found[:PAGE_SIZE],
        "q": q,
        "sort": sort,
        "page": page,
        "more": len(found) > PAGE_SIZE,
    }


@router.get("/patients", response_class=HTMLResponse)
async def patients_page(
    request: Request,
    user: Reader,
    services: ServicesDep,
    q: SearchQuery = "",
    sort: SortQuery = "name",
    page: PageQuery = 1,
) -> HTMLResponse:
    return render(request, "patient/search.html", await listing(services, q, sort, page))


@router.get("/patients/found", response_class=HTMLResponse)
async def patients_found(
    request: Request,
    user: Reader,
    services: ServicesDep,
    q: SearchQuery = "",
    sort: SortQuery = "name",
    page: PageQuery = 1,
) -> HTMLResponse:
    return render(request, "patient/_list.html", await listing(services, q, sort, page))
