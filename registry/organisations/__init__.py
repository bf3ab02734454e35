"""Organisations: network operators, infrastructure owners and other legal persons."""
