"""How each language writes a date (Django's FORMAT_MODULE_PATH).

Templates and `apps.core.words` name a format, never spell one: `|date:"DATE_FORMAT"`, not `|date:"j M Y"`.
Django's three-letter months ("M") are English in French and Kiswahili for half the year and ambiguous in French
(Jui is June and July), so both write the month's name: 5 janvier 2027, 5 Januari 2027. Besides Django's own names (DATE_FORMAT, MONTH_DAY_FORMAT, DATETIME_FORMAT, YEAR_MONTH_FORMAT),
each language defines these:

- DAY_TIME_FORMAT: a day and time of this year (5 Jan 14:30)
- DAY_TIME_SECONDS_FORMAT: the same to the second
- WEEKDAY_DAY_FORMAT: a day with its weekday (Tue 5 Jan)
- WEEKDAY_DAY_TIME_FORMAT: the same with the time
- WEEKDAY_DATETIME_FORMAT: the same with the year and time
- WEEKDAY_TIME_FORMAT: a weekday and time (Tue 14:30)
"""
