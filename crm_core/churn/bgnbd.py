"""BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each repeat
purchase she drops out for good with probability p ~ Beta(a, b). Inputs are an RFM summary
(frequency x, recency t_x, age T, time in weeks) as returned by ``rfm_summary``.

The fit maximises the closed-form log-likelihood (analytic gradient) over the distinct
(x, t_x, T) patterns, each weighted by how many customers share it. Terms in x alone run over
the distinct x values and logarithms over the distinct t_x and T values (a few hundred when time
comes from whole days), so one step over a million customers is a few vector operations.
"""
from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

# exp(±12) ≈ 6e-6 … 1.6e5: wide enough for any sensible weekly data; a fit that ends on a bound
# is reported as not converged rather than returned as if it were an answer.
LOG_BOUNDS = (-12.0, 12.0)
# Beyond this a + b the Beta(a, b) of dropout probabilities is all but one point, p = a/(a + b) (its
# standard deviation is under 1.6 points): the fit has run out along the ridge a, b → ∞ towards the
# limiting model in which every customer drops out with the same p per purchase.
RIDGE_CONCENTRATION = 1_000.0
# The repeat buyers' patterns are summed this many at a time, each slice on a thread of its own
# (numpy lets go of the GIL in its loops): at a million customers a likelihood step took 20 ms on
# one core and 10.5 ms on two. A fixed slice size keeps the sums, and so the fit, the same
# whatever the machine's core count.
MIXTURE_SLICE = 131_072
FIT_THREADS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class BGNBDFit:
    """Fitted BG/NBD parameters with the total log-likelihood and how the optimiser ended.

    ``limiting``: the maximum lies at the model's edge, not inside it — a and b ran off together
    (a + b ≥ ``RIDGE_CONCENTRATION``) or a dropout parameter stopped on a bound. The data are then
    consistent with customers who hardly drop out in the observed period: the model reduces to a
    Poisson/NBD purchase model (Gamma-mixed Poisson rates, as fitted) in which every customer drops
    out after a purchase with the same probability ``dropout_per_purchase`` = a/(a + b). The fitted
    numbers still give that limiting model's predictions; report p, not a and b.
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool
    iterations: int
    customers: int
    limiting: bool = False

    @property
    def dropout_per_purchase(self) -> float:
        """Mean probability of dropping out after a repeat purchase, a/(a + b) (the limit's p on the ridge)."""
        return self.a / (self.a + self.b)


def _columns(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    missing = [c for c in ("frequency", "recency", "T") if c not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks column(s) {missing}; build it with rfm_summary")
    x, t_x, age = (summary[c].to_numpy("float64") for c in ("frequency", "recency", "T"))
    if len(x) == 0:
        raise ValueError("summary is empty: no customers to fit")
    if (x < 0).any() or (t_x < 0).any() or (t_x > age + 1e-9).any():
        raise ValueError("summary needs frequency ≥ 0 and 0 ≤ recency ≤ T for every customer")
    return x, t_x, age


KEY_LIMIT = 2**62  # combined pattern keys stay below this, so they fit in int64


def unique_patterns(summary: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """(x, t_x, T, count, inverse) over the distinct (frequency, recency, T) rows of ``summary``.

    ``inverse`` maps each summary row to its pattern, so per-pattern results spread back by
    ``values[inverse]``. Hash-based (``pd.factorize``), linear in the number of customers.
    """
    x, t_x, age = _columns(summary)
    inverse, combinations = np.zeros(len(x), dtype="int64"), 1
    for column in (x, t_x, age):
        codes, levels = pd.factorize(column)
        if combinations * len(levels) >= KEY_LIMIT:  # renumber the key so far before it overflows
            inverse, kept = pd.factorize(inverse)
            combinations = len(kept)
        inverse, combinations = inverse * len(levels) + codes, combinations * len(levels)
    # one hash pass over the combined key (a few dozen x by a few hundred t_x and T values fit
    # easily): each pass over a million mostly distinct keys costs ~55 ms
    inverse, _ = pd.factorize(inverse)
    counts = np.bincount(inverse).astype("float64")
    first = np.empty(len(counts), dtype="int64")
    first[inverse] = np.arange(len(inverse))  # any row of a pattern will do: they are identical
    return x[first], t_x[first], age[first], counts, inverse


PATTERN_SLICE_ROWS = 1_000_000  # summary rows distinct_patterns reads at a time


def distinct_patterns(summary: pd.DataFrame, slice_rows: int = PATTERN_SLICE_ROWS) -> tuple[np.ndarray, ...]:
    """(x, t_x, T, count) of :func:`unique_patterns` — the same patterns in the same order (first
    appearance), the same counts — read ``slice_rows`` summary rows at a time, so its temporaries
    stay the size of a slice: at ten million customers the whole-column pass held ~0.6 GB of codes
    and keys at once inside the server's fit job (issue 18). Patterns first met in a later slice
    go after those already met, in their order: the order of first appearance overall."""
    if len(summary) == 0:
        _columns(summary)  # its message for an empty summary
    kept: list[np.ndarray] | None = None
    for start in range(0, len(summary), slice_rows):
        x, t_x, age, count, _ = unique_patterns(summary.iloc[start:start + slice_rows])
        if kept is None:
            kept = [x, t_x, age, count]
            continue
        known = pd.MultiIndex.from_arrays(kept[:3]).get_indexer(pd.MultiIndex.from_arrays([x, t_x, age]))
        met = known >= 0
        kept[3][known[met]] += count[met]  # each pattern once per slice: no repeated index
        kept = [np.concatenate([whole, part[~met]]) for whole, part in zip(kept, (x, t_x, age, count))]
    return tuple(kept)


def _levels(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values): weekly data has at most a few hundred distinct ages and recencies."""
    codes, levels = pd.factorize(values)
    return codes, np.asarray(levels, dtype="float64")


@dataclass(frozen=True)
class _Patterns:
    """The data the likelihood needs, aggregated as far as each term allows.

    Terms in x alone (Gamma/Beta functions) run over the distinct x values; the ln(α+T) term over
    the distinct T values; only the mixture term of repeat buyers needs every (x, t_x, T) pattern,
    and even there logarithms are taken per distinct x / t_x / T and gathered by code.
    """

    k: np.ndarray  # distinct x values and the customers having each
    k_weight: np.ndarray
    ages: np.ndarray  # distinct T values, customers having each, and Σ customers × x per T
    age_weight: np.ndarray
    age_weight_x: np.ndarray
    x: np.ndarray  # repeat-buyer patterns: x, weight, codes into their distinct x / ages / recencies
    weight: np.ndarray
    repeats: np.ndarray
    repeat_code: np.ndarray
    age_code: np.ndarray
    recencies: np.ndarray
    recency_code: np.ndarray
    total: float

    @classmethod
    def of(cls, x, t_x, age, weight) -> _Patterns:
        k_code, k = _levels(x)
        age_code, ages = _levels(age)
        repeat = x > 0
        recency_code, recencies = _levels(t_x[repeat])
        repeat_code, repeats = _levels(x[repeat])
        return cls(k=k, k_weight=np.bincount(k_code, weights=weight),
                   ages=ages, age_weight=np.bincount(age_code, weights=weight),
                   age_weight_x=np.bincount(age_code, weights=weight * x),
                   x=x[repeat], weight=weight[repeat], repeats=repeats, repeat_code=repeat_code,
                   age_code=age_code[repeat],
                   recencies=recencies, recency_code=recency_code, total=float(weight.sum()))


def _softplus_and_sigmoid(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ln(1 + e^d) and 1/(1 + e^−d) from one exp: five times faster than logaddexp + expit."""
    small = np.exp(-np.abs(d))
    sigmoid = 1 / (1 + small)
    return np.maximum(d, 0) + np.log1p(small), np.where(d >= 0, sigmoid, small * sigmoid)


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Σ u·v without BLAS: OpenBLAS's own threads under the fit's threads took their whole gain (measured)."""
    return np.einsum("i,i->", u, v)


def _mixture_sums(part: slice, data: _Patterns, r: float, log_a: float, levels: dict) -> np.ndarray:
    """The repeat buyers' terms over one slice of their patterns: Σ w·softplus(d) and the four sums
    the gradient needs (see :func:`_negative_mean_ll`). Per-level values come in ``levels``."""
    age_code, recency_code, repeat_code = data.age_code[part], data.recency_code[part], data.repeat_code[part]
    weight = data.weight[part]
    log_ratio = levels["log_age"][age_code] - levels["log_recency"][recency_code]
    rx = r + data.x[part]
    d = log_a - levels["log_b_gap"][repeat_code] + rx * log_ratio
    softplus, sigmoid = _softplus_and_sigmoid(d)
    dropout = sigmoid * weight
    inv_gap = levels["inv_recency"][recency_code] - levels["inv_age"][age_code]
    return np.array([_dot(softplus, weight), _dot(dropout, log_ratio), _dot(dropout, rx * inv_gap),
                     dropout.sum(), _dot(dropout, levels["inv_b_gap"][repeat_code])])


def _negative_mean_ll(log_params, data: _Patterns, pool: ThreadPoolExecutor | None = None):
    """Mean negative log-likelihood (FHL 2005 eq. 6) and its gradient in the log parameters.

    LL = A1 + A2 + ln(e^A3 + [x>0] e^A4) is written as A1 + A2 + A3 + [x>0] softplus(d), with
    A3 = −(r+x) ln(α+T) and d = A4 − A3 = ln a − ln(b+x−1) + (r+x)(ln(α+T) − ln(α+t_x)); σ(d) is
    the weight of the "dropped out after the last purchase" branch. The repeat buyers' patterns
    are summed in fixed slices (on ``pool``'s threads when given): the same sums, in the same
    order, however many threads there are.
    """
    from scipy.special import betaln, digamma, gammaln
    params = np.exp(log_params)
    r, alpha, a, b = params
    k, wk = data.k, data.k_weight
    # ln and 1/ per distinct T, t_x and x, gathered by code inside the slices: one logarithm for
    # each of a few hundred levels instead of each of hundreds of thousands of patterns
    b_gap = b + data.repeats - 1
    levels = {"log_age": np.log(alpha + data.ages), "log_recency": np.log(alpha + data.recencies),
              "inv_age": 1 / (alpha + data.ages), "inv_recency": 1 / (alpha + data.recencies),
              "log_b_gap": np.log(b_gap), "inv_b_gap": 1 / b_gap}
    parts = [slice(start, start + MIXTURE_SLICE) for start in range(0, len(data.x), MIXTURE_SLICE)]
    mixture = functools.partial(_mixture_sums, data=data, r=r, log_a=np.log(a), levels=levels)
    sums = list(pool.map(mixture, parts)) if pool is not None and len(parts) > 1 else list(map(mixture, parts))
    softplus_sum, dropout_log_ratio, dropout_rx_gap, dropout_sum, dropout_b_gap = sum(sums, np.zeros(5))
    log_age = levels["log_age"]
    age_term = r * data.age_weight + data.age_weight_x  # Σ w (r + x) per distinct T
    ll = ((gammaln(r + k) - gammaln(r) + r * np.log(alpha) + betaln(a, b + k) - betaln(a, b)) @ wk
          - age_term @ log_age + softplus_sum)
    grad = np.array([
        (digamma(r + k) - digamma(r) + np.log(alpha)) @ wk - data.age_weight @ log_age + dropout_log_ratio,
        r / alpha * data.total - age_term @ levels["inv_age"] - dropout_rx_gap,
        (digamma(a + b) - digamma(a + b + k)) @ wk + dropout_sum / a,
        (digamma(b + k) - digamma(a + b + k) - digamma(b) + digamma(a + b)) @ wk - dropout_b_gap,
    ])
    return -ll / data.total, -(grad * params) / data.total


def _start_values(data: _Patterns) -> np.ndarray:
    """r = 1 and α from the mean purchase rate, so the start is on the data's time scale."""
    rate = max((data.k @ data.k_weight) / (data.ages @ data.age_weight), 1e-6)
    return np.log([1.0, 1.0 / rate, 1.0, 1.0])


def fit_bgnbd(summary: pd.DataFrame) -> BGNBDFit:
    """Maximum-likelihood BG/NBD parameters for an RFM summary (frequency, recency, T in weeks).

    L-BFGS-B on log-parameters bounded to ``LOG_BOUNDS`` with the analytic gradient.
    ``converged`` is False when the optimiser reports failure or a parameter sits on a bound;
    ``limiting`` is True when the fit ran to the ridge a, b → ∞ (or a dropout parameter to a
    bound): see ``BGNBDFit``.
    Raises ValueError for an empty summary, missing columns or recency outside 0..T.
    """
    from scipy.optimize import minimize
    data = _Patterns.of(*distinct_patterns(summary))
    with ThreadPoolExecutor(FIT_THREADS) as pool:
        result = minimize(_negative_mean_ll, _start_values(data), args=(data, pool),
                          jac=True, method="L-BFGS-B", bounds=[LOG_BOUNDS] * 4,
                          options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9})
    bound = np.isclose(result.x, LOG_BOUNDS[0]) | np.isclose(result.x, LOG_BOUNDS[1])
    r, alpha, a, b = np.exp(result.x)
    limiting = bool(bound[2] or bound[3] or a + b >= RIDGE_CONCENTRATION)
    return BGNBDFit(r=float(r), alpha=float(alpha), a=float(a), b=float(b),
                    log_likelihood=float(-result.fun * data.total),
                    converged=bool(result.success and not bound.any()), iterations=int(result.nit),
                    customers=int(data.total), limiting=limiting)


def _params(fit) -> tuple[float, float, float, float]:
    return fit.r, fit.alpha, fit.a, fit.b


def _log_dropout_odds(fit, x, t_x, age) -> np.ndarray:
    """log of a/(b+x−1)·((α+T)/(α+t_x))^(r+x): the odds of having dropped out after the last purchase."""
    r, alpha, a, b = _params(fit)
    repeat = x > 0
    odds = (np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
            + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)))
    return np.where(repeat, odds, -np.inf)


def p_alive(fit, summary: pd.DataFrame) -> pd.Series:
    """P(still a customer | x, t_x, T) per row of ``summary``, indexed like it.

    Customers with frequency 0 get exactly 1: in BG/NBD a customer can only drop out right after
    a repeat purchase, so someone who never came back is never judged to have left. Flag them
    (the ``churn.p_alive.one_time_buyer`` caveat) instead of reading 1 as "safe".
    """
    from scipy.special import expit
    x, t_x, age = _columns(summary)
    return pd.Series(expit(-_log_dropout_odds(fit, x, t_x, age)), index=summary.index, name="p_alive")


def expected_purchases_if_alive(fit, t: float, x, age) -> np.ndarray:
    """Expected purchases in the next ``t`` weeks *given the customer is still alive*, per (x, T).

    The factor of FHL 2005 eq. 10 that multiplies P(alive); it depends on frequency and age only,
    not on recency, so it can be computed over the few distinct (x, T) pairs. Raises ValueError
    when ``t`` is negative.
    """
    from scipy.special import hyp2f1
    if t < 0:
        raise ValueError(f"t must be 0 or more weeks, got {t!r}")
    r, alpha, a, b = _params(fit)
    x, age = np.asarray(x, dtype="float64"), np.asarray(age, dtype="float64")
    tail = np.exp((r + x) * (np.log(alpha + age) - np.log(alpha + age + t)))
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + age + t))
    return (a + b + x - 1) / (a - 1) * (1 - tail * hyper)
