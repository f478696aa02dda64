"""The ``detector`` command: parses arguments and wires the rooms together (no DSP here).

Exit codes (DESIGN.md): 0 success, 1 an input was unusable, 2 usage error, 3 device or rtl_tcp
peer lost, 130 interrupted. Errors are one line on stderr (``--traceback`` for the full trace);
results found before an error are still written.
"""

from __future__ import annotations

import argparse
import enum
import json
import logging
import math
import os
import sys
import time

from . import __version__
from .errors import DetectorError, UsageError

__all__ = ["main", "ExitStatus", "build_parser"]

log = logging.getLogger("detector")


class ExitStatus(enum.IntEnum):
    """Process exit codes (DESIGN.md, public contract)."""

    OK = 0
    INPUT_ERROR = 1
    USAGE = 2
    DEVICE_LOST = 3
    INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with one line, as argparse does
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _si(text: str) -> float:
    from .sources import parse_si

    try:
        return parse_si(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _gain(text: str):
    if text.strip().lower() == "auto":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"gain must be a number in dB or 'auto', got {text!r}") from None


def _hostport(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "1234")
    try:
        return (host or "127.0.0.1"), int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}") from None


def _freq_spec(text: str):
    """``LOW:HIGH[:BIN]`` (a range, Hz) or a plain frequency (Hz)."""
    if ":" in text:
        from .survey import parse_range

        try:
            lo, hi = parse_range(text)
            parts = text.split(":")
            bin_hz = _si(parts[2]) if len(parts) > 2 and parts[2] else None
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
        return ("range", lo, hi, bin_hz)
    return ("freq", _si(text))


def _add_file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-s", "--sample-rate", type=_si, metavar="RATE",
                   help="sample rate of a headerless file, S/s (k/M suffixes); overrides the file name")
    p.add_argument("-f", "--frequency", type=_si, metavar="FREQ",
                   help="centre frequency of the recording, Hz (k/M/G suffixes); overrides metadata and name")
    p.add_argument("--format", dest="datatype", metavar="TYPE",
                   help="sample format of a headerless file: cu8, cs8, cs16, cf32 (or prefix the path: cs8:file.bin)")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="one JSON object per line on stdout, nothing else")
    p.add_argument("--db", metavar="PATH", help="SQLite database to store sessions and detections")
    p.add_argument("--profile", default="kp-border", metavar="NAME|FILE", help="site profile (default kp-border)")
    p.add_argument("--location", metavar="LAT,LON", help="where the receiver is, stored with the session (--db)")
    p.add_argument("--home-mcc", action="append", default=[], metavar="MCC",
                   help="a home network's MCC, added to the profile's (e.g. --profile generic --home-mcc 262)")


def _add_device_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-d", "--device", default="0", metavar="INDEX|:SERIAL|rtl_tcp:HOST[:PORT]",
                   help="RTL-SDR device index (default 0), :SERIAL, or rtl_tcp:host:port")
    p.add_argument("--rtl-tcp", type=_hostport, metavar="HOST:PORT", help="read from an rtl_tcp server")
    p.add_argument("-g", "--gain", type=_gain, default=None, metavar="DB|auto", help="tuner gain in dB (default auto)")
    p.add_argument("-p", "--ppm", type=int, default=0, help="crystal correction, ppm")
    p.add_argument("-T", "--bias-tee", action="store_true", help="enable the bias tee")
    p.add_argument("-D", "--direct-sampling", type=int, choices=(0, 1, 2), default=0,
                   help="direct sampling: 0 off, 1 I branch, 2 Q branch")
    p.add_argument("--list-devices", action="store_true", help="list the attached RTL-SDR dongles and exit")


def _add_receiver_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gsmtap", metavar="HOST[:PORT]",
                   help="also send every decoded GSM block as GSMTAP over UDP (Wireshark; default port 4729)")
    p.add_argument("--ppm-max", type=_ppm_max, default=None, metavar="PPM",
                   help="crystal error the LTE cell search allows, +- ppm around -p (default 120; 5 for a TCXO "
                        "dongle such as the RTL-SDR Blog V3/V4 or one calibrated with `detector calibrate`: "
                        "a fraction of the work; a range that excludes the receiver's error misses its cells). "
                        "Within a run, the error measured on decoded cells narrows later tunings to +-5 ppm")


