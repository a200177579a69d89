"""Coefficient of inbreeding of a planned offspring from the recorded pedigree.

Wright's coefficient: F = sum over common ancestors A of sire and dam, and over each pair of
paths through A that share no other animal, of (1/2)^(n1 + n2 + 1) x (1 + F_A). It is computed
here as the coancestry of the sire and the dam (the recursive, tabular form of the same sum), which
gives exactly the path method's value without listing the paths.

The pedigree is a graph of nodes: the herd's animals and the outside register's (AI sires and their
ancestors). The recursion opens the node that cannot be an ancestor of the other: the one further
from the founders (its generation, counted from the pedigree itself, not from dates of birth, which
are often missing). Every pair is worked out once, however deep the pedigree.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from functools import lru_cache

Node = tuple[str, int]  # ("animal", pk) or ("outside", pk)
Parents = dict[Node, tuple[Node | None, Node | None]]


def flagged(percent, tenant) -> bool:
    """Whether a planned calf's inbreeding (in %) is above the organisation's threshold (6.25 % unless it
    set another: the offspring of first cousins)."""
    return percent is not None and percent > tenant.inbreeding_warn_percent


def generations(parents: Parents) -> dict[Node, int]:
    """Each node's generation: 0 for a founder (no known parent), else one more than its older parent.

    An ancestor always has a smaller generation than its descendants. A loop in the records (an animal
    recorded as its own ancestor) is cut where it closes.
    """
    depth: dict[Node, int] = {}
    for start in parents:
        if start in depth:
            continue
        stack, opened = [(start, False)], set()
        while stack:
            node, done = stack.pop()
            if node in depth or (not done and node in opened):
                continue
            known = [p for p in parents.get(node, (None, None)) if p is not None and p != node]
            if done:
                depth[node] = 1 + max((depth.get(p, 0) for p in known), default=-1)
                continue
            opened.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in known if p not in depth and p not in opened)
    return depth


def coefficient(sire: Node | None, dam: Node | None, parents: Parents) -> Fraction:
    """F of an offspring of `sire` and `dam`, `parents` mapping a node to its (sire, dam)."""
    depth = generations(parents)
    # Only parents older than their offspring: an edge that closes a loop in the records is dropped.
    parents = {node: tuple(p if p is not None and depth.get(p, 0) < depth[node] else None for p in pair)
               for node, pair in parents.items()}

    @lru_cache(maxsize=None)
    def coancestry(a: Node | None, b: Node | None) -> Fraction:
        if a is None or b is None:
            return Fraction(0)
        if a == b:
            s, d = parents.get(a, (None, None))
            return Fraction(1, 2) * (1 + coancestry(s, d))
        if depth.get(a, 0) < depth.get(b, 0):
            a, b = b, a  # open the one that cannot be the other's ancestor
        s, d = parents.get(a, (None, None))
        return Fraction(1, 2) * (coancestry(s, b) + coancestry(d, b))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * (max(depth.values(), default=0) + 50)))
    try:
        return coancestry(sire, dam)
    finally:
        sys.setrecursionlimit(limit)
