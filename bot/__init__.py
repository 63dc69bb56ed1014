"""salescoach domain logic: methodology data, text handling and (later) scoring.

Nothing here imports Rasa, so it runs and is tested without a Rasa server.
"""
