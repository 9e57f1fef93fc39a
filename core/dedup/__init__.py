"""Deduplication state the pipeline persists: one fingerprint per canonical posting."""
