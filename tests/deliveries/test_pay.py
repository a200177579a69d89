"""The buyer's price schedule, worked by hand.

The schedule below is shaped like a Kenyan processor's quality-based payment: a base price per litre at a
base fat and protein, a change per 0.1 % above or below, somatic cell and bacteria bands, transport and
check-off per litre. The expected figures are worked on paper in each test's comment, from the definitions
the delivery and statement pages state (apps/deliveries/pay.py)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from apps.deliveries.pay import Results, band_change, bands_text, delivery_pay, parse_bands, steps

D = Decimal


def schedule(**values):
    base = dict(base_price=D("50.00"), base_fat=D("3.50"), fat_step=D("0.50"), base_protein=D("3.20"), protein_step=D("0.40"),
                scc_bands=[[200000, "1.00"], [400000, "0"], [None, "-2.00"]], bacteria_bands=[[100000, "0.50"], [None, "-1.50"]],
                water_limit=D("0"), reject_antibiotics=True, transport_per_unit=D("1.50"), checkoff_per_unit=D("0.20"),
                monthly_fee=D("100"))
    base.update(values)
    return SimpleNamespace(**base)


def test_a_delivery_of_212_litres_worked_by_hand():
    # fat 3.78: (3.78 - 3.50) / 0.1 = 2.8 -> 2 whole steps x 0.50 = +1.00
    # protein 3.13: -0.7 of a step -> no whole step -> 0
    # SCC 250,000: above 200,000, within 400,000 -> 0;  bacteria 80,000: within 100,000 -> +0.50
    # price 50.00 + 1.00 + 0.50 = 51.50;  value 212 x 51.50 = 10,918.00
    # transport 212 x 1.50 = 318.00;  check-off 212 x 0.20 = 42.40;  net 10,918.00 - 318.00 - 42.40 = 10,557.60
    pay = delivery_pay(schedule(), D("212"), Results(fat=D("3.78"), protein=D("3.13"), scc=250000, bacteria=80000))
    assert pay.price == D("51.50")
    assert (pay.value, pay.transport, pay.checkoff, pay.net) == (D("10918.00"), D("318.00"), D("42.40"), D("10557.60"))
    assert pay.parts == [("fat", D("1.00")), ("bacteria", D("0.50"))]


@pytest.mark.parametrize(("value", "expected"), [
    (D("3.50"), 0), (D("3.59"), 0), (D("3.60"), 1), (D("3.69"), 1), (D("3.41"), 0), (D("3.40"), -1), (D("3.31"), -1), (None, 0),
])
def test_fat_counts_whole_steps_of_a_tenth_of_a_percent_toward_the_base(value, expected):
    assert steps(value, D("3.50")) == expected


@pytest.mark.parametrize(("scc", "change"), [
    (200000, D("1.00")),   # on the limit: inside the band
    (200001, D("0")),
    (400000, D("0")),
    (400001, D("-2.00")),  # the open band takes the rest
    (None, D("0")),        # no test result: no change
])
def test_a_band_holds_its_upper_limit(scc, change):
    assert band_change(scc, [[200000, "1.00"], [400000, "0"], [None, "-2.00"]]) == change


def test_above_every_band_without_an_open_band_changes_nothing():
    assert band_change(500000, [[200000, "1.00"]]) == D("0")


def test_poor_milk_worked_by_hand():
    # fat 3.12: -3.8 steps -> -3 x 0.50 = -1.50;  protein 2.95: -2.5 -> -2 x 0.40 = -0.80
    # SCC 650,000 -> -2.00;  bacteria 2,000,000 -> -1.50
    # price 50.00 - 1.50 - 0.80 - 2.00 - 1.50 = 44.20;  100 L -> 4,420.00
    pay = delivery_pay(schedule(), D("100"), Results(fat=D("3.12"), protein=D("2.95"), scc=650000, bacteria=2000000))
    assert pay.price == D("44.20") and pay.value == D("4420.00")


def test_a_positive_antibiotics_test_pays_nothing_for_the_whole_delivery():
    pay = delivery_pay(schedule(), D("212"), Results(antibiotics="positive"))
    assert (pay.paid_quantity, pay.value, pay.transport, pay.refused) == (D("0"), D("0.00"), D("0.00"), "antibiotics")
    kept = delivery_pay(schedule(reject_antibiotics=False), D("10"), Results(antibiotics="positive"))
    assert kept.value == D("500.00") and not kept.refused


def test_added_water_refuses_only_above_the_limit():
    at_limit = delivery_pay(schedule(water_limit=D("2.0")), D("10"), Results(added_water=D("2.0")))
    above = delivery_pay(schedule(water_limit=D("2.0")), D("10"), Results(added_water=D("2.1")))
    assert at_limit.value == D("500.00") and above.value == D("0.00") and above.refused == "water"


def test_rejected_milk_is_not_paid_and_carries_no_transport():
    # 212 L delivered, 12 rejected: 200 x 50.00 = 10,000.00;  transport 200 x 1.50 = 300.00
    pay = delivery_pay(schedule(), D("212"), Results(), rejected=D("12"))
    assert (pay.paid_quantity, pay.value, pay.transport) == (D("200"), D("10000.00"), D("300.00"))


def test_money_rounds_half_up_to_the_cent():
    # 0.5 L x 50.01 = 25.005 -> 25.01 (half up; banker's rounding would give 25.00)
    pay = delivery_pay(schedule(base_price=D("50.01"), transport_per_unit=D("0.01")), D("0.5"), Results())
    assert pay.value == D("25.01") and pay.transport == D("0.01")  # 0.005 -> 0.01


def test_the_price_is_never_below_zero():
    pay = delivery_pay(schedule(base_price=D("1.00")), D("10"), Results(scc=900000))
    assert pay.price == D("0") and pay.value == D("0.00")


def test_bands_as_a_farmer_types_them():
    assert parse_bands("200000 1.00\n400000, 0\n* -2") == [[200000, "1.00"], [400000, "0"], [None, "-2"]]
    assert bands_text(parse_bands("200000 1.00\n* -2")) == "200000 1.00\n* -2"
    assert parse_bands("") == []
    for bad, line in (("200000", 1), ("abc 1", 1), ("100 1\nx y", 2), ("100 nan", 1)):
        with pytest.raises(ValueError) as error:
            parse_bands(bad)
        assert error.value.args[0] == line
    for out_of_order in ("400000 0\n200000 1", "* 1\n100 2", "100 1\n100 2"):
        with pytest.raises(ValueError) as error:
            parse_bands(out_of_order)
        assert error.value.args[0] == 0
