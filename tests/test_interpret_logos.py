"""Logos: information-content heights, DNA/RNA/structure alphabets, grids, a filter beside its match."""

import io

import matplotlib.image as mpimg
import numpy as np
import pytest

from keras_motifs.interpret import Motif, logo_dataframe, save_logo, save_logo_grid, save_logo_with_match


def test_logo_heights_are_information_content():
    ppm = np.array([[1, 0, 0, 0], [0.5, 0.5, 0, 0], [0.25] * 4])
    df = logo_dataframe(ppm, "ACGT")
    assert list(df.columns) == list("ACGT")
    np.testing.assert_allclose(df.values, [[2, 0, 0, 0], [0.5, 0.5, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_allclose(logo_dataframe(ppm, "ACGU", heights="probability").values, ppm)
    with pytest.raises(ValueError):
        logo_dataframe(ppm, "FTIHMS")


@pytest.mark.parametrize("alphabet", ["ACGT", "ACGU", "FTIHMS"])
def test_logo_png_per_alphabet(tmp_path, alphabet):
    rng = np.random.default_rng(0)
    ppm = rng.dirichlet(np.ones(len(alphabet)) * 0.3, size=6)
    png = save_logo(tmp_path / "l.png", ppm, alphabet, title="f0")
    assert (tmp_path / "l.png").read_bytes() == png and png[:4] == b"\x89PNG"


def test_grid_tiles_every_logo(tmp_path):
    rng = np.random.default_rng(1)
    motifs = [Motif(f"f{i}", rng.dirichlet(np.ones(4), size=5)) for i in range(5)]
    single = mpimg.imread(io.BytesIO(save_logo(tmp_path / "one.png", motifs[0].ppm, dpi=40)), format="png")
    save_logo_grid(tmp_path / "grid.png", motifs, ncols=2, dpi=40)
    grid = mpimg.imread(tmp_path / "grid.png")
    assert grid.shape[0] == 3 * single.shape[0] and grid.shape[1] == 2 * single.shape[1]


def test_logo_with_reverse_complement_match(tmp_path):
    target = Motif("MA0000.1", np.eye(4)[[0, 0, 1, 2, 3]], alt="TEST")
    query = Motif("filter3", np.eye(4)[[0, 1, 2]])
    save_logo_with_match(tmp_path / "m.png", query, target, offset=1, orientation="-", title="x")
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"


def test_all_zero_logos_draw_without_a_warning(tmp_path):
    """A filter that never fires (uniform PPM: 0 bits everywhere) and a sequence with no importance
    are drawn without logomaker's "identical low and high ylims" warning, which DeepBind's
    reproduction printed into its output for a dead detector."""
    import warnings

    from keras_motifs.interpret import plot_mutation_map

    x = np.eye(4)[np.arange(12) % 4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert save_logo(tmp_path / "flat.png", np.full((6, 4), 0.25), "ACGT")[:4] == b"\x89PNG"
        save_logo_grid(tmp_path / "grid.png", [np.full((5, 4), 0.25), np.eye(4)[[0, 1, 2]]], ncols=2)
        plot_mutation_map(tmp_path / "map.png", x, np.zeros((12, 4)), "ACGT")
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
