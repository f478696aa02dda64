"""GSM receiver (TS 45.002/45.003/44.018). So far: System Information parsing (`parse_si`, `parse_lai`);
the burst chain (FCCH, SCH, equaliser, channel decoding) is still to come."""

from ._sysinfo import MESSAGE_TYPES, SysInfoError, parse_lai, parse_si

__all__ = ["MESSAGE_TYPES", "SysInfoError", "parse_lai", "parse_si"]
