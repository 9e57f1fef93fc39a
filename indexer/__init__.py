"""The aggregation pipeline: channel adapters -> normalise -> screen -> dedup -> persist -> outbox,
and the relay that keeps the search backends true to the database."""
