import numpy as np
import pytest

from assistant.store.vectors import VectorIndex, choose_type


def unit(rng, n, dim):
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_flat_equals_brute_force_cosine():
    rng = np.random.default_rng(0)
    data, queries = unit(rng, 500, 32), unit(rng, 20, 32)
    scores, rows = VectorIndex.build(data, kind="flat").search(queries, k=10)
    expected = np.argsort(-(queries @ data.T), axis=1)[:, :10]
    assert (rows == expected).all()
    np.testing.assert_allclose(
        scores, np.take_along_axis(queries @ data.T, expected, axis=1), rtol=1e-5
    )


@pytest.mark.parametrize("kind", ["hnsw", "ivf", "ivf-sq8"])
def test_approximate_indexes_keep_recall(kind):
    rng = np.random.default_rng(1)
    # Real embeddings cluster by topic; uniform random vectors have no structure to exploit.
    centres = unit(rng, 50, 32)
    data = centres[rng.integers(0, 50, 5000)] + 0.3 * unit(rng, 5000, 32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    queries = data[:50] + 0.05 * unit(rng, 50, 32)
    _, rows = VectorIndex.build(data, kind=kind).search(queries, k=10)
    exact = np.argsort(-(queries @ data.T), axis=1)[:, :10]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(rows, exact, strict=True)])
    assert recall >= 0.9


def test_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    data = unit(rng, 100, 16)
    index = VectorIndex.build(data)
    index.save(tmp_path / "v.faiss")
    again = VectorIndex.load(tmp_path / "v.faiss", "flat")
    a, b = index.search(data[:5], k=3), again.search(data[:5], k=3)
    assert (a[1] == b[1]).all()


def test_k_larger_than_index_is_capped():
    data = np.eye(3, dtype=np.float32)
    scores, rows = VectorIndex.build(data).search(data[:1], k=10)
    assert rows.shape == (1, 3)


def test_auto_choice():
    assert choose_type(1000, "auto", 50_000) == "flat"
    assert choose_type(100_000, "auto", 50_000) == "hnsw"
    assert choose_type(1_000_000, "auto", 50_000) == "ivf-sq8"
    assert choose_type(10, "ivf", 50_000) == "ivf"


@pytest.mark.parametrize("kind", ["hnsw", "ivf", "ivf-sq8"])
def test_search_parameters_survive_save_and_load(tmp_path, kind):
    rng = np.random.default_rng(3)
    data = unit(rng, 2000, 16)
    index = VectorIndex.build(data, kind=kind)
    index.save(tmp_path / "v.faiss")
    again = VectorIndex.load(tmp_path / "v.faiss", kind)
    assert (index.search(data[:20], k=5)[1] == again.search(data[:20], k=5)[1]).all()
    if kind == "hnsw":
        assert again.index.hnsw.efSearch == index.index.hnsw.efSearch
    else:
        assert again.index.nprobe == index.index.nprobe > 1


def test_tiny_ivf_still_builds():
    data = np.eye(4, 8, dtype=np.float32)
    _, rows = VectorIndex.build(data, kind="ivf-sq8").search(data, k=1)
    assert rows[:, 0].tolist() == [0, 1, 2, 3]
