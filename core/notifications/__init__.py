"""Notifications (站内消息): every event that concerns a person, in their inbox, and through the
bureau's SMS/e-mail adapter when they asked for it."""
