"""``keras-motifs motifs``: a trained model's filters → MEME file, Tomtom table, logos, and a
mutation map of one sequence (see :mod:`keras_motifs.interpret.report`)."""

from __future__ import annotations

import argparse
import sys

EPILOG = """\
examples:
  # DanQ trained by reproductions/danq.py, filters aligned over the synthetic test split
  keras-motifs motifs outputs/danq/danq/training/best.keras deepsea/synthetic_tiny --out outputs/danq/motifs

  # any model, sequences from a FASTA file, Koo & Eddy's rule on a named ReLU layer
  keras-motifs motifs model.keras test.fa --alphabet ACGT --layer conv1d_0_active --out motifs/

  # RNA model, compare with RNAcompete motifs instead of JASPAR
  keras-motifs motifs ideeps.keras seqs.npy --alphabet ACGU --rule basset \\
      --targets ../shared/data/motifs/Ray2013_rbp_RNA.meme --out motifs/

  # replay a paper's motif analysis (its protocol: layer, rule, window, Tomtom settings, match rule);
  # 'auto' takes the protocol of the model's own family; flags override single settings
  keras-motifs motifs koo_eddy_cnn_25.keras test.npy --protocol koo_eddy --out motifs/
  keras-motifs motifs danq.keras deepsea/synthetic_tiny --protocol auto --evalue 0.05 --out motifs/

protocols: danq, ideeps (sequence branch), deepprune, koo_eddy (keras_motifs/models/<family>/presets.py,
MOTIF_PROTOCOL); without --protocol: Koo & Eddy's rule on the first Conv1D, trimmed motifs, Tomtom
against JASPAR 2016 (Pearson, min overlap 5, E < 0.01).

outputs (in --out): filters.meme, filters_trimmed.meme, tomtom.tsv, logo_grid.png,
logos/<filter>.png (+ <filter>_match.png), mutation_map.png/.tsv, summary.json.

The first Tomtom run compiles numba code (about a minute); set NUMBA_CACHE_DIR to a writable
folder to keep the compiled code between runs.
"""


def sequence_source(text: str) -> str:
    """The ``sequences`` argument, checked while parsing: an existing path (or a name ending in a
    sequence file's suffix) must be a readable regular file of a known type; anything else is a
    TFDS dataset name (checked when it is loaded)."""
    import os

    from ..cli_args import input_file
    from ..interpret.sources import FASTA_SUFFIXES

    text = str(text)
    known = text.endswith(FASTA_SUFFIXES + (".npy",))
    if known or os.path.lexists(text):
        input_file("sequence file")(text)
        if not known:
            raise argparse.ArgumentTypeError(f"sequence file '{text}': unknown file type; use a FASTA file "
                                             "(.fa/.fasta/.fna, optionally .gz) or a one-hot .npy array")
    elif not text.strip():
        raise argparse.ArgumentTypeError("empty sequence source")
    return text


sequence_source.kind = "input"  # what tests feed it (tests/test_cli_every_command.py)


def sequence_or_bed_source(text: str) -> str:
    """:func:`sequence_source`, or a BED file of intervals (read from ``--genome``)."""
    from ..cli_args import input_file
    from .data_options import BED_SUFFIXES

    if str(text).lower().endswith(BED_SUFFIXES):
        return input_file("BED file")(str(text))
    return sequence_source(text)


sequence_or_bed_source.kind = "input"


def add_model_and_sequence_args(p: argparse.ArgumentParser, bed: bool = False) -> None:
    """The model and sequences arguments; ``bed``: the sequences may also be a BED file of
    intervals with ``--genome`` (added here)."""
    from ..cli_args import alphabet_name, float_in_range, input_file, positive_int

    p.add_argument("model", type=input_file("model file"), help="trained model file (.keras)")
    p.add_argument("sequences", type=sequence_or_bed_source if bed else sequence_source,
                   help="sequences: a FASTA file (.fa/.fasta/.fna[.gz]), a one-hot .npy array "
                        "(N, L, A), " + ("a BED file of intervals with --genome, " if bed else "")
                        + "or a TFDS name such as deepsea/synthetic_tiny")
    if bed:
        from .data_options import add_interval_options

        p.add_argument("--genome", type=input_file("reference FASTA"), default=None,
                       help="reference genome FASTA: the sequences are then a BED of intervals, each resized to the "
                            "model's length around its centre and read from the genome (reverse complement on "
                            "strand '-'), as 'predict' reads them")
        add_interval_options(p)
    p.add_argument("--alphabet", default=None, type=alphabet_name,
                   help="the model's channel order: ACGT, AGCT (DanQ/DeepSEA), ACGU, FTIHMS "
                        "(default: from the model's preset name, e.g. danq -> AGCT)")
    p.add_argument("--split", default="test", help="TFDS split (default: test)")
    p.add_argument("--data-dir", default=None, help="TFDS data folder (default: TFDS's own)")
    p.add_argument("--feature", default="sequence", help="TFDS feature holding the sequence (default: sequence)")
    p.add_argument("--n-value", type=float_in_range(0.0, 1.0, what="a one-hot value"), default=0.0,
                   help="one-hot value of N in FASTA input, 0 to 1 (default 0; 0.25 for DeepBind/iDeepS)")
    p.add_argument("--max-sequences", type=positive_int, default=None, help="use only the first N sequences")
    p.add_argument("--batch-size", type=positive_int, default=64, help="sequences per forward pass (bounds memory)")


