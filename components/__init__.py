"""Custom Rasa NLU components; thin wrappers around the Rasa-free code in `bot/`."""
