"""Scanned documents (PDF or image) attached to records, stored with their SHA-256 checksum."""
