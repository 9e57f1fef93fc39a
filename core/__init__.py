"""JobLink's domain: models, use cases, reference data, outbox and the search port.

Nothing here imports Flask, Elasticsearch, ``webapp`` or ``indexer``.
"""
