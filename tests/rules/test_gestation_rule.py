"""Due dates, worked by hand from the usual gestation lengths and the embryo's age at transfer.

Sources: the Merck Veterinary Manual's reproductive tables (mean gestation: cow 283 days, ewe 147,
doe goat 150, sow 114, mare 340, jenny 365 (about 12 months), dromedary camel 390, doe rabbit 31);
the IETS Manual (Stringfellow and Givens): bovine embryos are collected and transferred about 7 days
after oestrus, into a recipient at the same day of her cycle, so a calf from a transfer is due 283
days after the donor's heat: the transfer day less the embryo's age, plus 283.
"""

import datetime as dt

import pytest

from apps.breeding.calendar import expected_birth, gestation
from apps.breeding.services import pregnancy_check_record, service_record
from tests.factories import make_animal


@pytest.mark.parametrize(("species", "conceived", "due"), [
    ("cattle", dt.date(2027, 3, 1), dt.date(2027, 12, 9)),   # 30 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 9 = 283
    ("sheep", dt.date(2027, 3, 1), dt.date(2027, 7, 26)),    # 30 + 30 + 31 + 30 + 26 = 147
    ("goat", dt.date(2027, 3, 1), dt.date(2027, 7, 29)),     # 147 + 3 = 150
    ("pig", dt.date(2027, 3, 1), dt.date(2027, 6, 23)),      # 30 + 30 + 31 + 23 = 114: three months, three weeks, three days
    ("camel", dt.date(2027, 3, 1), dt.date(2028, 3, 25)),    # 305 (to 31 Dec) + 31 + 29 (2028 leaps) + 25 = 390
    ("horse", dt.date(2027, 5, 1), dt.date(2028, 4, 5)),     # 244 (to 31 Dec) + 31 + 29 + 31 + 5 = 340
    ("donkey", dt.date(2027, 1, 1), dt.date(2028, 1, 1)),    # 365
    ("rabbit", dt.date(2027, 6, 1), dt.date(2027, 7, 2)),    # 29 + 2 = 31
])
def test_each_species_due_date(species, conceived, due):
    assert expected_birth(species, conceived) == due


def test_another_species_takes_the_organisations_figure_and_none_without_one():
    assert gestation("other", 345) == 345  # alpacas, say
    assert expected_birth("other", dt.date(2027, 3, 1), other_days=345) == dt.date(2028, 2, 9)
    assert expected_birth("other", dt.date(2027, 3, 1)) is None


def test_a_measured_foetus_dates_the_birth_from_the_check():
    # Scanned on 1 May at 60 days: 283 - 60 = 223 days on, 10 December.
    assert expected_birth("cattle", dt.date(2027, 2, 20), foetal_age_days=60,
                          checked_on=dt.date(2027, 5, 1)) == dt.date(2027, 12, 10)


@pytest.mark.usefixtures("owner_scope")
def test_an_embryo_transferred_at_seven_days_is_due_seven_days_before_a_service_that_day(owner, farm):
    recipient = make_animal(owner, farm, tag="RECIP", date_of_birth=dt.date(2024, 1, 1))
    transfer = service_record(membership=owner, animal=recipient, served_on=dt.date(2026, 3, 8), method="embryo",
                              outside_sire="Sire of the embryo", embryo_age_days=7)
    assert transfer.conceived_on == dt.date(2026, 3, 1)
    check = pregnancy_check_record(membership=owner, service=transfer, checked_on=dt.date(2026, 4, 20), method="ultrasound",
                                   result="pregnant")
    assert check.expected_birth_on == dt.date(2026, 12, 9)  # not 16 December


@pytest.mark.usefixtures("owner_scope")
def test_an_embryo_transfer_without_an_age_takes_seven_days(owner, farm):
    recipient = make_animal(owner, farm, tag="RECIP2", date_of_birth=dt.date(2024, 1, 1))
    transfer = service_record(membership=owner, animal=recipient, served_on=dt.date(2026, 3, 8), method="embryo",
                              outside_sire="Sire of the embryo")
    assert transfer.embryo_age_days == 7


@pytest.mark.usefixtures("owner_scope")
def test_a_mare_and_a_rabbit_doe_get_due_dates(owner, farm):
    mare = make_animal(owner, farm, tag="MARE", species="horse", date_of_birth=dt.date(2020, 4, 1))
    covered = service_record(membership=owner, animal=mare, served_on=dt.date(2026, 5, 1), method="natural",
                             outside_sire="Thunder")
    check = pregnancy_check_record(membership=owner, service=covered, checked_on=dt.date(2026, 5, 20), method="ultrasound",
                                   result="pregnant")
    assert check.expected_birth_on == dt.date(2027, 4, 6)  # 244 + 31 + 28 + 31 + 6 = 340 (2027 does not leap)
    doe = make_animal(owner, farm, tag="DOE", species="rabbit", date_of_birth=dt.date(2025, 1, 1))
    mated = service_record(membership=owner, animal=doe, served_on=dt.date(2026, 6, 1), method="natural", outside_sire="Buck")
    check = pregnancy_check_record(membership=owner, service=mated, checked_on=dt.date(2026, 6, 12), method="palpation",
                                   result="pregnant")
    assert check.expected_birth_on == dt.date(2026, 7, 2)
