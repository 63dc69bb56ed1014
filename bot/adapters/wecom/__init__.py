"""WeCom (企业微信) self-built app protocol: settings, callback crypto, message XML, ordering
and de-duplication of callbacks, rendering of bot replies, and the active message API client.

Nothing here knows Rasa; `channels/wecom.py` connects these pieces to a Rasa input channel.
"""
