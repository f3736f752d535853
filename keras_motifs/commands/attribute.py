"""``keras-motifs attribute``: attribution scores of sequences for one model output (saliency,
input x gradient, integrated gradients, DeepLIFT, ISM), as a ``.npz`` and attribution logos."""

from __future__ import annotations

import argparse

EPILOG = """\
examples:
  keras-motifs attribute model.keras seqs.fa --alphabet ACGT --method deeplift --out attr/
  keras-motifs attribute runs/ctcf/model.keras one_peak.bed --genome genome.fa --out attr/
  keras-motifs attribute outputs/danq/danq/training/best.keras deepsea/synthetic_tiny --max-sequences 20 \\
      --method integrated_gradients --target 3 --steps 50 --shuffles 10 --index 0,4 --region 400:600 --out attr/

writes in --out:
  attributions.npz   scores (N, L, A): the method's per-letter scores in the model's channel order
                     (ism: f(variant) - f(reference)); heights (N, L, A): "attribution x one-hot",
                     the value of each position at its letter (saliency: gradient minus the position's
                     mean gradient; ism: f(reference) - mean f(variant)); per_base (N, L); x (N, L, A)
                     the one-hot inputs; prediction (N,) the model's output --target; for
                     integrated_gradients and deeplift baseline_prediction (N,) the mean output at
                     the baselines (the scores of a sequence sum to prediction - baseline_prediction:
                     exactly for deeplift, to the quadrature error for integrated_gradients);
                     names, alphabet, method, target, baseline, shuffles, steps, seed
  logos/logo_<i>.png the attribution logo (heights) of sequence i: the --index sequences, else the
                     first --logos (default 3)

a BED file with --genome: each interval is resized to the model's length around its centre and read
from the genome (reverse complement on strand '-'), as 'predict' reads it; names are the BED names
with the window read, e.g. "peak_4_0 (chr4:10449-10550)"; --max-sequences takes the first N intervals.

methods: saliency, input_x_gradient, integrated_gradients and ism work on any single-input model;
deeplift (rescale rule) on feed-forward ones (Conv1D, Dense, elementwise activations, pooling,
dropout, batch normalization): recurrent models (DanQ) are refused, use integrated_gradients.
"""

NPZ = "attributions.npz"


def register(subparsers) -> None:
    from ..cli_args import index_list, nonnegative_int, output_dir, positive_int
    from ..interpret.attribution import BASELINES, METHODS
    from .motifs import add_model_and_sequence_args
    from .mutation_map import region

    p = subparsers.add_parser(
        "attribute",
        help="attribution scores (saliency, input x gradient, integrated gradients, DeepLIFT, ISM) + logos",
        description="Explain one model output for each sequence: per-letter attribution scores written to a .npz, "
                    "and attribution logos of a few sequences.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_and_sequence_args(p, bed=True)
    p.add_argument("--out", required=True, type=output_dir("output folder"),
                   help=f"output folder ({NPZ}, logos/)")
    p.add_argument("--method", choices=METHODS, default="integrated_gradients",
                   help="attribution method (default integrated_gradients)")
    p.add_argument("--target", type=nonnegative_int, default=None,
                   help="model output to explain (index; required when the model has several outputs)")
    p.add_argument("--baseline", choices=BASELINES, default="shuffle",
                   help="integrated_gradients/deeplift reference: shuffle = dinucleotide-shuffled copies of each "
                        "sequence, attributions averaged over them (default); uniform = 1/A in every channel; zeros")
    p.add_argument("--shuffles", type=positive_int, default=10,
                   help="dinucleotide shuffles per sequence with --baseline shuffle (default 10)")
    p.add_argument("--steps", type=positive_int, default=50,
                   help="integrated_gradients: points of the path integral per baseline (default 50)")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="seed of the shuffles (default 0)")
    p.add_argument("--index", type=index_list, default=None,
                   help="draw the logos of these sequences (comma-separated indices, e.g. 0,4)")
    p.add_argument("--logos", type=nonnegative_int, default=3,
                   help="without --index: draw the logos of the first N sequences (default 3; 0 = none)")
    p.add_argument("--region", default=None, type=region,
                   help="draw only positions START:END of the logos (0-based, end excluded)")
    p.set_defaults(func=run)


