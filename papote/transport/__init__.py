"""Transport: HTTP routes and the WebSocket protocol. Knows Starlette, never SQL."""
