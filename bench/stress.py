"""Stress benchmarks of `drumsynth serve` over loopback UDP: a flood and a soak.

flood: 4 clients stream `/drum/seed` to their own slots at 2,000 messages a second in all for
30 s, with junk datagrams mixed in, while a fifth pings every 20 ms. Reports the `/drum/ping`
round trip (median, p99, worst) throughout, the server's RSS at start and end, and checks that
every slot ends in its last requested state (its latent equals that of a fresh slot seeded with
the last seed sent to it).

soak: mixed traffic for 10 minutes (`--minutes`): seeds, PCA moves, morphs, short paths,
inversions of a file, status, cancels, unknown addresses and junk, at about 40 messages a
second. Every `--every` seconds it prints a row: RSS, open file descriptors, files in --out,
failures so far and the round-trip percentiles of that window; then the drift over the run.

    python bench/stress.py flood                  # the shipped model
    python bench/stress.py soak --minutes 60 --json soak.json
    python bench/stress.py flood --model path/to/artifact --seconds 5

Targets (issue 9): ping p99 <= 100 ms throughout the flood, RSS within +100 MB of the start,
every slot in its last requested state; the soak keeps RSS, descriptors and files flat.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from osc_bench import Client, free_port

TARGETS = {"ping_p99_ms": 100.0, "rss_drift_mb": 100.0}


def rss_mb(pid: int) -> float:
    """VmRSS of a Linux process, in MB (0 where /proc is missing)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def open_fds(pid: int) -> int:
    """Open file descriptors of a Linux process (-1 where /proc is missing)."""
    try:
        return len(list(Path(f"/proc/{pid}/fd").iterdir()))
    except OSError:
        return -1


@dataclass
class Server:
    """A `drumsynth serve` process and a client of it."""

    proc: subprocess.Popen[str]
    port: int
    out: Path
    client: Client

    def ask(self, address: str, *args: Any, timeout: float = 10.0) -> tuple[str, list[Any]]:
        """Sends a request; returns its reply (its own address, `/drum/done` or `/drum/fail`),
        skipping late replies to earlier requests."""
        self.client.send(address, *args)
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            reply = self.client.recv(left)
            if reply is not None and reply.address in (address, "/drum/done", "/drum/fail"):
                return reply.address, list(reply.params)
        raise RuntimeError(f"no reply to {address}")

    def status(self) -> dict[str, Any]:
        _, args = self.ask("/drum/status")
        return dict(zip(args[::2], args[1::2], strict=True))

    def settle(self, timeout: float = 60.0) -> None:
        """Waits until the queue is empty twice in a row (the worker caught up)."""
        end = time.monotonic() + timeout
        empty = 0
        while time.monotonic() < end and empty < 2:
            empty = empty + 1 if self.status()["queue"] == 0 else 0
            time.sleep(0.2)


@contextmanager
def serve(model: Path | None, extra: tuple[str, ...] = ()) -> Iterator[Server]:
    """Starts the server on a free port and a fresh --out; SIGTERM at the end."""
    port = free_port()
    out = Path(tempfile.mkdtemp(prefix="drumsynth-stress-"))
    cmd = [sys.executable, "-c", "from oscserver.cli import main; main()", "serve"]
    cmd += ["--port", str(port), "--out", str(out / "out"), "--log-level", "warning", *extra]
    if model is not None:
        cmd += ["--model", str(model)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    client = Client(port)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                why = proc.stderr.read()[-2000:] if proc.stderr else ""
                raise RuntimeError(f"server did not start: {why}")
            client.send("/drum/ping")
            reply = client.recv(0.1)
            if reply is not None and reply.address == "/drum/pong":
                break
        yield Server(proc, port, out / "out", client)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        stderr = proc.stderr.read() if proc.stderr else ""
        if "Traceback" in stderr:
            print(stderr[-4000:], file=sys.stderr)


class Pinger(threading.Thread):
    """Pings every `every` seconds from its own socket; records (time, round trip ms)."""

    def __init__(self, port: int, every: float) -> None:
        super().__init__(daemon=True)
        self.client = Client(port)
        self.every = every
        self.samples: list[tuple[float, float]] = []
        self.lost = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.every):
            start = time.perf_counter()
            self.client.send("/drum/ping")
            reply = self.client.recv(2.0)
            if reply is None or reply.address != "/drum/pong":
                self.lost += 1
                continue
            self.samples.append((time.monotonic(), (time.perf_counter() - start) * 1000.0))

    def window(self, since: float) -> list[float]:
        return [ms for t, ms in self.samples if t >= since]


def drain(client: Client, stop: threading.Event) -> None:
    """Reads (and drops) replies so the client's socket never fills."""
    while not stop.is_set():
        client.recv(0.05)


