"""Matching pages and API: ranked jobseekers per posting (commissioners), recommended posts
(jobseekers), and the JSON API for enterprises and commissioners."""
