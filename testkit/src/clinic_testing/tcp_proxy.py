"""A TCP proxy between a client and a server that a test can cut, refuse or restore.

Given several servers it is first-alive, as a Kubernetes Service in front of a cluster: each new
connection goes to the first of them that accepts it.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *more: tuple[str, int]) -> None:
        self.targets = [(target_host, target_port), *more]
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._frozen: set[asyncio.StreamWriter] = set()
        self._thawed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen (on the same port after a `refuse`)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Drop every open connection; new ones are still accepted."""
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def freeze(self) -> None:
        """Stop passing bytes on the open connections without closing them, as a peer that went
        silent (a partition, a dead NAT entry); new connections still pass."""
        self._frozen = set(self._writers)
        self._thawed.clear()

    def thaw(self) -> None:
        self._frozen = set()
        self._thawed.set()

    async def refuse(self) -> None:
        """Stop listening and drop every connection: the server looks down."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        await self.cut()

    async def close(self) -> None:
        await self.refuse()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = await self._connect_first_alive()
        if upstream is None:
            writer.transport.abort()
            return
        up_reader, up_writer = upstream
        self._writers.update((writer, up_writer))
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(src, dst))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _connect_first_alive(
        self,
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        for host, port in self.targets:
            with contextlib.suppress(OSError):
                return await asyncio.open_connection(host, port)
        return None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if writer in self._frozen:
                    await self._thawed.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.transport.abort()