def percentiles(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"median_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0, "n": 0}
    a = np.asarray(ms)
    return {"median_ms": float(np.median(a)), "p99_ms": float(np.percentile(a, 99)),
            "max_ms": float(a.max()), "n": len(ms)}  # fmt: skip


# ---- flood --------------------------------------------------------------------------------------


def flood_client(
    port: int, index: int, rate: float, seconds: float, slots: int, last: dict[str, int]
) -> int:
    """Streams seeds to this client's slots at `rate` messages a second; returns messages sent."""
    client = Client(port)
    stop = threading.Event()
    reader = threading.Thread(target=drain, args=(client, stop), daemon=True)
    reader.start()
    rng = np.random.default_rng(index)  # explicit: each client its own stream
    sent, start = 0, time.perf_counter()
    while (now := time.perf_counter() - start) < seconds:
        due = int(now * rate) + 1
        while sent < due:
            if sent % 50 == 49:
                client.udp._sock.sendto(b"#bundle\x00junk", ("127.0.0.1", port))
            else:
                slot = f"f{index}-{int(rng.integers(slots))}"
                seed = int(rng.integers(2**24))
                client.send("/drum/seed", slot, seed)
                last[slot] = seed
            sent += 1
        time.sleep(0.002)
    stop.set()
    reader.join(1)
    return sent


def flood(args: argparse.Namespace) -> dict[str, Any]:
    with serve(args.model) as server:
        rss_start = rss_mb(server.proc.pid)
        pinger = Pinger(server.port, 0.02)
        pinger.start()
        last: list[dict[str, int]] = [{} for _ in range(args.clients)]
        counts = [0] * args.clients

        def client(i: int) -> None:
            counts[i] = flood_client(
                server.port, i, args.rate / args.clients, args.seconds, args.slots, last[i]
            )

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        rss_samples = []
        t0 = time.monotonic()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            rss_samples.append(rss_mb(server.proc.pid))
            time.sleep(1.0)
        for t in threads:
            t.join()
        server.settle()
        pinger.stop.set()
        pinger.join(3)
        rss_end = rss_mb(server.proc.pid)
        status = server.status()
        wrong = []
        for i, slots in enumerate(last):
            for slot, seed in sorted(slots.items()):
                server.ask("/drum/seed", f"check{i}", seed, timeout=30)
                _, got = server.ask("/drum/latent", slot)
                _, want = server.ask("/drum/latent", f"check{i}")
                if got[1:] != want[1:]:
                    wrong.append(slot)
        return {
            "messages": sum(counts),
            "seconds": args.seconds,
            "rate_per_s": sum(counts) / args.seconds,
            "ping": percentiles(pinger.window(t0)),
            "ping_lost": pinger.lost,
            "rss_start_mb": rss_start,
            "rss_max_mb": max(rss_samples or [rss_end]),
            "rss_end_mb": rss_end,
            "slots_checked": sum(len(s) for s in last),
            "slots_wrong": wrong,
            "status": status,
        }


# ---- soak ---------------------------------------------------------------------------------------


def soak_traffic(port: int, source: str, seconds: float, rate: float, stop: threading.Event) -> int:
    """Mixed requests at `rate` a second for `seconds`; returns messages sent."""
    client = Client(port)
    reader_stop = threading.Event()
    reader = threading.Thread(target=drain, args=(client, reader_stop), daemon=True)
    reader.start()
    rng = np.random.default_rng(1)
    kinds = ["seed", "pca", "morph", "path", "invert", "status", "cancel", "unknown", "junk"]
    weights = np.array([30, 25, 15, 4, 2, 5, 4, 10, 5], float)
    sent, start = 0, time.perf_counter()
    client.send("/drum/seed", "s0", 1)
    client.send("/drum/seed", "s1", 2)
    while not stop.is_set() and (now := time.perf_counter() - start) < seconds:
        while sent < int(now * rate):
            kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
            slot = f"s{int(rng.integers(40))}"
            if kind == "seed":
                client.send("/drum/seed", slot, int(rng.integers(2**24)))
            elif kind == "pca":
                client.send("/drum/pca", slot, *rng.uniform(-2, 2, 3).round(3).tolist())
            elif kind == "morph":
                client.send("/drum/morph", slot, "s0", "s1", float(rng.uniform()))
            elif kind == "path":
                client.send("/drum/path", slot, "s0", "s1", int(rng.integers(2, 9)))
            elif kind == "invert":
                client.send("/drum/invert", slot, source)
            elif kind == "status":
                client.send("/drum/status")
            elif kind == "cancel":
                client.send("/drum/cancel", slot)
            elif kind == "unknown":
                client.send("/drum/nothing", slot)
            else:
                client.udp._sock.sendto(rng.bytes(int(rng.integers(1, 200))), ("127.0.0.1", port))
            sent += 1
        time.sleep(0.005)
    reader_stop.set()
    reader.join(1)
    return sent


def soak(args: argparse.Namespace) -> dict[str, Any]:
    seconds = args.minutes * 60.0
    with serve(args.model) as server:
        source = server.out.parent / "source.wav"
        t = np.arange(22050) / 44100
        sf.write(str(source), (np.sin(2 * np.pi * 80 * t) * np.exp(-t * 15)).astype(np.float32),
                 44100)  # fmt: skip
        pid = server.proc.pid
        pinger = Pinger(server.port, 0.1)
        pinger.start()
        stop = threading.Event()
        sender = threading.Thread(
            target=soak_traffic, args=(server.port, str(source), seconds, args.rate, stop)
        )
        start = time.monotonic()
        sender.start()
        rows = []
        print(f"{'t s':>7} {'rss MB':>8} {'fds':>5} {'files':>6} {'failed':>7} {'done':>7} "
              f"{'ping p50':>9} {'p99 ms':>7}")  # fmt: skip
        while sender.is_alive():
            window_start = time.monotonic()
            sender.join(args.every)
            if rows and time.monotonic() - window_start < args.every / 10:
                break  # the traffic ended just after the last row
            st = server.status()
            ping = percentiles(pinger.window(window_start))
            row = {
                "t_s": round(time.monotonic() - start, 1),
                "rss_mb": round(rss_mb(pid), 1),
                "fds": open_fds(pid),
                "files": sum(1 for _ in server.out.iterdir()),
                "failed": st["failed"],
                "done": st["done"],
                "ping_median_ms": round(ping["median_ms"], 2),
                "ping_p99_ms": round(ping["p99_ms"], 2),
            }
            rows.append(row)
            print(f"{row['t_s']:7.1f} {row['rss_mb']:8.1f} {row['fds']:5d} {row['files']:6d} "
                  f"{row['failed']:7d} {row['done']:7d} {row['ping_median_ms']:9.2f} "
                  f"{row['ping_p99_ms']:7.2f}", flush=True)  # fmt: skip
        server.settle()
        pinger.stop.set()
        pinger.join(3)
        final = server.status()
    first, last = rows[0], rows[-1]
    return {
        "minutes": args.minutes,
        "rows": rows,
        "rss_drift_mb": last["rss_mb"] - first["rss_mb"],
        "fds_drift": last["fds"] - first["fds"],
        "files_max": max(r["files"] for r in rows),
        "ping": percentiles(pinger.window(0.0)),
        "ping_lost": pinger.lost,
        "status": final,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="artifact (default: shipped)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    sub = parser.add_subparsers(dest="bench", required=True)
    f = sub.add_parser("flood", help="4 clients at 2,000 messages a second")
    f.add_argument("--seconds", type=float, default=30.0)
    f.add_argument("--rate", type=float, default=2000.0, help="messages a second, all clients")
    f.add_argument("--clients", type=int, default=4)
    f.add_argument("--slots", type=int, default=8, help="slots per client")
    s = sub.add_parser("soak", help="mixed traffic for a long time")
    s.add_argument("--minutes", type=float, default=10.0)
    s.add_argument("--rate", type=float, default=40.0, help="messages a second")
    s.add_argument("--every", type=float, default=30.0, help="seconds between rows")
    args = parser.parse_args()

    if args.bench == "flood":
        r = flood(args)
        ping = r["ping"]
        checks = {
            "ping p99": ping["p99_ms"] <= TARGETS["ping_p99_ms"] and r["ping_lost"] == 0,
            "rss drift": r["rss_end_mb"] - r["rss_start_mb"] <= TARGETS["rss_drift_mb"],
            "last state": not r["slots_wrong"],
        }
        print(
            f"flood: {r['messages']} messages in {r['seconds']:g} s "
            f"({r['rate_per_s']:.0f}/s), {r['status']['done']} renders, "
            f"{r['status']['coalesced']} coalesced, {r['status']['malformed']} malformed"
        )
        print(
            f"ping median {ping['median_ms']:.2f} ms, p99 {ping['p99_ms']:.2f} ms, "
            f"max {ping['max_ms']:.2f} ms (n={ping['n']}, lost {r['ping_lost']})"
        )
        print(
            f"RSS {r['rss_start_mb']:.0f} MB at start, {r['rss_max_mb']:.0f} max, "
            f"{r['rss_end_mb']:.0f} at the end"
        )
        print(f"slots in their last requested state: "
              f"{r['slots_checked'] - len(r['slots_wrong'])}/{r['slots_checked']}")  # fmt: skip
    else:
        r = soak(args)
        checks = {
            "rss drift": r["rss_drift_mb"] <= TARGETS["rss_drift_mb"],
            "fds flat": r["fds_drift"] <= 2,
            "no errors": r["status"]["errors"] == 0,
        }
        ping = r["ping"]
        print(
            f"soak {r['minutes']:g} min: RSS drift {r['rss_drift_mb']:+.1f} MB, fds drift "
            f"{r['fds_drift']:+d}, files at most {r['files_max']}, failed "
            f"{r['status']['failed']}, done {r['status']['done']}, errors "
            f"{r['status']['errors']}"
        )
        print(
            f"ping median {ping['median_ms']:.2f} ms, p99 {ping['p99_ms']:.2f} ms, "
            f"max {ping['max_ms']:.2f} ms (n={ping['n']}, lost {r['ping_lost']})"
        )
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'} {name}")
    r["checks"] = checks
    if args.json:
        args.json.write_text(json.dumps(r, indent=2, default=str))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
