"""Configuration from environment variables with declared defaults (documented in README.md)."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from core.crypto import PersonalDataCipher
from core.db import ENGINE_DEFAULTS

REPO_ROOT = Path(__file__).resolve().parents[1]

# name -> (default, description). The README's configuration table is generated from this.
SETTINGS: dict[str, tuple[str | None, str]] = {
    "DATABASE_URL": (None, "SQLAlchemy URL; default sqlite:///<instance>/joblink.db"),
    "SQLITE_BUSY_TIMEOUT_MS": ("30000", "SQLite: how long a write waits for the one before it (milliseconds) before it fails"),
    "SECRET_KEY": (None, "Flask session signing key; generated into instance/secrets.json when unset"),
    "JOBLINK_PII_KEY": (None, "Fernet key encrypting ID numbers; generated into instance/secrets.json when unset"),
    "JOBLINK_PII_HASH_KEY": (None, "HMAC key for ID-number look-up hashes; generated when unset"),
    "SEARCH_BACKEND": ("embedded", "embedded | elasticsearch | null"),
    "ELASTICSEARCH_URL": (None, "e.g. http://localhost:9200 (used when SEARCH_BACKEND=elasticsearch)"),
    "ELASTICSEARCH_PREFIX": ("joblink", "prefix of the Elasticsearch index and alias names (<prefix>-postings, <prefix>-seekers)"),
    "SEARCH_RESULT_CACHE": ("256", "embedded search: answers each process keeps for queries asked again while the index has not changed (0: none; docs/search.md)"),
    "SEARCH_VECTOR_DIMS": ("0", "size of the Elasticsearch dense_vector field for nearest-neighbour search; 0: no vector field"),
    "RATELIMIT_STORAGE_URI": ("joblink-memory://", "Flask-Limiter storage: each worker's memory by default, or shared, e.g. redis://localhost:6379/0"),
    "LOGIN_RATE_LIMIT": ("10 per minute;50 per hour", "login attempts per client address"),
    "REGISTER_RATE_LIMIT": ("20 per hour", "self-registration submissions per client address"),
    "PARTNER_RATE_LIMIT": ("120 per minute", "partner API calls per verified channel key"),
    "PARTNER_UNVERIFIED_RATE_LIMIT": ("20 per minute", "partner API calls with a missing or wrong key, per client address"),
    "STREAM_RATE_LIMIT": ("60 per minute", "change feed (/api/v1/stream) and posting reads (/api/v1/postings/<id>) per channel key, or per client address without one"),
    "STATS_SHORTAGE_RULES": ("", "JSON thresholds of the shortage catalogue, e.g. {\"ratio\": 1.5, \"quarters\": 2, \"min_demand\": 5, \"projects\": true}; unset: these defaults"),
    "STATS_REFRESH_MINUTES": ("15", "how often the scheduler looks for changed postings or jobseekers and, if any changed (or a new day began), recounts the statistics (minutes; a refresh takes minutes at a province's size)"),
    "REGISTER_ID_RATE_LIMIT": ("5 per hour", "jobseeker registrations naming the same ID number, from any address"),
    "PASSWORD_RESET_RATE_LIMIT": ("10 per hour", "forgotten-password requests and code entries per client address"),
    "PASSWORD_RESET_TARGET_RATE_LIMIT": ("5 per hour", "forgotten-password requests and code entries naming the same account, from any address"),
    "PASSWORD_RESET_CODE_MINUTES": ("10", "how long a password reset code sent by SMS stays valid (minutes)"),
    "TRUSTED_PROXIES": ("0", "reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0: none, the client address is the peer's)"),
    "MATCHER_MODEL": (None, "path of a local sentence-transformers model; default instance/models/joblink-zh"),
    "MATCHER_RANKER": ("learned", "order of 为我推荐: learned (the ranker `joblink ranker train` or `joblink setup` saved beside the model; the hand-set score while none is saved) or score (the hand-set weights always); docs/matching.md"),
    "MATCHER_WEIGHTS": (None, "JSON weights of the ranking features, e.g. {\"semantic\": 0.4}; unset: the defaults in docs/matching.md"),
    "FAIR_FOLLOW_UP_DAYS": ("7", "days after a job fair (or after the intention, if later) that a hiring intention's call-back task falls due"),
    "JOBLINK_SHARED_DATA": (str(REPO_ROOT.parent / "shared" / "data"), "full real data sets for demo load and benchmarks (default: beside the repository)"),
    "SESSION_COOKIE_SECURE": ("0", "1 behind HTTPS"),
    "WEB_BIND": ("127.0.0.1:5000", "address the production server (`joblink serve`) listens on; --host/--port override it"),
    "WEB_WORKERS": (None, "gunicorn worker processes of `joblink serve`; default 2 × CPU cores + 1, at most 8"),
    "WEB_THREADS": ("2", "threads per gunicorn worker (gthread): 2 measured best with SQLite and the embedded index on an idle 2-core machine (4 worse); more when the database and search are across a network"),
    "JOBLINK_INSTANCE": (None, "instance folder (database, search index, model, secrets); default instance/ in the repository"),
    "NOTIFY_ADAPTER": ("log", "how SMS/e-mail copies of notifications leave: log (a local file, nothing sent) | gateway (NOTIFY_SMS_* and NOTIFY_SMTP_*) | module:factory (a bureau's own adapter; docs/notifications.md)"),
    "NOTIFY_LOG_FILE": (None, "file the log adapter appends messages to; default instance/outbox/messages.jsonl"),
    "NOTIFY_SMS_URL": (None, "gateway adapter: the SMS gateway's HTTP endpoint (JSON POST of to, text, sign)"),
    "NOTIFY_SMS_TOKEN": (None, "gateway adapter: bearer token for the SMS gateway"),
    "NOTIFY_SMS_SIGN": (None, "gateway adapter: the SMS signature the carrier registered (e.g. 【某市人社】)"),
    "NOTIFY_SMTP_HOST": (None, "gateway adapter: SMTP server for e-mail"),
    "NOTIFY_SMTP_PORT": ("25", "gateway adapter: SMTP port"),
    "NOTIFY_SMTP_STARTTLS": ("0", "gateway adapter: 1 to upgrade the SMTP connection with STARTTLS"),
    "NOTIFY_SMTP_USER": (None, "gateway adapter: SMTP user (unset: no login)"),
    "NOTIFY_SMTP_PASSWORD": (None, "gateway adapter: SMTP password"),
    "NOTIFY_MAIL_FROM": (None, "gateway adapter: sender address of e-mail"),
    "PUBLIC_BASE_URL": (None, "the site's address as people reach it (e.g. https://jobs.example.gov.cn), for links in text messages; unset: the address of the request or the path alone"),
}


def instance_folder(env: dict[str, str] | None = None) -> Path:
    """Where the instance data lives: ``JOBLINK_INSTANCE``, or ``instance/`` at the repository root."""
    env = os.environ if env is None else env
    return Path(env.get("JOBLINK_INSTANCE") or REPO_ROOT / "instance")


def settings_table() -> str:
    """The README's configuration table, rendered from SETTINGS (a test keeps the README equal to it)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, (default, doc) in SETTINGS.items():
        if default is not None and os.path.isabs(default):
            default = os.path.relpath(default, REPO_ROOT)  # a path beside the checkout, not this machine's
        shown = f"`{default}`" if default is not None else "—"
        rows.append(f"| `{name}` | {cell(shown)} | {cell(doc)} |")
    return "\n".join(rows)