def logo_path(out: str, index: int) -> str:
    import os

    return os.path.join(out, "logos", f"logo_{index}.png")


def check_outputs(args) -> list[int]:
    """Before any work: no output is an input. Returns the indices whose logos are asked for
    (checked against the data once it is read)."""
    import os

    from ..io.files import check_distinct

    wanted = list(args.index) if args.index is not None else list(range(args.logos))
    inputs = {"model": args.model}
    if os.path.lexists(args.sequences):
        inputs["sequences"] = args.sequences
    if args.genome:
        inputs["--genome"] = args.genome
    outputs = {f"output '{NPZ}' in --out": os.path.join(args.out, NPZ)}
    outputs.update({f"logo of sequence {i} in --out": logo_path(args.out, i) for i in wanted})
    check_distinct(outputs, inputs)
    return wanted


def run(args) -> int:
    import sys

    import numpy as np

    import tfds_builders  # noqa: F401  (registers the datasets a TFDS name may refer to)

    from .. import models  # noqa: F401  (fills the preset registry: the models' alphabets)
    from ..errors import ModelInputError, UsageError
    from ..interpret.attribution import (
        check_deeplift_model,
        check_model,
        contributions,
        deeplift,
        integrated_gradients,
        output_count,
        saliency,
    )
    from ..interpret.batches import input_batches
    from ..interpret.logos import save_attribution_logo
    from ..interpret.mutagenesis import in_silico_mutagenesis
    from ..interpret.sources import load_model, load_sequences, resolve_alphabet
    from ..io import atomic_path
    from .data_options import BED_SUFFIXES

    is_bed = str(args.sequences).lower().endswith(BED_SUFFIXES)
    if is_bed and not args.genome:
        raise UsageError(f"sequences {args.sequences}: a BED file needs --genome (the reference FASTA)")
    if args.genome and not is_bed:
        raise UsageError(f"--genome is for a BED file of intervals (.bed, .narrowPeak, .broadPeak); "
                         f"got sequences {args.sequences}")
    if args.skip_bad_intervals and not args.genome:
        raise UsageError("--skip-bad-intervals is for a BED input (with --genome)")
    wanted = check_outputs(args)
    model = load_model(args.model)
    check_model(model, f"attribute --method {args.method}")
    if args.method == "deeplift":
        check_deeplift_model(model)
    alphabet = resolve_alphabet(model, args.alphabet)
    n_out = output_count(model)
    if args.target is None and n_out != 1:
        raise UsageError(f"the model has {n_out} outputs: choose the one to explain with --target (0 to {n_out - 1})")
    target = 0 if args.target is None else args.target
    if target >= n_out:
        raise UsageError(f"--target {target}: the model has {n_out} outputs (indices 0 to {n_out - 1})")
    length = model.inputs[0].shape[1]
    if args.region and length is not None and args.region[1] > length:
        raise UsageError(f"--region {args.region[0]}:{args.region[1]}: the model's sequences have {length} positions")
    if args.genome:
        data, names = _bed_input(args, alphabet, length)
    else:
        data, names = load_sequences(args.sequences, alphabet, length=length, n_value=args.n_value,
                                     max_sequences=args.max_sequences, split=args.split, data_dir=args.data_dir,
                                     feature=args.feature)
    x = np.concatenate([b[0] for b in input_batches(data, model, batch_size=max(args.batch_size, 256))])
    n = len(x)
    if n == 0:
        raise ModelInputError(f"'{args.sequences}': no sequences")
    if args.index is not None:
        past = [i for i in args.index if i >= n]
        if past:
            raise UsageError(f"--index {past[0]}: the data has {n} sequences (indices 0 to {n - 1})")
    wanted = [i for i in wanted if i < n]
    if args.region and args.region[1] > x.shape[1]:
        raise UsageError(f"--region {args.region[0]}:{args.region[1]}: the sequences have {x.shape[1]} positions")

    print(f"attribute: {args.method} of output {target} for {n} sequences", file=sys.stderr)
    bs = args.batch_size
    extra = {}
    if args.method == "saliency":
        scores = saliency(model, x, alphabet, target, bs)
    elif args.method == "input_x_gradient":
        scores = saliency(model, x, alphabet, target, bs) * x
    elif args.method == "integrated_gradients":
        scores, _, fr = integrated_gradients(model, x, alphabet, target, args.baseline, args.shuffles, args.steps,
                                             bs, args.seed, return_predictions=True)
        extra["baseline_prediction"] = fr.mean(axis=1).astype(np.float32)
    elif args.method == "deeplift":
        scores, _, fr = deeplift(model, x, alphabet, target, args.baseline, args.shuffles, bs, args.seed,
                                 return_predictions=True)
        extra["baseline_prediction"] = fr.mean(axis=1).astype(np.float32)
    else:
        scores = in_silico_mutagenesis(model, x, alphabet, target=target, batch_size=max(bs, 64))
    prediction = _predict(model, x, target, bs)
    heights = contributions(scores, x, args.method).astype(np.float32)
    labels = list(names[:n]) if names else [f"sequence {i}" for i in range(n)]

    npz = f"{args.out}/{NPZ}"
    with atomic_path(npz, suffix=".npz") as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(
            fh, scores=np.asarray(scores, np.float32), heights=heights, per_base=heights.sum(-1), x=x,
            prediction=prediction, names=np.array(labels), alphabet=np.array(alphabet), method=np.array(args.method),
            target=np.array(target), baseline=np.array(args.baseline), shuffles=np.array(args.shuffles),
            steps=np.array(args.steps), seed=np.array(args.seed), **extra)
    written = [npz]
    for i in wanted:
        path = logo_path(args.out, i)
        save_attribution_logo(path, heights[i], alphabet, region=args.region,
                              title=f"{labels[i]}: {args.method}, output {target} (prediction {prediction[i]:.3g})",
                              ylabel=args.method.replace("_", " "))
        written.append(path)
    print(f"wrote {', '.join(written)}")
    return 0


