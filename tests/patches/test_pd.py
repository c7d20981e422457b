"""Pure Data: headless `pd -nogui -nrt` runs a test patch built on the shipped [drumsynth].

The patch is driven by `-send` messages (a [delay] never fires in headless Pd once a [netsend]
is connected): it requests `seed 0 <seed>` and `random probe`, and for each slot ready it prints
`drumtest: <slot> <array> <frames read> <array size> <peak>` on stderr.
"""

from __future__ import annotations

import subprocess

from hosthelpers import ROOT, DrumServer, LineReader, requires_binaries, stop

PD_TIMEOUT = 45.0


def parse_results(lines: list[str]) -> dict[str, tuple[str, int, int, float]]:
    """`drumtest: [list] slot array n size peak` lines -> {slot: (array, n, size, peak)}."""
    results = {}
    for line in lines:
        if not line.startswith("drumtest: "):
            continue
        fields = line.split()[1:]
        if fields[0] == "list":
            fields = fields[1:]
        slot, array, n, size, peak = fields
        results[slot] = (array, int(float(n)), int(float(size)), float(peak))
    return results


pytestmark = requires_binaries("pd")


def test_pd_abstraction_loads_slots_from_the_server(drum_server: DrumServer) -> None:
    cmd = [
        "pd", "-nogui", "-stderr", "-nrt", "-nosound", "-nomidi",
        "-path", str(ROOT / "patches" / "pd"),
        "-open", str(ROOT / "tests" / "patches" / "pd" / "drumsynth_test.pd"),
        "-send", f"drumtest go {drum_server.port} 42",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    reader = LineReader(proc.stdout)
    try:
        finished = reader.wait_for(
            lambda lines: (
                len(parse_results(lines)) == 2
                or any(line.startswith("drumtest-fail") for line in lines)
            ),
            PD_TIMEOUT,
        )
    finally:
        stop(proc)
    log = "\n".join(reader.lines)
    assert finished, f"Pd reported no result in {PD_TIMEOUT} s:\n{log}"
    assert not any(line.startswith("drumtest-fail") for line in reader.lines), log
    results = parse_results(reader.lines)
    assert set(results) == {"0", "probe"}, log
    for slot, (array, n, size, peak) in results.items():
        assert array == f"dtest-{slot}", log
        assert n == size == drum_server.frames, log
        assert peak > 0.0, log  # float WAVs: an untrained tiny model may exceed 1.0