def _instance_secrets(instance_path: Path) -> dict[str, str]:
    """Development secrets, generated once and kept so restarts can still read encrypted data."""
    path = instance_path / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    enc, hsh = PersonalDataCipher.generate_keys()
    data = {"SECRET_KEY": secrets.token_urlsafe(48), "JOBLINK_PII_KEY": enc, "JOBLINK_PII_HASH_KEY": hsh}
    instance_path.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return data


def load_config(instance_path: Path, env: dict[str, str] | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    cfg: dict = {}
    for name, (default, _doc) in SETTINGS.items():
        cfg[name] = env.get(name, default)
    missing = [k for k in ("SECRET_KEY", "JOBLINK_PII_KEY", "JOBLINK_PII_HASH_KEY") if not cfg.get(k)]
    if missing:
        generated = _instance_secrets(instance_path)
        for k in missing:
            cfg[k] = generated[k]
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg.pop("DATABASE_URL") or f"sqlite:///{instance_path / 'joblink.db'}"
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **ENGINE_DEFAULTS}
    cfg["MATCHER_MODEL"] = cfg["MATCHER_MODEL"] or str(instance_path / "models" / "joblink-zh")
    cfg["SEARCH_INDEX_DIR"] = str(instance_path / "search")
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = str(cfg["SESSION_COOKIE_SECURE"]) == "1"
    cfg["REMEMBER_COOKIE_HTTPONLY"] = True
    cfg["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    cfg["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024  # uploads; the spreadsheet reader has its own limit
    cfg["RATELIMIT_HEADERS_ENABLED"] = True
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # a form left open on a phone all afternoon still submits
    return cfg