def output_count(model) -> int:
    """The number of outputs (targets) of a model's first output."""
    import numpy as np

    return int(np.prod(model.outputs[0].shape[1:]))


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "motifs",
        help="filters of a trained model -> MEME motifs, Tomtom matches, logos, mutation map",
        description="Turn the first-layer (or a named) convolution's filters of a trained model into motifs by "
                    "aligning the input windows that activate them, write them in MEME format, compare them with "
                    "JASPAR (or any MEME file) using Tomtom, draw logos, and draw the mutation map of one sequence.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from ..cli_args import float_in_range, int_in_range, nonnegative_int, output_dir, positive_int

    add_model_and_sequence_args(p)
    p.add_argument("--out", required=True, type=output_dir("output folder"), help="output folder")
    p.add_argument("--protocol", default=None,
                   help="a paper's motif analysis: danq, ideeps, deepprune, koo_eddy (or a preset name), or 'auto' "
                        "(the protocol of the model's own preset); the options below override its settings")
    p.add_argument("--layer", default=None, help="layer whose outputs are the activations (default: first Conv1D)")
    p.add_argument("--rule", default=None, choices=["koo_eddy", "basset", "ideeps", "deepbind", "danq"],
                   help="alignment rule (default koo_eddy): koo_eddy = activation > 0.5 x filter max, weighted; "
                        "basset/ideeps = threshold mean + 0.5 (max - mean), >= 10 sites; "
                        "deepbind/danq = each sequence's max position if > 0")
    p.add_argument("--window", type=positive_int, default=None,
                   help="a fixed window centred on each activation (Koo & Eddy's code: 19) instead of the "
                        "convolution's receptive field; the layer must not be pooled")
    p.add_argument("--targets", default=None, type=tomtom_targets,
                   help="Tomtom targets: a JASPAR release name (CORE vertebrates, via pyjaspar; default JASPAR2016), "
                        "Ray2013 (shared RNAcompete motifs) or a MEME file")
    p.add_argument("--distance", default=None, choices=["pearson", "euclidean"], help="Tomtom column distance (default pearson)")
    cut = p.add_mutually_exclusive_group()
    cut.add_argument("--evalue", type=float_in_range(0.0, low_open=True, what="an E-value"), default=None,
                     help="Tomtom E-value threshold (default 0.01)")
    cut.add_argument("--pvalue", type=float_in_range(0.0, 1.0, low_open=True, what="a p-value"), default=None,
                     help="cut Tomtom hits at this p-value instead")
    cut.add_argument("--qvalue", type=float_in_range(0.0, 1.0, low_open=True, what="a q-value"), default=None,
                     help="cut Tomtom hits at this q-value instead")
    p.add_argument("--min-overlap", type=positive_int, default=None, help="Tomtom minimum overlap (default 5)")
    p.add_argument("--match", default=None, choices=["any", "best"],
                   help="with ground-truth motifs (koo_eddy): count any hit, or only each filter's best hit")
    p.add_argument("--trim", action=argparse.BooleanOptionalAction, default=None,
                   help="compare motifs with flanks < 0.5 bit clipped (pad 3) (default: trimmed; --no-trim: whole)")
    p.add_argument("--no-tomtom", action="store_true", help="skip Tomtom")
    p.add_argument("--no-logos", action="store_true", help="skip logos")
    p.add_argument("--mutation-map-index", type=int_in_range(-1, what="a sequence index (or -1)"), default=0,
                   help="index of the sequence to draw a mutation map for (default 0; -1 = none)")
    p.add_argument("--mutation-map-target", type=nonnegative_int, default=None,
                   help="model output for the mutation map (default: the highest-scoring one for that sequence)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..interpret.report import interpret_model
    from ..interpret.sources import infer_alphabet, load_model, load_sequences, resolve_alphabet
    from .. import models  # noqa: F401  (fills the preset registry: the models' alphabets, motif protocols)
    import tfds_builders  # noqa: F401  (registers the datasets a TFDS name may refer to)

    check_outputs(args)
    model = load_model(args.model)
    protocol = resolve_protocol(model, args.protocol)
    if args.mutation_map_target is not None and args.mutation_map_index >= 0:
        n_out = output_count(model)
        if args.mutation_map_target >= n_out:
            from ..errors import UsageError

            raise UsageError(f"--mutation-map-target {args.mutation_map_target}: the model has {n_out} outputs "
                             f"(indices 0 to {n_out - 1})")
    # the channel order: given, else the model's preset's, else the protocol's
    alphabet = resolve_alphabet(model, args.alphabet or infer_alphabet(model) or (protocol or {}).get("alphabet"))
    threshold_on, threshold = next(((k, v) for k, v in (("e_value", args.evalue), ("p_value", args.pvalue),
                                                        ("q_value", args.qvalue)) if v is not None), (None, None))
    length = model.inputs[0].shape[1] if len(model.inputs) == 1 else None
    data, names = load_sequences(args.sequences, alphabet, length=length, n_value=args.n_value,
                                 max_sequences=args.max_sequences, split=args.split, data_dir=args.data_dir,
                                 feature=args.feature)
    summary = interpret_model(
        model, data, args.out, alphabet, layer=args.layer, rule=args.rule, batch_size=args.batch_size,
        targets=args.targets, run_tomtom=not args.no_tomtom, trim_for_tomtom=args.trim,
        distance=args.distance, min_overlap=args.min_overlap, threshold_on=threshold_on, threshold=threshold,
        protocol=protocol, window=args.window, match=args.match,
        logos=not args.no_logos,
        mutation_map_index=None if args.mutation_map_index < 0 else args.mutation_map_index,
        mutation_map_target=args.mutation_map_target, names=names,
        log=lambda msg: print(msg, file=sys.stderr),
    )
    print(f"wrote {', '.join(summary['files'])} to {args.out}")
    return 0


OUTPUT_FILES = ("filters.meme", "filters_trimmed.meme", "tomtom.tsv", "logo_grid.png", "mutation_map.png",
                "mutation_map.tsv", "summary.json")


def check_outputs(args) -> None:
    """Before any work: no file the command writes in ``--out`` is one of its inputs (e.g.
    ``--targets out/filters.meme`` would be overwritten by the motifs found)."""
    import os

    from ..io.files import check_distinct

    inputs = {"model": args.model, "--targets": args.targets if args.targets and os.path.lexists(args.targets) else None}
    if os.path.lexists(args.sequences):
        inputs["sequences"] = args.sequences
    outputs = {f"output '{name}' in --out": os.path.join(args.out, name) for name in OUTPUT_FILES}
    check_distinct(outputs, inputs)


def tomtom_targets(text: str) -> str:
    """``--targets``, checked while parsing: an existing MEME file (a readable regular file), a
    shared target set name (Ray2013) or a JASPAR release pyjaspar ships; its motifs are read before
    any work (a damaged or empty file stops the command before the output folder is made)."""
    import os

    from ..cli_args import input_file
    from ..errors import DataFormatError
    from ..interpret.pipeline import SHARED_TARGETS
    from ..interpret.tomtom import check_jaspar_release, jaspar_releases

    text = str(text)
    if os.path.lexists(text):
        return input_file("Tomtom targets file")(text)
    if text in SHARED_TARGETS:
        return text
    if text.upper().startswith("JASPAR"):
        try:
            return check_jaspar_release(text)
        except DataFormatError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    raise argparse.ArgumentTypeError(
        f"'{text[:200]}' is neither a MEME file (not found) nor a target set name: use a MEME file, "
        f"{', '.join(SHARED_TARGETS)} or a JASPAR release ({', '.join(jaspar_releases())})")


tomtom_targets.kind = "input"


def resolve_protocol(model, name: str | None) -> dict | None:
    """The motif protocol dict of ``--protocol``: a family or preset name, or ``auto`` (the
    protocol of the preset the model is named after); None without the option."""
    from ..errors import ModelInputError
    from ..registry import find_by_model_name, motif_protocol, motif_protocols

    if name is None:
        return None
    if name == "auto":
        info = find_by_model_name(model.name)
        if info is None:
            raise ModelInputError(f"--protocol auto: model {model.name!r} is not named after a preset of this package; "
                                  f"name a protocol: {motif_protocols()}")
        name = info.family
    try:
        return motif_protocol(name)
    except KeyError as exc:
        raise ModelInputError(f"--protocol: {exc.args[0]}") from None
