"""Each posting's enterprise: found by credit code, else by normalised name, else created — for a
whole batch in a few queries, with what the run has seen kept in memory."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.enterprises.models import Enterprise
from core.enterprises.names import normalize_company_name
from core.identity import is_valid_credit_code
from indexer.drafts import NormalisedPosting

from .persist import insert_returning_ids
from .prepare import chunks
from .results import Record


class Enterprises:
    def __init__(self, session: Session, region_codes: set[str], is_demo: bool):
        self.session = session
        self.region_codes = region_codes
        self.is_demo = is_demo
        self._by_credit: dict[str, int] = {}
        self._by_name: dict[str, int] = {}
        self._name_has_credit: dict[str, bool] = {}

    def know(self, enterprise: Enterprise) -> None:
        """Attach postings naming this enterprise to it (a form or project whose enterprise is known)."""
        if enterprise.credit_code:
            self._by_credit[enterprise.credit_code] = enterprise.id
        self._by_name[enterprise.normalized_name] = enterprise.id
        self._by_name[normalize_company_name(enterprise.name)] = enterprise.id

    def forget(self) -> None:
        """After a rollback: the caches may name rows that no longer exist."""
        self._by_credit.clear()
        self._by_name.clear()
        self._name_has_credit.clear()

    def resolve(self, records: list[Record]) -> None:
        """Set each record's ``enterprise_id`` (None when the record names no enterprise)."""
        norms = [r.normalised for r in records]
        self._load(norms)
        to_create: dict[tuple[str | None, str | None], dict] = {}
        pending: list[tuple[Record, tuple[str | None, str | None]]] = []
        for record in records:
            n = record.normalised
            credit = _credit(n)
            name = name_key(n)
            if not name and not credit:
                record.enterprise_id = None
                continue
            # A credit code is one enterprise whatever name a row gives it (two names for one code in
            # a file made two rows of one code, and the whole batch failed on the unique code).
            key = (credit, None) if credit else (None, name)
            if key not in to_create:
                record.enterprise_id = self._known(credit, name)
                if record.enterprise_id is not None:
                    continue
                to_create[key] = self._new_row(n, credit, name)
            pending.append((record, key))
        if to_create:
            created = self._create(to_create)
            for record, key in pending:
                record.enterprise_id = created[key]

    def _load(self, norms: list[NormalisedPosting]) -> None:
        """Read the enterprises of these credit codes and names the run has not seen yet."""
        want_credit = {c for c in map(_credit, norms) if c}
        want_names = {name_key(n) for n in norms} - {None}
        for chunk in chunks([c for c in want_credit if c not in self._by_credit], 500):
            for eid, code in self.session.execute(
                select(Enterprise.id, Enterprise.credit_code).where(Enterprise.credit_code.in_(chunk))
            ):
                self._by_credit[code] = eid
        for chunk in chunks([n for n in want_names if n not in self._by_name], 500):
            for eid, code, nname in self.session.execute(
                select(Enterprise.id, Enterprise.credit_code, Enterprise.normalized_name)
                .where(Enterprise.normalized_name.in_(chunk)).order_by(Enterprise.id)
            ):
                self._by_name.setdefault(nname, eid)
                if nname not in self._name_has_credit:
                    self._name_has_credit[nname] = code is not None

    def _known(self, credit: str | None, name: str | None) -> int | None:
        if credit and credit in self._by_credit:
            return self._by_credit[credit]
        if not name or name not in self._by_name:
            return None
        if not credit:
            return self._by_name[name]
        if self._name_has_credit.get(name, True):
            return None  # another enterprise of that name, with its own credit code
        # The enterprise was known by name only; this record brings its credit code.
        eid = self._by_name[name]
        self.session.execute(update(Enterprise).where(Enterprise.id == eid, Enterprise.credit_code.is_(None))
                             .values(credit_code=credit))
        self._by_credit[credit] = eid
        self._name_has_credit[name] = True
        return eid

    def _new_row(self, n: NormalisedPosting, credit: str | None, name: str | None) -> dict:
        return {
            "name": (n.company_name or name or credit or "")[:200],
            "normalized_name": (name or "")[:200],
            "credit_code": credit,
            "region_code": n.region_code if n.region_code in self.region_codes else None,
            "industry": (n.draft.company_industry or None) and n.draft.company_industry[:100],
            "size": (n.draft.company_size or None) and n.draft.company_size[:50],
            "verification_status": "unverified",
            "is_demo": self.is_demo,
            "created_at": utcnow(),
        }

    def _create(self, rows: dict[tuple[str | None, str | None], dict]) -> dict[tuple[str | None, str | None], int]:
        keys = list(rows)
        ids = insert_returning_ids(self.session, Enterprise.__table__, [rows[k] for k in keys])
        for key, eid in zip(keys, ids):
            credit, name = key[0], rows[key]["normalized_name"]
            if credit:
                self._by_credit[credit] = eid
            if name:
                self._by_name.setdefault(name, eid)
                self._name_has_credit.setdefault(name, credit is not None)
        return dict(zip(keys, ids))


def _credit(n: NormalisedPosting) -> str | None:
    return n.credit_code.upper() if n.credit_code and is_valid_credit_code(n.credit_code) else None


def name_key(n: NormalisedPosting) -> str | None:
    """The enterprise's comparison key, as the normaliser gave it or from the name."""
    if n.company_normalized_name:
        return n.company_normalized_name[:200]
    if n.company_name:
        return normalize_company_name(n.company_name)[:200] or None
    return None
