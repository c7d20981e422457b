"""OSC round-trip benchmark: a python-osc client on loopback against `drumsynth serve`.

Measures, from the client (send -> `/drum/done` received -> file on disk):
median and p99 of `/drum/seed`, `/drum/pca`, `/drum/path` (30 steps) and `/drum/invert`;
`/drum/seed` again while a `/drum/invert` with 200 refinement steps runs (the live lane passing
a job); the sustained rate the server holds with 4 and with 16 slots in flight (cross-slot
batching); `/drum/breakpca` re-rendering every hit of a 2-bar break at 170 BPM (32 hits, a
synthetic break inverted once with `/drum/break`); the time from process start to the first
`/drum/pong`; the server process's peak RSS; and a clean SIGTERM (exit 0, no temporary files
left).

    python bench/osc_bench.py                      # the shipped model
    python bench/osc_bench.py --model path/to/artifact --n 200 --json bench.json
    python bench/osc_bench.py --only seed,job,rate   # a part of it: seed alone and beside a job

Targets on a 2-core CPU: /drum/seed median <= 15 ms, p99 <= 40 ms, also while a 200-step
refinement runs; >= 200 renders/s with 16 slots in flight; a 32-hit break re-rendered in
<= 500 ms; ready <= 10 s; RSS <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from pythonosc.osc_message import OscMessage
from pythonosc.udp_client import SimpleUDPClient

#: What `--only` can pick: seed and pca alone, path (30 steps), invert (no refinement), job
#: (seed beside a refinement), rate (4 and 16 slots in flight), break (breakpca, 32 hits).
PARTS = ("seed", "pca", "path", "invert", "job", "rate", "break")

TARGETS = {"seed_median_ms": 15.0, "seed_p99_ms": 40.0, "ready_s": 10.0, "rss_mb": 1536.0,
           "seed_during_job_p99_ms": 40.0, "sustained16_per_s": 200.0,
           "breakpca_median_ms": 500.0}  # fmt: skip
#: The break of the `break` part: 2 bars of 16ths at 170 BPM.
BREAK_BPM, BREAK_HITS = 170.0, 32


def synthetic_break(sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """BREAK_HITS decaying noise bursts (low, bright and mid in turn), one every 16th note."""
    step = int(sample_rate * 60.0 / BREAK_BPM / 4)
    audio = np.zeros(step * BREAK_HITS + sample_rate // 2, np.float32)
    t = np.arange(step) / sample_rate
    for i in range(BREAK_HITS):
        tone = np.sin(2 * np.pi * (60.0, 3000.0, 400.0)[i % 3] * t)
        hit = (0.5 * rng.standard_normal(step) + tone) * np.exp(-t / 0.03)
        audio[i * step : (i + 1) * step] += (0.8 * hit).astype(np.float32)
    return audio


def free_port() -> int:
    """A UDP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a Linux process, in MB (0 where /proc is missing)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class Client:
    """Sends requests and waits for their replies on its own socket."""

    def __init__(self, port: int) -> None:
        self.udp = SimpleUDPClient("127.0.0.1", port)
        self.udp._sock.bind(("127.0.0.1", 0))

    def send(self, address: str, *args: Any) -> None:
        self.udp.send_message(address, list(args))

    def recv(self, timeout: float) -> OscMessage | None:
        dgram = self.udp.receive(timeout)
        return OscMessage(dgram) if dgram else None

    def done(self, address: str, *args: Any, timeout: float = 60.0) -> tuple[float, list[Any]]:
        """One request; returns (client round-trip ms, /drum/done arguments)."""
        start = time.perf_counter()
        self.send(address, *args)
        reply = self.recv(timeout)
        while reply is not None and reply.address == "/drum/progress":  # a job's, on its way
            reply = self.recv(timeout)
        ms = (time.perf_counter() - start) * 1000.0
        if reply is None or reply.address != "/drum/done":
            got = None if reply is None else (reply.address, reply.params)
            raise RuntimeError(f"{address} {args}: {got}")
        if not Path(reply.params[2]).is_file():
            raise RuntimeError(f"{address}: file {reply.params[2]} is not on disk")
        return ms, list(reply.params)


def summary(ms: list[float]) -> dict[str, float]:
    """Median, p90, p99 and count of a list of timings."""
    a = np.asarray(ms)
    return {"median_ms": float(np.median(a)), "p90_ms": float(np.percentile(a, 90)),
            "p99_ms": float(np.percentile(a, 99)), "n": len(ms)}  # fmt: skip


