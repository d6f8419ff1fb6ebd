"""The tenants area: create, reset and delete sandbox tenants."""
