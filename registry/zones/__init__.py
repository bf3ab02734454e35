"""Planning zones for passive telecom infrastructure and the spacing rules between bulky poles."""
