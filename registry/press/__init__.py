"""The press registry: outlets active in the province (and the offices and correspondents of outlets
based elsewhere), their licences with amendments, notifications with statutory lead times, and the
annual reports of general-information websites."""
