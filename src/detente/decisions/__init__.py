"""Actors who choose: options, policies, beliefs and signals, escalation."""
