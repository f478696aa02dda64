"""GSMTAP output: decoded BCCH/CCCH blocks as UDP datagrams that Wireshark dissects (display filter ``gsmtap``).

Header (16 octets, ``osmocom/libosmocore:include/osmocom/core/gsmtap.h``, as gr-gsm sends it): version 2,
header length 4 (32-bit words), type 1 (GSM Um L2 block), timeslot, ARFCN (big-endian; 0x8000 = PCS1900,
0x4000 = uplink), signal level (dBm, int8), SNR (dB, int8), frame number (big-endian uint32), sub-type
(1 = BCCH, 2 = CCCH), antenna, sub-slot, reserved; then the 23 L2 octets.

The socket is never ``connect()``-ed, so nobody listening means no ICMP errors and no exceptions;
send errors are counted (`GsmtapSender.errors`), not raised.
"""

from __future__ import annotations

import socket
import struct

__all__ = ["GsmtapSender", "gsmtap_header", "GSMTAP_PORT", "parse_hostport"]

GSMTAP_PORT = 4729
_VERSION = 2
_TYPE_UM = 0x01
SUBTYPE = {"bcch": 0x01, "ccch": 0x02}


def gsmtap_header(arfcn: int, fn: int, channel: str, timeslot: int = 0, signal_dbm: int = 0, snr_db: int = 0,
                  pcs: bool = False, uplink: bool = False) -> bytes:
    """The 16-octet GSMTAP v2 header of a Um L2 block.

    Examples
    --------
    >>> gsmtap_header(62, 1234567, "bcch").hex()
    '02040100003e00000012d68701000000'
    """
    a = (arfcn & 0x3FFF) | (0x8000 if pcs else 0) | (0x4000 if uplink else 0)
    clamp = lambda v: max(-128, min(127, int(round(v))))  # noqa: E731
    return struct.pack(">BBBBHbbIBBBB", _VERSION, 4, _TYPE_UM, timeslot, a, clamp(signal_dbm), clamp(snr_db),
                       fn & 0xFFFFFFFF, SUBTYPE[channel], 0, 0, 0)


def parse_hostport(text: str) -> tuple[str, int]:
    """``HOST[:PORT]`` (default 127.0.0.1:4729)."""
    host, _, port = text.rpartition(":") if ":" in text else (text, "", str(GSMTAP_PORT))
    return host or "127.0.0.1", int(port or GSMTAP_PORT)


class GsmtapSender:
    """Send decoded blocks to ``host:port`` over UDP.

    Parameters
    ----------
    host, port : str, int
        Default 127.0.0.1:4729 (Wireshark's GSMTAP port).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = GSMTAP_PORT):
        self.addr = (host, int(port))
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        self.sent = 0
        self.errors = 0

    def send(self, arfcn: int, fn: int, channel: str, octets: bytes, snr_db: float = 0.0, pcs: bool = False) -> None:
        """Send one L2 block (errors are counted, never raised)."""
        try:
            self.sock.sendto(gsmtap_header(arfcn, fn, channel, snr_db=snr_db, pcs=pcs) + bytes(octets), self.addr)
            self.sent += 1
        except OSError:
            self.errors += 1

    def close(self) -> None:
        """Close the socket (idempotent)."""
        self.sock.close()
