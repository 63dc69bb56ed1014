"""salescoach domain logic: methodology data, text handling, scoring.

Nothing here needs a running Rasa server; only `bot.nlu_model` imports Rasa, and only when a
trained model is loaded.
"""
