"""The board's Flask-WTF forms, by area: ``fields`` holds what they share.

Limits come from the services, so a form never accepts what a service would refuse; the services check
again, because the importer and the API do not come through these forms.
"""
