"""A free loopback port from a range set aside for one suite's servers."""

import os
import socket


def port_range(default: range) -> range:
    """``default``, or the range ``TEST_PORTS`` names ("18400-18499"): builds sharing a machine
    each keep their servers to their own ports."""
    named = os.environ.get("TEST_PORTS", "")
    if not named:
        return default
    low, _, high = named.partition("-")
    return range(int(low), int(high or low) + 1)


def free_port(ports: range) -> int | None:
    """The first port of ``port_range(ports)`` nothing listens on (None if all are taken): the
    caller skips (a test) or stops (a benchmark)."""
    for port in port_range(ports):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None
