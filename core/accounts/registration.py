"""Self-registration of jobseekers and enterprises — every field checked, all errors reported at once
(each naming its field), nothing saved unless everything is valid (one savepoint) — and a
jobseeker's deletion of their account and data."""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.crypto import PersonalDataCipher
from core.enums import Role
from core.errors import DomainError, ValidationErrors

from .models import User
from .services import create_user, validate_password, validate_username

# What a registrant sees when the ID number is already on a profile. It must read the same whether
# or not that is so (anyone may type anyone's ID number), so it says what to do in either case.
ID_NUMBER_CHECK_MESSAGE = (
    "本次注册暂未完成。如果该身份证号码此前已经登记过，请直接用原来的账号登录；忘记账号或密码，"
    "请带上身份证到就近的人社服务窗口办理。如果您从未登记过，请核对号码后重新填写。"
)


class IdNumberHeld(DomainError):
    """Every field is valid but the ID number is already on a profile: nothing is saved, and the
    caller answers with the neutral ``ID_NUMBER_CHECK_MESSAGE`` instead of a field error."""

    def __init__(self) -> None:
        super().__init__("id_number_check", ID_NUMBER_CHECK_MESSAGE, None)


def _id_number_held(session: Session, cipher: PersonalDataCipher, id_number: str | None) -> bool:
    """Whether a valid ``id_number`` is already on a profile (an invalid one is reported as such later)."""
    from core.identity import validate_id_number
    from core.seekers.services import find_by_id_number

    if not id_number:
        return False
    try:
        clean = validate_id_number(id_number)
    except DomainError:
        return False
    return find_by_id_number(session, cipher, clean) is not None


def _account_errors(username: str, password: str, password_confirm: str | None) -> list[DomainError]:
    errors: list[DomainError] = []
    try:
        username = validate_username(username)
    except DomainError as e:
        errors.append(e)
    try:
        validate_password(password, username)
    except DomainError as e:
        errors.append(e)
    if password_confirm is not None and password != password_confirm:
        errors.append(DomainError("password_mismatch", "两次输入的密码不一致", "password_confirm"))
    return errors


def _run_atomically(session: Session, errors: list[DomainError], build):
    """Run ``build`` inside a savepoint; any DomainError (plus earlier ``errors``) undoes all of it."""
    nested = session.begin_nested()
    try:
        result = build()
    except IdNumberHeld:
        nested.rollback()
        raise
    except ValidationErrors as e:
        nested.rollback()
        raise ValidationErrors(errors + [x for x in e.errors if x.field not in {y.field for y in errors}]) from None
    except DomainError as e:
        nested.rollback()
        raise ValidationErrors(errors + [e]) from None
    if errors:
        nested.rollback()
        raise ValidationErrors(errors)
    nested.commit()
    return result


def register_jobseeker(
    session: Session,
    cipher: PersonalDataCipher,
    *,
    username: str,
    password: str,
    password_confirm: str | None = None,
    name: str,
    phone: str,
    id_number: str | None = None,
    region_code: str | None = None,
    consent_recommendation: bool = False,
    consent_visible_to_enterprises: bool = False,
) -> User:
    """A jobseeker account with its profile. Phone is required (enterprises contact applicants by it).
    An ID number already on a profile is never reported as such: once everything else is valid the
    call raises ``IdNumberHeld`` (nothing saved), so the form cannot be used to look people up."""
    from core.seekers.services import create_jobseeker

    held = _id_number_held(session, cipher, id_number)
    errors = _account_errors(username, password, password_confirm)
    if not (phone or "").strip():
        errors.append(DomainError("missing_phone", "请填写手机号码", "phone"))

    def build():
        user = None
        if not any(e.field in ("username", "password") for e in errors):
            try:
                user = create_user(session, username=username, password=password, role=Role.JOBSEEKER, display_name=name)
            except DomainError as e:
                errors.append(e)
        create_jobseeker(
            session,
            cipher,
            id_number=None if held else (id_number or None),
            user_id=user.id if user else None,
            name=name,
            phone=phone,
            region_code=region_code or None,
            consent_recommendation=consent_recommendation,
            consent_visible_to_enterprises=consent_visible_to_enterprises,
        )
        if held and not errors:
            raise IdNumberHeld()
        return user

    return _run_atomically(session, errors, build)


def register_enterprise(
    session: Session,
    *,
    username: str,
    password: str,
    password_confirm: str | None = None,
    contact_name: str,
    enterprise_name: str,
    credit_code: str,
    region_code: str,
    industry: str | None = None,
    size: str | None = None,
    contact_phone: str | None = None,
) -> User:
    """An enterprise and the account that manages it. The credit code must carry a valid GB 32100
    check character and not be registered already. ``contact_phone`` (optional) receives password
    reset codes."""
    from core.enterprises.services import create_enterprise, validate_enterprise_fields
    from core.identity import validate_phone

    errors = _account_errors(username, password, password_confirm)
    phone = None
    if (contact_phone or "").strip():
        try:
            phone = validate_phone(contact_phone, "contact_phone")
        except DomainError as e:
            errors.append(e)
    # Validate the enterprise first so its errors are reported alongside the account's.
    validate_enterprise_fields(
        session,
        {"name": enterprise_name, "credit_code": credit_code, "region_code": region_code},
        errors,
    )

    def build():
        if errors:
            return None
        ent = create_enterprise(
            session, name=enterprise_name, credit_code=credit_code, region_code=region_code, industry=industry, size=size,
        )
        user = create_user(
            session,
            username=username,
            password=password,
            role=Role.ENTERPRISE,
            display_name=(contact_name or "").strip() or enterprise_name,
            enterprise_id=ent.id,
        )
        user.recovery_phone = phone
        return user

    return _run_atomically(session, errors, build)


def delete_jobseeker_account(session: Session, user_id: int) -> None:
    """The person's right to deletion (PIPL Art. 47): the profile with its priority groups,
    applications, stored ranked lists about the person and their embeddings are deleted; the
    search index drops the profile through the outbox; the account is closed and de-identified
    (its row stays only so audit records that name it keep their reference)."""
    import secrets

    from sqlalchemy import delete, select

    from core.applications.models import Application
    from core.audit.services import record_access
    from core.matching.models import StoredEmbedding
    from core.outbox.services import emit
    from core.seekers.models import Jobseeker

    user = session.get(User, user_id)
    if user is None or user.role != Role.JOBSEEKER:
        raise DomainError("not_a_jobseeker", "只有求职者账号可以在此注销", None)
    seeker = session.scalar(select(Jobseeker).where(Jobseeker.user_id == user_id))
    if seeker is not None:
        seeker_id = seeker.id
        session.execute(
            delete(StoredEmbedding).where(StoredEmbedding.subject_type == "seeker", StoredEmbedding.subject_id == seeker_id)
        )
        session.execute(delete(Application).where(Application.jobseeker_id == seeker_id))
        session.delete(seeker)
        session.flush()
        emit(session, "seeker", seeker_id, "delete")
        record_access(
            session, actor_user_id=user_id, actor_role=Role.JOBSEEKER.value, action="delete", subject_type="jobseeker",
            subject_id=seeker_id, purpose="本人注销账号，删除求职档案及投递记录",
            fields=["profile", "id_number", "phone", "groups", "applications"],
        )
    user.username = f"deleted-{user.id}-{secrets.token_hex(4)}"
    user.display_name = "已注销用户"
    user.password_hash = "!" + secrets.token_hex(32)  # matches no password
    user.is_active = False
    session.flush()
