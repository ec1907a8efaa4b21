"""Case data is deliberately not in the admin.

The system administrator manages master data (hubs, users, memberships, code lists) and has
no case role (DESIGN.md): households, persons, intakes, cases and consents are reached only
through the app's views, which apply the access policy and write the access log.
"""
