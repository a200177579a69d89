"""Coefficient of inbreeding of a planned offspring from the recorded pedigree.

Wright's coefficient: F = sum over common ancestors A of sire and dam, and over each pair of
paths through A that share no other animal, of (1/2)^(n1 + n2 + 1) x (1 + F_A). It is computed
here as the coancestry of the sire and the dam (the recursive, tabular form of the same sum), which
gives exactly the path method's value without listing the paths.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

WARN_ABOVE = Fraction(1, 16)  # 6.25 %


def coefficient(sire: int | None, dam: int | None, parents: dict[int, tuple[int | None, int | None]],
                order: dict[int, int]) -> Fraction:
    """F of an offspring of `sire` and `dam`.

    `parents` maps an animal to its (sire, dam); `order` gives each animal a rank that is larger than
    its parents' (its birth order), so the recursion always opens the younger animal.
    """

    @lru_cache(maxsize=None)
    def coancestry(a: int | None, b: int | None) -> Fraction:
        if a is None or b is None:
            return Fraction(0)
        if a == b:
            s, d = parents.get(a, (None, None))
            return Fraction(1, 2) * (1 + coancestry(s, d))
        if order.get(a, 0) < order.get(b, 0):
            a, b = b, a  # open the younger one
        s, d = parents.get(a, (None, None))
        return Fraction(1, 2) * (coancestry(s, b) + coancestry(d, b))

    return coancestry(sire, dam)
