"""Estimator parameters declared as data, and one check that names a bad one and its value.

Each model lists ``{parameter: constraint}``; ``validate_params`` runs at ``fit`` and raises
ValidationError such as "The 'alpha' parameter of ElasticNetLogit must be a float in the range
[0, 1]. Got 2 instead."
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real

from sklearn.base import BaseEstimator

from prevention_lens.errors import ValidationError


@dataclass(frozen=True)
class Range:
    kind: type
    low: float | None
    high: float | None
    closed: str = "both"  # which ends belong to the range: both, left, right, neither

    def accepts(self, value: object) -> bool:
        wanted = Integral if self.kind is int else Real
        if isinstance(value, bool) or not isinstance(value, wanted):
            return False
        number = float(value)
        if self.low is not None and (
            number < self.low or (number == self.low and self.closed in ("right", "neither"))
        ):
            return False
        return not (
            self.high is not None
            and (number > self.high or (number == self.high and self.closed in ("left", "neither")))
        )

    def describe(self) -> str:
        name = "an int" if self.kind is int else "a float"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{name} in the range {left}{low}, {high}{right}"


@dataclass(frozen=True)
class Options:
    options: tuple[object, ...]

    def accepts(self, value: object) -> bool:
        return any(value == option and type(value) is type(option) for option in self.options)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(option) for option in self.options)


@dataclass(frozen=True)
class Satisfies:
    check: Callable[[object], bool]
    description: str

    def accepts(self, value: object) -> bool:
        return self.check(value)

    def describe(self) -> str:
        return self.description


Constraint = Range | Options | Satisfies
SEED = Satisfies(
    lambda v: v is None or (isinstance(v, Integral) and not isinstance(v, bool) and int(v) >= 0),
    "a non-negative int or None",
)
NAMES = Satisfies(
    lambda v: (
        v is None or (isinstance(v, (tuple, list)) and all(isinstance(item, str) for item in v))
    ),
    "a list of column names or None",
)


def validate_params(estimator: BaseEstimator, constraints: Mapping[str, Constraint]) -> None:
    for name, constraint in constraints.items():
        value = getattr(estimator, name)
        if not constraint.accepts(value):
            raise ValidationError(
                f"The {name!r} parameter of {type(estimator).__name__} must be "
                f"{constraint.describe()}. Got {value!r} instead."
            )
