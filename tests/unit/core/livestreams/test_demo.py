"""The demo livestream: made once by the demo set-up, of the demo commissioner, its talking points
taken from the postings so the claims check lets it go live."""
from __future__ import annotations

from sqlalchemy import select

from core.accounts.models import User
from core.demo.services import create_demo_accounts
from core.livestreams import services as svc
from core.livestreams.demo import DEMO_TITLE
from core.livestreams.models import LiveSession


def test_demo_session_is_made_once_and_passes_the_claims_check(db_session, live_posting, screen):
    live_posting("仓库管理员", region_code="440106", pay_min=5000, pay_max=6500, pay_monthly_max=6500)
    live_posting("钢筋工", region_code="440106", pay_min=300, pay_max=350, pay_unit="day", pay_monthly_max=None,
                 description="钢筋工，按天结算。")
    first = create_demo_accounts(db_session)
    assert first["livestream"] == DEMO_TITLE
    assert create_demo_accounts(db_session)["livestream"] == "(unchanged)"
    live = db_session.scalar(select(LiveSession).where(LiveSession.title == DEMO_TITLE))
    host = db_session.scalar(select(User).where(User.username == "demo_commissioner"))
    assert live.is_demo and live.status == "planned" and live.commissioner_ids == [host.id]
    assert [i.posting.title for i in live.items][:2] == ["仓库管理员", "钢筋工"]
    assert "300–350 元/天" in live.items[1].talking_points
    assert svc.claims_for(live, screen) == []
    assert svc.go_live(db_session, host, live.id, screen=screen).status == "live"
