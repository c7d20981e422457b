"""Progress of long CLI work: a few plain lines when stderr is not a terminal, a bar when it is."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from oscserver.cli import main
from oscserver.cli.progress import PLAIN_LINES, Progress, clock
from tests.training.test_dataset import make_kit


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_are_few_and_say_where_and_how_long() -> None:
    out = io.StringIO()
    with Progress("train", stream=out) as progress:
        for done in range(0, 5001):
            progress.step(done, 5000)
    lines = out.getvalue().splitlines()
    assert len(lines) == PLAIN_LINES + 1  # the start and each tenth
    assert lines[0] == "train: 0/5000 steps (0%)"
    assert lines[1].startswith("train: 500/5000 steps (10%), 0:00:")
    assert "elapsed, about " in lines[1] and lines[1].endswith(" left")
    assert lines[-1].startswith("train: 5000/5000 steps (100%), ") and "left" not in lines[-1]
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_a_resumed_run_counts_from_where_it_started_and_notes_are_lines() -> None:
    out = io.StringIO()
    with Progress("train", stream=out) as progress:
        progress.note("[   0.0 s] loading")
        progress.step(15, 20)
        progress.step(16, 20)  # a fifth of what was left: two tenths
        progress.step(0, 4)  # another total: the work starts again
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["[   0.0 s] loading", "train: 15/20 steps (75%)"]
    assert lines[2].startswith("train: 16/20 steps (80%), ") and lines[2].endswith(" left")
    assert lines[3:] == ["train: 0/4 steps (0%)"]


def test_a_terminal_gets_clicks_bar() -> None:
    out = Terminal()
    with Progress("invert", unit=None, stream=out) as progress:
        for i in range(11):
            progress.fraction(i / 10)
    text = out.getvalue()
    assert "invert" in text and "100%" in text and "\r" in text  # redrawn in place
    assert text.endswith("\n")  # the next line starts below the bar


def test_clock() -> None:
    assert [clock(s) for s in (0, 59.6, 3600 + 62)] == ["0:00:00", "0:01:00", "1:01:02"]


def test_cli_output_that_is_not_a_terminal_gets_plain_lines(tmp_path: Path) -> None:
    kits = make_kit(tmp_path / "kits", np.random.default_rng(0))
    data = tmp_path / "d.npz"
    args = ["dataset", str(kits), "-o", str(data), "--classes", "kick,snare,hat", "--arch", "tiny"]
    result = CliRunner().invoke(main, args)  # CliRunner's streams are not terminals
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert 2 <= len(lines) <= PLAIN_LINES + 1, lines
    assert all(line.startswith("dataset: ") and " files (" in line for line in lines), lines
    assert lines[-1].startswith("dataset: 27/27 files (100%)")
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert result.stdout.startswith(f"{data}: ")  # the result alone on stdout
