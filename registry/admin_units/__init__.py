"""Administrative units (province, former districts, communes), kept with their validity dates.

Since 1 July 2025 local government has two tiers; former districts stay for historical addresses.
"""
