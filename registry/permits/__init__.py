"""Permits and certificates of sites and stations, operators' frequency licences, the rules saying
which permits a site or station needs, the permit check and the lists officers work from."""
