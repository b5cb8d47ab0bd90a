"""The web client: static pages served by the app, no build step."""
