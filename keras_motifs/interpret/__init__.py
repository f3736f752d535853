"""Motif interpretation: filters → PWMs → MEME → Tomtom against JASPAR, logos, mutation maps,
variant effects.

Array conventions: one-hot inputs ``(N, L, A)`` (N sequences, L positions, A letters, in the
model's channel order); activations ``(N, L', F)``; a motif matrix ``(W, A)`` and a stack of them
``(F, W, A)``, in the canonical letter order (A,C,G,T / A,C,G,U / F,T,I,H,M,S) unless a function
says otherwise.

Modules (one job each):

* :mod:`.pwm` — PFM → PPM, information content, trimming, reverse complement, channel reordering;
* :mod:`.meme` — MEME minimal format v4 read/write (:class:`Motif`, :class:`MemeFile`);
* :mod:`.alignment` — filter activation alignment (rules ``koo_eddy``, ``basset``/``ideeps``,
  ``deepbind``/``danq``) for any Conv1D of any model, batched;
* :mod:`.tomtom` — Tomtom via ``memelite``, JASPAR via ``pyjaspar``, summary metrics;
* :mod:`.protocol` — :class:`MotifProtocol`, a paper's motif analysis as data (each family's
  ``MOTIF_PROTOCOL`` in its presets, registered with :mod:`keras_motifs.registry`);
* :mod:`.pipeline` — :func:`analyse_filters`, the one pipeline: alignment → MEME → (trimming) →
  Tomtom → match counts → (logos), run with a protocol;
* :mod:`.logos` — sequence logos (``logomaker``);
* :mod:`.mutagenesis` — batched in-silico saturation mutagenesis and the mutation-map plot;
* :mod:`.attribution` — saliency, input × gradient, integrated gradients, DeepLIFT/DeepSHAP
  (rescale) and ISM scores of one-hot sequences, their letter heights (attribution logos);
* :mod:`.variants` — variant effect scores from sequence pairs or a VCF + reference FASTA;
* :mod:`.sources` — load a ``.keras`` model, its alphabet, sequences (FASTA, .npy, TFDS);
* :mod:`.report` — :func:`interpret_model`, everything ``keras-motifs motifs`` writes;
* :mod:`.batches` — data sources as bounded batches of model inputs.

Heavy dependencies (TensorFlow, memelite, pyjaspar, matplotlib) are imported when used.
"""

from .alignment import RULES, FilterMotifs, conv_geometry, filter_motifs, find_layer, window_geometry
from .meme import MemeFile, Motif, format_meme, parse_meme, read_meme, write_meme
from .pwm import (
    canonical_alphabet,
    consensus,
    counts_to_ppm,
    ic_heights,
    information_content,
    letter_frequencies,
    reorder,
    reverse_complement,
    to_canonical,
    trim,
)
from .logos import logo_dataframe, plot_logo, save_attribution_logo, save_logo, save_logo_grid, save_logo_with_match
from .mutagenesis import deepbind_scaled, importance, in_silico_mutagenesis, ism_predictions, plot_mutation_map
from .attribution import (
    attribute,
    contributions,
    deeplift,
    input_x_gradient,
    integrated_gradients,
    make_baselines,
    per_base,
    saliency,
)
from .variants import Variant, read_vcf, score_sequence_pairs, score_variants, score_vcf, variant_windows
from .protocol import MotifProtocol, get_protocol
from .pipeline import MotifAnalysis, analyse_filters, match_hits
from .report import interpret_model
from .sources import load_model, load_sequences
from .tomtom import best_matches, jaspar_motifs, load_targets, match_summary, read_tomtom_table, tomtom

__all__ = [
    "RULES", "FilterMotifs", "conv_geometry", "filter_motifs", "find_layer", "window_geometry",
    "MotifProtocol", "get_protocol", "MotifAnalysis", "analyse_filters", "match_hits",
    "MemeFile", "Motif", "format_meme", "parse_meme", "read_meme", "write_meme",
    "canonical_alphabet", "consensus", "counts_to_ppm", "ic_heights", "information_content",
    "letter_frequencies", "reorder", "reverse_complement", "to_canonical", "trim",
    "logo_dataframe", "plot_logo", "save_attribution_logo", "save_logo", "save_logo_grid", "save_logo_with_match",
    "attribute", "contributions", "deeplift", "input_x_gradient", "integrated_gradients", "make_baselines",
    "per_base", "saliency",
    "deepbind_scaled", "importance", "in_silico_mutagenesis", "ism_predictions", "plot_mutation_map",
    "Variant", "read_vcf", "score_sequence_pairs", "score_variants", "score_vcf", "variant_windows",
    "interpret_model", "load_model", "load_sequences",
    "best_matches", "jaspar_motifs", "load_targets", "match_summary", "read_tomtom_table", "tomtom",
]
