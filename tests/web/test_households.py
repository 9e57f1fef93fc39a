"""Zero-employment household pages over HTTP: the register imported (GB18030 CSV) with its report, the
open list with days open, a household's page audited and refused to another county's commissioner,
a referral and its 已上岗 outcome clearing the household, and enterprises kept out."""
from __future__ import annotations

import io

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.households.models import Household

ROSTER = ["户编号,户主姓名,姓名,年龄,就业状况,家庭住址",
          "HX-9,周建国,周建国,48,未就业,山东省临沂市兰山区", "HX-9,周建国,周小军,22,未就业,",
          "HX-10,吴芳,吴芳,35,已就业,山东省临沂市兰山区", "HX-11,郑七,郑七,年轻,未就业,山东省临沂市兰山区"]


def test_register_list_referral_and_clearing(client, login_as, make_user, make_posting, db_session):
    from tests.conftest import TEST_PASSWORD

    login_as("commissioner", region_code="371302")
    resp = client.post("/households/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(("\n".join(ROSTER) + "\n").encode("gb18030")), "零就业家庭.csv")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "登记 <strong>1</strong> 户" in html
    assert "吴芳家：有劳动年龄内成员已就业" in html and "第5行" in html
    household = db_session.scalar(select(Household).where(Household.reference == "HX-9"))
    html = client.get("/households/").get_data(as_text=True)
    assert "周建国家" in html and "已登记 0 天" in html
    html = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "周小军" in html and "22岁" in html
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.subject_type == "household",
                                                      AuditEvent.subject_id == household.id))
    posting = make_posting(title="仓库管理员")
    son = next(m for m in household.members if m.name == "周小军")
    html = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert f'<option value="{posting.id}">仓库管理员' in html  # a posting in the household's county is offered
    resp = client.post(f"/households/{household.id}/referrals", data={"member_id": son.id, "posting_id": posting.id})
    assert resp.status_code == 303
    html = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "仓库管理员" in html and "已推荐" in html
    from core.households.models import HouseholdReferral

    referral = db_session.scalar(select(HouseholdReferral).where(HouseholdReferral.household_id == household.id))
    assert client.post(f"/households/referrals/{referral.id}/outcome", data={"outcome": "bogus"}).status_code == 303
    assert client.post(f"/households/referrals/{referral.id}/outcome", data={"outcome": "hired"}).status_code == 303
    db_session.refresh(household)
    assert household.cleared_on is not None
    assert "周建国家" not in client.get("/households/").get_data(as_text=True)
    assert "已销号" in client.get("/households/?show=cleared").get_data(as_text=True)
    client.post("/logout")

    other = make_user("commissioner", region_code="371322")
    client.post("/login", data={"username": other.username, "password": TEST_PASSWORD})
    assert client.get(f"/households/{household.id}").status_code == 403
    assert "周建国" not in client.get("/households/?show=cleared").get_data(as_text=True)
    client.post("/logout")
    login_as("enterprise")
    assert client.get("/households/").status_code == 403
