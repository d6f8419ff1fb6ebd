"""Background jobs: long work (seeding a tenant) run by a thread of the serving process, its progress in the database."""
