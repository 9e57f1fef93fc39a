"""Jobseeker profiles: validation names the field, nothing is half-saved, ID numbers never stored in clear."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from core.crypto import PersonalDataCipher
from core.enums import VerificationStatus
from core.errors import ValidationErrors
from core.outbox.models import OutboxEvent
from core.seekers.models import Jobseeker
from core.seekers.privacy import NOTHING, view_jobseeker
from core.seekers.services import create_jobseeker, find_by_id_number, update_jobseeker


@pytest.fixture
def cipher(app):
    return PersonalDataCipher(app.config["JOBLINK_PII_KEY"], app.config["JOBLINK_PII_HASH_KEY"])


def test_create_encrypts_id_number_and_emits_outbox(db_session, cipher):
    seeker = create_jobseeker(
        db_session, cipher, name="李娜", id_number="11010519491231002X", phone="13800138000",
        region_code="371302", groups=["land_lost_farmer", "migrant_worker"], skills="电焊、叉车",
    )
    db_session.flush()
    raw = db_session.execute(text("SELECT id_number_encrypted, id_number_hash FROM jobseekers WHERE id = :i"), {"i": seeker.id}).one()
    assert "11010519491231002X" not in raw[0] and "11010519491231002X" not in raw[1]
    assert find_by_id_number(db_session, cipher, "11010519491231002X").id == seeker.id
    assert seeker.birth_date.isoformat() == "1949-12-31"
    assert sorted(seeker.group_values()) == ["land_lost_farmer", "migrant_worker"]
    assert seeker.skills == ["电焊", "叉车"]
    assert seeker.lat is not None  # from the region's coordinates
    events = db_session.scalars(select(OutboxEvent).where(OutboxEvent.entity == "seeker", OutboxEvent.entity_id == seeker.id)).all()
    assert len(events) == 1


def test_every_bad_field_is_named_and_nothing_is_saved(db_session, cipher):
    before = db_session.scalar(select(func.count()).select_from(Jobseeker))
    with pytest.raises(ValidationErrors) as info:
        create_jobseeker(
            db_session, cipher, name="张伟", id_number="110105194912310021", phone="12345",
            region_code="999999", groups=["astronaut"],
        )
    fields = {e.field for e in info.value.errors}
    assert fields == {"id_number", "phone", "region_code", "groups"}
    assert db_session.scalar(select(func.count()).select_from(Jobseeker)) == before


def test_duplicate_id_number_refused(db_session, cipher):
    create_jobseeker(db_session, cipher, name="甲", id_number="440524188001010014")
    with pytest.raises(ValidationErrors) as info:
        create_jobseeker(db_session, cipher, name="乙", id_number="440524188001010014")
    assert info.value.errors[0].code == "duplicate_id_number"


def test_masked_view_unless_entitled(db_session, cipher):
    s = create_jobseeker(db_session, cipher, name="王小明", id_number="11010519491231002X", phone="13800138000")
    admin = SimpleNamespace(id=None, role="admin", enterprise_id=None, region_code=None)
    masked = view_jobseeker(db_session, cipher, admin, s, purpose="测试", at_most=NOTHING)
    assert masked.phone == "138****8000" and masked.id_number == "110***********002X" and masked.name == "王**"
    full = view_jobseeker(db_session, cipher, admin, s, purpose="测试")
    assert full.phone == "13800138000" and full.id_number == "11010519491231002X"


def test_update_bumps_version_and_keeps_declared_verification(db_session, cipher):
    s = create_jobseeker(db_session, cipher, name="赵六", groups=["veteran"])
    s.groups[0].verification = VerificationStatus.VERIFIED
    v = s.version
    update_jobseeker(db_session, cipher, s, groups=["veteran", "graduate"], expected_pay_min="6000")
    assert s.version == v + 1 and s.expected_pay_min == 6000
    assert {g.group.value: g.verification.value for g in s.groups} == {"veteran": "verified", "graduate": "pending"}
    with pytest.raises(ValidationErrors):
        update_jobseeker(db_session, cipher, s, expected_pay_min="很多")
    assert s.expected_pay_min == 6000
