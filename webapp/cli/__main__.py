"""``python -m webapp.cli …`` is ``joblink …`` (how ``joblink serve`` starts the outbox relay)."""
from webapp.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
