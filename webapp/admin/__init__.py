"""Administration pages: channels and staff accounts (admin only)."""
