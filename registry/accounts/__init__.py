"""Accounts, roles, login tokens and the permission table every registry is checked against."""
