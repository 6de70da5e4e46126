"""Names of the events the forms module publishes."""

# payload: {"versions": {form name: new version number}, "withdrawn": [form names]}
FORMS_LOADED = "forms.loaded"
