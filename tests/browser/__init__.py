"""The web app in a real browser (headless chromium), against the real servers."""
