"""Fast tests: no trained model, no Rasa server (`make unit`)."""
