from decimal import Decimal

from apps.milk.lactation import DayYield, peak, yield_305


def test_305_day_yield_matches_a_hand_worked_test_interval_example():
    # Monthly tests. By hand (ICAR TIM):
    #   calving to day 10:          10 x 20.0              =   200.0
    #   10-40 (30 d) (20+30)/2=25:  30 x 25.0              =   750.0
    #   40-70 (30 d) (30+28)/2=29:  30 x 29.0              =   870.0
    #   70-130 (60 d) (28+24)/2=26: 60 x 26.0              = 1,560.0
    #   130-200 (70 d) (24+18)/2=21: 70 x 21.0             = 1,470.0
    #   200-280 (80 d) (18+12)/2=15: 80 x 15.0             = 1,200.0
    #   280 to 305 (25 d) at 12.0:  25 x 12.0              =   300.0
    #                                             total    = 6,350.0
    tests = [DayYield(10, Decimal("20")), DayYield(40, Decimal("30")), DayYield(70, Decimal("28")), DayYield(130, Decimal("24")),
             DayYield(200, Decimal("18")), DayYield(280, Decimal("12"))]
    result = yield_305(tests, last_dim=330)
    assert abs(result - Decimal("6350")) <= Decimal("6350") * Decimal("0.001")


def test_tests_after_day_305_are_ignored_and_short_lactations_end_at_dry_off():
    tests = [DayYield(10, Decimal("20")), DayYield(100, Decimal("20")), DayYield(320, Decimal("99"))]
    assert yield_305(tests, last_dim=400) == Decimal("6100.0")  # 20 a day for 305 days
    assert yield_305(tests, last_dim=150) == Decimal("3000.0")  # dried off on day 150


def test_peak_is_the_highest_day_and_the_earliest_on_a_tie():
    tests = [DayYield(10, Decimal("20")), DayYield(40, Decimal("31")), DayYield(60, Decimal("31"))]
    assert peak(tests) == DayYield(40, Decimal("31"))
    assert peak([]) is None
