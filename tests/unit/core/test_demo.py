"""Demo accounts and demo jobseekers are labelled, valid and kept apart from real people."""
from __future__ import annotations

from sqlalchemy import func, select

from core.accounts.models import User
from core.accounts.services import authenticate
from core.demo.services import DEMO_PASSWORD, create_demo_accounts, generate_demo_jobseekers
from core.identity import validate_id_number
from core.crypto import PersonalDataCipher
from core.seekers.models import Jobseeker


def test_one_demo_account_per_role_and_idempotent(db_session):
    first = create_demo_accounts(db_session)
    second = create_demo_accounts(db_session)
    assert len(first["created"]) == 5 and second["created"] == []
    roles = {u.role.value for u in db_session.scalars(select(User).where(User.is_demo.is_(True)))}
    assert roles == {"jobseeker", "enterprise", "commissioner", "reviewer", "admin"}
    assert authenticate(db_session, "demo_commissioner", DEMO_PASSWORD).region_code == "440000"


def test_generated_jobseekers_are_marked_valid_and_decryptable(db_session, app):
    result = generate_demo_jobseekers(db_session, 30, app.config)
    assert result["generated"] == 30
    cipher = PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])
    seekers = db_session.scalars(select(Jobseeker).where(Jobseeker.origin == "demo")).all()
    assert len(seekers) == 30
    for s in seekers:
        assert s.is_demo and s.name.startswith("演示")
        validate_id_number(cipher.decrypt(s.id_number_encrypted))
        assert s.region_code and s.lat is not None
    assert any(s.groups for s in seekers)
    # topping up to the same count generates nothing
    assert generate_demo_jobseekers(db_session, 30, app.config)["generated"] == 0
    assert db_session.scalar(select(func.count()).select_from(Jobseeker).where(Jobseeker.is_demo.is_(False))) == 0
