"""Legal constants as data: one value per rule code, with its legal basis and validity dates."""
