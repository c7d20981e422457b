import numpy as np
import pytest

from oscserver.engine import latent as L
from oscserver.model.artifact import ClassPCA


def make_pca(rng, k=4, d=16):
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return ClassPCA(
        rng.standard_normal(d).astype(np.float32),
        q[:k].astype(np.float32),
        rng.uniform(0.5, 2, k).astype(np.float32),
        np.full(k, 0.1, np.float32),
    )


def test_pca_round_trip():
    rng = np.random.default_rng(0)
    pca = make_pca(rng)
    base = rng.standard_normal(16).astype(np.float32)
    coords = [1.5, -0.5, 0.0, 2.0]
    w = L.from_coordinates(pca, coords, base)
    np.testing.assert_allclose(L.to_coordinates(pca, w, base), coords, atol=1e-5)


def test_missing_coordinates_are_zero_and_too_many_fail():
    rng = np.random.default_rng(1)
    pca = make_pca(rng)
    np.testing.assert_allclose(L.from_coordinates(pca, [], pca.mean), pca.mean)
    with pytest.raises(ValueError, match="PCA axes"):
        L.from_coordinates(pca, [0.0] * 5, pca.mean)


@pytest.mark.parametrize("mode", L.INTERPOLATIONS)
def test_path_endpoints_and_anchors(mode):
    rng = np.random.default_rng(2)
    a, b, c = (rng.standard_normal(8).astype(np.float32) for _ in range(3))
    p = L.path([a, b, c], 5, mode)
    assert p.shape == (5, 8)
    np.testing.assert_allclose(p[0], a, atol=1e-5)
    np.testing.assert_allclose(p[2], b, atol=1e-5)
    np.testing.assert_allclose(p[-1], c, atol=1e-5)


def test_slerp_keeps_norm_between_equal_norm_points():
    a = np.array([1.0, 0.0], np.float32)
    b = np.array([0.0, 1.0], np.float32)
    mid = L.slerp(a, b, 0.5)
    assert np.linalg.norm(mid) == pytest.approx(1.0)
    assert np.linalg.norm(L.lerp(a, b, 0.5)) < 0.8


def test_truncation():
    c = np.ones(4, np.float32)
    w = np.full(4, 3.0, np.float32)
    np.testing.assert_allclose(L.truncate(w, c, 0.0), c)
    np.testing.assert_allclose(L.truncate(w, c, 0.5), 2.0)
