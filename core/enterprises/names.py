"""The one comparison key for enterprise names, used by enterprise registration and by intake (the
pipeline's enterprise look-up and dedup), so an enterprise registered on the web and the same company
arriving through a channel feed meet: "深圳市腾讯计算机系统有限公司" and "腾讯计算机系统（深圳）有限公司"
both become "腾讯计算机系统".

The key drops what varies between channels for one enterprise — width and case, spaces and
punctuation, bracketed places, a leading province/city/county name, and the legal form (有限公司,
股份有限公司, 集团 ...). It is a blocking key for deduplication and enterprise matching, not an
identity: the unified social credit code is the identity when a channel sends it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from core.reference.services import RegionDirectory, region_directory

_LEGAL_FORMS = [
    "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "股份公司", "集团公司",
    "总公司", "分公司", "公司", "集团", "股份", "有限", "工作室", "合伙企业", "(普通合伙)", "(有限合伙)", "个体工商户",
    "co.,ltd.", "co.,ltd", "co.ltd", "ltd.", "ltd", "inc.", "inc", "limited", "company",
]
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]{0,12}[)）\]】]")
_PUNCT = re.compile(r"[\s\u3000·•・,，.。、\-—_/\\|'\"“”‘’&＆:：;；!！?？]+")
_LEADING_ADMIN = re.compile(r"^(?:中国|中华人民共和国)")
_LEGAL_SUFFIX = re.compile(
    "(?:" + "|".join(re.escape(_PUNCT.sub("", f)) for f in sorted(_LEGAL_FORMS, key=len, reverse=True)) + ")+$"
)
# Names remembered per directory (one enterprise posts many jobs); a reloaded directory starts afresh.
_CACHE_SIZE = 20_000


class _CompanyKeys:
    """The division names of one directory and a bounded memo of the keys computed with them."""

    def __init__(self, regions: RegionDirectory):
        names = set()
        for r in regions.all():
            names.add(r.name)
            if len(r.short_name) >= 2:
                names.add(r.short_name)
        self.names = names
        self.first_chars = {n[0] for n in names}
        self.key = lru_cache(maxsize=_CACHE_SIZE)(self._key)

    def _key(self, name: str) -> str:
        t = unicodedata.normalize("NFKC", name).strip().lower()
        t = _BRACKETS.sub("", t)
        t = _PUNCT.sub("", t)
        m = _LEGAL_SUFFIX.search(t)
        if m and m.start() >= 2:
            t = t[: m.start()]
        t = _LEADING_ADMIN.sub("", t)
        names, first_chars = self.names, self.first_chars
        # Strip up to three leading division names (广东省 深圳市 南山区 ...), keeping at least 2 chars.
        for _ in range(3):
            if not t or t[0] not in first_chars:
                break
            for ln in range(min(8, len(t) - 2), 1, -1):
                if t[:ln] in names:
                    t = t[ln:]
                    break
            else:
                break
        return t


@lru_cache(maxsize=1)
def _company_keys(regions: RegionDirectory) -> _CompanyKeys:
    """The keys of the directory in use (looked up by identity); a reloaded directory starts afresh."""
    return _CompanyKeys(regions)


def normalize_company_name(name: str | None, regions: RegionDirectory | None = None) -> str:
    if not name:
        return ""
    return _company_keys(regions or region_directory()).key(str(name))


__all__ = ["normalize_company_name"]
