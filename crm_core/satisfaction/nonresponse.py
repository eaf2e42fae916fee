"""Non-response check: are the customers who answered like the ones who did not?

If respondents differ from non-respondents on what the CRM already knows (region, tenure stage,
spend), the survey's averages describe the respondents, not the customer base. Categorical fields
are compared share by share with the two-proportion z test; numeric fields by mean with Welch's
t test. Every row of the table is one test, so a row is flagged on its Holm-adjusted p (across all
rows with a test) < α = 0.05; the raw p is kept beside it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.stats import ALPHA, holm_adjusted, two_proportion_z_test


def _categorical_rows(values: pd.Series, responded: np.ndarray, column: str) -> pd.DataFrame:
    levels = values.fillna("(missing)")
    # The crosstab of levels × answered, counted with bincount (pd.crosstab took ~0.6 s at 1M customers).
    codes, uniques = pd.factorize(levels, sort=True)
    answered = np.bincount(codes[responded], minlength=len(uniques))
    return categorical_rows(column, uniques, answered, np.bincount(codes, minlength=len(uniques)))


def categorical_rows(column: str, levels, answered, total) -> pd.DataFrame:
    """The rows of one categorical field from its counts: per level (in the order given), how many
    customers ``answered`` and how many there are in ``total`` (respondents + non-respondents)."""
    answered = np.asarray(answered, dtype=np.int64)
    counts = pd.DataFrame({True: answered, False: np.asarray(total, dtype=np.int64) - answered},
                          index=pd.Index(levels))
    n_yes, n_no = counts[True].sum(), counts[False].sum()
    _, p = two_proportion_z_test(counts[True].to_numpy(), n_yes, counts[False].to_numpy(), n_no)
    return pd.DataFrame({
        "variable": column, "level": counts.index.astype(str),
        "respondents": 100.0 * counts[True].to_numpy() / n_yes if n_yes else np.nan,
        "non_respondents": 100.0 * counts[False].to_numpy() / n_no if n_no else np.nan,
        "p_value": p, "measure": "share_pct",
    })


def _numeric_row(values: pd.Series, responded: np.ndarray, column: str) -> pd.DataFrame:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return numeric_row(column, numbers[responded], numbers[~responded])


def numeric_row(column: str, yes, no) -> pd.DataFrame:
    """The row of one numeric field from the values of the respondents (``yes``) and of the
    non-respondents (``no``); missing values are left out."""
    from scipy import stats as sps
    yes, no = pd.Series(yes, dtype=float).dropna(), pd.Series(no, dtype=float).dropna()
    p = sps.ttest_ind(yes, no, equal_var=False).pvalue if len(yes) > 1 and len(no) > 1 else np.nan
    return pd.DataFrame({"variable": [column], "level": [""], "respondents": [yes.mean()],
                         "non_respondents": [no.mean()], "p_value": [float(p)], "measure": ["mean"]})


def tested(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of every field in one table, with the difference and the Holm-adjusted p."""
    table = pd.concat(parts, ignore_index=True)
    table["difference"] = table["respondents"] - table["non_respondents"]
    table["p_holm"] = holm_adjusted(table["p_value"].to_numpy(dtype=float))
    table["significant"] = table["p_holm"].lt(ALPHA)
    return table


def nonresponse_check(customers: pd.DataFrame, respondent_ids, id_col: str = "customer_id",
                      categorical=("region", "tenure_stage"), numeric=("spend",)) -> pd.DataFrame:
    """Compare respondents with non-respondents among ``customers`` (the invited or whole base).

    ``respondent_ids``: ids of customers who answered (anonymous answers cannot be matched and are
    left out). Returns rows variable, level, respondents, non_respondents (share % per level for
    categorical fields, mean for numeric ones), difference, p_value, p_holm (Holm-adjusted across
    the rows), significant (p_holm < 0.05), measure. Columns absent from ``customers`` are skipped.
    """
    responded = customers[id_col].isin(pd.Series(respondent_ids).dropna()).to_numpy()
    parts = [_categorical_rows(customers[c], responded, c) for c in categorical if c in customers]
    parts += [_numeric_row(customers[c], responded, c) for c in numeric if c in customers]
    if not parts:
        raise ValueError("none of the comparison columns are present")
    return tested(parts)
