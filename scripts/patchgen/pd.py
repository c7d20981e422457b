"""A small writer for Pure Data patch files (`.pd`), used to build the shipped patches.

Objects are added with their position and box text (written as Pd shows it: `$1`, `;` and `,`
are escaped on output), each call returns the object's index for `connect`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _escape(text: str) -> str:
    """Box text -> Pd file text: dollars, semicolons and commas escaped."""
    out = text.replace("$", "\\$").replace(";", " \\; ").replace(",", " \\, ")
    return " ".join(out.split())


@dataclass
class Canvas:
    """One Pd canvas (top level or subpatch); objects in creation order."""

    width: int = 900  # window width in pixels
    height: int = 700  # window height in pixels
    name: str | None = None  # subpatch name, None for a top-level patch
    font: int = 12  # font size of a top-level patch
    lines: list[str] = field(default_factory=list)
    connections: list[tuple[int, int, int, int]] = field(default_factory=list)

    def _add(self, line: str) -> int:
        self.lines.append(line)
        return len(self.lines) - 1

    def obj(self, x: int, y: int, text: str) -> int:
        return self._add(f"#X obj {x} {y} {_escape(text)};")

    def msg(self, x: int, y: int, text: str) -> int:
        return self._add(f"#X msg {x} {y} {_escape(text)};")

    def comment(self, x: int, y: int, text: str) -> int:
        return self._add(f"#X text {x} {y} {_escape(text)};")

    def floatatom(self, x: int, y: int, width: int = 5, lo: float = 0, hi: float = 0) -> int:
        return self._add(f"#X floatatom {x} {y} {width} {lo:g} {hi:g} 0 - - -;")

    def symbolatom(self, x: int, y: int, width: int = 10) -> int:
        return self._add(f"#X symbolatom {x} {y} {width} 0 0 0 - - -;")

    def bang(self, x: int, y: int, size: int = 19) -> int:
        return self._add(
            f"#X obj {x} {y} bng {size} 250 50 0 empty empty empty 0 -8 0 10 -262144 -1 -1;"
        )

    def toggle(self, x: int, y: int, size: int = 19) -> int:
        return self._add(
            f"#X obj {x} {y} tgl {size} 0 empty empty empty 0 -8 0 10 -262144 -1 -1 0 1;"
        )

    def hslider(
        self, x: int, y: int, lo: float, hi: float, label: str = "empty", width: int = 160
    ) -> int:
        return self._add(
            f"#X obj {x} {y} hsl {width} 17 {lo:g} {hi:g} 0 0 empty empty {label} -2 -8 0 "
            "10 -262144 -1 -1 0 1;"
        )

    def subpatch(self, x: int, y: int, sub: Canvas) -> int:
        assert sub.name, "a subpatch needs a name"
        body = sub.render(top=False)
        return self._add(f"{body}\n#X restore {x} {y} pd {_escape(sub.name)};")

    def connect(self, src: int, outlet: int, dst: int, inlet: int = 0) -> None:
        self.connections.append((src, outlet, dst, inlet))

    def chain(self, *objs: int) -> None:
        """Connect outlet 0 of each object to inlet 0 of the next."""
        for a, b in zip(objs, objs[1:], strict=False):
            self.connect(a, 0, b, 0)

    def render(self, top: bool = True) -> str:
        head = (
            f"#N canvas 0 50 {self.width} {self.height} {self.font};"
            if top
            else f"#N canvas 0 50 {self.width} {self.height} {_escape(self.name or '')} 0;"
        )
        conns = [f"#X connect {s} {o} {d} {i};" for s, o, d, i in self.connections]
        return "\n".join([head, *self.lines, *conns])

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.render() + "\n")
