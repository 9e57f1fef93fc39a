"""An enterprise never sees a jobseeker's full ID number, and sees a phone number only of a person who
applied to one of its own postings (and has not withdrawn). The consent text promises it: "联系方式隐藏，
直到我投递".

The check walks every GET route of the app (from ``app.url_map``, never a hard-coded list) as a signed-in
enterprise, fills each ``<int:…>`` parameter with ids of objects the enterprise owns and of objects it
does not, asks for HTML and for JSON, and fails on any full ID number or any phone number the
enterprise is not entitled to, anywhere in any answer.
"""
from __future__ import annotations

import itertools

from werkzeug.routing import IntegerConverter

from core.enums import ApplicationStatus

from .routes import sample_value

MAX_URLS_PER_RULE = 400  # a two-parameter route still gets every pair of the (about 16) candidate ids


class Market:
    """Jobseekers with known ID numbers and phones around one enterprise's posting."""

    def __init__(self, db_session, make_user, make_posting, id_number, enterprise_id):
        from core.applications.services import apply_to_posting, withdraw_application
        from core.seekers.services import create_jobseeker
        from webapp.auth.inputs import cipher

        self.own = make_posting("电焊工", enterprise_id=enterprise_id, description="钢结构焊接，电焊")
        self.own_second = make_posting("焊工学徒", enterprise_id=enterprise_id, description="电焊，学徒")
        other_user = make_user("enterprise")
        self.other_enterprise_id = other_user.enterprise_id
        self.foreign = make_posting("电焊工", enterprise_id=other_user.enterprise_id, description="钢结构焊接，电焊")
        self.id_numbers: dict[str, str] = {}
        self.phones: dict[str, str] = {}
        self.seekers = {}
        for n, (key, visible) in enumerate((
            ("applied_here", False), ("applied_second_here", False), ("applied_elsewhere", True),
            ("visible_never_applied", True), ("hidden_never_applied", False), ("withdrew", True),
        )):
            number, phone = id_number(), f"1391000{n:04d}"
            s = create_jobseeker(
                db_session, cipher(), id_number=number, name=f"求职者{key}", phone=phone, region_code="371302",
                desired_titles=["电焊工"], skills=["电焊"], education="senior", experience_years="3",
                consent_recommendation=True, consent_visible_to_enterprises=visible, availability="immediate",
            )
            self.seekers[key], self.id_numbers[key], self.phones[key] = s, number, phone
        db_session.commit()
        self.applications = [
            apply_to_posting(db_session, jobseeker_id=self.seekers["applied_here"].id, posting_id=self.own.id),
            apply_to_posting(db_session, jobseeker_id=self.seekers["applied_second_here"].id,
                             posting_id=self.own_second.id),
            apply_to_posting(db_session, jobseeker_id=self.seekers["applied_elsewhere"].id,
                             posting_id=self.foreign.id),
        ]
        withdrawn = apply_to_posting(db_session, jobseeker_id=self.seekers["withdrew"].id, posting_id=self.own.id)
        withdraw_application(db_session, jobseeker_id=self.seekers["withdrew"].id, application_id=withdrawn.id)
        assert withdrawn.status == ApplicationStatus.WITHDRAWN
        self.applications.append(withdrawn)
        db_session.commit()
        self.enterprise_ids = [enterprise_id, self.other_enterprise_id]

    entitled = ("applied_here", "applied_second_here")

    def forbidden_phones(self) -> dict[str, str]:
        return {k: v for k, v in self.phones.items() if k not in self.entitled}

    def int_candidates(self, user_ids) -> list[int]:
        ids = {self.own.id, self.own_second.id, self.foreign.id, *self.enterprise_ids, *user_ids,
               *(a.id for a in self.applications), *(s.id for s in self.seekers.values())}
        return sorted(ids)


def _urls(app, candidates: list[int]):
    """(endpoint, url) for every GET rule, int parameters filled with every candidate id."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        args = sorted(rule.arguments)
        choices = [candidates if isinstance(rule._converters[a], IntegerConverter)
                   else [sample_value(rule._converters[a])] for a in args]
        for values in itertools.islice(itertools.product(*choices), MAX_URLS_PER_RULE):
            yield rule.endpoint, adapter.build(rule.endpoint, dict(zip(args, values)), force_external=False)


def _leaks(body: bytes, market: Market) -> list[str]:
    """Searched in the raw bytes: answers include spreadsheets and other binary files."""
    found = [f"full ID number of {k}" for k, v in market.id_numbers.items() if v.encode() in body]
    found += [f"phone of {k}" for k, v in market.forbidden_phones().items() if v.encode() in body]
    return found


def test_no_enterprise_surface_shows_an_id_number_or_the_phone_of_someone_who_did_not_apply(
    app, client, login_as, make_user, make_posting, id_number, matcher, db_session,
):
    user = login_as("enterprise")
    user.enterprise.verification_status = "verified"  # profiles open to enterprises are open to verified ones
    market = Market(db_session, make_user, make_posting, id_number, user.enterprise_id)

    # The walk must have something to bite on: the matches API ranks the people who never applied,
    # and the applicants page shows the phones of those who did.
    matches = client.get(f"/api/v1/postings/{market.own.id}/matches")
    assert matches.status_code == 200, matches.get_data(as_text=True)[:500]
    ranked = {i["id"]: i["profile"] for i in matches.get_json()["items"]}
    assert {market.seekers[k].id for k in ("visible_never_applied", "applied_elsewhere", "withdrew")} <= set(ranked)
    applicants = client.get("/enterprise/applicants").get_data(as_text=True)
    assert all(market.phones[k] in applicants for k in market.entitled)
    # The API and the applicants page follow one rule: whoever applied here is reachable in both.
    unmasked = {sid for sid, profile in ranked.items() if not profile["masked"]}
    assert unmasked == {market.seekers[k].id for k in market.entitled}

    failures, asked, answered = [], 0, 0
    for endpoint, url in _urls(app, market.int_candidates([user.id])):
        for accept in ("text/html", "application/json"):
            resp = client.get(url, headers={"Accept": accept})
            asked += 1
            answered += resp.status_code == 200
            for leak in _leaks(resp.get_data(), market):
                failures.append((endpoint, url, accept, resp.status_code, leak))
    assert asked > 50 and answered > 10
    assert not failures, "\n".join(map(str, failures))
