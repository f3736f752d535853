"""TFDS builder for the five simulated data sets of Deepprune (regenerated from JASPAR motifs)."""

from .deepprune_simulated_dataset_builder import MOTIFS, Builder, SimConfig, generate, planted_motifs

__all__ = ["MOTIFS", "Builder", "SimConfig", "generate", "planted_motifs"]
