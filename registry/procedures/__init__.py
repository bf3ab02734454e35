"""Administrative procedures and one-stop-shop dossiers: the catalogue, the desk, outcomes and reports."""
