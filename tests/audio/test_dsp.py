import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from oscserver.audio import dsp
from oscserver.audio.io import (
    AudioReadError,
    _no_peak_chunk,
    read_mono,
    resample,
    write_wav_atomic,
)
from tests.helpers import BREAK_STARTS, drum_hit, synthetic_break


def test_onset_alignment_and_length():
    x = np.zeros(5000, np.float32)
    x[1200:1300] = 0.5
    y = dsp.prepare_one_shot(x, 4096, pre_roll=32)
    assert y.shape == (4096,) and y.dtype == np.float32
    assert dsp.onset_index(y) == 32


def test_fit_length_fades_a_cut_sound():
    y = dsp.fit_length(np.ones(10000, np.float32), 1000)
    assert y.shape == (1000,) and y[-1] == 0.0 and y[0] == 1.0


def test_resample_matches_scipy_reference():
    x = np.random.default_rng(0).standard_normal(4800).astype(np.float32)
    np.testing.assert_allclose(resample(x, 48000, 44100), resample_poly(x, 147, 160), atol=1e-5)


def test_mel_filterbank_peaks_at_one_and_covers_spectrum():
    fb = dsp.mel_filterbank(44100, 2048, 64)
    assert fb.shape == (1025, 64)
    assert np.all(fb.max(axis=0) > 0)  # no empty filter
    assert np.all(fb[:, 16:].max(axis=0) > 0.85)  # wide filters come near their peak of 1
    # each filter's centre sits at the mel-spaced frequency (reference: HTK formula)
    centres = dsp.mel_to_hz(np.linspace(dsp.hz_to_mel(20), dsp.hz_to_mel(22050), 66)[1:-1])
    peaks = np.argmax(fb, axis=0) * 44100 / 2048
    np.testing.assert_allclose(peaks[16:], centres[16:], atol=44100 / 2048)


def test_read_any_rate_and_channels(tmp_path):
    t = np.arange(48000) / 48000
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), np.zeros_like(t)], axis=1) * 0.5
    sf.write(tmp_path / "s.flac", stereo, 48000)
    mono = read_mono(tmp_path / "s.flac", 44100)
    assert mono.shape == (44100,)
    assert np.max(np.abs(mono)) == pytest.approx(0.25, abs=0.01)


@pytest.mark.parametrize("content", [b"", b"not audio at all"])
def test_read_rejects_non_audio(tmp_path, content):
    p = tmp_path / "x.wav"
    p.write_bytes(content)
    with pytest.raises(AudioReadError, match="not a readable audio file"):
        read_mono(p, 44100)


def test_read_missing_file(tmp_path):
    with pytest.raises(AudioReadError, match="no such file"):
        read_mono(tmp_path / "nope.wav", 44100)


@pytest.mark.parametrize(
    "fmt,subtype", [("float32", "FLOAT"), ("int16", "PCM_16"), ("int24", "PCM_24")]
)
def test_atomic_write_formats(tmp_path, fmt, subtype):
    x = np.linspace(-0.5, 0.5, 1000, dtype=np.float32)
    p = write_wav_atomic(tmp_path / "a.wav", x, 48000, fmt)
    info = sf.info(p)
    assert (info.samplerate, info.frames, info.subtype) == (48000, 1000, subtype)
    assert [f.name for f in tmp_path.iterdir()] == ["a.wav"]
    reference = tmp_path / "ref" / "a.wav"  # libsndfile writing to the file itself
    reference.parent.mkdir()
    with sf.SoundFile(str(reference), "w", 48000, 1, subtype=subtype, format="WAV") as out:
        _no_peak_chunk(out)
        out.write(x)
    assert p.read_bytes() == reference.read_bytes()  # encoded in memory: the same bytes


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    with pytest.raises(ValueError):
        write_wav_atomic(tmp_path / "a.wav", np.zeros(10), 44100, "mp3")
    with pytest.raises(ValueError, match="too many dimensions"):
        write_wav_atomic(tmp_path / "a.wav", np.zeros((10, 2, 2)), 44100)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_the_old_file_and_no_temporary_when_the_rename_fails(
    tmp_path, monkeypatch
):
    old = write_wav_atomic(tmp_path / "a.wav", np.zeros(10), 44100).read_bytes()

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("oscserver.audio.io.os.replace", refuse)
    with pytest.raises(OSError, match="No space"):
        write_wav_atomic(tmp_path / "a.wav", np.ones(10), 44100)
    assert [f.name for f in tmp_path.iterdir()] == ["a.wav"]
    assert (tmp_path / "a.wav").read_bytes() == old


def test_onsets_find_every_hit_of_a_break_within_a_few_ms():
    found = dsp.onsets(synthetic_break(np.random.default_rng(0)), 44100)
    assert len(found) == len(BREAK_STARTS)
    np.testing.assert_allclose(found, BREAK_STARTS, atol=0.005 * 44100)


def test_onsets_of_silence_and_of_one_hit():
    assert dsp.onsets(np.zeros(44100), 44100).size == 0
    hit = np.concatenate([np.zeros(5000), drum_hit(np.random.default_rng(1), 44100, "snare")])
    (only,) = dsp.onsets(hit, 44100)
    assert abs(only - 5000) < 0.005 * 44100


def test_place_slices_cuts_each_at_the_next_hit():
    slices = np.ones((3, 1000), np.float32)
    out = dsp.place_slices(slices, np.array([0, 500, 2000]), 2500, 44100, fade=0.0)
    assert out.shape == (2500,)
    np.testing.assert_allclose(out[:1500], 1.0)  # first cut at 500, second runs its length
    np.testing.assert_allclose(out[1500:2000], 0.0)
    np.testing.assert_allclose(out[2000:], 1.0)


def test_trim_decay_cuts_a_release_tail_and_keeps_a_clean_decay():
    sr = 44100
    t = np.arange(sr) / sr
    drum = np.sin(2 * np.pi * 200 * t) * np.exp(-t * 30)  # -60 dB after ~0.23 s
    tail = drum + 10 ** (-55 / 20) * np.sin(2 * np.pi * 5000 * t)  # a release held at -55 dB
    cut = dsp.trim_decay(tail, floor_db=-50.0)
    assert 0.15 * sr < cut.size < 0.3 * sr
    assert abs(cut[-1]) < 1e-3  # faded out, no click
    np.testing.assert_array_equal(dsp.trim_decay(drum, floor_db=-400.0), drum.astype(np.float32))
    assert dsp.trim_decay(np.zeros(1000)).size == 1000  # silence stays as it is
