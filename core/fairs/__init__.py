"""Job fairs (招聘会): the fair, its booths, registrations, check-in, conversations and follow-ups."""