def _ppm_max(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of ppm, got {text!r}") from None
    if not 0 < v <= 500 or v != v:
        raise argparse.ArgumentTypeError(f"expected 0 < PPM <= 500, got {text}")
    return v


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``detector`` command."""
    top = _Parser(prog="detector", description="Find GSM/LTE cells and handset activity; flag cross-border signals.")
    top.add_argument("--version", action="version", version=f"detector {__version__}")
    top.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    top.add_argument("-v", "--verbose", action="count", default=0, help="more log lines on stderr (-vv debug)")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("info", help="what a recording holds: format, rate, tunings, duration, metadata")
    p.add_argument("paths", nargs="+", metavar="FILE")
    _add_file_options(p)
    p.add_argument("--json", action="store_true", help="print JSON (one object per file)")

    p = sub.add_parser("replay", help="run the detection pipeline on recordings, exactly as live")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _add_file_options(p)
    _add_common(p)
    p.add_argument("--block", type=int, default=1 << 18, metavar="SAMPLES", help="block length (default 262144)")
    _add_receiver_options(p)

    p = sub.add_parser("calibrate", help="crystal error in ppm from GSM FCCH bursts (like kal -c, with no channel "
                                         "to give) or LTE PSS, from recordings or a live dwell")
    p.add_argument("paths", nargs="*", metavar="RECORDING", help="recordings to measure; none = a live dwell at -f")
    _add_file_options(p)
    _add_device_options(p)
    p.add_argument("--duration", type=float, default=2.0, metavar="SECONDS",
                   help="seconds examined per recording or live dwell (default 2)")
    p.add_argument("--json", action="store_true", help="one JSON object per recording or dwell on stdout")

    p = sub.add_parser("record", help="capture to SigMF (cu8) from an RTL-SDR or rtl_tcp, optionally a sweep")
    p.add_argument("-f", "--frequency", type=_si, action="append", metavar="FREQ",
                   help="centre frequency, Hz (k/M/G); repeat for a sweep (one captures segment per step)")
    p.add_argument("-s", "--sample-rate", type=_si, default=2.4e6, metavar="RATE", help="S/s (default 2.4M)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-n", "--samples", type=_si, metavar="N", help="samples per frequency")
    g.add_argument("--duration", type=float, metavar="SECONDS", help="seconds per frequency (default 1)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-w", dest="out", metavar="FILE", help="output SigMF recording; refuses to overwrite")
    g.add_argument("-W", dest="out_overwrite", metavar="FILE", help="output SigMF recording; overwrites")
    _add_device_options(p)
    p.add_argument("--settle", type=int, default=None, metavar="SAMPLES",
                   help="samples discarded after each retune (default 16384)")

    p = sub.add_parser("survey", help="wideband power sweep (like rtl_power): CSV, waterfall and spectrum plots, "
                                      "emissions")
    p.add_argument("paths", nargs="*", metavar="RECORDING", help="sweep recording(s) to survey; none = live")
    p.add_argument("-f", "--frequency", dest="freq_specs", action="append", default=[], type=_freq_spec,
                   metavar="LOW:HIGH[:BIN] | FREQ",
                   help="live: range to sweep as rtl_power takes it, e.g. 925M:960M or 925M:960M:5k (repeatable); "
                        "with a recording, a plain FREQ overrides its centre frequency")
    p.add_argument("-s", "--sample-rate", type=_si, metavar="RATE",
                   help="sample rate of a headerless file, S/s; overrides the file name")
    p.add_argument("--format", dest="datatype", metavar="TYPE",
                   help="sample format of a headerless file: cu8, cs8, cs16, cf32 (or prefix the path: cs8:file.bin)")
    p.add_argument("--band", action="append", default=[], metavar="NAME",
                   help="live: sweep a band's downlink (GSM900, DCS1800, B3, B39, ...; repeatable)")
    p.add_argument("--rate", type=_si, default=2.4e6, metavar="RATE", help="live: sample rate (default 2.4M)")
    p.add_argument("--dwell", type=float, default=0.25, metavar="SECONDS", help="live: seconds per step (0.25)")
    p.add_argument("-b", "--bin", dest="bin_hz", type=_si, default=5e3, metavar="HZ",
                   help="bin width, Hz (default 5k; rounded down to fs / 2^k)")
    p.add_argument("-c", "--crop", type=float, default=0.2, help="fraction of each step's band to discard "
                                                                    "at the edges (default 0.2)")
    p.add_argument("-i", "--interval", type=float, default=None, metavar="SECONDS",
                   help="CSV/waterfall integration interval (default: one row per step)")
    p.add_argument("--overlap", type=float, default=0.5, help="Welch segment overlap (default 0.5; 0 is 2x faster)")
    p.add_argument("--pfa", type=float, default=1e-6, help="per-bin false-alarm probability of the emission "
                                                           "detector on noise (default 1e-6)")
    p.add_argument("--csv", metavar="FILE", help="write rtl_power-format CSV")
    p.add_argument("--plots", metavar="DIR", help="write spectrum.png and waterfall.png into DIR")
    _add_common(p)
    _add_device_options(p)

    p = sub.add_parser("scan", help="live: sweep bands with an RTL-SDR or rtl_tcp, detect, flag, show a live table")
    p.add_argument("-f", "--frequency", dest="freq_specs", action="append", default=[], type=_freq_spec,
                   metavar="LOW:HIGH", help="range to sweep, e.g. 925M:960M (repeatable)")
    p.add_argument("--band", action="append", default=[], metavar="NAME[:ul]",
                   help="band to sweep: GSM900, DCS1800, B3, B39, ... (downlink: base stations); NAME:ul sweeps "
                        "an FDD band's uplink for handsets (repeatable)")
    p.add_argument("--dwell-handset", type=float, default=1.0, metavar="S", help="seconds per uplink step")
    p.add_argument("-s", "--sample-rate", type=_si, default=2.4e6, metavar="RATE", help="S/s (default 2.4M)")
    p.add_argument("-c", "--crop", type=float, default=0.2, help="fraction of each capture discarded at the edges")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--once", action="store_true", help="one sweep, then exit")
    g.add_argument("--repeat", type=int, metavar="N", help="N sweeps, then exit (default: until Ctrl-C)")
    p.add_argument("--dwell-gsm", type=float, default=1.0, metavar="S", help="seconds per GSM step (>= 0.94)")
    p.add_argument("--dwell-lte", type=float, default=0.08, metavar="S", help="seconds per LTE step")
    p.add_argument("--dwell", type=float, default=0.25, metavar="S", help="seconds per step of a plain range")
    p.add_argument("--settle", type=int, default=None, metavar="SAMPLES", help="samples discarded after a retune")
    p.add_argument("--reconnect", type=float, default=30.0, metavar="S",
                   help="keep trying to reopen a lost dongle or rtl_tcp server this long (default 30)")
    p.add_argument("--on-foreign", metavar="CMD", help="run CMD (shell) with each foreign record as JSON on stdin")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="worker processes for the GSM/LTE/handset receivers, several steps at once (default: the "
                        "number of cores, at most 4; 0: all in one process)")
    _add_receiver_options(p)
    _add_common(p)
    _add_device_options(p)

    p = sub.add_parser("synth", help="write a synthetic recording of a described scene, with its ground truth")
    p.add_argument("scene", choices=("survey-egsm", "tones-gsm900", "uplink-handsets", "gsm-border", "border-sweep",
                                     "handsets-border", "lte-tdd"),
                   help="survey-egsm: 925-960 MHz sweep of GSM/LTE/UMTS-shaped emissions; tones-gsm900: CW tones "
                        "of known power; uplink-handsets: a GSM and an LTE handset plus base stations; "
                        "gsm-border: three GSM900 C0 carriers (460-00, 460-01, 467-192) with full System "
                        "Information at 2.048 MS/s; border-sweep: a GSM900 step and a band-8 LTE step; "
                        "handsets-border: GSM and TD-LTE handsets beside base stations; lte-tdd: two co-channel "
                        "TD-LTE cells (PCI 253, 97) at 1890 MHz, 1.92 MS/s, 60 ppm")
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="output SigMF recording (.sigmf-meta)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled recording's)")
    p.add_argument("--ppm", type=float, default=None, metavar="PPM",
                   help="gsm-border, border-sweep, handsets-border, lte-tdd: simulated receiver crystal error "
                        "(default +40, +40, +30, +60)")
    p.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                   help="gsm-border, lte-tdd: seconds of signal (default 1.22, 0.08)")
    p.add_argument("-s", "--sample-rate", type=_si, default=None, metavar="RATE",
                   help="gsm-border: sample rate, S/s (default 2.048M, the bundled recording's)")

    p = sub.add_parser("profiles", help="list the built-in site profiles (and show one with NAME)")
    p.add_argument("name", nargs="?", metavar="NAME|FILE", help="show this profile in full")

    p = sub.add_parser("baseline", help="a baseline of known cells (build), and what is new against it (diff)")
    bsub = p.add_subparsers(dest="baseline_command", metavar="build|diff", parser_class=_Parser)
    bsub.required = True
    b = bsub.add_parser("build", help="baseline from a detection database or JSON lines")
    b.add_argument("input", metavar="DB|JSONL")
    b.add_argument("-o", "--output", required=True, metavar="BASELINE.json")
    b = bsub.add_parser("diff", help="detections not in the baseline (JSON lines on stdout), and baseline cells unseen")
    b.add_argument("input", metavar="DB|JSONL")
    b.add_argument("--baseline", required=True, metavar="BASELINE.json")

    p = sub.add_parser("report", help="an HTML report (foreign cells with reasons, plots) from a database or JSONL")
    p.add_argument("input", metavar="DB|JSONL")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory for report.html")

    p = sub.add_parser("serve", help="an rtl_tcp server that makes a recording a virtual dongle")
    p.add_argument("recording", metavar="RECORDING")
    _add_file_options(p)
    p.add_argument("-a", "--address", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("-P", "--port", type=int, default=1234, help="TCP port (default 1234)")
    p.add_argument("--fast", action="store_true", help="send as fast as the client reads (default: real time)")
    p.add_argument("--loop", action="store_true", help="loop the recording instead of ending the stream")
    return top


# -- commands -------------------------------------------------------------------------------------

def _open(args, path):
    from .sources import open_recording

    return open_recording(path, datatype=args.datatype, sample_rate_hz=args.sample_rate,
                          center_freq_hz=args.frequency)


def _fmt_hz(hz) -> str:
    if hz is None or (isinstance(hz, float) and math.isnan(hz)):
        return "unknown"
    return f"{hz / 1e6:.6g} MHz"


#: Metadata keys `detector info` does not repeat in its text output (shown above or pure bookkeeping).
_INFO_HIDDEN = {"container", "core:datatype", "core:sample_rate", "core:extensions", "core:num_channels",
                "core:offset", "core:version"}


def cmd_info(args) -> int:
    """``detector info``: describe recordings."""
    status = ExitStatus.OK
    for path in args.paths:
        try:
            with _open(args, path) as src:
                d = src.describe()
        except DetectorError as e:
            _error(e, args)
            status = max(status, e.exit_code)
            continue
        if args.json:
            print(json.dumps(d, default=str))
            continue
        segs = d["segments"]
        lines = [
            f"{path}",
            f"  format       {d['format']} ({d['datatype']})",
            f"  sample rate  {d['sample_rate_hz'] / 1e6:.6g} MS/s",
            f"  samples      {d['num_samples']} ({d['duration_s']:.6g} s)",
            f"  tunings      {len(segs)}",
        ]
        for s in segs:
            when = f"  {s['datetime']}" if s.get("datetime") else ""
            lines.append(f"    [{s['index']}] {_fmt_hz(s['center_freq_hz'])}  {s['num_samples']} samples "
                         f"({s['duration_s']:.6g} s) from sample {s['first_sample']}{when}")
        for k, v in d["metadata"].items():
            if k in _INFO_HIDDEN or v is None:
                continue
            lines.append(f"  {k:<12} {v}")
        print("\n".join(lines))
    return status


def cmd_replay(args) -> int:
    """``detector replay``: the detection pipeline on recordings."""
    from . import pipeline

    status = ExitStatus.OK
    judge = _judge(args)
    db, session = _store(args, "replay", " ".join(args.paths))

    def sink(rec):
        rec.update(judge(rec))
        db.upsert(rec, session)  # committed before it is printed: nothing shown is lost
        if args.json:
            print(json.dumps(rec), flush=True)

    for path in args.paths:
        try:
            src = _open(args, path)
        except DetectorError as e:
            _error(e, args)
            status = max(status, e.exit_code)
            continue
        with src:
            result = pipeline.run(src, src.blocks(args.block), _analyzers(args), sink)
        db.end_session(session, result.samples, src.stats.dropped)
        _report_run(path, src, result)
        if not args.json and result.records:
            from .report import text_report

            print(text_report(result.records), flush=True)
        if isinstance(result.error, KeyboardInterrupt):
            db.close()
            return ExitStatus.INTERRUPTED
        if result.error is not None:
            if not isinstance(result.error, DetectorError):
                raise result.error
            _error(result.error, args)
            status = max(status, result.error.exit_code)
    db.close()
    return status


def _analyzer_options(args) -> dict[str, dict]:
    """Keyword arguments of each analyzer from the command line."""
    out: dict[str, dict] = {"gsm": {"gsmtap": args.gsmtap} if getattr(args, "gsmtap", None) else {}}
    if getattr(args, "ppm_max", None) is not None:
        from .lte import SearchConfig

        out["lte"] = {"config": SearchConfig(ppm_max=args.ppm_max)}
    return out


def _analyzers(args) -> list:
    """One instance of every registered analyzer, with the options the command line gives them."""
    from . import pipeline

    return pipeline.build_analyzers(_analyzer_options(args))


def _report_run(path, src, result) -> None:
    dur = sum(s.samples for s in result.segments.values()) / src.sample_rate_hz if result.segments else 0.0
    speed = f", {dur / result.wall_s:.1f}x real time" if result.wall_s > 0 and dur else ""
    print(f"{path}: {result.samples} samples ({dur:.3f} s) in {len(result.segments)} tuning(s){speed}; "
          f"{len(result.records)} record(s)", file=sys.stderr)
    # integer samples have a full scale to clip at; float files (often in raw ADC units) do not
    fmt = getattr(src, "fmt", None)
    has_full_scale = fmt is None or not fmt.is_float
    for idx, s in sorted(result.segments.items()):
        clip = " CLIPPING" if has_full_scale and s.peak >= 0.999 else ""
        print(f"  [{idx}] {_fmt_hz(s.center_freq_hz)}: mean power {s.mean_power_dbfs:.1f} dBFS, "
              f"peak {20 * math.log10(max(s.peak, 1e-12)):.1f} dBFS{clip}", file=sys.stderr)
    st = src.stats
    if st.dropped or st.clipped:
        print(f"  dropped {st.dropped} samples, clipped {st.clipped} samples", file=sys.stderr)


class _NoStore:
    """Stands in for the store when --db is not given."""

    def upsert(self, rec, session_id=None):
        return None

    def end_session(self, session_id, samples=None, dropped=None):
        return None

    def close(self):
        return None


def _store(args, command: str, source: str = ""):
    """(store, session id) for --db PATH, or a do-nothing store."""
    if not getattr(args, "db", None):
        return _NoStore(), None
    from .store import Store

    db = Store(args.db)
    sid = db.start_session(command, source, gain_db=getattr(args, "gain", None), ppm=getattr(args, "ppm", None),
                           location=getattr(args, "location", None))
    return db, sid


def _judge(args):
    """The site profile's rules as a function record -> record with verdict and reasons (`detector.policy`)."""
    from .policy import evaluate, load_baseline, load_profile

    profile = load_profile(args.profile, args.home_mcc)
    baseline = load_baseline(profile.baseline) if profile.baseline else None
    return lambda rec: evaluate(rec, profile, baseline)


def _open_live(args):
    """An RTL-SDR or rtl_tcp source from the device options."""
    dev = str(args.device)
    if args.rtl_tcp or dev.startswith("rtl_tcp:"):
        from .sources._rtltcp import RtlTcpSource

        host, port = args.rtl_tcp or _hostport(dev.split(":", 1)[1])
        src = RtlTcpSource(host, port)
    else:
        from .sources._rtlsdr import RtlSdrSource

        device = int(dev) if dev.isdigit() else dev
        src = RtlSdrSource(device, sample_rate_hz=args.sample_rate, gain_db=args.gain, ppm=args.ppm,
                           bias_tee=args.bias_tee, direct_sampling=args.direct_sampling)
        return src
    try:
        src.set_sample_rate(args.sample_rate)
        src.set_gain(args.gain)
        if args.ppm:
            src.set_ppm(args.ppm)
        if args.bias_tee:
            src.set_bias_tee(True)
        if args.direct_sampling:
            src.set_direct_sampling(args.direct_sampling)
    except BaseException:
        src.close()
        raise
    return src


def cmd_record(args) -> int:
    """``detector record``: capture to a SigMF recording, one captures segment per frequency."""
    from .sources import from_complex64
    from .sources._sigmf_writer import SigMFWriter

    if args.list_devices:
        return _list_devices()
    if not args.frequency:
        raise UsageError("record: give at least one -f FREQ")
    if not (args.out or args.out_overwrite):
        raise UsageError("record: give -w FILE (refuses to overwrite) or -W FILE (overwrites)")
    per_step = int(args.samples) if args.samples else int(round((args.duration or 1.0) * args.sample_rate))
    if per_step <= 0:
        raise UsageError(f"samples per frequency must be > 0, got {per_step}")
    out = args.out or args.out_overwrite
    if args.out:
        SigMFWriter.check_new(out)  # refuse before touching the device
    written = 0
    src = _open_live(args)
    writer = None
    try:
        if args.settle is not None:
            src.settle_samples = args.settle
        extra = {"detector:ppm": args.ppm} if args.ppm else {}
        writer = SigMFWriter(out, src.sample_rate_hz, "cu8", overwrite=bool(args.out_overwrite),
                             hw=_hw_description(src, args), extra_global=extra)
        # small blocks: if the device or peer is lost, all but the last few ms are already on disk
        for block in src.sweep(args.frequency, per_step, block_samples=1 << 14):
            # the exact bytes the dongle/peer sent when the source kept them, else the lossless inverse
            writer.write(block, block.meta.get("cu8") or from_complex64(block.samples, "cu8"))
            written += len(block)
    finally:
        stats = src.stats
        src.close()
        if writer is not None:
            writer.close()
            print(f"{writer.meta_path}: {written} samples in {len(writer.captures)} segment(s); dropped "
                  f"{stats.dropped}, discarded after retune {stats.discarded}, clipped {stats.clipped}",
                  file=sys.stderr)
    return ExitStatus.OK


def _list_devices() -> int:
    from .sources._rtlsdr import list_devices

    devices = list_devices()
    if not devices:
        print("no RTL-SDR dongles found", file=sys.stderr)
    for d in devices:
        print(f"{d.get('index')}: {d.get('name', '')}  serial {d.get('serial', '?')}"
              f"{'  (' + d['error'] + ')' if d.get('error') else ''}")
    return ExitStatus.OK


def _hw_description(src, args) -> str:
    parts = [src.name]
    tuner = getattr(src, "tuner_name", None) or getattr(src, "tuner_type", None)
    if tuner:
        parts.append(f"tuner {tuner}")
    parts.append("gain auto" if args.gain is None else f"gain {args.gain} dB")
    if args.ppm:
        parts.append(f"ppm {args.ppm}")
    return ", ".join(str(p) for p in parts)


def cmd_serve(args) -> int:
    """``detector serve``: serve a recording over the rtl_tcp protocol."""
    from .sources._rtltcp_server import RtlTcpServer

    if os.path.isdir(args.recording):
        raise UsageError(f"serve: {args.recording} is a directory; serve one recording (a SigMF recording with "
                         f"several captures serves a whole sweep)")
    src = _open(args, args.recording)

    def log_line(msg):
        print(f"detector serve: {msg}", file=sys.stderr, flush=True)

    with src:
        srv = RtlTcpServer(src, host=args.address, port=args.port, realtime=not args.fast, loop=args.loop,
                           log=log_line).start()
        try:
            segs = ", ".join(_fmt_hz(s.center_freq_hz) for s in src.segments)
            print(f"serving {args.recording} ({segs}) as rtl_tcp on {args.address}:{srv.port}; Ctrl-C to stop",
                  file=sys.stderr, flush=True)
            while srv.running:
                time.sleep(0.2)
        finally:
            srv.stop()
    return ExitStatus.OK


def _survey_blocks(args):
    """Blocks for the survey: recordings in order, or a live sweep over the planned hops."""
    from .survey import plan_hops

    if args.paths:
        for path in args.paths:
            with _open(args, path) as src:
                yield src, src.blocks()
        return
    ranges = [(spec[1], spec[2]) for spec in args.freq_specs if spec[0] == "range"]
    for name in args.band:
        ranges.append(_band_range(name))
    if not ranges:
        raise UsageError("survey: give recordings, or -f LOW:HIGH / --band NAME for a live sweep")
    hops = [f for lo, hi in ranges for f in plan_hops(lo, hi, args.rate, args.crop)]
    args.sample_rate = args.rate
    src = _open_live(args)
    with src:
        yield src, src.sweep(hops, int(args.dwell * args.rate))


def _band_range(name: str) -> tuple[float, float]:
    try:
        from .bands import band_info
    except ImportError:  # pragma: no cover - bands room not installed
        raise UsageError("--band needs the band tables (detector.bands)") from None
    try:
        b = band_info(name)
    except (KeyError, ValueError) as e:
        raise UsageError(f"--band {name}: {e}") from None
    return b.dl_low_hz, b.dl_high_hz


def cmd_survey(args) -> int:
    """``detector survey``: rtl_power-like sweep with emissions, CSV and plots."""
    from .survey import SurveyAccumulator, SurveyConfig

    if args.list_devices:
        return _list_devices()
    plain = [spec[1] for spec in args.freq_specs if spec[0] == "freq"]
    if plain and not args.paths:
        raise UsageError("survey: -f FREQ (a single frequency) only overrides a recording's centre; "
                         "for a live sweep give -f LOW:HIGH")
    args.frequency = plain[-1] if plain else None
    bins = [spec[3] for spec in args.freq_specs if spec[0] == "range" and spec[3]]
    if bins:
        args.bin_hz = bins[-1]
    cfg = SurveyConfig(bin_hz=args.bin_hz, crop=args.crop, interval_s=args.interval, pfa=args.pfa,
                       overlap=args.overlap)
    acc = SurveyAccumulator(cfg)
    error = None
    source_names = []
    try:
        for src, blocks in _survey_blocks(args):
            source_names.append(src.name)
            for b in blocks:
                acc.update(b)
    except (DetectorError, KeyboardInterrupt) as e:  # keep what was measured so far
        error = e
    result = acc.finish()
    judge = _judge(args)
    records = [judge(_emission_record(e, ", ".join(source_names))) for e in result.emissions]
    db, session = _store(args, "survey", ", ".join(source_names))
    for rec in records:
        db.upsert(rec, session)
    db.end_session(session, sum(h.samples for h in result.hops))
    db.close()
    if args.csv:
        with open(args.csv, "w") as fh:
            n = _write_csv(fh, result.hops)
        print(f"{args.csv}: {n} rtl_power rows", file=sys.stderr)
    if args.plots:
        from .report import plot_spectrum, plot_waterfall

        os.makedirs(args.plots, exist_ok=True)
        blocks = _plan_blocks(result)
        plot_spectrum(result, os.path.join(args.plots, "spectrum.png"), blocks)
        plot_waterfall(result, os.path.join(args.plots, "waterfall.png"), blocks)
        print(f"{args.plots}: spectrum.png, waterfall.png", file=sys.stderr)
    _print_emissions(result, records)
    for rec in records:
        if args.json:
            print(json.dumps(rec), flush=True)
    if isinstance(error, KeyboardInterrupt):
        return ExitStatus.INTERRUPTED
    if error is not None:
        _error(error, args)
        return error.exit_code
    return ExitStatus.OK


def _write_csv(fh, hops):
    from .report import write_rtl_power_csv

    return write_rtl_power_csv(fh, hops)


def _plan_blocks(result) -> list[dict]:
    """Band-plan blocks (operator, country) over the surveyed range, from detector.bands when present."""
    if not result.freqs_hz.size:
        return []
    try:
        from .bands import blocks_between
    except ImportError:
        return []
    return blocks_between(float(result.freqs_hz[0]), float(result.freqs_hz[-1]))


def _emission_record(e, source: str) -> dict:
    from .survey._analyzer import emission_record

    return {**emission_record(e), "source": source}


def _print_emissions(result, records) -> None:
    print(f"survey: {len(result.hops)} step(s), {result.freqs_hz.size} bins, {len(records)} emission(s)",
          file=sys.stderr)
    for r in records:
        extra = f" {r['band']}" if r.get("band") else ""
        snr = f"SNR {r['snr_db']:5.1f} dB" if "snr_db" in r else "fills the capture"
        print(f"  {r['freq_hz'] / 1e6:10.4f} MHz  {r['shape']:<10} {r['bandwidth_hz'] / 1e3:8.1f} kHz "
              f"{r['power_dbfs']:7.1f} dBFS  {snr}{extra}", file=sys.stderr)


#: Bands swept when neither -f nor --band is given and the profile names none.
DEFAULT_SCAN_BANDS = ["GSM900", "DCS1800", "B39", "B40", "B41"]


def _tuner_ranges(src):
    ranges = getattr(src, "freq_ranges_hz", None)
    if callable(ranges):
        return ranges()
    from .sources._rtltcp import TUNER_RANGES_HZ

    return TUNER_RANGES_HZ.get(getattr(src, "tuner_type_code", 0), ())


def _scan_jobs(jobs: int | None) -> int:
    """Worker processes for a scan: `jobs` if given (>= 0), else the cores (at most 4), 0 on one core."""
    if jobs is not None:
        if jobs < 0:
            raise UsageError(f"scan: --jobs must be >= 0, not {jobs}")
        return jobs
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, 4) if cores > 1 else 0


