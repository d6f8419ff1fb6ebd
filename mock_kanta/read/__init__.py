"""The read area: searching and retrieving documents (modelled messages), role profiles, access checks."""