def _bed_input(args, alphabet: str, length):
    """One-hot windows of the BED's intervals (the first --max-sequences) and their names."""
    import sys

    from ..data.onehot import one_hot
    from ..errors import InvalidSequenceError, ModelInputError
    from .data_options import bed_sequences, name_the_record

    if length is None:
        raise ModelInputError("the model takes sequences of any length; a BED input needs a model of fixed length")
    seqs, origins, columns, skipped = bed_sequences(args.sequences, args.genome, int(length),
                                                    skip=args.skip_bad_intervals)
    if skipped:
        print(f"skipped {len(skipped)} interval(s) (--skip-bad-intervals); first: {skipped[0]}", file=sys.stderr)
    n = len(seqs) if args.max_sequences is None else min(len(seqs), args.max_sequences)
    try:
        data = one_hot(seqs[:n], alphabet, n_value=args.n_value)
    except InvalidSequenceError as exc:
        name_the_record(exc, origins)
    names = [f"{columns['id'][i]} ({columns['chrom'][i]}:{columns['start'][i]}-{columns['end'][i]})" for i in range(n)]
    return data, names


def _predict(model, x, target: int, batch_size: int):
    import numpy as np

    out = [np.asarray(model(x[i : i + batch_size], training=False)).reshape(len(x[i : i + batch_size]), -1)[:, target]
           for i in range(0, len(x), batch_size)]
    return np.concatenate(out).astype(np.float32)
