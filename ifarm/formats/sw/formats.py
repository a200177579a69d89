"""Kiswahili: 5 Januari 2027. The short months (Jan, Feb, Apr, Jul, Sep, Nov) and weekdays (Jnne) read as English or
as riddles, so months and weekdays are written in full."""

from ifarm.formats.named_months import *  # noqa: F403

WEEKDAY_DAY_FORMAT = "l j F"
WEEKDAY_DAY_TIME_FORMAT = "l j F H:i"
WEEKDAY_DATETIME_FORMAT = "l j F Y H:i"
WEEKDAY_TIME_FORMAT = "l H:i"

# Kenya and Tanzania group thousands with commas (Ksh 2,089.29); Django's Kiswahili defines no grouping.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
