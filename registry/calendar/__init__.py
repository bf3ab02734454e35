"""The working-day calendar every deadline is counted with: Monday–Friday, minus public holidays,
plus the Saturdays the government swaps into working days; editable by an admin."""