def _pace_hint(args, steps) -> str:
    """What to do about a sweep the CPU held back: with LTE steps and the crystal error unknown, the LTE search
    covers +-120 ppm (most of a step's CPU) until a decoded cell gives the error."""
    if getattr(args, "ppm_max", None) is not None or not any("lte" in (s.techs or ()) for s in steps):
        return ""
    return ("; no cell has given the crystal error yet, so LTE carriers are searched over +-120 ppm: a dongle "
            "calibrated with `detector calibrate` (then -p PPM --ppm-max 5), or a TCXO one with --ppm-max 5, "
            "cuts that search several-fold")


def cmd_scan(args) -> int:
    """``detector scan``: sweep, detect, flag; live table on a TTY, JSON lines with --json."""
    import functools

    from . import pipeline
    from .scanner import LiveTable, ScanRunner, check_reachable, plan_sweep, record_key, targets_from

    if args.list_devices:
        return _list_devices()
    ranges = [(spec[1], spec[2]) for spec in args.freq_specs if spec[0] == "range"]
    if any(spec[0] == "freq" for spec in args.freq_specs):
        raise UsageError("scan: -f takes a range LOW:HIGH (e.g. 925M:960M)")
    if not args.band and not ranges:
        from .policy import load_profile

        args.band = list(load_profile(args.profile, args.home_mcc).bands) or DEFAULT_SCAN_BANDS
    targets = targets_from(ranges, args.band)
    merged = {}
    for t in targets:  # bands with the same downlink (DCS1800 and B3) are one sweep
        key = (t.lo_hz, t.hi_hz)
        if key in merged:
            old = merged[key]
            merged[key] = type(t)(f"{old.label}/{t.label}", t.lo_hz, t.hi_hz, tuple(sorted({*old.techs, *t.techs})))
        else:
            merged[key] = t
    steps = plan_sweep(list(merged.values()), args.sample_rate, args.crop,
                       {"gsm": args.dwell_gsm, "lte": args.dwell_lte, "survey": args.dwell,
                        "handset": args.dwell_handset})

    def open_source():
        src = _open_live(args)
        if args.settle is not None:
            src.settle_samples = args.settle
        return src

    table = LiveTable()

    log = table.log

    first = open_source()
    steps, skipped = check_reachable(steps, _tuner_ranges(first), getattr(first, "tuner_name", None)
                                     or getattr(first, "tuner_type", "tuner"))
    first.close()
    for msg in skipped:
        print(f"detector scan: {msg}", file=sys.stderr, flush=True)
    if not steps:
        raise UsageError("scan: no step of the requested bands is within the tuner's range")

    foreign_hooks = []
    judge = _judge(args)
    db, session = _store(args, "scan", f"rtl_tcp:{args.rtl_tcp[0]}:{args.rtl_tcp[1]}" if args.rtl_tcp
                         else f"rtlsdr:{args.device}")

    def on_record(rec):
        db.upsert(rec, session)
        table.add(record_key(rec), rec)
        if args.json:
            print(json.dumps(rec), flush=True)
        if args.on_foreign and rec.get("verdict") == "foreign":
            foreign_hooks.append(_run_hook(args.on_foreign, rec))

    def on_progress(pass_index, step, stats):
        total = len(steps)
        done = step.index + 1
        bar = "#" * int(20 * done / total) + "." * (20 - int(20 * done / total))
        sweeps = f"/{args.repeat or 1}" if (args.once or args.repeat) else ""
        table.set_progress(f"sweep {pass_index + 1}{sweeps} [{bar}] step {done}/{total} "
                           f"{step.center_freq_hz / 1e6:.3f} MHz {step.label}  x{stats.realtime_factor:.1f} real time, "
                           f"dropped {stats.dropped}, {len(runner.records)} detection(s)")

    passes = 1 if args.once else args.repeat
    jobs = _scan_jobs(args.jobs)
    options = _analyzer_options(args)
    # with workers, the receivers run there (built per step) and the spectrum survey stays here
    runner = ScanRunner(open_source, steps,
                        functools.partial(pipeline.build_analyzers, options, False if jobs else None),
                        on_record, passes=passes, on_progress=on_progress, reconnect_s=args.reconnect, log=log,
                        judge=judge, jobs=jobs,
                        step_analyzers=functools.partial(pipeline.build_analyzers, options, True) if jobs else None,
                        pace_hint=_pace_hint(args, steps))
    try:
        stats = runner.run()
    finally:
        db.end_session(session, runner.stats.samples, runner.stats.dropped)
        db.close()
    table.draw(force=True)
    for t in foreign_hooks:
        t.join(timeout=10)
    foreign = sum(1 for r in runner.records.values() if r.get("verdict") == "foreign")
    workers = f" on {stats.workers} worker(s)" if stats.workers else ""
    print(f"scan: {stats.passes} sweep(s), {stats.steps} step(s), {len(runner.records)} detection(s) "
          f"({foreign} foreign), {stats.samples} samples at x{stats.realtime_factor:.1f} real time per core"
          f"{workers}, dropped {stats.dropped}, {stats.reconnects} reconnect(s), {stats.wall_s:.1f} s"
          + (f" (sweeps: {', '.join(f'{w:.1f}' for w in stats.pass_wall_s)} s)" if len(stats.pass_wall_s) > 1 else "")
          + (f", waited {stats.waited_s:.1f} s for the workers" if stats.waited_s >= 0.05 else ""),
          file=sys.stderr)
    err = runner.error
    if isinstance(err, KeyboardInterrupt):
        print("detector: interrupted; detections so far are kept", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    if err is not None:
        if not isinstance(err, DetectorError):
            raise err
        _error(err, args)
        return err.exit_code
    return ExitStatus.OK


def _run_hook(cmd: str, rec: dict):
    """Run the --on-foreign command in a thread with the record on stdin (errors are logged, not fatal)."""
    import subprocess
    import threading

    def go():
        try:
            subprocess.run(cmd, shell=True, input=json.dumps(rec) + "\n", text=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError) as e:
            print(f"detector scan: --on-foreign failed: {e}", file=sys.stderr)

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def cmd_calibrate(args) -> int:
    """``detector calibrate``: the receiver's crystal error from every GSM FCCH burst and LTE cell it sees."""
    from .gsm import calibrate_blocks
    from .lte import calibrate_blocks as lte_calibrate_blocks
    from .lte._analyzer import lte_bands_in_capture

    if args.duration <= 0:
        raise UsageError(f"calibrate: --duration must be > 0 s, got {args.duration}")
    jobs = []  # (label, function opening the source)
    if args.paths:
        for path in args.paths:
            jobs.append((path, lambda path=path: _open(args, path)))
    else:
        if args.list_devices:
            return _list_devices()
        if not args.frequency:
            raise UsageError("calibrate: give a recording, or -f FREQ for a live dwell (e.g. -f 947M)")
        args.sample_rate = args.sample_rate or 2.4e6
        jobs.append((f"live {args.frequency / 1e6:.3f} MHz", lambda: _open_live(args)))
    status = ExitStatus.OK
    for label, opener in jobs:
        try:
            src = opener()
        except DetectorError as e:
            _error(e, args)
            status = max(status, e.exit_code)
            continue
        with src:
            try:
                if args.paths:
                    blocks = src.blocks()
                else:
                    src.tune(args.frequency)
                    blocks = src.blocks(num_samples=int(args.duration * src.sample_rate_hz))
                kept = _first_seconds(blocks, args.duration)  # one read feeds both measurements
            except DetectorError as e:
                _error(e, args)
                status = max(status, e.exit_code)
                continue
        results = [{"source": label, **calibrate_blocks(kept).as_dict()}]
        if any(lte_bands_in_capture(b.center_freq_hz, b.sample_rate_hz) for b in kept[:1] + kept[-1:]):
            results.append({"source": label, **lte_calibrate_blocks(kept, max_seconds=args.duration).as_dict()})
        found = [d for d in results if d["ppm"] is not None]
        for d in found or results[:1]:
            print(json.dumps(d) if args.json else _calibration_text(d), flush=True)
        if not found:
            what = "GSM FCCH burst or LTE cell" if len(results) > 1 else "GSM FCCH burst"
            print(f"detector: {label}: no {what} in {results[0]['duration_s']:.2f} s; tune to a GSM or LTE "
                  f"downlink (e.g. -f 947M) or give a longer --duration", file=sys.stderr)
            status = max(status, ExitStatus.INPUT_ERROR)
    return status


def _first_seconds(blocks, seconds: float) -> list:
    """The blocks of the first `seconds` of every segment (bounded: what the calibration examines)."""
    kept, seen = [], {}
    for b in blocks:
        t = seen.get(b.segment, 0.0)
        if t < seconds:
            kept.append(b)
            seen[b.segment] = t + len(b) / b.sample_rate_hz
    return kept


def _calibration_text(d: dict) -> str:
    """kal-style lines: one per carrier, then the average error and the -p value to use."""
    lte = d.get("method") == "lte-pss"
    unit = "PSS half-frame(s)" if lte else "FCCH burst(s)"
    what = "cell(s)" if lte else "carrier(s)"
    lines = [f"{d['source']}: {d['duration_s']:.2f} s examined, {len(d['carriers'])} {what}, {d['count']} {unit}"]
    for c in d["carriers"]:
        if lte:
            ident = f"  PCI {c.get('pci')}" + ("" if c.get("confirmed") else " (no MIB)")
        else:
            ident = f"  BSIC {c['bsic']}" if c.get("bsic") is not None else \
                ("" if c.get("confirmed") else "  (FCCH only)")
        lines.append(f"  {c.get('band') or '?':>8} {'EARFCN' if lte else 'ARFCN'} {c.get('channel', '?'):>5}  "
                     f"{c['freq_hz'] / 1e6:9.3f} MHz  offset {c['freq_offset_hz'] / 1e3:+8.3f} kHz  "
                     f"{c['ppm']:+8.3f} ppm (sd {c.get('ppm_std') or 0:.3f}, {c['fcch_count']} "
                     f"{'half-frames' if lte else 'bursts'}){ident}")
    if d["ppm"] is not None:
        clock = (f"; sample clock {d['sample_clock_ppm']:+.2f} ppm" if d.get("sample_clock_ppm") is not None
                 else "")
        lines.append(f"average absolute error: {d['ppm']:+.3f} ppm (sd {d['ppm_std'] or 0:.3f}){clock}; "
                     f"correct with -p {round(d['ppm'])}")
    return "\n".join(lines)


def cmd_synth(args) -> int:
    """``detector synth``: the bundled scenes with any seed (GSM/LTE cell scenes join with their receivers)."""
    from .synth import Tone, write_tone_sweep
    from .synth._shapes import SURVEY_EGSM_EMITTERS, write_emission_sweep
    from .synth._uplink import write_uplink_scene

    if args.scene == "survey-egsm":
        write_emission_sweep(args.output, 925e6, 960e6, SURVEY_EGSM_EMITTERS, 2.4e6, 0.025, 0.2, -55.0,
                             2 if args.seed is None else args.seed)
    elif args.scene == "tones-gsm900":
        write_tone_sweep(args.output, [936.0e6, 938.4e6], [Tone(935.4e6, -20.0), Tone(936.6e6, -35.0),
                                                            Tone(938.0e6, -25.0), Tone(939.2e6, -30.0)],
                         2.4e6, 0.1, -30.0, 1 if args.seed is None else args.seed)
    elif args.scene in ("border-sweep", "handsets-border"):
        from .synth._border import write_border_sweep, write_handset_scene

        if args.scene == "border-sweep":
            write_border_sweep(args.output, 11 if args.seed is None else args.seed,
                               40.0 if args.ppm is None else args.ppm)
        else:
            write_handset_scene(args.output, 21 if args.seed is None else args.seed,
                                30.0 if args.ppm is None else args.ppm)
    elif args.scene == "lte-tdd":
        from .synth._lte import write_two_cell_tdd_scene

        write_two_cell_tdd_scene(args.output, args.seed, args.ppm, args.duration)
    elif args.scene == "gsm-border":
        from .synth._gsm import write_border_scene

        write_border_scene(args.output, 4 if args.seed is None else args.seed,
                           40.0 if args.ppm is None else args.ppm, args.duration or 1.22, args.sample_rate or 2.048e6)
    else:
        write_uplink_scene(args.output, 3 if args.seed is None else args.seed)
    base = args.output.removesuffix(".sigmf-meta")
    print(f"{base}.sigmf-meta, {base}.sigmf-data, {base}.truth.json", file=sys.stderr)
    return ExitStatus.OK


def cmd_profiles(args) -> int:
    """``detector profiles``: the built-in site profiles, or one profile in full."""
    from .policy import builtin_profiles, load_profile

    if args.name:
        p = load_profile(args.name)
        for k in ("name", "description", "home_mcc", "home_country", "foreign_mcc", "neighbours", "bands",
                  "min_snr_db", "source"):
            v = getattr(p, k)
            print(f"{k:<13} {', '.join(v) if isinstance(v, tuple) else v}")
        return ExitStatus.OK
    for name in builtin_profiles():
        p = load_profile(name)
        home = ", ".join(p.home_mcc) or "(--home-mcc)"
        print(f"{name:<10} home MCC {home:<12} {p.description}")
    print("Write your own: copy one of detector/policy/profiles/*.toml and pass --profile FILE.", file=sys.stderr)
    return ExitStatus.OK


def cmd_baseline(args) -> int:
    """``detector baseline build|diff``."""
    from .policy import build_baseline, diff_baseline, load_baseline, load_records

    records = load_records(args.input)
    if args.baseline_command == "build":
        data = build_baseline(records, args.input)
        with open(args.output, "w") as fh:
            json.dump(data, fh, indent=1)
        print(f"{args.output}: {len(data['entries'])} known identities from {len(records)} records", file=sys.stderr)
        return ExitStatus.OK
    new, missing = diff_baseline(records, load_baseline(args.baseline))
    for rec in new:
        print(json.dumps({**rec, "reasons": [*rec.get("reasons", []), {"rule": "new_cell", "detail":
                          "not in the site's baseline of known cells"}]}))
    print(f"baseline diff: {len(new)} new, {len(missing)} known but not seen", file=sys.stderr)
    for key in missing:
        print(f"  not seen: {key}", file=sys.stderr)
    return ExitStatus.OK


def cmd_report(args) -> int:
    """``detector report``: report.html from a detection database or JSON lines."""
    from .policy import load_records
    from .report import text_report, write_report

    records = load_records(args.input)
    sessions = timeline = None
    with open(args.input, "rb") as fh:
        is_db = fh.read(16).startswith(b"SQLite format 3")
    os.makedirs(args.output, exist_ok=True)
    out = os.path.join(args.output, "report.html")
    if is_db:
        from .store import Store

        with Store(args.input) as db:
            write_report(records, out, db.sessions(), db.timeline, args.input)
    else:
        write_report(records, out, sessions, timeline, args.input)
    print(text_report(records))
    foreign = sum(1 for r in records if r.get("verdict") == "foreign")
    print(f"{out}: {len(records)} detections, {foreign} foreign (also overview.png, timelines.png, "
          f"detections.csv, detections.jsonl)", file=sys.stderr)
    return ExitStatus.OK


COMMANDS = {"info": cmd_info, "replay": cmd_replay, "record": cmd_record, "serve": cmd_serve, "survey": cmd_survey,
            "scan": cmd_scan, "calibrate": cmd_calibrate, "synth": cmd_synth, "profiles": cmd_profiles,
            "baseline": cmd_baseline, "report": cmd_report}


def _error(e: BaseException, args=None) -> None:
    if getattr(args, "traceback", False):
        import traceback

        traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)
    print(f"detector: error: {e}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the ``detector`` command; returns the exit status (see `ExitStatus`)."""
    parser = build_parser()
    args = None
    try:
        args = parser.parse_args(argv)
        logging.basicConfig(level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
                            format="detector: %(message)s", stream=sys.stderr)
        return int(COMMANDS[args.command](args))
    except DetectorError as e:
        _error(e, args)
        return e.exit_code
    except KeyboardInterrupt:
        print("detector: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:  # stdout closed by a pager or `head`: stop quietly, like other filters
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter shutdown from failing again
        except OSError:
            pass
        return ExitStatus.OK
    except SystemExit as e:  # --help / --version
        return int(e.code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
