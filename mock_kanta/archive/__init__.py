"""The archive area: the archive service, its HTTP endpoint and the validation clone."""
