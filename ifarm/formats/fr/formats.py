"""French: 5 janvier 2027. Django's three-letter months are English in French for half the year (Jan, Mar, Jul...)
and "Jui" is both June and July; its other abbreviations are not the ones French readers use (jan. for janv.), so
months are written in full."""

DATE_FORMAT = "j F Y"
MONTH_DAY_FORMAT = "j F"
DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
DAY_TIME_FORMAT = "j F H:i"
DAY_TIME_SECONDS_FORMAT = "j F H:i:s"
WEEKDAY_DAY_FORMAT = "D j F"
WEEKDAY_DAY_TIME_FORMAT = "D j F H:i"
WEEKDAY_DATETIME_FORMAT = "D j F Y H:i"
WEEKDAY_TIME_FORMAT = "D H:i"
