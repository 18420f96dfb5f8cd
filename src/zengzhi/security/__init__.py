"""Credentials: password and one-time-code hashing, merchant request signatures."""
