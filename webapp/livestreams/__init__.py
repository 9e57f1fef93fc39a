"""Livestream job promotion pages (/live)."""
