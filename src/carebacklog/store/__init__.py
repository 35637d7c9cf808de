"""carebacklog.store"""
