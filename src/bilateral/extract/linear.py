"""A multinomial logistic model over sparse named features, stored as plain JSON.

A trained decision is a handful of weights per feature name: JSON keeps the model small,
readable and safe to load (no pickle), and prediction is a few dictionary lookups per
candidate, so the extractor needs no numerical library at run time. Fitting uses
scikit-learn, imported only when a model is trained.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bilateral.errors import ModelError
from bilateral.extras import require

Features = Mapping[str, float]


@dataclass(frozen=True)
class LinearModel:
    """Scores per class: ``bias[c] + sum(value * weights[feature][c])``."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]

    def scores(self, features: Features, start: Sequence[float] | None = None
               ) -> dict[str, float]:
        """Each class's score; ``start`` (the ``partial`` of features shared by several
        calls, read once) is added to the bias."""
        weights = self.weights
        base = self.bias if start is None else [b + s for b, s in zip(self.bias, start,
                                                                      strict=True)]
        if len(base) == 2:  # the yes/no models: two running sums, no list per feature
            first, second = base
            for name, value in features.items():
                row = weights.get(name)
                if row is not None:
                    first += value * row[0]
                    second += value * row[1]
            return {self.classes[0]: first, self.classes[1]: second}
        totals = list(base)
        for name, value in features.items():
            row = weights.get(name)
            if row is not None:
                totals = [total + value * weight for total, weight in zip(totals, row, strict=True)]
        return dict(zip(self.classes, totals, strict=True))

    def probability(self, features: Features, label: str,
                    start: Sequence[float] | None = None) -> float:
        """The probability of one class (0 for a class the model does not know); for a
        yes/no model, the logistic of the difference of the two scores."""
        if label not in self.classes:
            return 0.0
        if len(self.classes) != 2:
            return self.probabilities(features, start)[label]
        weights = self.weights
        sign = 1.0 if label == self.classes[1] else -1.0
        difference = self.bias[1] - self.bias[0]
        if start is not None:
            difference += start[1] - start[0]
        for name, value in features.items():
            row = weights.get(name)
            if row is not None:
                difference += value * (row[1] - row[0])
        return 1.0 / (1.0 + math.exp(max(-700.0, min(700.0, -sign * difference))))

    def partial(self, features: Features) -> tuple[float, ...]:
        """The sums the features add to each class's score, bias left out."""
        return tuple(s - b for s, b in zip(self.scores(features).values(), self.bias,
                                           strict=True))

    def probabilities(self, features: Features, start: Sequence[float] | None = None
                      ) -> dict[str, float]:
        scores = self.scores(features, start)
        top = max(scores.values())
        exp = {c: math.exp(s - top) for c, s in scores.items()}
        total = sum(exp.values())
        return {c: e / total for c, e in exp.items()}

    def best(self, features: Features, allowed: Sequence[str] = ()) -> tuple[str, float]:
        """The most probable class among ``allowed`` (all when none of them is known), with
        its probability."""
        return most_probable(self.probabilities(features), allowed)

    def to_json(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "bias": [round(b, 6) for b in self.bias],
                "weights": {name: [round(w, 6) for w in row]
                            for name, row in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, data: Any, where: str) -> LinearModel:
        """The model written by ``to_json``; errors name ``where`` and what is wrong."""
        try:
            classes = tuple(str(c) for c in data["classes"])
            bias = tuple(float(b) for b in data["bias"])
            weights = {str(name): tuple(float(w) for w in row)
                       for name, row in data["weights"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{where}: not a linear model ({type(exc).__name__}: {exc}); "
                             f"it needs classes, bias and weights") from exc
        if len(classes) < 2 or len(bias) != len(classes):
            raise ModelError(f"{where}: a model needs two or more classes and one bias per "
                             f"class, got {len(classes)} classes and {len(bias)} biases")
        wrong = next((name for name, row in weights.items() if len(row) != len(classes)), None)
        if wrong is not None:
            raise ModelError(f"{where}: feature {wrong!r} has {len(weights[wrong])} weights "
                             f"for {len(classes)} classes")
        if not all(math.isfinite(x) for x in (*bias, *(w for r in weights.values() for w in r))):
            raise ModelError(f"{where}: a weight is not a finite number")
        return cls(classes, bias, weights)


def most_probable(probabilities: Mapping[str, float], allowed: Sequence[str] = ()
                  ) -> tuple[str, float]:
    """The most probable class among ``allowed`` (all when none of them is known)."""
    pool = [c for c in allowed if c in probabilities] or list(probabilities)
    label = max(pool, key=lambda c: (probabilities[c], c))
    return label, probabilities[label]


def fit(examples: Sequence[Features], labels: Sequence[str], *, c: float = 1.0,
        seed: int = 0) -> LinearModel:
    """Fit an L2-regularised logistic model (``c`` is the inverse of its strength).

    Deterministic for a given ``seed``: the solver is lbfgs and features are ordered by name.
    """
    require("train", "Training a model")
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ModelError(f"training needs examples of two or more classes, got only "
                         f"{classes or 'none'}")
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(examples)
    model = LogisticRegression(C=c, max_iter=5000, random_state=seed)
    model.fit(matrix, list(labels))
    if len(model.classes_) == 2:
        # scikit-learn keeps one row z for two classes; the scores (-z/2, z/2) give the same
        # probabilities under the softmax
        half = model.coef_[0] / 2
        rows = [-half, half]
        bias = [-model.intercept_[0] / 2, model.intercept_[0] / 2]
    else:
        rows = list(model.coef_)
        bias = list(model.intercept_)
    weights = {str(name): tuple(float(row[j]) for row in rows)
               for j, name in enumerate(vectorizer.get_feature_names_out())
               if any(abs(row[j]) > 1e-6 for row in rows)}
    return LinearModel(tuple(str(c) for c in model.classes_), tuple(float(b) for b in bias),
                       weights)
