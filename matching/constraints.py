"""Hard constraints: who may be recommended for what, before any scoring.

Region or commuting radius, availability, eligibility (internships 就业见习 only for graduates within
two years of leaving school or unemployed youth aged 16-24), and the jobseeker's consent to be
recommended (PIPL: a person who opted out is still findable by search, never pushed by the matcher).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from matching.profiles import PostingProfile, SeekerProfile

EARTH_KM = 6371.0088


@dataclass(slots=True)
class FilterConfig:
    default_radius_km: float = 30.0  # commute radius when the jobseeker set none
    region_level: int = 4  # match administrative codes on this many digits (4 = same city)
    require_consent: bool = True
    internship_years_after_school: int = 2
    internship_youth_ages: tuple[int, int] = (16, 24)


REASONS = {
    "no_consent": "未同意接受智能推荐",
    "unavailable": "暂不求职",
    "region": "不在岗位所在地区或通勤半径内",
    "internship": "不符合见习岗位条件（毕业两年内或16–24岁失业青年）",
}


def desired_prefix(code: str) -> str:
    """The part of a region code that names the area: '370000' -> '37', '371300' -> '3713'."""
    code = (code or "").strip()
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_km(seeker: SeekerProfile, posting: PostingProfile) -> float | None:
    if None in (seeker.lat, seeker.lon, posting.lat, posting.lon):
        return None
    return haversine_km(seeker.lat, seeker.lon, posting.lat, posting.lon)


def age_on(birth_date: dt.date | None, today: dt.date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def internship_eligible(seeker: SeekerProfile, today: dt.date, config: FilterConfig = FilterConfig()) -> bool:
    if seeker.graduation_year is not None and 0 <= today.year - seeker.graduation_year <= config.internship_years_after_school:
        return True
    age = age_on(seeker.birth_date, today)
    low, high = config.internship_youth_ages
    return age is not None and low <= age <= high and seeker.availability != "employed_open"


def region_ok(seeker: SeekerProfile, posting: PostingProfile, config: FilterConfig = FilterConfig()) -> bool:
    if not posting.region_code:
        return True  # a posting without a place (remote, or not yet normalised) excludes no one
    level = config.region_level
    target = posting.region_code[:level]
    if seeker.region_code and seeker.region_code[:level] == target:
        return True
    for wanted in seeker.desired_regions:
        if wanted and posting.region_code.startswith(desired_prefix(wanted)):
            return True
    d = distance_km(seeker, posting)
    radius = seeker.max_commute_km if seeker.max_commute_km is not None else config.default_radius_km
    return d is not None and d <= radius


def rejection_reason(
    seeker: SeekerProfile, posting: PostingProfile, today: dt.date, config: FilterConfig = FilterConfig()
) -> str | None:
    """None when the pair passes every hard constraint, else the first failing reason's key."""
    if config.require_consent and not seeker.consent_recommendation:
        return "no_consent"
    if seeker.availability == "unavailable":
        return "unavailable"
    if not region_ok(seeker, posting, config):
        return "region"
    if posting.employment_type == "internship" and not internship_eligible(seeker, today, config):
        return "internship"
    return None
