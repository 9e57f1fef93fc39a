"""SMS and e-mail copies of notifications: a local outbox table and the step that empties it.

``queue_delivery`` adds a row in the caller's transaction (nothing leaves the machine there).
``deliver_pending`` claims a batch in one short write transaction, sends each copy through the
adapter with no transaction open, and records the outcomes in another short one. A copy is sent at
least once: a send that failed is tried again on the next run, up to ``MAX_ATTEMPTS`` times.

The adapter is chosen by the ``NOTIFY_ADAPTER`` setting (``make_adapter``): ``log`` (the default, and
what tests use) appends each message to a local file; ``gateway`` sends SMS through an HTTP gateway
and e-mail through SMTP; ``package.module:factory`` is a bureau's own adapter. docs/notifications.md
says how to plug one in.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import smtplib
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import begin_write, utcnow

from .models import Notification, NotificationDelivery

CHANNELS = ("sms", "email")
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
MAX_ATTEMPTS = 5
SMS_MAX = 300  # characters of one text message (a long one is cut, the link is in the inbox)


class DeliveryFailed(Exception):
    """The adapter could not hand the message over; the outbox tries again later."""


@dataclass(frozen=True)
class OutgoingMessage:
    id: int
    channel: str  # "sms" | "email"
    address: str
    subject: str
    body: str


class DeliveryAdapter(Protocol):
    """What a bureau's SMS gateway or mail server must offer: send one message or raise DeliveryFailed."""

    def send(self, message: OutgoingMessage) -> None: ...


class LogAdapter:
    """Appends every message as one JSON line to a local file (no network): the default."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, message: OutgoingMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"at": utcnow().isoformat() + "Z", "id": message.id, "channel": message.channel,
                "to": message.address, "subject": message.subject, "body": message.body}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")

    def sent(self) -> list[dict]:
        """What was written so far (tests, and a bureau checking what would have gone out)."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]


