"""Japanese era (和暦) dates: read birth dates typed in either calendar, and format them.

Error messages are Japanese because they are shown to users as form errors.
"""

import datetime
import re
import unicodedata
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Era(NamedTuple):
    name: str
    letter: str
    start: datetime.date
    end: datetime.date | None

    @property
    def last_year(self) -> int | None:
        """The era's last year number (e.g. 64 for 昭和), or None for the current era."""
        return None if self.end is None else self.end.year - self.start.year + 1


ERAS: tuple[Era, ...] = (
    Era("明治", "M", datetime.date(1868, 10, 23), datetime.date(1912, 7, 29)),
    Era("大正", "T", datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    Era("昭和", "S", datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    Era("平成", "H", datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    Era("令和", "R", datetime.date(2019, 5, 1), None),
)

UNREADABLE = gettext_lazy("The date cannot be read. Examples: 昭和45年3月2日, S45.3.2, 1970-03-02")
FUTURE = gettext_lazy("A date in the future cannot be entered.")
BEFORE_1868 = gettext_lazy("Dates before 1868 cannot be entered.")
BEFORE_MEIJI = gettext_lazy("Dates before 23 October 1868 (明治元年) cannot be entered.")

_JAPAN = ZoneInfo("Asia/Tokyo")
_ERA_BY_TOKEN = {token: era for era in ERAS for token in (era.name, era.name[0], era.letter)}
_ERA_TOKENS = "|".join(sorted(map(re.escape, _ERA_BY_TOKEN), key=len, reverse=True))
_ERA_DATE = re.compile(
    rf"({_ERA_TOKENS})(元|\d{{1,2}})(?:年|[./-])(\d{{1,2}})(?:月|[./-])(\d{{1,2}})日?", re.ASCII
)
_WESTERN_DATE = re.compile(
    r"(?:西暦)?(\d{4})(?:年|[./-])(\d{1,2})(?:月|[./-])(\d{1,2})日?", re.ASCII
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)


def _western(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def _year_label(number: int) -> str:
    return "元" if number == 1 else str(number)


def _make_date(year: int, month: int, day: int, year_text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(
            _("%(date)s does not exist.") % {"date": f"{year_text}{month}月{day}日"}
        ) from None


def _until(era: Era) -> ValueError:
    return ValueError(
        _("%(era)s ends with year %(year)s (%(date)s).")
        % {"era": era.name, "year": era.last_year, "date": _western(era.end)}
    )


def _parse_era_date(match: re.Match[str]) -> datetime.date:
    era = _ERA_BY_TOKEN[match[1]]
    number = 1 if match[2] == "元" else int(match[2])
    if number == 0:
        raise ValueError(_("%(era)s year 0 does not exist.") % {"era": era.name})
    if era.last_year is not None and number > era.last_year:
        raise _until(era)
    year_text = f"{era.name}{_year_label(number)}年"
    date = _make_date(era.start.year + number - 1, int(match[3]), int(match[4]), year_text)
    if date < era.start:
        raise ValueError(
            _("%(era)s starts on %(date)s.") % {"era": era.name, "date": _western(era.start)}
        )
    if era.end is not None and date > era.end:
        raise _until(era)
    return date


def _parse_western_date(match: re.Match[str]) -> datetime.date:
    year = int(match[1])
    if year < 1868:
        raise ValueError(BEFORE_1868)
    date = _make_date(year, int(match[2]), int(match[3]), f"{year}年")
    if date < ERAS[0].start:
        raise ValueError(BEFORE_MEIJI)
    return date


def parse_birth_date(text: str, *, today: datetime.date | None = None) -> datetime.date:
    """Read a birth date written in 和暦 or 西暦; raise ValueError with a Japanese message.

    Accepted: 昭和45年3月2日, 昭45.3.2, S45.3.2, S45/3/2, S45-3-2, 令和元年5月1日, 1970-03-02,
    1970/3/2, 1970年3月2日 and 19700302, in full or half width, with or without spaces.
    ``today`` (default: today in Japan) is the latest date accepted.
    """
    text = "".join(unicodedata.normalize("NFKC", text or "").split()).upper()
    if match := _ERA_DATE.fullmatch(text):
        date = _parse_era_date(match)
    elif match := _WESTERN_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
        date = _parse_western_date(match)
    else:
        raise ValueError(UNREADABLE)
    if date > (today or datetime.datetime.now(_JAPAN).date()):
        raise ValueError(FUTURE)
    return date


def _era_of(date: datetime.date) -> tuple[Era, int]:
    if isinstance(date, datetime.datetime):
        date = date.date()
    for era in reversed(ERAS):
        if date >= era.start:
            return era, date.year - era.start.year + 1
    raise ValueError(f"{_western(date)}は明治より前のため和暦で表せません。")


def format_wareki(date: datetime.date) -> str:
    """The date in 和暦, e.g. 昭和45年3月2日 or 令和元年5月1日."""
    era, number = _era_of(date)
    return f"{era.name}{_year_label(number)}年{date.month}月{date.day}日"


def format_both(date: datetime.date) -> str:
    """The date in 西暦 with the 和暦 year, e.g. 1970年3月2日（昭和45年）."""
    era, number = _era_of(date)
    return f"{_western(date)}（{era.name}{_year_label(number)}年）"
