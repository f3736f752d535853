"""End to end: a tiny DanQ-shaped model trained for a few steps on sequences with a planted
motif → ``keras-motifs motifs`` / ``mutation-map`` / ``score-variants`` write their files."""

import json

import keras
import numpy as np
import pytest

from keras_motifs.cli import main
from keras_motifs.data import one_hot
from keras_motifs.interpret import read_meme
from keras_motifs.io import save_model
from keras_motifs.models import DanQ

MOTIF = "CCGCGGAAGT"  # planted in positives; an ETS-like core


def _seqs(n, length, rng):
    return ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    seqs = _seqs(300, 100, rng)
    labels = np.zeros((300, 3), "float32")
    for i in range(0, 300, 2):  # every other sequence carries the motif: target 0 (and 1)
        p = int(rng.integers(0, 90))
        seqs[i] = seqs[i][:p] + MOTIF + seqs[i][p + 10:]
        labels[i, :2] = 1
    keras.utils.set_random_seed(0)
    model = DanQ(conv_filters=8, lstm_units=4, dense_units=8, num_targets=3, sequence_length=100)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2), loss="binary_crossentropy")
    model.fit(one_hot(seqs, "AGCT"), labels, batch_size=50, epochs=3, verbose=0)
    path = root / "model.keras"
    save_model(model, path)
    fa = root / "seqs.fa"
    fa.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(seqs[:60])))
    np.save(root / "seqs.npy", one_hot(seqs[:60], "AGCT"))
    return root, path, fa, seqs


def test_motifs_command_end_to_end(trained, capsys):
    root, model_path, fa, _ = trained
    out = root / "motifs"
    rc = main(["motifs", str(model_path), str(fa), "--out", str(out), "--batch-size", "16"])
    assert rc == 0, capsys.readouterr().err
    meme = read_meme(out / "filters.meme")
    summary = json.loads((out / "summary.json").read_text())
    # alphabet AGCT inferred from the preset name; filters that never fire are left out
    assert meme.alphabet == "ACGT" and 4 <= len(meme) == summary["n_filters_with_sites"] <= 8
    assert meme.motifs[0].width == 26
    assert (out / "tomtom.tsv").read_text().startswith("query\ttarget_id")
    assert (out / "logo_grid.png").read_bytes()[:4] == b"\x89PNG"
    assert len(list((out / "logos").glob("filter*.png"))) >= len(meme)
    assert (out / "mutation_map.png").exists()
    assert summary["n_sequences"] == 60 and summary["tomtom"]["n_targets"] == 519
    assert summary["mutation_map"]["sequence"] == "s0"
    tsv = (out / "mutation_map.tsv").read_text().splitlines()
    assert tsv[0] == "position\treference\teffect_A\teffect_C\teffect_G\teffect_T" and len(tsv) == 101
    # the same from a .npy source gives the same motifs
    out2 = root / "motifs_npy"
    assert main(["motifs", str(model_path), str(root / "seqs.npy"), "--out", str(out2), "--no-tomtom",
                 "--no-logos", "--mutation-map-index", "-1"]) == 0
    again = read_meme(out2 / "filters.meme")
    for a, b in zip(meme, again):
        np.testing.assert_allclose(a.ppm, b.ppm, atol=1e-6)


def test_mutation_map_and_score_variants_commands(trained, tmp_path):
    root, model_path, fa, seqs = trained
    png = tmp_path / "map.png"
    assert main(["mutation-map", str(model_path), str(fa), "--index", "2", "--target", "0", "--out", str(png),
                 "--region", "10:60"]) == 0
    rows = png.with_suffix(".tsv").read_text().splitlines()
    assert len(rows) == 101 and rows[1].split("\t")[1] == seqs[2][0]
    # variants: sequence pairs, and a VCF against a FASTA with one wrong REF allele
    pairs = tmp_path / "pairs.tsv"
    alt = seqs[0][:50] + ("A" if seqs[0][50] != "A" else "C") + seqs[0][51:]
    pairs.write_text(f"id\tref\talt\nv1\t{seqs[0]}\t{alt}\n")
    out = tmp_path / "pairs_scores.tsv"
    assert main(["score-variants", str(model_path), "--pairs", str(pairs), "--out", str(out), "--rc-average"]) == 0
    assert len(out.read_text().splitlines()) == 1 + 3
    genome = tmp_path / "g.fa"
    genome.write_text(">chr1\n" + seqs[0] + seqs[1] + "\n")
    vcf = tmp_path / "v.vcf"
    chrom = seqs[0] + seqs[1]
    wrong = next(b for b in "ACGT" if b != chrom[129])
    vcf.write_text(f"#CHROM\tPOS\tID\tREF\tALT\nchr1\t120\tok\t{chrom[119]}\t{next(b for b in 'ACGT' if b != chrom[119])}\n"
                   f"chr1\t130\twrong\t{wrong}\tA\n")
    out = tmp_path / "vcf_scores.tsv"
    assert main(["score-variants", str(model_path), "--vcf", str(vcf), "--fasta", str(genome), "--out", str(out)]) == 1
    assert not out.exists()  # error: nothing written
    assert main(["score-variants", str(model_path), "--vcf", str(vcf), "--fasta", str(genome), "--out", str(out),
                 "--on-mismatch", "flag", "--targets", "0"]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and "REF allele mismatch" in lines[2] and lines[1].split("\t")[5] == "ok"
