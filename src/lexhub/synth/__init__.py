"""Synthetic regions: agencies, people and their records, with realistic duplicates and
errors, and the ground truth of who is who. All people are invented; only aggregate name
frequency tables (1990 census surnames, SSA first names) are used. See docs/synth.md."""

from lexhub.synth.config import RegionSummary, SynthConfig
from lexhub.synth.write import write_region

__all__ = ["RegionSummary", "SynthConfig", "write_region"]
