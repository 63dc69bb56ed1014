"""Response headers that keep the pages from being framed, sniffed or made to run foreign
script, set by Flask-Talisman. Pages load their script and style from the app itself; the
SVG charts carry inline styles, hence 'unsafe-inline' for style only. HTTPS redirects and
HSTS follow WEB_SECURE_COOKIES (the app behind an HTTPS proxy), not Talisman's defaults.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def security_headers(app: Flask) -> None:
    https = bool(app.config.get("SESSION_COOKIE_SECURE"))
    Talisman(
        app,
        content_security_policy=POLICY,
        frame_options="DENY",
        force_https=False,  # the proxy terminates TLS and redirects
        strict_transport_security=https,
        session_cookie_secure=https,
        referrer_policy="same-origin",
    )
