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
        "chr1\t10\trs4\tCA\tC\t.\t.\t.\n"      # line 6: deletion of the A after CHR1[9] = 'C'
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
    assert status[4] == "ok"  # a deletion is scored (test_indel_windows_hand_computed: its windows)
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
    assert flagged["diff"].isna().all() and set(flagged["id"]) == {"rs2"}
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


# ---------------------------------------------------------------- indels, multi-allelic records, symbolic alleles
# CHR1 = ACGTACGTAC ACGTACGTAC ACGTACGTAC (0-based index 9 = 'C', 10 = 'A', 11 = 'C'); windows of 8, centre 4
INDEL_VCF = (
    "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "chr1\t10\tins\tC\tCTT\t.\t.\t.\n"             # line 3: insertion of TT after the C at index 9
    "chr1\t10\tdel\tCAC\tC\t.\t.\t.\n"             # line 4: deletion of AC (indices 10, 11)
    "chr1\t5\tmulti\tA\tG,AT,<DEL>,*\t.\t.\t.\n"   # line 5: four ALTs: SNV, insertion, two symbolic
    "chr1\t2\tbnd\tC\tC[chr2:5[\t.\t.\t.\n"        # line 6: a breakend
)


def test_indel_windows_hand_computed(tmp_path):
    fa = tmp_path / "ref.fa"
    fa.write_text(f">chr1\n{CHR1}\n")
    vcf = tmp_path / "indel.vcf"
    vcf.write_text(INDEL_VCF)
    vs = read_vcf(vcf)
    assert [(v.id, v.alt, v.kind, v.line) for v in vs] == [
        ("ins", "CTT", "insertion", 3), ("del", "C", "deletion", 4), ("multi", "G", "snv", 5),
        ("multi", "AT", "insertion", 5), ("multi", "<DEL>", "symbolic", 5), ("multi", "*", "symbolic", 5),
        ("bnd", "C[CHR2:5[", "symbolic", 6)]
    refs, alts, status = variant_windows(vs, fa, 8)  # on_mismatch="error": symbolic alleles are skipped, not errors
    # insertion: REF 'C' (index 9) at window index 4: indices 5..12; ALT 'CTT' with its middle T at index 4:
    # 3 genome bases before (6..8 = GTA), CTT, then the 2 bases after the REF allele (10..11 = AC)
    assert (refs[0], alts[0]) == ("CGTACACG", "GTACTTAC")
    # deletion: REF 'CAC' (9..11) middle base at index 4: 6..13 = GTA CAC GT; ALT 'C': 4 bases before (5..8 =
    # CGTA), C, then the 3 bases after the REF allele (12..14 = GTA) -- the flanks reach further out
    assert (refs[1], alts[1]) == ("GTACACGT", "CGTACGTA")
    # multi-allelic: one window pair per ALT; SNV at index 4 of indices 0..7; insertion 'AT' middle T at index 4
    assert (refs[2], alts[2]) == ("ACGTACGT", "ACGTGCGT")
    assert (refs[3], alts[3]) == ("ACGTACGT", "CGTATCGT")
    assert status[:4] == ["ok"] * 4
    assert status[4] == "skipped: symbolic allele '<DEL>' names no sequence to score" and refs[4] is None
    assert status[5].startswith("skipped: the spanning deletion '*'")
    assert status[6].startswith("skipped: breakend 'C[CHR2:5['")
    assert all(len(w) == 8 for w in refs[:4] + alts[:4])


def test_indels_near_chromosome_ends_pad_with_n(tmp_path):
    fa = tmp_path / "ref.fa"
    fa.write_text(f">chr1\n{CHR1}\n")
    vcf = tmp_path / "v.vcf"
    vcf.write_text("#CHROM\tPOS\tID\tREF\tALT\nchr1\t1\td\tACG\tA\nchr1\t29\te\tA\tAGG\n")
    refs, alts, _ = variant_windows(read_vcf(vcf), fa, 8)
    # deletion at the start: REF ACG (0..2) middle at index 4 -> 3 N; ALT 'A': 4 N, A, then 3 bases from index 3
    assert (refs[0], alts[0]) == ("NNNACGTA", "NNNNATAC")
    # insertion at the end: REF 'A' (28), bases 24..31 (30, 31 past the end); ALT AGG: 3 before (25..27), AGG, 'C', N
    assert (refs[1], alts[1]) == ("ACGTACNN", "CGTAGGCN")


def test_symbolic_alleles_warned_and_kept_as_rows(tmp_path, caplog):
    fa = tmp_path / "ref.fa"
    fa.write_text(f">chr1\n{CHR1}\n")
    vcf = tmp_path / "indel.vcf"
    vcf.write_text(INDEL_VCF)
    model = _model()
    with caplog.at_level("WARNING", logger="keras_motifs"):
        table = score_vcf(model, vcf, fa)
    assert len(table) == 7 * 2  # 7 ALT alleles x 2 targets: nothing dropped
    skipped = table[table["status"].str.startswith("skipped")]
    assert len(skipped) == 3 * 2 and skipped["diff"].isna().all()
    msg = " ".join(r.getMessage() for r in caplog.records)
    assert "3 symbolic or breakend ALT allele(s) not scored" in msg
    assert "line 5 (chr1:5 A><DEL>)" in msg and "line 5 (chr1:5 A>*)" in msg and "line 6 " in msg
    # a scored deletion equals predictions on its hand-computed windows
    row = table[(table["id"] == "del") & (table["target"] == 0)].iloc[0]
    p = model.predict(one_hot(["GTACACGT", "CGTACGTA"]), verbose=0)[:, 0]
    assert row["ref"] == pytest.approx(p[0], abs=1e-6) and row["diff"] == pytest.approx(p[1] - p[0], abs=1e-6)


def test_score_variants_cli_indels_in_fresh_process(tmp_path):
    import subprocess
    import sys

    fa = tmp_path / "ref.fa"
    fa.write_text(f">chr1\n{CHR1}\n")
    vcf = tmp_path / "indel.vcf"
    vcf.write_text(INDEL_VCF)
    _model().save(tmp_path / "m.keras")
    out = tmp_path / "scores.tsv"
    cmd = [sys.executable, "-m", "keras_motifs.cli", "score-variants", str(tmp_path / "m.keras"), "--vcf", str(vcf),
           "--fasta", str(fa), "--alphabet", "ACGT", "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert "wrote 14 rows" in r.stdout and "6 skipped rows" in r.stdout
    assert "3 symbolic or breakend ALT allele(s) not scored" in r.stderr and "line 6" in r.stderr
    import pandas as pd

    t = pd.read_csv(out, sep="\t")
    assert list(t["alt_allele"].unique()) == ["CTT", "C", "G", "AT", "<DEL>", "*", "C[CHR2:5["]
    # bad input: an indel running off the chromosome end -> one line naming file and line, exit 1
    bad = tmp_path / "bad.vcf"
    bad.write_text("#CHROM\tPOS\tID\tREF\tALT\nchr1\t29\tx\tAGTT\tA\n")
    r = subprocess.run(cmd[:6] + [str(bad)] + cmd[7:], capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: file '") and "bad.vcf', line 2 (chr1:29 AGTT>A): REF allele of 4 bp" in r.stderr
