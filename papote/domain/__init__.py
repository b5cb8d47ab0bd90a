"""Chat domain: people, rooms, messages, private conversations. No web framework here."""
