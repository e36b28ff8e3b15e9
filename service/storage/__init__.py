"""Persistence: issued cards and feedback."""
