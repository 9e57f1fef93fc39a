"""Matching as a use case: stored ranked lists, commissioners' overrides, cached embeddings."""
