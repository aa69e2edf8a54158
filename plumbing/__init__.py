"""The plumbing every request gets, whatever the product: settings, the page-or-fragment
decision, templates, error pages, security, sessions, headers, static files, the request log,
the database and its file, backups. Nothing here imports the product (submissions/)."""
