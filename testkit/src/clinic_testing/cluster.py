"""A RabbitMQ cluster of the test's own: three private nodes on this machine, joined by
`rabbitmqctl join_cluster`, for killing a quorum queue's leader under load."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clinic_testing.processes import RabbitNode


class RabbitCluster:
    def __init__(self, directory: Path, size: int = 3) -> None:
        cookie = secrets.token_hex(16)  # shared by the nodes, unknown to the machine's node
        self.nodes = [
            RabbitNode(directory / f"node{index}", cookie=cookie) for index in range(size)
        ]

    @property
    def alive(self) -> list[RabbitNode]:
        return [node for node in self.nodes if node.running]

    async def start(self) -> None:
        """Start every node, then join the others to the first."""
        await asyncio.gather(*(node.start() for node in self.nodes))
        first, *others = self.nodes
        for node in others:  # one at a time: concurrent joins race on the cluster's schema
            await node.join(first)

    async def shutdown(self) -> None:
        await asyncio.gather(*(node.shutdown() for node in self.nodes), return_exceptions=True)

    def by_name(self, name: str) -> RabbitNode:
        return next(node for node in self.nodes if node.name == name)

    async def leader_of(self, queue: str) -> RabbitNode:
        """The node that leads the quorum queue `queue`, as a live node reports it."""
        rows = await self._list_queues("name", "leader")
        leaders = {row["name"]: row["leader"] for row in rows}
        return self.by_name(str(leaders[queue]))

    async def queues(self, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each named queue's leader, online members and consumers, as a live node reports it."""
        rows = await self._list_queues("name", "leader", "online", "consumers", "messages")
        return {row["name"]: row for row in rows if row["name"] in names}

    async def _list_queues(self, *columns: str) -> list[dict[str, Any]]:
        node = self.alive[0]
        output = await asyncio.to_thread(
            node.ctl, "list_queues", "--formatter", "json", "--quiet", *columns, timeout=30
        )
        rows: list[dict[str, Any]] = json.loads(output)
        return rows
