"""The render commands (generate, interpolate, invert, info) through click's CliRunner.

Each invocation loads the tiny model (a few seconds), so the tests share invocations where
one run can answer several questions.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner, Result

from oscserver import cli
from oscserver.audio.io import write_wav_atomic


def invoke(model: Path, *args: str) -> Result:
    """Runs `drumsynth ARGS --model MODEL`; fails the test on any uncaught exception."""
    result = CliRunner().invoke(cli.main, [*args, "--model", str(model)])
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    return result


def ok(model: Path, *args: str) -> Result:
    result = invoke(model, *args)
    assert result.exit_code == 0, result.output
    return result


def fails(model: Path, *args: str, says: str) -> None:
    """Exits non-zero with exactly one `Error:` line, which contains `says`."""
    result = invoke(model, *args)
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    assert says in errors[0], errors[0]


def read(path: Path) -> np.ndarray:
    return sf.read(str(path), dtype="float32")[0]


def test_seeds_are_the_servers_seeds() -> None:
    from oscserver.limits import MAX_SEED

    runner = CliRunner()
    result = runner.invoke(cli.main, ["generate", "--seed", str(MAX_SEED + 1), "-o", "x.wav"])
    assert result.exit_code == 2 and str(MAX_SEED) in result.output
    result = runner.invoke(cli.main, ["interpolate", "--anchor", f"kick:{MAX_SEED + 1}",
                                      "--anchor", "kick:1"])  # fmt: skip
    assert result.exit_code == 2 and "is not CLASS:SEED" in result.output


def test_help_shows_examples_without_loading_a_model() -> None:
    for command in ("generate", "interpolate", "invert", "info"):
        result = CliRunner().invoke(cli.main, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output


def test_generate_writes_the_engine_sound_and_the_same_bytes_twice(
    tiny_model: Path, engine, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    first = ok(tiny_model, "generate", "-s", "42", "-c", "snare", "-o", str(a))
    assert first.output.strip() == f"{a}  class snare seed 42"
    ok(tiny_model, "generate", "--seed", "42", "--class", "snare", "--out", str(b))
    assert a.read_bytes() == b.read_bytes()  # no PEAK chunk with its write-time stamp
    assert b"PEAK" not in a.read_bytes()
    info = sf.info(str(a))
    assert (info.frames, info.samplerate, info.subtype) == (engine.frames, 44100, "FLOAT")
    np.testing.assert_allclose(read(a), engine.generate(42, "snare").audio, atol=1e-6)


def test_generate_random_seeds_into_a_new_folder_in_int16(
    tiny_model: Path, engine, tmp_path: Path
) -> None:
    out = tmp_path / "new" / "folder"
    result = ok(tiny_model, "generate", "-n", "2", "-o", str(out), "--format", "int16")
    seeds = [int(line.rsplit(" ", 1)[1]) for line in result.output.splitlines()]
    assert seeds[1] == seeds[0] + 1
    cls = engine.classes[0]
    for seed in seeds:
        path = out / f"{cls}-{seed}.wav"
        assert sf.info(str(path)).subtype == "PCM_16"
        np.testing.assert_allclose(read(path), engine.generate(seed, cls).audio, atol=1e-4)


def test_generate_resamples_to_sr_in_int24(tiny_model: Path, engine, tmp_path: Path) -> None:
    out = tmp_path / "hat.wav"
    ok(tiny_model, "generate", "-s", "5", "-c", "hat", "--sr", "48000", "--format", "int24",
       "-o", str(out))  # fmt: skip
    info = sf.info(str(out))
    assert (info.samplerate, info.subtype) == (48000, "PCM_24")
    assert info.frames == -(-engine.frames * 160 // 147)  # resample_poly: ceil(n * up / down)


def test_pca_coordinates_move_the_sound(tiny_model: Path, engine, tmp_path: Path) -> None:
    ok(tiny_model, "generate", "-s", "42", "-c", "snare", "--pca", "2,-1.5", "-o", str(tmp_path))
    ok(tiny_model, "generate", "-s", "42", "-c", "snare", "--pc", "2", "--pc", "-1.5",
       "-o", str(tmp_path / "pc.wav"))  # fmt: skip
    moved = tmp_path / "snare-42-pc2_-1.5.wav"
    assert moved.read_bytes() == (tmp_path / "pc.wav").read_bytes()
    base = engine.seed_latent(42, "snare")
    expected = engine.from_coordinates("snare", [2.0, -1.5], base=base).audio
    np.testing.assert_allclose(read(moved), expected, atol=1e-5)
    assert not np.allclose(read(moved), engine.generate(42, "snare").audio, atol=1e-3)


def test_interpolate_ends_on_the_anchors(tiny_model: Path, engine, tmp_path: Path) -> None:
    out = tmp_path / "morph"
    result = ok(tiny_model, "interpolate", "-a", "1", "--class-a", "kick", "-b", "9",
                "--class-b", "hat", "--steps", "5", "-o", str(out))  # fmt: skip
    files = sorted(out.glob("*.wav"))
    assert [f.name for f in files] == [f"step-{i}.wav" for i in range(5)]
    assert result.output.split() == [str(f) for f in files]
    np.testing.assert_allclose(read(files[0]), engine.generate(1, "kick").audio, atol=1e-4)
    np.testing.assert_allclose(read(files[-1]), engine.generate(9, "hat").audio, atol=1e-4)
    assert not np.allclose(read(files[2]), read(files[0]), atol=1e-3)


def test_interpolate_anchors_concatenated(tiny_model: Path, engine, tmp_path: Path) -> None:
    out = tmp_path / "loop.wav"
    ok(tiny_model, "interpolate", "--anchor", "kick:1", "--anchor", "snare:2", "--anchor",
       "kick:3", "--steps", "6", "--mode", "slerp", "--concat", "-o", str(out))  # fmt: skip
    audio = read(out)
    assert audio.shape == (6 * engine.frames,)
    np.testing.assert_allclose(audio[-engine.frames :], engine.generate(3, "kick").audio, atol=1e-4)


def test_invert_a_generated_sound(tiny_model: Path, engine, tmp_path: Path) -> None:
    source = write_wav_atomic(tmp_path / "src.wav", engine.generate(3, "hat").audio, 44100)
    latent = tmp_path / "w.npy"
    result = ok(tiny_model, "invert", str(source), "--refine", "2", "-o", str(tmp_path / "inv"),
                "--save-latent", str(latent))  # fmt: skip
    resynth = tmp_path / "inv" / "src-resynth.wav"
    assert sf.info(str(resynth)).frames == engine.frames
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines()[1:])  # not progress
    # the class the server would answer for the same file: the class head's
    assert lines["class"] == engine.invert(read(source), 44100).labels[0]
    coords = next(v for k, v in lines.items() if k.startswith("pca")).split(",")
    assert len(coords) == engine.pca_axes and all(np.isfinite(float(c)) for c in coords)
    assert np.load(latent).shape == (engine.w_dim,)
    residual = tmp_path / "w-residual.npy"
    assert lines["residual"] == str(residual)
    # The saved latent and residual render the written resynthesis.
    again = engine.render(np.load(latent), residual=np.load(residual)).audio
    np.testing.assert_allclose(read(resynth), again, atol=1e-5)


def test_invert_slices_of_a_breakbeat(tiny_model: Path, engine, tmp_path: Path) -> None:
    from tests.helpers import BREAK_STARTS, synthetic_break

    src = write_wav_atomic(tmp_path / "amen.wav", synthetic_break(np.random.default_rng(0)), 44100)
    out = ok(tiny_model, "invert", str(src), "--slices", "-o", str(tmp_path / "out"),
             "--sr", "48000", "--format", "int16").output  # fmt: skip
    slices = sorted((tmp_path / "out").glob("amen-slice*.wav"))
    assert len(slices) == len(BREAK_STARTS)
    assert all(sf.info(str(p)).samplerate == 48000 for p in slices)
    loop = sf.info(str(tmp_path / "out" / "amen-break.wav"))
    assert abs(loop.frames - 2 * 48000) <= 1  # the loop keeps the break's length
    assert out.count(" at ") == len(BREAK_STARTS)


def test_info_names_the_model_classes_and_axes(tiny_model: Path, engine) -> None:
    out = ok(tiny_model, "info").output
    assert f"classes         {', '.join(engine.classes)}" in out
    assert f"{engine.pca_axes} per class" in out and "44100 Hz" in out
    assert "parameters" in out and "tiny (tests only)" in out
    assert all(f"  {c} " in out for c in engine.classes)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["generate", "--psi", "2.5"], "--psi"),
        (["generate", "--psi", "nan"], "not a finite number"),
        (["generate", "--pca", "1,nan"], "finite"),
        (["generate", "--pca", "1,x"], "not numbers"),
        (["generate", "--pc", "1", "--pca", "2"], "not both"),
        (["generate", "--format", "mp3"], "--format"),
        (["interpolate", "--steps", "1", "-a", "1", "-b", "2"], "--steps"),
        (["interpolate", "-a", "1"], "-b SEED"),
        (["interpolate", "--anchor", "kick:1"], "two or more"),
        (["interpolate", "--anchor", "kick", "--anchor", "hat:2"], "CLASS:SEED"),
        (["invert", "no-such.wav"], "does not exist"),
        (["invert", "x.wav", "--refine", "100000"], "--refine"),
    ],
)
def test_bad_options_fail_before_loading(
    args: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.wav").write_bytes(b"")
    fails(tmp_path / "no-model-needed", *args, says=says)


def test_unknown_class_lists_the_valid_ones(tiny_model: Path) -> None:
    fails(tiny_model, "generate", "-c", "cowbell", says="unknown class 'cowbell'; this model "
          "knows kick, snare, hat")  # fmt: skip


def test_too_many_pca_coordinates(tiny_model: Path, engine) -> None:
    coords = ",".join(["0.5"] * (engine.pca_axes + 1))
    fails(tiny_model, "generate", "--pca", coords, says=f"{engine.pca_axes} PCA axes")


def test_invert_a_file_that_is_not_audio(tiny_model: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    fails(tiny_model, "invert", str(text), "-o", str(tmp_path), says="not a readable audio file")


def test_missing_and_broken_models(tmp_path: Path, tiny_model: Path) -> None:
    fails(tmp_path / "nope", "info", says="no model at")
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in tiny_model.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    with (broken / "pca.npz").open("ab") as handle:
        handle.write(b"junk")
    fails(broken, "generate", "-o", str(tmp_path), says="checksum mismatch for pca.npz")


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_unwritable_outputs(tmp_path: Path) -> None:
    model = tmp_path / "never-loaded"
    fails(model, "generate", "-o", "/proc/x.wav", says="cannot write to /proc")
    (tmp_path / "file").write_text("")
    fails(model, "generate", "-o", str(tmp_path / "file" / "x.wav"), says="not a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    fails(tmp_path / "never-loaded", "generate", "-o", str(locked / "x.wav"),
          says="cannot write to")  # fmt: skip
    assert list(locked.iterdir()) == []
