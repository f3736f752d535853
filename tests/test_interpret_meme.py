"""MEME minimal format: exact round trip, published files, clear errors."""

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError
from keras_motifs.interpret import MemeFile, Motif, format_meme, parse_meme, read_meme, write_meme


def _motifs(alphabet_size=4, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for i, w in enumerate((5, 8)):
        ppm = rng.dirichlet(np.ones(alphabet_size), size=w)
        out.append(Motif(f"filter{i}", np.round(ppm, 6), nsites=10 + i, evalue="1337.0e-6" if i else "0"))
    return out


@pytest.mark.parametrize("alphabet", ["ACGT", "ACGU", "FTIHMS"])
def test_write_read_write_is_exact(tmp_path, alphabet):
    motifs = _motifs(len(alphabet))
    path = tmp_path / "m.meme"
    write_meme(path, motifs, alphabet=alphabet)
    text = path.read_text()
    back = read_meme(path)
    assert back.alphabet == alphabet
    assert [m.name for m in back] == ["filter0", "filter1"]
    for a, b in zip(motifs, back):
        np.testing.assert_array_equal(a.ppm, b.ppm)
        assert a.nsites == b.nsites and a.evalue == b.evalue
    write_meme(tmp_path / "again.meme", back)
    assert (tmp_path / "again.meme").read_text() == text
    if alphabet == "ACGT":
        assert "strands: + -" in text
    assert "letter-probability matrix: alength= %d w= 5 nsites= 10 E= 0" % len(alphabet) in text


def test_background_alt_name_and_url_round_trip(tmp_path):
    m = Motif("MA0001.1", np.eye(4)[[0, 1]], alt="AGL3", nsites=97, url="http://example.org/MA0001.1")
    meme = MemeFile([m], alphabet="ACGT", background=[0.3, 0.2, 0.2, 0.3], background_source="from data")
    text = format_meme(meme)
    back = parse_meme(text)
    np.testing.assert_allclose(back.background, [0.3, 0.2, 0.2, 0.3])
    assert back.motifs[0].alt == "AGL3" and back.motifs[0].url == "http://example.org/MA0001.1"
    assert format_meme(back) == text


def test_published_danq_meme_round_trip(shared_data, tmp_path):
    src = shared_data / "deepsea" / "published_filter_motifs" / "DanQ.meme"
    meme = read_meme(src)
    assert len(meme) == 320 and meme.alphabet == "ACGT" and meme.strands == "+ -"
    first = meme.motifs[0]
    assert (first.name, first.alt, first.width, first.nsites, first.evalue) == ("M0", "O0", 26, 2567, "1337.0e-6")
    np.testing.assert_allclose(first.ppm[0], [0.271523, 0.187378, 0.236073, 0.305025])
    write_meme(tmp_path / "d.meme", meme)
    again = read_meme(tmp_path / "d.meme")
    for a, b in zip(meme, again):
        np.testing.assert_array_equal(a.ppm, b.ppm)
    # the motif blocks are written exactly as published (only the version line differs)
    published = src.read_text().split("MOTIF", 1)[1]
    ours = (tmp_path / "d.meme").read_text().split("MOTIF", 1)[1]
    assert [line.strip() for line in ours.splitlines() if line.strip()] == \
        [line.strip() for line in published.splitlines() if line.strip()]


def test_jaspar_and_rna_meme_files(shared_data):
    jaspar = read_meme(shared_data / "motifs" / "JASPAR_CORE_2016_vertebrates.meme")
    assert len(jaspar) == 519 and jaspar.motifs[0].name == "MA0002.2" and jaspar.motifs[0].alt == "RUNX1"
    rna = read_meme(shared_data / "motifs" / "Ray2013_rbp_RNA.meme")
    assert rna.alphabet == "ACGU" and len(rna) == 102
    assert rna.motifs[0].url.startswith("http://hugheslab")


@pytest.mark.parametrize(
    "text, message",
    [
        ("ALPHABET= ACGT\n", "no 'MEME version'"),
        ("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF a\nletter-probability matrix: alength= 4 w= 2\n0.1 0.2 0.3 0.4\n",
         "file ends after 1 of 2"),
        ("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF a\nletter-probability matrix: alength= 4 w= 1\n0.1 0.2 0.7\n",
         "line 7: motif a: matrix row 1 has 3 values"),
        ("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF a\nletter-probability matrix: alength= 4 w= 1\n0.1 x 0.2 0.7\n",
         "not numeric"),
        ("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF a\nMOTIF b\n", "no 'letter-probability matrix'"),
    ],
)
def test_bad_files_name_the_line(text, message):
    with pytest.raises(DataFormatError, match=message) as info:
        parse_meme(text, source="bad.meme")
    assert "bad.meme" in str(info.value)
