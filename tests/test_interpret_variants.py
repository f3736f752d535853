"""Variant scoring: sequence pairs, VCF + FASTA windows, the reference-allele check."""

import keras
import numpy as np
import pytest

from keras_motifs.data import one_hot
from keras_motifs.errors import DataFormatError
from keras_motifs.interpret import read_vcf, score_sequence_pairs, score_variants, score_vcf, variant_windows

CHR1 = "ACGTACGTAC" * 3  # 30 bp
CHR2 = "GGGGCCCCAATT"


@pytest.fixture()
def genome(tmp_path):
    fa = tmp_path / "ref.fa"
    fa.write_text(f">chr1 test\n{CHR1[:15]}\n{CHR1[15:]}\n>chr2\n{CHR2.lower()}\n")
    vcf = tmp_path / "v.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr1\t5\trs1\tA\tG,T\t.\t.\t.\n"      # line 3: CHR1[4] = 'A', ok (two ALTs)
        "chr1\t6\trs2\tA\tC\t.\t.\t.\n"        # line 4: CHR1[5] = 'C' -> mismatch
        "chr2\t2\trs3\tG\tA\t.\t.\t.\n"        # line 5: window runs over the start -> N padding
        "chr1\t10\trs4\tCA\tC\t.\t.\t.\n"      # line 6: indel
    )
    return fa, vcf


def _model(length=8):
    keras.utils.set_random_seed(0)
    inp = keras.Input((length, 4))
    x = keras.layers.Conv1D(3, 3, activation="relu")(inp)
    out = keras.layers.Dense(2, activation="sigmoid")(keras.layers.Flatten()(x))
    return keras.Model(inp, out)


def test_read_vcf_splits_alts_and_errors(genome, tmp_path):
    _, vcf = genome
    vs = read_vcf(vcf)
    assert [(v.id, v.alt, v.line) for v in vs[:3]] == [("rs1", "G", 3), ("rs1", "T", 3), ("rs2", "C", 4)]
    bad = tmp_path / "bad.vcf"
    bad.write_text("#CHROM\tPOS\tID\tREF\tALT\nchr1\tfive\trs\tA\tG\n")
    with pytest.raises(DataFormatError, match=r"bad.vcf', line 2: POS 'five'"):
        read_vcf(bad)


def test_reference_allele_check_error_and_flag(genome):
    fa, vcf = genome
    vs = read_vcf(vcf)
    with pytest.raises(DataFormatError, match=r"line 4 .*REF allele mismatch: VCF REF=A, FASTA has C at chr1:6"):
        variant_windows(vs, fa, 8, on_mismatch="error", vcf_name=str(vcf))
    refs, alts, status = variant_windows(vs, fa, 8, on_mismatch="flag")
    assert status[:2] == ["ok", "ok"] and status[2].startswith("REF allele mismatch")
    assert status[4].startswith("indel")
    # variant at index length // 2 = 4 of the window: chr1 positions 1..8
    assert refs[0] == CHR1[0:8] and refs[0][4] == "A" and alts[0] == CHR1[:4] + "G" + CHR1[5:8]
    # chr2 pos 2: the window starts 3 bases before the chromosome -> N padding
    assert refs[3] == "NNN" + CHR2[:5] and alts[3] == "NNNG" + "A" + CHR2[2:5]
    assert refs[2] is None and alts[2] is None


def test_score_vcf_matches_direct_predictions(genome):
    fa, vcf = genome
    model = _model()
    table = score_vcf(model, vcf, fa, on_mismatch="flag")
    assert len(table) == 5 * 2  # every variant kept, one row per target
    flagged = table[table["status"] != "ok"]
    assert flagged["diff"].isna().all() and set(flagged["id"]) == {"rs2", "rs4"}
    row = table[(table["id"] == "rs1") & (table["alt_allele"] == "G") & (table["target"] == 1)].iloc[0]
    p_ref = model.predict(one_hot([CHR1[:8]]), verbose=0)[0, 1]
    p_alt = model.predict(one_hot([CHR1[:4] + "G" + CHR1[5:8]]), verbose=0)[0, 1]
    assert row["ref"] == pytest.approx(p_ref, abs=1e-6) and row["diff"] == pytest.approx(p_alt - p_ref, abs=1e-6)
    lod = np.log(p_alt / (1 - p_alt)) - np.log(p_ref / (1 - p_ref))
    assert row["log_odds_diff"] == pytest.approx(lod, abs=1e-4)
    with pytest.raises(DataFormatError, match="line 4"):
        score_vcf(model, vcf, fa)  # default: a mismatch is an error


def test_sequence_pairs_and_rc_average():
    model = _model()
    refs, alts = ["ACGTACGT", "TTTTAAAA"], ["ACGTTCGT", "TTTTGAAA"]
    table = score_sequence_pairs(model, refs, alts, targets=[0], ids=["a", "b"])
    assert list(table["id"]) == ["a", "b"] and (table["abs_diff"] == table["diff"].abs()).all()
    s = score_variants(model, one_hot(refs), one_hot(alts), rc_average=True)
    from keras_motifs.data import reverse_complement

    x = one_hot(refs)
    want = (model.predict(x, verbose=0) + model.predict(reverse_complement(x), verbose=0)) / 2
    np.testing.assert_allclose(s["ref"], want, atol=1e-6)