class GatewayAdapter:
    """SMS through an HTTP gateway (a JSON POST) and e-mail through SMTP, as the settings say."""

    def __init__(self, config: dict):
        self.config = config

    def send(self, message: OutgoingMessage) -> None:
        try:
            if message.channel == "sms":
                self._sms(message)
            else:
                self._email(message)
        except DeliveryFailed:
            raise
        except Exception as exc:  # any transport error: the outbox tries again later
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc

    def _sms(self, message: OutgoingMessage) -> None:
        url = self.config.get("NOTIFY_SMS_URL")
        if not url:
            raise DeliveryFailed("NOTIFY_SMS_URL is not set")
        payload = json.dumps({"to": message.address, "text": message.body[:SMS_MAX],
                              "sign": self.config.get("NOTIFY_SMS_SIGN") or ""}).encode()
        req = urllib.request.Request(url, data=payload, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {self.config.get('NOTIFY_SMS_TOKEN') or ''}"})
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 (the bureau's own gateway)
            if resp.status >= 300:
                raise DeliveryFailed(f"gateway answered {resp.status}")

    def _email(self, message: OutgoingMessage) -> None:
        host = self.config.get("NOTIFY_SMTP_HOST")
        if not host:
            raise DeliveryFailed("NOTIFY_SMTP_HOST is not set")
        mail = EmailMessage()
        mail["From"] = self.config.get("NOTIFY_MAIL_FROM") or "noreply@localhost"
        mail["To"] = message.address
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(host, int(self.config.get("NOTIFY_SMTP_PORT") or 25), timeout=10) as smtp:
            if str(self.config.get("NOTIFY_SMTP_STARTTLS") or "0") == "1":
                smtp.starttls()
            if self.config.get("NOTIFY_SMTP_USER"):
                smtp.login(self.config["NOTIFY_SMTP_USER"], self.config.get("NOTIFY_SMTP_PASSWORD") or "")
            smtp.send_message(mail)


def make_adapter(config: dict, instance_path: str | Path) -> DeliveryAdapter:
    """The adapter ``NOTIFY_ADAPTER`` names: ``log`` (default), ``gateway`` or ``module:factory``
    (called with the configuration)."""
    name = (config.get("NOTIFY_ADAPTER") or "log").strip()
    if name == "log":
        return LogAdapter(config.get("NOTIFY_LOG_FILE") or Path(instance_path) / "outbox" / "messages.jsonl")
    if name == "gateway":
        return GatewayAdapter(config)
    module, _, attr = name.partition(":")
    if not attr:
        raise ValueError(f"NOTIFY_ADAPTER: log, gateway or module:factory, not {name!r}")
    return getattr(importlib.import_module(module), attr)(config)


def queue_delivery(session: Session, note: Notification, *, channel: str, address: str | None) -> NotificationDelivery | None:
    """A copy of ``note`` to send by ``channel`` to ``address`` (in the caller's transaction); nothing
    is queued without an address."""
    if channel not in CHANNELS:
        raise ValueError(channel)
    if not address:
        return None
    body = note.title + ("：" + note.body if note.body else "")
    row = NotificationDelivery(notification_id=note.id, user_id=note.user_id, channel=channel, address=address,
                               subject=note.title, body=body[:SMS_MAX] if channel == "sms" else body,
                               state=PENDING, attempts=0)
    session.add(row)
    session.flush()
    return row


@dataclass
class DeliveryRun:
    sent: int = 0
    failed: int = 0  # tried again later
    given_up: int = 0


def _claim(session: Session, batch: int, after_id: int) -> list[OutgoingMessage]:
    begin_write(session)
    rows = session.scalars(select(NotificationDelivery).where(NotificationDelivery.state == PENDING,
                                                              NotificationDelivery.id > after_id)
                           .order_by(NotificationDelivery.id).limit(batch)).all()
    claimed = []
    for r in rows:
        r.state, r.attempts = SENDING, (r.attempts or 0) + 1
        claimed.append(OutgoingMessage(r.id, r.channel, r.address, r.subject, r.body))
    session.commit()
    return claimed


def _record(session: Session, outcomes: dict[int, str | None], run: DeliveryRun, now: dt.datetime) -> None:
    begin_write(session)
    for row in session.scalars(select(NotificationDelivery).where(NotificationDelivery.id.in_(list(outcomes)))):
        error = outcomes[row.id]
        if error is None:
            row.state, row.sent_at, row.last_error = SENT, now, None
            run.sent += 1
        elif row.attempts >= MAX_ATTEMPTS:
            row.state, row.last_error = FAILED, error[:300]
            run.given_up += 1
        else:
            row.state, row.last_error = PENDING, error[:300]
            run.failed += 1
    session.commit()


def deliver_pending(session: Session, adapter: DeliveryAdapter, *, batch: int = 100,
                    now: dt.datetime | None = None) -> DeliveryRun:
    """Send what the outbox holds, one batch at a time, never holding a transaction while sending."""
    run = DeliveryRun()
    last_id = 0  # a copy that failed waits for the next run, not the next batch
    while True:
        claimed = _claim(session, batch, last_id)
        if not claimed:
            return run
        last_id = claimed[-1].id
        outcomes: dict[int, str | None] = {}
        for message in claimed:
            try:
                adapter.send(message)
                outcomes[message.id] = None
            except DeliveryFailed as exc:
                outcomes[message.id] = str(exc) or "failed"
        _record(session, outcomes, run, now or utcnow())
        if len(claimed) < batch:
            return run


def requeue_stuck(session: Session) -> int:
    """Copies left "sending" by a process that stopped mid-send go back to the queue (at least once).
    Run where no other delivery is running (the scheduler does, when it starts)."""
    begin_write(session)
    rows = session.scalars(select(NotificationDelivery).where(NotificationDelivery.state == SENDING)).all()
    for r in rows:
        r.state = PENDING
    session.commit()
    return len(rows)
