"""Authentication (Flask-Login sessions) and the access policy every view declares."""
