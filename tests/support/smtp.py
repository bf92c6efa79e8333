"""An SMTP server on loopback that records what it receives (aiosmtpd, in a thread)."""

import asyncio
import time
from contextlib import contextmanager


class Recorder:
    """aiosmtpd handler: counts messages and when the first and last came in; with ``keep`` it
    also keeps each one's recipients and bytes; ``delay`` seconds a message, so a test can land
    a kill mid-run."""

    def __init__(self, *, keep: bool = True, delay: float = 0.0):
        self.keep, self.delay = keep, delay
        self.messages: list[tuple[list[str], bytes]] = []
        self.count, self.first, self.last = 0, None, None

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        self.first = self.first or now
        self.last, self.count = now, self.count + 1
        if self.keep:
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"


@contextmanager
def smtp_server(recorder: Recorder, port: int):
    """aiosmtpd on ``127.0.0.1:port`` handing every message to ``recorder``; stopped on exit."""
    from aiosmtpd.controller import Controller

    server = Controller(recorder, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
