"""Room state of the lobby and training rooms: plain classes, no web framework, domain exceptions."""
