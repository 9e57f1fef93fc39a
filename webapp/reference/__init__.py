"""Reference data over HTTP: region typeahead for the forms that ask for a place."""
