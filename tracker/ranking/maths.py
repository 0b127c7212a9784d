"""Small vectorised numerical helpers shared by the ranking modules.

Kept free of SciPy (not a dependency): the normal CDF uses the Abramowitz-Stegun 7.1.26 erf
approximation (absolute error below 1.5e-7, far finer than the 0.1-point scores we print).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "as_float",
    "hill",
    "normal_cdf",
    "noisy_or",
    "renormalised_sum",
]


def as_float(s: pd.Series | np.ndarray) -> np.ndarray:
    """A float64 array with NaN for NA (nullable Int64, object and float input alike)."""
    if isinstance(s, pd.Series):
        return s.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(s, dtype="float64")


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Φ(z) for an array; NaN stays NaN."""
    z = np.asarray(z, dtype="float64")
    x = np.abs(z) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    erf = 1.0 - poly * np.exp(-x * x)
    return 0.5 * (1.0 + np.sign(z) * erf)


def hill(x: np.ndarray, threshold: float, steepness: float) -> np.ndarray:
    """``x^k / (x^k + T^k)`` for x > 0, else 0: a [0, 1) strength that is 0.5 at the threshold.

    Chosen because it turns each signal's own threshold ("robust z above 4") into the same
    meaning (strength 0.5), grows smoothly, and never reaches 1 on a single signal.
    """
    x = np.asarray(x, dtype="float64")
    out = np.zeros_like(x)
    pos = x > 0
    inf = np.isinf(x) & pos
    fin = pos & ~inf
    ratio = np.power(threshold / x[fin], steepness)
    out[fin] = 1.0 / (1.0 + ratio)
    out[inf] = 1.0
    return out


def noisy_or(strengths: list[np.ndarray]) -> np.ndarray:
    """``1 − Π(1 − s)``: any one strong signal or several weaker ones raise the combined value."""
    keep = np.ones_like(strengths[0], dtype="float64")
    for s in strengths:
        keep *= 1.0 - np.nan_to_num(s, nan=0.0)
    return 1.0 - keep


def renormalised_sum(
    values: Mapping[str, np.ndarray], weights: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """``Σ w·v over known v``, and ``Σ w over known v`` (NaN where no term is known).

    The caller divides or rescales; both numbers are returned so explanations can show them.
    """
    first = next(iter(values.values()))
    total = np.zeros(len(first), dtype="float64")
    known_w = np.zeros(len(first), dtype="float64")
    for name, v in values.items():
        w = float(weights[name])
        if w == 0:
            continue
        known = ~np.isnan(v)
        total += np.where(known, w * v, 0.0)
        known_w += np.where(known, w, 0.0)
    none = known_w == 0
    total[none] = np.nan
    known_w[none] = np.nan
    return total, known_w
