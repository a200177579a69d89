import datetime as dt
from fractions import Fraction

import pytest

from apps.breeding.calendar import CHECK_DUE, HEAT_WATCH, expected_birth, in_window, old_enough
from apps.breeding.inbreeding import coefficient

SERVED = dt.date(2026, 1, 10)


@pytest.mark.parametrize(("species", "days"), [("cattle", 283), ("sheep", 147), ("goat", 150), ("pig", 114), ("camel", 390)])
def test_expected_birth_by_species(species, days):
    assert expected_birth(species, SERVED) == SERVED + dt.timedelta(days=days)


def test_a_check_with_a_foetal_age_refines_the_date():
    checked = dt.date(2026, 3, 1)
    assert expected_birth("cattle", SERVED, foetal_age_days=60, checked_on=checked) == checked + dt.timedelta(days=223)
    assert expected_birth("other", SERVED) is None


@pytest.mark.parametrize(("days", "watch"), [(17, False), (18, True), (24, True), (25, False)])
def test_repeat_heat_window_edges(days, watch):
    assert in_window(days, HEAT_WATCH) is watch


@pytest.mark.parametrize(("days", "due"), [(29, False), (30, True), (45, True), (46, False)])
def test_pregnancy_check_window_edges(days, due):
    assert in_window(days, CHECK_DUE) is due


def test_breeding_age():
    assert not old_enough("cattle", dt.date(2025, 6, 1), dt.date(2026, 6, 30))
    assert old_enough("cattle", dt.date(2025, 5, 1), dt.date(2026, 6, 1))


def test_unrelated_parents_give_zero():
    parents = {3: (1, None), 4: (2, None)}
    assert coefficient(3, 4, parents) == 0


def test_half_siblings_give_one_eighth():
    # 3 and 4 share the sire 1 only.
    parents = {3: (1, 2), 4: (1, 5)}
    assert coefficient(3, 4, parents) == Fraction(1, 8)


def test_parent_and_offspring_give_one_quarter():
    parents = {3: (1, 2)}
    assert coefficient(1, 3, parents) == Fraction(1, 4)


def test_a_loop_through_a_common_great_grandparent():
    # 1 is a great-grandparent on both sides: sire 7 <- 5 <- 3 <- 1 and dam 8 <- 6 <- 4 <- 1.
    # Path: 7-5-3-1-4-6-8 has n1 = 3, n2 = 3, so F = (1/2)^7 = 1/128.
    parents = {3: (1, None), 4: (1, None), 5: (3, None), 6: (4, None), 7: (5, None), 8: (6, None)}
    assert coefficient(7, 8, parents) == Fraction(1, 128)


def test_an_inbred_common_ancestor_counts_its_own_inbreeding():
    # 3 and 4 are full siblings; their offspring 5 has F = 1/4.
    # 6 and 7 are half siblings through 5: their offspring has F = (1/2)^3 x (1 + 1/4) = 5/32.
    parents = {3: (1, 2), 4: (1, 2), 5: (3, 4), 6: (5, None), 7: (5, None)}
    assert coefficient(6, 7, parents) == Fraction(5, 32)
