"""Rasa SDK custom actions: translate between Rasa's tracker/dispatcher and `bot/`."""
