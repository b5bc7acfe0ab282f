"""One page of a list: every list endpoint that grows with the clinic's history caps its page.

A client asks for `limit` rows (1 to MAX_LIMIT) after skipping `offset`; asking for more is a
422 naming the parameter, never an unbounded query. Lists bounded by their own scope (one
patient's courses, one session's reservation lines, the product catalogue) are not paged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def paged(default: int = 100) -> Any:
    """A dependency for `page: Annotated[Page, paged(50)]`: `limit` defaults to `default`."""

    async def page(
        limit: Annotated[
            int, Query(ge=1, le=MAX_LIMIT, description=f"Rows to return, 1 to {MAX_LIMIT}.")
        ] = default,
        offset: Annotated[
            int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip, in the list's order.")
        ] = 0,
    ) -> Page:
        return Page(limit=limit, offset=offset)

    return Depends(page)
