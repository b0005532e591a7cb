"""glmnet's binomial elastic net, fitted for all cross-validation folds at once.

The full-data fit and the fold fits are one batch of weighted problems over the same rows
(held-out rows get weight 0), so each coordinate-descent step updates every fold together.
Each fold's own standardization (as glmnet does it) becomes a per-fold penalty scale.
Proximal Newton with an exact gradient and a Hessian shared across folds, refreshed at
every lambda: the Hessian only sets the step, so the solution is glmnet's.

Public API::

    cv_path(X, y, *, alpha, n_folds, n_lambdas, lambda_min_ratio, rng, sample_weight=None)
        -> PathResult
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from prevention_lens.errors import ValidationError

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-6


@dataclass(frozen=True)
class PathResult:
    lambdas: FloatArray
    coef: FloatArray  # (lambdas, predictors) on the original scale
    intercept: FloatArray
    cv_mean: FloatArray
    cv_sd: FloatArray
    index_min: int
    index_1se: int
    center: FloatArray
    scale: FloatArray


def _coordinate_descent(
    hessian: FloatArray,
    gradient: FloatArray,
    start: FloatArray,
    l1: FloatArray,
    l2: FloatArray,
    tol: float = 1e-8,
    max_sweeps: int = 1000,
) -> FloatArray:
    """Minimize -g'(b - start) + (b - start)'H(b - start)/2 + l1|b| + l2 b^2/2, per fit."""
    # Coordinate-major copies: row j holds coordinate j of every fit, so updates are contiguous.
    beta = start.T.copy()
    residual = gradient.T.copy()  # minus the gradient of the quadratic part at beta
    columns = np.ascontiguousarray(hessian.transpose(2, 1, 0))
    diagonal = np.einsum("fjj->jf", hessian)
    threshold = l1.T
    # Excluded coordinates (infinite l1) stay at zero; the floor guards a vanishing variance.
    denominator = np.where(np.isfinite(threshold), np.maximum(diagonal, 1e-12) + l2.T, 1.0)
    active = (beta != 0).any(axis=1)
    for _ in range(max_sweeps):
        active |= (np.abs(residual) > threshold).any(axis=1)
        before = beta.copy()
        for j in np.flatnonzero(active):
            old = beta[j]
            u = residual[j] + diagonal[j] * old
            step = (u - np.clip(u, -threshold[j], threshold[j])) / denominator[j] - old
            if not step.any():
                continue
            beta[j] += step
            residual -= columns[j] * step
        moved = float(np.max(denominator * (beta - before) ** 2))
        if moved < tol and not (~active[:, None] & (np.abs(residual) > threshold)).any():
            break
    return np.asarray(beta.T.copy())


def _fit_paths(
    X: FloatArray,
    y: FloatArray,
    weights: FloatArray,
    penalty_scale: FloatArray,
    alpha: float,
    lambdas: FloatArray,
    max_newton: int = 50,
    threshold: float = 1e-7,
) -> tuple[FloatArray, FloatArray]:
    """Coefficients (fits, lambdas, p) and intercepts (fits, lambdas) along the path.

    Row weights of each fit sum to one; an infinite penalty scale keeps a coefficient at 0.
    The path stops early, as glmnet's does, when fit 0 explains under 1e-5 more deviance.
    """
    n_fits, n_features = weights.shape[0], X.shape[1]
    allowed = np.isfinite(penalty_scale)
    scale = np.where(allowed, penalty_scale, 0.0)
    rate = np.clip(weights @ y, _EPS, 1 - _EPS)
    intercept = np.log(rate / (1 - rate))
    beta = np.zeros((n_fits, n_features))
    null_deviance = -2 * (rate[0] * np.log(rate[0]) + (1 - rate[0]) * np.log(1 - rate[0]))
    coefs = np.zeros((n_fits, len(lambdas), n_features))
    intercepts = np.zeros((n_fits, len(lambdas)))
    explained_before = 0.0
    for m, lam in enumerate(lambdas):
        l1 = np.where(allowed, lam * alpha * scale, np.inf)
        l2 = lam * (1 - alpha) * scale * scale
        for iteration in range(max_newton):
            p = expit(intercept[:, None] + beta @ X.T)
            working = weights * np.clip(p * (1 - p), 1e-5, None)
            residual = weights * (y - p)
            gradient = residual @ X
            gradient0 = residual.sum(axis=1)
            total = working.sum(axis=1)
            cross = working @ X
            if iteration == 0:
                # Fit 0's Hessian (intercept eliminated) stands in for every fit's: it is
                # positive semi-definite, and close while the folds agree with the full fit.
                root = X * np.sqrt(working[0])[:, None]
                shared = root.T @ root - np.outer(cross[0], cross[0]) / total[0]
                reduced = shared[None] * (total / total[0])[:, None, None]
            elif iteration == 4:
                # Slow to converge: some fold strays from the full fit; use each fit's own.
                reduced = np.empty((n_fits, n_features, n_features))
                for f in range(n_fits):
                    root = X * np.sqrt(working[f])[:, None]
                    reduced[f] = root.T @ root - np.outer(cross[f], cross[f]) / total[f]
            reduced_gradient = gradient - cross * (gradient0 / total)[:, None]
            updated = _coordinate_descent(reduced, reduced_gradient, beta, l1, l2)
            step = updated - beta
            step0 = (gradient0 - np.einsum("fp,fp->f", cross, step)) / total
            beta, intercept = updated, intercept + step0
            size = max(
                float(np.max(total * step0 * step0)),
                float(np.max(np.einsum("fjj->fj", reduced) * step * step)),
            )
            if size < threshold:
                break
        coefs[:, m], intercepts[:, m] = beta, intercept
        eta = intercept[0] + X @ beta[0]
        log_lik = weights[0] @ (y * eta - np.logaddexp(0.0, eta))
        explained = 1 + 2 * log_lik / null_deviance
        if m >= 4 and (explained - explained_before < 1e-5 or explained > 0.999):
            return coefs[:, : m + 1], intercepts[:, : m + 1]
        explained_before = explained
    return coefs, intercepts


def cv_path(
    X: FloatArray,
    y: FloatArray,
    *,
    alpha: float,
    n_folds: int,
    n_lambdas: int,
    lambda_min_ratio: float,
    rng: np.random.Generator,
    sample_weight: FloatArray | None = None,
) -> PathResult:
    """The lambda path, its cross-validated deviance, and the lambdas glmnet would pick.

    ``sample_weight`` weighs rows as glmnet's ``weights`` do: in the standardization, in every
    fit, and in each fold's held-out deviance. None weighs every row alike.
    """
    n_rows = len(y)
    if n_rows < n_folds:
        raise ValidationError(f"{n_rows} training rows cannot be split into {n_folds} folds")
    w = np.ones(n_rows) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    center, scale = _weighted_moments(X, w)
    usable = scale > 0
    standardized = np.where(usable, (X - center) / np.where(usable, scale, 1.0), 0.0)
    folds = rng.permutation(np.arange(n_rows) % n_folds)
    weights = np.zeros((n_folds + 1, n_rows))
    weights[0] = w / w.sum()
    penalty = np.where(usable, 1.0, np.inf)[None, :].repeat(n_folds + 1, axis=0)
    for k in range(n_folds):
        learn = folds != k
        if (w[learn] * y[learn]).sum() == 0:
            raise ValidationError(f"cross-validation fold {k + 1} has no positive cases")
        weights[k + 1, learn] = w[learn] / w[learn].sum()
        fold_scale = _weighted_moments(X[learn], w[learn])[1]
        penalty[k + 1] = np.where(
            usable & (fold_scale > 0), fold_scale / np.where(usable, scale, 1.0), np.inf
        )
    residual = weights[0] * (y - weights[0] @ y)
    strongest = np.max(np.abs(standardized.T @ residual)) / max(alpha, 1e-3)
    lambdas = strongest * lambda_min_ratio ** (np.arange(n_lambdas) / (n_lambdas - 1))
    coefs, intercepts = _fit_paths(standardized, y, weights, penalty, alpha, lambdas)
    lambdas = lambdas[: coefs.shape[1]]
    deviance = np.zeros((n_folds, len(lambdas)))
    counts = np.zeros(n_folds)
    for k in range(n_folds):
        held = folds == k
        if w[held].sum() == 0:
            raise ValidationError(f"cross-validation fold {k + 1} holds out only rows of weight 0")
        p = np.clip(
            expit(intercepts[k + 1][None, :] + standardized[held] @ coefs[k + 1].T), 1e-5, 1 - 1e-5
        )
        truth = y[held, None]
        terms = -2 * (truth * np.log(p) + (1 - truth) * np.log(1 - p))
        deviance[k] = w[held] @ terms / w[held].sum()
        counts[k] = w[held].sum()
    cv_mean = counts @ deviance / counts.sum()
    cv_sd = np.sqrt(counts @ (deviance - cv_mean) ** 2 / counts.sum() / (n_folds - 1))
    # glmnet keeps the largest lambda among ties.
    index_min = int(np.flatnonzero(cv_mean <= cv_mean.min())[0])
    index_1se = int(np.flatnonzero(cv_mean <= cv_mean[index_min] + cv_sd[index_min])[0])
    original = np.where(usable, coefs[0] / np.where(usable, scale, 1.0), 0.0)
    return PathResult(
        lambdas=lambdas,
        coef=original,
        intercept=intercepts[0] - original @ center,
        cv_mean=cv_mean,
        cv_sd=cv_sd,
        index_min=index_min,
        index_1se=index_1se,
        center=center,
        scale=scale,
    )


def _weighted_moments(X: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Weighted mean and population standard deviation of each column; exactly 0 for a column
    that is constant over the rows that carry weight (rounding would otherwise leave ~1e-16)."""
    share = w / w.sum()
    center = share @ X
    scale = np.sqrt(share @ (X - center) ** 2)
    counted = X[w > 0]
    constant = (counted == counted[:1]).all(axis=0)
    return center, np.where(constant, 0.0, scale)
