"""Marshmallow schemas for the REST API and the WebSocket messages."""
