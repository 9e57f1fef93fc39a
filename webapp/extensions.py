"""Flask extensions, created unbound and initialised in ``create_app``."""
from __future__ import annotations

import threading
import time

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage

from core.all_models import metadata

# Flask-SQLAlchemy only manages engine and session here; the models are core's plain SQLAlchemy
# mappings (core has no Flask), shared through the metadata.
db = SQLAlchemy(metadata=metadata)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage (``joblink-memory://``, the default), except that expired counters are
    swept inside a request at most once a second: limits' own (``memory://``) starts a new timer thread
    after nearly every hit, 0.4 ms of CPU a request measured under load, 6 % of a search request.
    Counting is unchanged: an expired counter reads as zero whether or not it was swept yet."""

    STORAGE_SCHEME = ["joblink-memory"]
    SWEEP_EVERY = 1.0  # seconds

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the first timer limits starts; no other is started
        self._sweep_lock, self._next_sweep = threading.Lock(), 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # limits calls it on every hit
        now = time.monotonic()
        if now >= self._next_sweep and self._sweep_lock.acquire(blocking=False):
            try:
                self._next_sweep = now + self.SWEEP_EVERY
                self._MemoryStorage__expire_events()
            finally:
                self._sweep_lock.release()
