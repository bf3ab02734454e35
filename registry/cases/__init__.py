"""Inspection, complaint, denunciation and petition cases. So far: the legal deadlines as data
(`deadline_rule`) and their computation on the working-day calendar."""
