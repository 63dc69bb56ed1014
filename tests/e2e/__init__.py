"""Whole conversations through the real Rasa and action servers."""
