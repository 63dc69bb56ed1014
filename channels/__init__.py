"""Rasa input channels: thin glue between Rasa's server and the protocol code in `bot/`."""
