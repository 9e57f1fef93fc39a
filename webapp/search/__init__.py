"""Jobseekers' search: page, JSON API and typeahead, served from the search backend."""
