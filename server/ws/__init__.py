"""The WebSocket layer: handshake, one connection object per socket, message handlers, delivery."""
