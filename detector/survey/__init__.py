"""Wideband survey: what is on the air, where and how strong; emission classes decide which analyzer runs where.

This room sits between `dsp` (pure spectrum functions) and the receivers: it knows the spectral
shapes of GSM, UMTS, LTE and NR emissions but decodes nothing.
"""

from ._classify import LTE_BANDWIDTHS_HZ, SHAPE_ANALYZERS, ShapeFeatures, analyzers_for, classify_shape, shape_features
from ._plan import parse_range, plan_hops
from ._survey import HopSpectrum, SurveyAccumulator, SurveyConfig, SurveyEmission, SurveyResult, survey

__all__ = [
    "LTE_BANDWIDTHS_HZ",
    "SHAPE_ANALYZERS",
    "HopSpectrum",
    "ShapeFeatures",
    "SurveyAccumulator",
    "SurveyConfig",
    "SurveyEmission",
    "SurveyResult",
    "analyzers_for",
    "classify_shape",
    "parse_range",
    "plan_hops",
    "shape_features",
    "survey",
]
