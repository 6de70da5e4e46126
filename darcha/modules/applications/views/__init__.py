"""Pages of the applications module: apply, the citizen's cabinet, public status, the back
office, service centres and statistics. They parse, authorise and call ``api``."""
