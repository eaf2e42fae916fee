"""Gamma-Gamma spend model, customer lifetime value and expected loss by segment.

Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999): a customer's
purchase amounts scatter around her own mean spend, which varies across customers. Fitted on the
repeat buyers only (frequency > 0, monetary_value = mean of repeat purchases > 0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_core.churn.bgnbd import LOG_BOUNDS

# An average month in weeks (365.25 / 12 / 7), the unit the BG/NBD fit uses.
WEEKS_PER_MONTH = 365.25 / 12 / 7


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma parameters (p, q, gamma) with the log-likelihood and optimiser outcome."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    converged: bool
    iterations: int
    customers: int


def _repeat_buyers(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in ("frequency", "monetary_value") if c not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks column(s) {missing}; build it with rfm_summary")
    repeat = summary["frequency"].to_numpy() > 0
    x = summary["frequency"].to_numpy("float64")[repeat]
    spend = summary["monetary_value"].to_numpy("float64")[repeat]
    if len(x) == 0:
        raise ValueError("no customer has a repeat purchase: Gamma-Gamma needs frequency > 0")
    if (spend <= 0).any():
        raise ValueError("repeat buyers need a positive monetary_value; drop refunds-only customers first")
    return x, spend


@dataclass(frozen=True)
class _SpendData:
    """Repeat buyers' (x, z̄) with everything that does not depend on the parameters summed once.

    Gamma-function terms depend on x alone and run over the distinct x values; only
    ln(x·z̄ + γ) has to be taken per customer in each step.
    """

    x: np.ndarray
    total_spend: np.ndarray  # x · z̄
    k: np.ndarray
    k_count: np.ndarray
    sum_x_log_spend: float
    sum_log_spend: float
    sum_x_log_x: float

    @classmethod
    def of(cls, x: np.ndarray, spend: np.ndarray) -> _SpendData:
        codes, k = pd.factorize(x)
        log_spend = np.log(spend)
        return cls(x=x, total_spend=x * spend, k=np.asarray(k, dtype="float64"),
                   k_count=np.bincount(codes).astype("float64"), sum_x_log_spend=float(x @ log_spend),
                   sum_log_spend=float(log_spend.sum()), sum_x_log_x=float(x @ np.log(x)))


def _gamma_gamma_negative_mean_ll(log_params, data: _SpendData):
    """Mean negative Gamma-Gamma log-likelihood and its gradient in the log parameters.

    Per customer: lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln z̄ + px ln x − (px+q) ln(x z̄ + γ).
    """
    from scipy.special import digamma, gammaln
    p, q, v = np.exp(log_params)
    k, wk, n = data.k, data.k_count, len(data.x)
    log_total = np.log(data.total_spend + v)
    pxq = p * data.x + q
    ll = ((gammaln(p * k + q) - gammaln(p * k) - gammaln(q)) @ wk + n * q * np.log(v)
          + p * data.sum_x_log_spend - data.sum_log_spend + p * data.sum_x_log_x - pxq @ log_total)
    grad = np.array([
        (k * (digamma(p * k + q) - digamma(p * k))) @ wk + data.sum_x_log_spend + data.sum_x_log_x
        - data.x @ log_total,
        (digamma(p * k + q) - digamma(q)) @ wk + n * np.log(v) - log_total.sum(),
        n * q / v - pxq @ (1 / (data.total_spend + v)),
    ]) * np.array([p, q, v])
    return -ll / n, -grad / n


def fit_gamma_gamma(summary: pd.DataFrame) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters from customers with frequency > 0.

    Start at p = 1, q = 2, γ = mean spend (population mean spend pγ/(q−1) = the sample mean).
    Raises ValueError without repeat buyers or when a repeat buyer's monetary_value is ≤ 0.
    """
    from scipy.optimize import minimize
    x, spend = _repeat_buyers(summary)
    start = np.log([1.0, 2.0, spend.mean()])
    result = minimize(_gamma_gamma_negative_mean_ll, start, args=(_SpendData.of(x, spend),), jac=True, method="L-BFGS-B",
                      bounds=[LOG_BOUNDS] * 3, options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9})
    on_bound = np.any(np.isclose(result.x, LOG_BOUNDS[0]) | np.isclose(result.x, LOG_BOUNDS[1]))
    p, q, v = np.exp(result.x)
    return GammaGammaFit(p=float(p), q=float(q), gamma=float(v), log_likelihood=float(-result.fun * len(x)),
                         converged=bool(result.success and not on_bound), iterations=int(result.nit),
                         customers=len(x))


def expected_loss_by_segment(frame: pd.DataFrame, p_alive_col: str = "p_alive", value_col: str = "value",
                             segment_col: str = "segment") -> pd.DataFrame:
    """Per segment: customers, value, expected_loss = Σ (1 − P(alive)) × value, loss_share of the total.

    ``frame``: one row per customer with P(alive) in 0..1, a value (e.g. CLV or trailing revenue)
    and a segment key. Sorted by expected_loss, largest first. Raises ValueError for a missing
    column or P(alive) outside 0..1.
    """
    missing = [c for c in (p_alive_col, value_col, segment_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks column(s) {missing}")
    alive = frame[p_alive_col].astype("float64")
    if ((alive < 0) | (alive > 1)).any():
        raise ValueError(f"{p_alive_col} must lie between 0 and 1")
    value = frame[value_col].astype("float64")
    parts = pd.DataFrame({"segment": frame[segment_col].to_numpy(), "value": value.to_numpy(),
                          "expected_loss": ((1 - alive) * value).to_numpy()})
    table = parts.groupby("segment", sort=False).agg(
        customers=("value", "size"), value=("value", "sum"), expected_loss=("expected_loss", "sum"))
    total = table["expected_loss"].sum()
    table["loss_share"] = table["expected_loss"] / total if total else np.nan
    return table.sort_values("expected_loss", ascending=False).reset_index()
