"""bench/engine_bench.py runs end to end on the tiny model (a smoke test: no timing checks)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "engine_bench.py"


def test_engine_bench_prints_every_row_and_the_json(tiny_model: Path) -> None:
    cmd = [sys.executable, str(BENCH), "--model", str(tiny_model), "--calls", "3", "--warmup",
           "1", "--refine", "2", "--refine-calls", "2", "--json"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    for row in ("one sound (seed)", "batch of 16 (render)", "path, 30 steps",
                "invert, no refinement", "invert, refine 2", "class head: features",
                "class head: trees", "throughput (batch 16)",
                "reference (docs/facts.md"):  # fmt: skip
        assert any(line.startswith(row) for line in lines), done.stdout
    figures = json.loads(lines[-1])
    assert set(figures["cases"]) == {"seed", "batch16", "path30", "invert", "invert_refine2",
                                     "head_features", "head_trees"}  # fmt: skip
    assert all(c["calls"] in (2, 3) and c["median_ms"] > 0 for c in figures["cases"].values())
    assert figures["frames"] > 0 and figures["sounds_per_s"] > 0


STRESS = BENCH.parent / "stress.py"


def test_stress_flood_and_soak_run_and_pass_their_checks(tiny_model: Path, tmp_path: Path) -> None:
    flood = [sys.executable, str(STRESS), "--model", str(tiny_model), "--json",
             str(tmp_path / "flood.json"), "flood", "--seconds", "2", "--rate", "400"]  # fmt: skip
    soak = [sys.executable, str(STRESS), "--model", str(tiny_model), "--json",
            str(tmp_path / "soak.json"), "soak", "--minutes", "0.05", "--every", "1"]  # fmt: skip
    for cmd in (flood, soak):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "Traceback" not in done.stderr
    figures = json.loads((tmp_path / "flood.json").read_text())
    assert figures["messages"] >= 700 and figures["slots_checked"] > 0
    assert figures["slots_wrong"] == [] and figures["ping"]["n"] > 0
    soaked = json.loads((tmp_path / "soak.json").read_text())
    assert len(soaked["rows"]) >= 2 and soaked["status"]["errors"] == 0
    assert all(row["fds"] > 0 for row in soaked["rows"])


MIX_SWEEP = BENCH.parent / "mix_sweep.py"


def test_mix_sweep_writes_its_tables_figure_and_figures(tiny_model: Path, tmp_path: Path) -> None:
    cmd = [sys.executable, str(MIX_SWEEP), "--model", str(tiny_model), "--pairs", "2",
           "--out", str(tmp_path)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads((tmp_path / "mix_sweep.json").read_text())
    assert (tmp_path / "style_mixing.png").stat().st_size > 0
    num_ws, spans = figures["num_ws"], figures["spans"]
    assert len(spans) == (num_ws - 1) // 2 + 1 and spans[-1] == f"controls (layer {num_ws - 1})"
    for cls, entry in figures["classes"].items():
        assert len(entry["seeds"]) == 2, cls
        decay = entry["decay20"]
        assert len(decay["values"]) == 2 and len(decay["values"][0]) == num_ws + 1
        if decay["mean_abs_diff"] > 0:  # the shares of a span add up to the whole change
            assert abs(sum(decay["shares"]) - 1.0) < 1e-6
    assert "| class | decay20 | centroid | flatness | tail | low_pitch |" in done.stdout
    ring = next(line for line in done.stdout.splitlines() if line.startswith("rings ("))
    assert f"at split {num_ws // 2}:" in ring
    for cls in figures["classes"]:
        assert re.search(rf"\b{cls} [012]/2\b", ring), ring


OSC_BENCH = BENCH.parent / "osc_bench.py"


def test_osc_bench_times_a_32_hit_break_over_udp(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "osc.json"
    cmd = [sys.executable, str(OSC_BENCH), "--model", str(tiny_model), "--only", "break",
           "--n-slow", "2", "--json", str(out)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    figures = json.loads(out.read_text())  # written whether or not the targets are met
    assert figures["break_hits"] == 32
    assert figures["breakpca"]["n"] == 2 and figures["breakpca"]["median_ms"] > 0
    assert figures["sigterm_exit"] == 0 and figures["tmp_left"] == 0
