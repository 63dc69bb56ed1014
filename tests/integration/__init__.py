"""Tests that need the trained model or real servers and exercise one part."""
