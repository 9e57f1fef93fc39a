"""Imports every model module so ``Base.metadata`` is complete (for Alembic and test schemas).

Add a line here when a domain gains a ``models.py``.
"""
from core.accounts import models as _accounts  # noqa: F401
from core.alerts import models as _alerts  # noqa: F401
from core.applications import models as _applications  # noqa: F401
from core.audit import models as _audit  # noqa: F401
from core.channels import models as _channels  # noqa: F401
from core.dedup import models as _dedup  # noqa: F401
from core.enterprises import models as _enterprises  # noqa: F401
from core.fairs import models as _fairs  # noqa: F401
from core.households import models as _households  # noqa: F401
from core.ingest import models as _ingest  # noqa: F401
from core.livestreams import models as _livestreams  # noqa: F401
from core.matching import models as _matching  # noqa: F401
from core.monitoring import models as _monitoring  # noqa: F401
from core.notifications import models as _notifications  # noqa: F401
from core.outbox import models as _outbox  # noqa: F401
from core.postings import models as _postings  # noqa: F401
from core.projects import models as _projects  # noqa: F401
from core.reference import models as _reference  # noqa: F401
from core.review import models as _review  # noqa: F401
from core.screening import models as _screening  # noqa: F401
from core.seekers import models as _seekers  # noqa: F401
from core.statistics import models as _statistics  # noqa: F401
from core.subsidies import models as _subsidies  # noqa: F401
from core.validity import models as _validity  # noqa: F401
from core.db import Base

metadata = Base.metadata
