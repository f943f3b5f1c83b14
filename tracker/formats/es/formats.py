"""Spanish as US Spanish-language newsrooms write it: Mexico's formats (Django's es_MX), not Spain's.

"5 de agosto de 2011" and "1,475": a comma for thousands, a point for decimals. Django's plain `es` follows Spain
("1.475"), so these values are copied from django/conf/locale/es_MX/formats.py.
"""

DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"j \d\e F \d\e Y \a \l\a\s H:i"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday, as calendars in the US show it
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
