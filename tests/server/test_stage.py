"""Issue 10's addresses over real loopback UDP (numpy stand-in engine): style mixing, class
hybrids, kits, presets (surviving a restart), Wekinator, absolute PCA and playable breaks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from oschelpers import Client, FakeEngine, Running, start_server

from oscserver.server.app import Config


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    out = tmp_path_factory.mktemp("out")
    presets = tmp_path_factory.mktemp("presets")
    engine = FakeEngine()
    config = Config(port=0, out=out, engine=engine, presets=presets, wekinator_slot="sensor")
    server, thread = start_server(config)
    yield Running(server, engine, server.transport.address[1], out)
    server.stop()
    thread.join(10)


@pytest.fixture
def client(stage: Running) -> Iterator[Client]:
    c = Client(stage.port)
    yield c
    c.close()


def done(client: Client, *request: Any) -> list[Any]:
    address, args = client.ask(*request)
    assert address == "/drum/done", (address, args)
    assert args[0] == request[0]
    return args


def fail(client: Client, *request: Any) -> str:
    address, args = client.ask(*request)
    assert address == "/drum/fail", (address, args)
    assert args[0] == request[0]
    return str(args[2])


def latent(client: Client, slot: Any) -> tuple[str, list[float]]:
    address, args = client.ask("/drum/latent", slot)
    assert address == "/drum/latent" and args[0] == slot
    return args[1], list(args[2:])


def sound(path: Any) -> np.ndarray:
    return sf.read(str(path), dtype="float32")[0]


# style mixing, hybrids, kits -------------------------------------------------------------------


def test_mix_takes_coarse_layers_from_a_and_fine_from_b(client: Client) -> None:
    done(client, "/drum/seed", "xa", 1, "kick")
    done(client, "/drum/seed", "xb", 2, "snare")
    args = done(client, "/drum/mix", "xm", "xa", "xb")
    assert args[6] == FakeEngine.num_ws // 2  # the middle by default
    assert latent(client, "xm")[0] == "kick"  # A's class
    ends = done(client, "/drum/mix", "xm", "xa", "xb", 5.0)  # all five layers from A
    assert ends[6] == 5
    np.testing.assert_allclose(
        sound(ends[2]), sound(done(client, "/drum/seed", "xa", 1, "kick")[2]), atol=1e-6
    )
    # a mixed slot gives its own per-layer styles to a further mix
    done(client, "/drum/mix", "xm", "xa", "xb", 2)
    twice = done(client, "/drum/mix", "xm2", "xm", "xa", 5)
    assert not np.allclose(sound(twice[2]), sound(ends[2]))


def test_mix_refuses(client: Client) -> None:
    done(client, "/drum/seed", "ya", 1)
    assert "layer must be between 0 and 5 for this model, got 6" in fail(
        client, "/drum/mix", "ym", "ya", "ya", 6
    )
    assert "layer must be between 0 and 64" in fail(client, "/drum/mix", "ym", "ya", "ya", 65)
    assert "slot nobody is empty" in fail(client, "/drum/mix", "ym", "ya", "nobody")
    assert "layer must be a whole number" in fail(client, "/drum/mix", "ym", "ya", "ya", 1.5)


def test_hybrid_blends_and_takes_the_heaviest_class(client: Client, stage: Running) -> None:
    args = done(client, "/drum/hybrid", "h", "kick", 0.3, "hat", 0.7, 9.0)
    assert args[6] == "hat"
    cls, _ = latent(client, "h")
    assert cls == "hat"
    engine = stage.engine
    expected = 0.3 * engine.seed_latent(9, "kick") + 0.7 * engine.seed_latent(9, "hat")
    np.testing.assert_allclose(sound(args[2]), engine._sound(expected), atol=1e-5)
    # one class alone, default seed 0, is that class's seed 0
    one = done(client, "/drum/hybrid", "h", "snare", 1)
    np.testing.assert_allclose(
        sound(one[2]), sound(done(client, "/drum/seed", "h0", 0, "snare")[2]), atol=1e-6
    )


@pytest.mark.parametrize(
    ("request_args", "words"),
    [
        (("h",), "at least one class and its weight"),
        (("h", "kick"), "at least one class and its weight"),
        (("h", "kick", -0.5), "weight must be between 0"),
        (("h", "kick", 0, "hat", 0.0), "a weight above 0"),
        (("h", "cowbell", 1), "unknown class 'cowbell'"),
        (("h", "kick", 1, "x"), "seed must be a number"),
        (("h", "kick", 1, 2**24), "seed must be between 0 and 16777215"),
        (("h", "kick", float("nan")), "weight must be a finite number"),
    ],
)
def test_hybrid_refuses(client: Client, request_args: tuple[Any, ...], words: str) -> None:
    assert words in fail(client, "/drum/hybrid", *request_args)


def test_kit_fills_a_slot_per_class_and_a_superdirt_bank(client: Client, stage: Running) -> None:
    args = done(client, "/drum/kit", "k1", 42, 0.5)
    bank, n = Path(args[6]), args[7]
    assert n == 3 and bank == stage.out.resolve() / "k1"
    assert sorted(p.name for p in bank.iterdir()) == ["0.wav", "1.wav", "2.wav"]
    assert args[3] == 3 * FakeEngine.frames  # the kit, one sound after another
    for i, cls in enumerate(FakeEngine.classes):
        assert latent(client, f"k1-{cls}")[0] == cls
        seeded = done(client, "/drum/seed", "kcheck", 42, cls, 0.5)
        np.testing.assert_array_equal(sound(bank / f"{i}.wav"), sound(seeded[2]))
    assert "seed must be between" in fail(client, "/drum/kit", "k1", -1)
    assert "psi must be between 0 and 2" in fail(client, "/drum/kit", "k1", 1, 3.0)
    long = "k" * 62
    assert "slot name too long" in fail(client, "/drum/kit", long, 1)
    assert not (stage.out / long).exists()


# absolute PCA and Wekinator ------------------------------------------------------------------


def test_latent_and_pcaabs_round_trip_to_the_same_bytes(client: Client) -> None:
    first = done(client, "/drum/seed", "abs", 3, "snare")
    done(client, "/drum/pca", "abs", 0.7, -1.3, 0.25)
    moved = done(client, "/drum/pca", "abs", 0.7, -1.3, 0.25)[2]
    _, coords = latent(client, "abs")
    back = done(client, "/drum/pcaabs", "abs", *coords)
    assert back[2] != moved  # a new file ...
    assert sound(back[2]).tobytes() == sound(moved).tobytes()  # ... with the same bytes
    assert latent(client, "abs")[1] == coords
    # absolute: the same coordinates twice land on the same point; the offsets of /drum/pca
    # are relative to the seed, so the seed's own coordinates bring the seed back
    done(client, "/drum/seed", "abs", 3, "snare")
    _, at_seed = latent(client, "abs")
    done(client, "/drum/pcaabs", "abs", 0.0, 0.0)
    _, at_mean = latent(client, "abs")
    np.testing.assert_allclose(at_mean, [0, 0, 0, 0], atol=1e-5)  # missing ones are 0 too
    again = done(client, "/drum/pcaabs", "abs", *at_seed)
    np.testing.assert_allclose(sound(again[2]), sound(first[2]), atol=1e-5)


def test_pcaabs_refuses(client: Client) -> None:
    assert "slot nothing-here is empty" in fail(client, "/drum/pcaabs", "nothing-here", 1.0)
    done(client, "/drum/seed", "abs2", 1)
    assert "this model has 4 principal axes, got 5" in fail(
        client, "/drum/pcaabs", "abs2", 1, 2, 3, 4, 5
    )
    assert "c must be between -10 and 10" in fail(client, "/drum/pcaabs", "abs2", 11.0)


def test_wekinator_outputs_move_the_chosen_slot(client: Client) -> None:
    assert "slot sensor is empty" in fail(client, "/wek/outputs", 0.5)
    done(client, "/drum/seed", "sensor", 5, "kick")
    _, base = latent(client, "sensor")
    args = done(client, "/wek/outputs", 0.5, -0.25)
    assert args[1] == "sensor"
    _, moved = latent(client, "sensor")
    np.testing.assert_allclose(np.subtract(moved, base), [0.5, -0.25, 0, 0], atol=1e-5)
    assert "c must be a finite number" in fail(client, "/wek/outputs", float("inf"))
    assert "c must be a number, got the symbol 'x'" in fail(client, "/wek/outputs", "x")


def test_wekinator_outputs_coalesce_latest_wins(stage: Running, tmp_path: Path) -> None:
    engine = FakeEngine(delay=0.05)
    config = Config(port=0, out=tmp_path / "out", engine=engine, presets=tmp_path / "presets")
    server, thread = start_server(config)
    client = Client(server.transport.address[1])
    try:
        done(client, "/drum/seed", "wek", 1)
        _, base = latent(client, "wek")
        for i in range(30):
            client.send("/wek/outputs", i / 10)
        replies = client.drain(1.0)
        assert 1 <= len(replies) < 30  # coalesced: never a backlog
        assert all(r[0] == "/drum/done" and r[1][1] == "wek" for r in replies)
        _, last = latent(client, "wek")
        assert last[0] - base[0] == pytest.approx(2.9, abs=1e-4)  # the latest won
    finally:
        client.close()
        server.stop()
        thread.join(10)


# presets -----------------------------------------------------------------------------------


def test_store_recall_list_forget(client: Client, stage: Running) -> None:
    done(client, "/drum/seed", "p1", 11, "hat")
    original = done(client, "/drum/pca", "p1", 1.5)
    assert client.ask("/drum/store", "p1", "bright-hat") == ("/drum/stored", ["p1", "bright-hat"])
    done(client, "/drum/seed", "p1", 12, "kick")  # the slot moves on
    recalled = done(client, "/drum/recall", "p2", "bright-hat")
    assert recalled[6] == "bright-hat"
    assert sound(recalled[2]).tobytes() == sound(original[2]).tobytes()
    assert latent(client, "p2")[0] == "hat"
    done(client, "/drum/pca", "p2", 0.0)  # the base came back too: the offsets go
    np.testing.assert_allclose(
        sound(client.ask("/drum/seed", "p3", 11, "hat")[1][2]),
        sound(done(client, "/drum/pca", "p2")[2]),
        atol=1e-6,
    )
    done(client, "/drum/seed", 7, 1)
    assert client.ask("/drum/store", 7, 2.0) == ("/drum/stored", [7, "2"])  # Pd's numbers
    names = client.ask("/drum/presets")
    assert names[0] == "/drum/presets" and "bright-hat" in names[1]
    assert client.ask("/drum/forget", "bright-hat") == ("/drum/forgotten", ["bright-hat"])
    assert "bright-hat" not in client.ask("/drum/presets")[1]
    assert "no preset named bright-hat" in fail(client, "/drum/recall", "p2", "bright-hat")
    assert "no preset named bright-hat" in fail(client, "/drum/forget", "bright-hat")
    file = next(Path(stage.server.config.presets).glob("*.json"))
    assert file.name == "fake.json" and "bright-hat" not in json.loads(file.read_text())["presets"]


def test_a_mixed_slot_is_stored_with_its_styles(client: Client) -> None:
    done(client, "/drum/seed", "ma", 1)
    done(client, "/drum/seed", "mb", 2, "hat")
    mixed = done(client, "/drum/mix", "mm", "ma", "mb", 1)
    client.ask("/drum/store", "mm", "mixed")
    recalled = done(client, "/drum/recall", "mr", "mixed")
    assert sound(recalled[2]).tobytes() == sound(mixed[2]).tobytes()


@pytest.mark.parametrize("name", ["../escape", "a/b", ".", "", "x" * 65, "a b", "~root"])
def test_preset_names_that_could_escape_are_refused(
    client: Client, stage: Running, name: str
) -> None:
    done(client, "/drum/seed", "pn", 1)
    assert "name must be letters, digits" in fail(client, "/drum/store", "pn", name)
    assert "name must be" in fail(client, "/drum/recall", "pn", name)
    assert "name must be" in fail(client, "/drum/forget", name)
    folder = Path(stage.server.config.presets)
    assert all(p.parent == folder for p in folder.rglob("*"))


def test_store_needs_a_sound_and_a_name(client: Client) -> None:
    assert "slot empty-one is empty" in fail(client, "/drum/store", "empty-one", "x")
    assert "name missing" in fail(client, "/drum/store", "pn")
    assert "too many arguments" in fail(client, "/drum/presets", 1)


def test_presets_survive_a_restart(tmp_path: Path) -> None:
    presets = tmp_path / "presets"

    def serve() -> tuple[Any, Any, Client]:
        config = Config(port=0, out=tmp_path / "out", engine=FakeEngine(), presets=presets)
        server, thread = start_server(config)
        return server, thread, Client(server.transport.address[1])

    server, thread, client = serve()
    try:
        first = done(client, "/drum/seed", "s", 77, "snare")
        assert client.ask("/drum/store", "s", "keep")[0] == "/drum/stored"
    finally:
        client.close()
        server.stop()
        thread.join(10)
    assert json.loads((presets / "fake.json").read_text())["presets"]["keep"]["class"] == "snare"
    assert not list(presets.glob("*.tmp"))
    server, thread, client = serve()
    try:
        assert client.ask("/drum/presets") == ("/drum/presets", ["keep"])
        again = done(client, "/drum/recall", "t", "keep")
        assert sound(again[2]).tobytes() == sound(first[2]).tobytes()
    finally:
        client.close()
        server.stop()
        thread.join(10)


def test_a_broken_presets_file_is_moved_aside_not_overwritten(tmp_path: Path) -> None:
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "fake.json").write_text("{not json")
    config = Config(port=0, out=tmp_path / "out", engine=FakeEngine(), presets=presets)
    server, thread = start_server(config)
    client = Client(server.transport.address[1])
    try:
        assert client.ask("/drum/presets") == ("/drum/presets", [])
        done(client, "/drum/seed", "s", 1)
        client.ask("/drum/store", "s", "new")
    finally:
        client.close()
        server.stop()
        thread.join(10)
    aside = list(presets.glob("fake.json.broken-*"))
    assert len(aside) == 1 and aside[0].read_text() == "{not json"


def test_recall_restores_class_latent_and_pca_offsets(client: Client) -> None:
    done(client, "/drum/seed", "o1", 21, "snare")
    moved = done(client, "/drum/pca", "o1", 1.25, -0.5, 0.75)
    stored = latent(client, "o1")
    assert client.ask("/drum/store", "o1", "offsets")[0] == "/drum/stored"
    done(client, "/drum/seed", "o2", 3, "kick")  # the target slot holds something else first
    recalled = done(client, "/drum/recall", "o2", "offsets")
    assert recalled[6] == "offsets"
    offsets = recalled[7:]  # one per PCA axis: where the controls stood
    np.testing.assert_allclose(offsets, [1.25, -0.5, 0.75, 0.0], atol=1e-5)
    assert latent(client, "o2") == stored  # /drum/latent agrees: class and coordinates
    # /drum/pca continues from the offsets: sent back, they keep the sound ...
    again = done(client, "/drum/pca", "o2", *offsets)
    np.testing.assert_allclose(sound(again[2]), sound(moved[2]), atol=1e-6)
    # ... and one control moved from there moves it as it moves the stored slot
    nudged = done(client, "/drum/pca", "o2", offsets[0] + 1.0, *offsets[1:])
    original = done(client, "/drum/pca", "o1", 2.25, -0.5, 0.75)
    np.testing.assert_allclose(sound(nudged[2]), sound(original[2]), atol=1e-6)
    assert latent(client, "o2")[0] == "snare"
    np.testing.assert_allclose(latent(client, "o2")[1], latent(client, "o1")[1], atol=1e-5)
    # back at the base: the stored slot's seed
    base = done(client, "/drum/pca", "o2")
    np.testing.assert_allclose(
        sound(base[2]), sound(done(client, "/drum/seed", "o3", 21, "snare")[2]), atol=1e-6
    )


def test_recall_refuses_offsets_that_disagree_with_the_latent(tmp_path: Path) -> None:
    presets = tmp_path / "presets"
    config = Config(port=0, out=tmp_path / "out", engine=FakeEngine(), presets=presets)
    server, thread = start_server(config)
    client = Client(server.transport.address[1])
    try:
        done(client, "/drum/seed", "s", 5, "hat")
        done(client, "/drum/pca", "s", 0.5)
        for name in ("moved", "short", "none"):
            assert client.ask("/drum/store", "s", name)[0] == "/drum/stored"
    finally:
        client.close()
        server.stop()
        thread.join(10)
    file = presets / "fake.json"
    data = json.loads(file.read_text())
    data["presets"]["moved"]["offsets"][0] += 0.5  # edited by hand
    data["presets"]["short"]["offsets"] = [0.5, 0.0]
    del data["presets"]["none"]["offsets"]  # older files: the offsets follow from the latent
    file.write_text(json.dumps(data))
    server, thread = start_server(config)
    client = Client(server.transport.address[1])
    try:
        assert "its PCA offsets are not where its latent lies" in fail(
            client, "/drum/recall", "t", "moved"
        )
        assert "it has 2 PCA offsets, this model 4" in fail(client, "/drum/recall", "t", "short")
        recalled = done(client, "/drum/recall", "t", "none")
        np.testing.assert_allclose(recalled[7:], [0.5, 0.0, 0.0, 0.0], atol=1e-5)
    finally:
        client.close()
        server.stop()
        thread.join(10)


# breaks ------------------------------------------------------------------------------------


def write_loop(path: Path, hits: int, rate: int = 16000) -> list[int]:
    """A loop of `hits` decaying noise bursts 0.25 s apart; returns their onsets."""
    rng = np.random.default_rng(hits)
    spacing = rate // 4
    audio = np.zeros(spacing * hits + rate // 2, np.float32)
    starts = [i * spacing for i in range(hits)]
    decay = np.exp(-np.arange(2000) / 300.0).astype(np.float32)
    for i, s in enumerate(starts):
        audio[s : s + 2000] += (0.2 + 0.1 * i) * rng.normal(size=2000).astype(np.float32) * decay
    sf.write(str(path), audio, rate)
    return starts


def test_break_bank_slices_and_fewer_hits_clear_old_slots(
    client: Client, stage: Running, tmp_path: Path
) -> None:
    long, short = tmp_path / "long.wav", tmp_path / "short.wav"
    write_loop(long, 5)
    write_loop(short, 3)
    args = done(client, "/drum/break", "amen", str(long))
    hits, bank = args[6], Path(args[7])
    assert hits == 5 and bank == stage.out.resolve() / "amen"
    assert sorted(p.name for p in bank.iterdir()) == [f"{i}.wav" for i in range(5)]
    address, onsets = client.ask("/drum/slices", "amen")
    assert address == "/drum/slices" and onsets[0] == "amen" and len(onsets) == 6
    assert all(isinstance(o, int) for o in onsets[1:]) and onsets[1:] == sorted(onsets[1:])
    latent(client, "amen-4")
    args = done(client, "/drum/break", "amen", str(short))
    assert args[6] == 3
    assert sorted(p.name for p in bank.iterdir()) == ["0.wav", "1.wav", "2.wav"]
    assert "slot amen-4 is empty" in fail(client, "/drum/latent", "amen-4")
    assert "slot amen-3 is empty" in fail(client, "/drum/latent", "amen-3")
    assert not list(stage.out.glob("amen-3-*.wav"))
    latent(client, "amen-2")


def test_breakpca_moves_every_hit_together(client: Client, tmp_path: Path) -> None:
    loop = tmp_path / "loop.wav"
    write_loop(loop, 4)
    done(client, "/drum/break", "bp", str(loop))
    onsets = client.ask("/drum/slices", "bp")
    before = [latent(client, f"bp-{i}")[1] for i in range(4)]
    args = done(client, "/drum/breakpca", "bp", 1.0, 0.5)
    assert args[6] == 4
    for i in range(4):
        np.testing.assert_allclose(
            np.subtract(latent(client, f"bp-{i}")[1], before[i]), [1, 0.5, 0, 0], atol=1e-4
        )
    # around the inverted hits, not cumulative
    done(client, "/drum/breakpca", "bp", 1.0, 0.5)
    np.testing.assert_allclose(
        np.subtract(latent(client, "bp-0")[1], before[0]), [1, 0.5, 0, 0], atol=1e-4
    )
    assert client.ask("/drum/slices", "bp") == onsets
    assert "holds no break" in fail(client, "/drum/breakpca", "bp-0", 1.0)
    assert "holds no break" in fail(client, "/drum/slices", "bp-0")


def test_breakmix_morphs_hit_by_hit_at_a_onsets(client: Client, tmp_path: Path) -> None:
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    write_loop(a, 4)
    write_loop(b, 2)
    done(client, "/drum/break", "ba", str(a))
    done(client, "/drum/break", "bb", str(b))
    la = [latent(client, f"ba-{i}")[1] for i in range(4)]
    lb = [latent(client, f"bb-{i}")[1] for i in range(2)]
    args = done(client, "/drum/breakmix", "bm", "ba", "bb", 0.5)
    assert args[6] == 4 and args[3] == done(client, "/drum/break", "ba", str(a))[3]
    assert client.ask("/drum/slices", "bm")[1][1:] == client.ask("/drum/slices", "ba")[1][1:]
    same_class = 0
    for i in range(4):
        _, got = latent(client, f"bm-{i}")
        # B has two hits: they repeat; within one class the coordinates are lines in W too
        if latent(client, f"ba-{i}")[0] == latent(client, f"bb-{i % 2}")[0]:
            same_class += 1
            np.testing.assert_allclose(got, (np.add(la[i], lb[i % 2])) / 2, atol=1e-3)
    assert same_class > 0
    assert "t must be between 0 and 1" in fail(client, "/drum/breakmix", "bm", "ba", "bb", 2)
    done(client, "/drum/seed", "plain", 1)
    assert "slot plain holds no break" in fail(client, "/drum/breakmix", "bm", "ba", "plain", 0)


# a refined inversion's residual ----------------------------------------------------------------


def test_a_refined_inversion_keeps_its_detail_through_every_edit(
    client: Client, tmp_path: Path
) -> None:
    # the fake engine's residual raises the pitch: a sound that loses it sounds otherwise
    wav = tmp_path / "hit.wav"
    sf.write(str(wav), np.linspace(0, 1, 4000, dtype=np.float32), 44100)
    refined = sound(done(client, "/drum/invert", "rr", str(wav), 10)[2])
    plain = sound(done(client, "/drum/invert", "rp", str(wav), 0)[2])
    assert refined.tobytes() != plain.tobytes()
    same = [
        ("/drum/pca", "rr", 0.0),  # around its base: its latent as inverted
        ("/drum/pcaabs", "rr", *latent(client, "rr")[1]),
        ("/drum/morph", "rm", "rr", "rp", 0.0),
    ]
    for request in same:
        assert sound(done(client, *request)[2]).tobytes() == refined.tobytes(), request
    # a mix takes the residual of the slot that styles the fine layers
    mixed = sound(done(client, "/drum/mix", "rx", "rp", "rr", 0)[2])
    assert mixed.tobytes() != sound(done(client, "/drum/mix", "ry", "rp", "rp", 0)[2]).tobytes()
    client.ask("/drum/store", "rx", "mixed-detail")
    assert sound(done(client, "/drum/recall", "rz", "mixed-detail")[2]).tobytes() == mixed.tobytes()
    path = done(client, "/drum/path", "rw", "rr", "rp", 2)
    steps = sound(path[2]).reshape(2, -1)
    assert steps[0].tobytes() == refined.tobytes() and steps[1].tobytes() == plain.tobytes()
    # moved, it keeps its residual: not the plain sound moved the same way
    moved = sound(done(client, "/drum/pca", "rr", 1.0)[2])
    assert moved.tobytes() != sound(done(client, "/drum/pca", "rp", 1.0)[2]).tobytes()
    client.ask("/drum/store", "rr", "detail")
    assert sound(done(client, "/drum/recall", "rq", "detail")[2]).tobytes() == moved.tobytes()
    # a seed is a sound of its latent alone: nothing of the inversion stays
    seeded = sound(done(client, "/drum/seed", "rr", 3, "kick")[2])
    assert sound(done(client, "/drum/pca", "rr", 0.0)[2]).tobytes() == seeded.tobytes()
    fresh = sound(done(client, "/drum/seed", "rs", 3, "kick")[2])
    assert seeded.tobytes() == fresh.tobytes()


def test_a_refined_break_keeps_each_hits_detail_through_its_edits(
    client: Client, tmp_path: Path
) -> None:
    loop = tmp_path / "loop.wav"
    write_loop(loop, 3)
    done(client, "/drum/break", "rb", str(loop), 5)
    hits = [sound(done(client, "/drum/pca", f"rb-{i}", 0.0)[2]) for i in range(3)]
    done(client, "/drum/break", "rn", str(loop), 0)
    plain = [sound(done(client, "/drum/pca", f"rn-{i}", 0.0)[2]) for i in range(3)]
    assert all(h.tobytes() != p.tobytes() for h, p in zip(hits, plain, strict=True))
    done(client, "/drum/breakpca", "rb", 0.0)
    for i in range(3):  # the hit slots hold the break's hits with their residuals
        assert sound(done(client, "/drum/pca", f"rb-{i}", 0.0)[2]).tobytes() == hits[i].tobytes()
    done(client, "/drum/breakmix", "rb", "rb", "rn", 1.0)  # all the way to the plain break
    for i in range(3):
        assert sound(done(client, "/drum/pca", f"rb-{i}", 0.0)[2]).tobytes() == plain[i].tobytes()
