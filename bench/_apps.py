"""A throw-away JobLink app for the benchmarks that call the services in-process (bench/statistics.py,
monitoring_stats.py): a fresh SQLite database in ``folder`` with the schema and the reference data."""
from __future__ import annotations

from pathlib import Path


def make_app(folder: Path, db_name: str):
    from core.all_models import metadata
    from core.reference.services import load_reference_data
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / db_name}",
                      "INSTANCE_PATH": str(folder), "SEARCH_BACKEND": "null", "SECRET_KEY": "bench",
                      "JOBLINK_PII_KEY": "q0ngtt8xiqsQ2qXEMo2s6lhZC7U2S8m1QzVhM1F4y3I=",
                      "JOBLINK_PII_HASH_KEY": "bench"})
    with app.app_context():
        metadata.create_all(db.engine)
        load_reference_data(db.session)
        db.session.commit()
    return app
