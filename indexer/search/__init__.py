"""Search backends: the shared Chinese analyser, the embedded engine and Elasticsearch."""
