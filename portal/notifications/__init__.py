"""Notifications: the inbox, e-mail and WhatsApp channels every app sends through.

Part of the ground (with portal.accounts and portal.lib): it imports no app, and points at the
subject of a notification generically (content type + object id).
"""
