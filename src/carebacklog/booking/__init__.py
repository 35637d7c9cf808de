"""carebacklog.booking"""
