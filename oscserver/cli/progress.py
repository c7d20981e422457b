"""Progress of long command-line work, on stderr: click's bar with an ETA on a terminal, a few
plain lines elsewhere (a log file, a pipe, CI), never thousands.

The layers report through plain callbacks, `on_step(done, total)` (training, the dataset, the
evaluation) or the engine's `check(fraction)` (inversion); `Progress` turns them into output.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

#: Plain lines a piece of work prints at most besides its first: one per tenth done.
PLAIN_LINES = 10
#: The whole of fractional work (`Progress.fraction`), in steps of the bar.
FRACTION_STEPS = 1000


def clock(seconds: float) -> str:
    """Seconds as h:mm:ss."""
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class Progress:
    """Shows `done` of `total` as the work reports it; a context manager that ends the bar.

    On a terminal: click's progress bar with the position (in `unit`, or a percentage when
    `unit` is None), an ETA and the latest note. Elsewhere: a line when the work starts and at
    each further tenth, e.g. `train: 2000/20000 steps (10%), 0:05:12 elapsed, about 0:46:48
    left`, and each note as a line. Work that reports a new total starts a new bar; work that
    starts past 0 (a resumed run) counts its ETA from where it started.
    """

    def __init__(self, label: str, unit: str | None = "steps", stream: TextIO | None = None):
        self.label = label  # names the work at the start of each line or the bar
        self.unit = unit  # what done and total count; None for fractional work
        self.stream = stream if stream is not None else sys.stderr  # when made: CliRunner swaps it
        self.tty = self.stream.isatty()
        self._bar: ProgressBar[int] | None = None
        self._open = ExitStack()  # the bar's context
        self._note: str | None = None
        self._total: int | None = None  # the total of the work under way
        self._start = 0  # its `done` when first reported
        self._t0 = 0.0  # and the time then
        self._tenths = -1  # tenths done that have a plain line

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._end_bar()

    def step(self, done: int, total: int) -> None:
        """`done` of `total` units (an on_step callback)."""
        if total != self._total:
            self._begin(done, total)
        if self._bar is not None:
            self._bar.update(done - self._start - self._bar.pos)
        elif not self.tty:
            self._plain(done)

    def fraction(self, done: float) -> None:
        """A fraction of the work done, 0 to 1 (the engine's check callback)."""
        self.step(round(done * FRACTION_STEPS), FRACTION_STEPS)

    def finish(self) -> None:
        """The work under way is done (for work whose last report comes before its end)."""
        if self._total is not None:
            self.step(self._total, self._total)

    def note(self, line: str) -> None:
        """A line about the work (a log line): beside the bar on a terminal, else printed."""
        if self._bar is not None:
            self._note = line
            self._bar.render_progress()
        else:
            click.echo(line, file=self.stream)

    def _begin(self, done: int, total: int) -> None:
        self._end_bar()
        self._total, self._start, self._t0, self._tenths = total, done, time.monotonic(), -1
        if not self.tty:
            return
        label = f"{self.label} (from {done})" if done else self.label
        self._bar = click.progressbar(
            length=max(total - done, 0), label=label, file=self.stream, show_eta=True,
            show_pos=self.unit is not None, show_percent=True,
            item_show_func=lambda _: self._note,
        )  # fmt: skip
        self._open.enter_context(self._bar)

    def _end_bar(self) -> None:
        self._open.close()
        self._bar = None

    def _plain(self, done: int) -> None:
        assert self._total is not None
        todo = self._total - self._start
        tenths = PLAIN_LINES * (done - self._start) // todo if todo > 0 else PLAIN_LINES
        if tenths <= self._tenths:
            return
        self._tenths = tenths
        percent = f"{100 * done // self._total if self._total else 100}%"
        where = f"{done}/{self._total} {self.unit} ({percent})" if self.unit else percent
        elapsed = time.monotonic() - self._t0
        timing = ""
        if done >= self._total:
            timing = f", {clock(elapsed)} elapsed"
        elif done > self._start:
            left = elapsed / (done - self._start) * (self._total - done)
            timing = f", {clock(elapsed)} elapsed, about {clock(left)} left"
        click.echo(f"{self.label}: {where}{timing}", file=self.stream)
