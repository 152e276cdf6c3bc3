"""Thin REST views: parse with schemas, call a service, dump with schemas."""
