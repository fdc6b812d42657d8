"""Logistic regression by maximum likelihood (Newton–Raphson / iteratively reweighted least squares), with Wald
intervals: the respondent-level model of the victims page, without the import cost of a modelling package.

Source: McCullagh & Nelder, Generalized Linear Models, 2nd ed., §4.4 (IRLS for a binomial GLM with logit link);
the same estimates and standard errors as statsmodels Logit (checked in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special


@dataclass(frozen=True)
class LogitFit:
    """Coefficients (log odds), standard errors, Wald z and two-sided p-values, by term; n observations."""

    terms: list[str]
    coef: np.ndarray
    se: np.ndarray
    nobs: int
    iterations: int

    @property
    def z(self) -> np.ndarray:
        return self.coef / self.se

    @property
    def pvalues(self) -> np.ndarray:
        return 2 * special.ndtr(-np.abs(self.z))

    def odds_ratios(self, alpha: float = 0.05) -> pd.DataFrame:
        """term, odds_ratio = exp(b), low/high = exp(b ∓ z·se) (Wald), pvalue."""
        q = special.ndtri(1 - alpha / 2)
        return pd.DataFrame({"term": self.terms, "odds_ratio": np.exp(self.coef),
                             "low": np.exp(self.coef - q * self.se), "high": np.exp(self.coef + q * self.se),
                             "pvalue": self.pvalues})


def fit(X: np.ndarray, y: np.ndarray, terms: list[str], tol: float = 1e-10, max_iter: int = 50) -> LogitFit:
    """Maximum-likelihood logistic regression of y (0/1) on the columns of X (include a constant column yourself).

    Newton steps b ← b + (XᵀWX)⁻¹Xᵀ(y − p), W = diag(p(1−p)), until the largest step is below `tol`; standard
    errors from the inverse information (XᵀWX)⁻¹ at the estimate. Raises ValueError when the information matrix is
    singular (a term with no variation) or the fit does not converge (complete separation)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError("the model cannot be fitted: a term does not vary or repeats another")
    b = np.zeros(X.shape[1])
    it = 0
    while True:
        it += 1
        p = special.expit(X @ b)
        w = p * (1 - p)
        info = X.T @ (X * w[:, None])
        try:
            step = np.linalg.solve(info, X.T @ (y - p))
        except np.linalg.LinAlgError:
            step = None
        if step is None or it > max_iter or not np.all(np.isfinite(step)):
            raise ValueError(f"the model did not converge in {max_iter} iterations (complete separation: a term "
                             "predicts the outcome exactly?)")
        b = b + step
        if np.max(np.abs(step)) < tol:
            break
    p = special.expit(X @ b)
    info = X.T @ (X * (p * (1 - p))[:, None])
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    return LogitFit(list(terms), b, se, len(y), it)


def design(df: pd.DataFrame, numeric: list[str], categorical: list[str] = ()) -> tuple[np.ndarray, list[str]]:
    """A design matrix: a constant, the numeric columns, and one 0/1 column per level of each categorical column
    except its first level in sorted order (the reference)."""
    cols, names = [np.ones(len(df))], ["Intercept"]
    for c in numeric:
        cols.append(df[c].to_numpy(dtype=float))
        names.append(c)
    for c in categorical:
        levels = sorted(df[c].dropna().unique())
        for lev in levels[1:]:
            cols.append((df[c] == lev).to_numpy(dtype=float))
            names.append(f"{c}[{lev}]")
    return np.column_stack(cols), names
