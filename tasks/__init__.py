"""Huey tasks: thin, they take ids or plain values and call services."""