def sustained(client: Client, seconds: float, window: int) -> float:
    """Requests per second with `window` seed requests to distinct slots always in flight."""
    sent = done = 0
    start = time.perf_counter()
    for i in range(window):
        client.send("/drum/seed", f"rate{i}", sent)
        sent += 1
    while time.perf_counter() - start < seconds:
        reply = client.recv(10.0)
        if reply is None:
            raise RuntimeError("no reply while measuring the sustained rate")
        if reply.address != "/drum/done":
            raise RuntimeError(f"{reply.address} {reply.params}")
        done += 1
        client.send("/drum/seed", f"rate{sent % window}", sent)
        sent += 1
    elapsed = time.perf_counter() - start
    for _ in range(sent - done):
        client.recv(10.0)
    return done / elapsed


def during_job(
    live: Client, job: Client, source: str, refine: int, n: int, rng: np.random.Generator
) -> dict[str, float]:
    """`/drum/seed` round trips while `/drum/invert job source refine` runs: each job is
    started, its first `/drum/progress` awaited, then seeds are timed (a random 0-20 ms apart)
    until its `/drum/done`; jobs are started again until `n` seeds are timed."""
    ms: list[float] = []
    job_ms: list[float] = []
    progress = 0
    while len(ms) < n:
        job.send("/drum/invert", "job", source, refine)
        first = job.recv(60.0)
        if first is None or first.address != "/drum/progress":
            got = None if first is None else (first.address, first.params)
            raise RuntimeError(f"the job did not report progress: {got}")
        progress += 1
        while True:
            ms.append(live.done("/drum/seed", "live", len(ms) % 1000)[0])
            reply = job.recv(0.001)
            while reply is not None and reply.address == "/drum/progress":
                progress += 1
                reply = job.recv(0.001)
            if reply is not None:
                if reply.address != "/drum/done":
                    raise RuntimeError(f"the job failed: {reply.params}")
                job_ms.append(float(reply.params[5]))
                break
            time.sleep(float(rng.uniform(0.0, 0.02)))
    return summary(ms) | {"jobs": len(job_ms), "job_median_ms": float(np.median(job_ms)),
                          "progress": progress}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="artifact (default: shipped)")
    parser.add_argument("--n", type=int, default=200, help="requests per cheap command")
    parser.add_argument("--n-slow", type=int, default=20, help="requests of path and invert")
    parser.add_argument("--rate-seconds", type=float, default=5.0)
    parser.add_argument("--window", type=int, default=4, help="requests in flight for the rate")
    parser.add_argument("--refine", type=int, default=200, help="refinement steps of the job")
    parser.add_argument("--n-job", type=int, default=200, help="seeds timed during the job")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts to run, of {','.join(PARTS)}")  # fmt: skip
    args = parser.parse_args()
    only = set(args.only.split(","))
    if not only <= set(PARTS):
        parser.error(f"--only: unknown parts {','.join(sorted(only - set(PARTS)))}")

    port = free_port()
    out = Path(tempfile.mkdtemp(prefix="drumsynth-bench-"))
    cmd = [sys.executable, "-c", "from oscserver.cli import main; main()", "serve"]
    cmd += ["--port", str(port), "--out", str(out), "--log-level", "warning"]
    if args.model is not None:
        cmd += ["--model", str(args.model)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    client = Client(port)
    results: dict[str, Any] = {}
    try:
        while True:  # ready = answering /drum/ping
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
            client.send("/drum/ping")
            reply = client.recv(0.05)
            if reply is not None and reply.address == "/drum/pong":
                break
        results["ready_s"] = time.perf_counter() - t0
        client.send("/drum/info")
        info_msg = client.recv(5.0)
        while info_msg is not None and info_msg.address == "/drum/pong":  # late, to early pings
            info_msg = client.recv(5.0)
        assert info_msg is not None
        info = dict(zip(info_msg.params[::2], info_msg.params[1::2], strict=True))
        results["info"] = info
        classes = str(info["classes"]).split()
        rng = np.random.default_rng(0)

        if "seed" in only:
            seed_ms, server_ms = [], []
            for i in range(args.n):
                ms, done = client.done("/drum/seed", "bench", i, classes[i % len(classes)])
                seed_ms.append(ms)
                server_ms.append(float(done[5]))
            results["seed"] = summary(seed_ms) | {"server_median_ms": float(np.median(server_ms))}

        if "pca" in only:
            client.done("/drum/seed", "bench", 0, classes[0])
            pca_ms = []
            for _ in range(args.n):
                coords = rng.uniform(-2, 2, size=int(info["pca"])).round(3).tolist()
                pca_ms.append(client.done("/drum/pca", "bench", *coords)[0])
            results["pca"] = summary(pca_ms)

        if "path" in only:
            client.done("/drum/seed", "a", 1, classes[0])
            client.done("/drum/seed", "b", 2, classes[-1])
            path_ms = [client.done("/drum/path", "p", "a", "b", 30)[0] for _ in range(args.n_slow)]
            results["path30"] = summary(path_ms)

        source = out / "bench-source.wav"
        source.write_bytes(Path(client.done("/drum/seed", "src", 7)[1][2]).read_bytes())
        if "invert" in only:
            inv_ms = [client.done("/drum/invert", "inv", str(source))[0]
                      for _ in range(args.n_slow)]  # fmt: skip
            results["invert"] = summary(inv_ms)

        if "job" in only:
            job_client = Client(port)
            results["seed_during_job"] = during_job(
                client, job_client, str(source), args.refine, args.n_job, rng
            )

        if "rate" in only:
            results["sustained_per_s"] = sustained(client, args.rate_seconds, args.window)
            results["sustained16_per_s"] = sustained(client, args.rate_seconds, 16)

        if "break" in only:
            import soundfile as sf

            loop = out / "bench-break.wav"
            sf.write(str(loop), synthetic_break(int(info["sr"]), rng), int(info["sr"]))
            _, done = client.done("/drum/break", "amen", str(loop), 0)
            results["break_hits"] = int(done[6])
            k = int(info["pca"])
            results["breakpca"] = summary([
                client.done("/drum/breakpca", "amen", *rng.uniform(-2, 2, k).round(3).tolist())[0]
                for _ in range(args.n_slow)
            ])  # fmt: skip
        results["rss_mb"] = peak_rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = -9
        stderr = proc.stderr.read() if proc.stderr else ""
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    results["sigterm_exit"] = code
    results["tmp_left"] = len(leftovers)
    if "Traceback" in stderr:
        print(stderr, file=sys.stderr)

    checks = {
        "ready": results["ready_s"] <= TARGETS["ready_s"],
        "rss": 0 < results["rss_mb"] <= TARGETS["rss_mb"],
        "clean exit": code == 0 and not leftovers,
    }
    if "seed" in results:
        checks["seed median"] = results["seed"]["median_ms"] <= TARGETS["seed_median_ms"]
        checks["seed p99"] = results["seed"]["p99_ms"] <= TARGETS["seed_p99_ms"]
    if "seed_during_job" in results:
        checks["seed p99 during a job"] = (
            results["seed_during_job"]["p99_ms"] <= TARGETS["seed_during_job_p99_ms"]
        )
    if "sustained16_per_s" in results:
        checks["16 slots"] = results["sustained16_per_s"] >= TARGETS["sustained16_per_s"]
    if "breakpca" in results:
        checks["break"] = results["breakpca"]["median_ms"] <= TARGETS["breakpca_median_ms"]
    info = results["info"]
    print(f"model {info['model']} on {info['device']}, {os.cpu_count()} CPUs, sr {info['sr']}, "
          f"frames {info['frames']}, load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    for name in ("seed", "pca", "path30", "invert", "breakpca"):
        if name in results:
            r = results[name]
            print(f"{name:8s} median {r['median_ms']:8.2f} ms  p90 {r['p90_ms']:8.2f} ms  "
                  f"p99 {r['p99_ms']:8.2f} ms  (n={r['n']})")  # fmt: skip
    if "break_hits" in results:
        print(f"breakpca re-rendered {results['break_hits']} hits of a {BREAK_BPM:g} BPM break")
    if "seed" in results:
        print(f"seed server-side median {results['seed']['server_median_ms']:.2f} ms")
    if "seed_during_job" in results:
        j = results["seed_during_job"]
        print(f"seed during invert refine {args.refine}: median {j['median_ms']:.2f} ms  "
              f"p90 {j['p90_ms']:.2f} ms  p99 {j['p99_ms']:.2f} ms  (n={j['n']}, {j['jobs']} "
              f"jobs of median {j['job_median_ms']:.0f} ms, {j['progress']} progress "
              "replies)")  # fmt: skip
    if "sustained_per_s" in results:
        print(f"sustained {results['sustained_per_s']:.1f} renders/s ({args.window} in flight)")
        print(f"sustained {results['sustained16_per_s']:.1f} renders/s (16 slots in flight)")
    print(f"ready {results['ready_s']:.2f} s, peak RSS {results['rss_mb']:.0f} MB")
    print(f"SIGTERM exit {code}, temporary files left {len(leftovers)}")
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'} {name}")
    results["checks"] = checks
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
