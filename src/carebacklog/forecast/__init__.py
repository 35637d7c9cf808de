"""carebacklog.forecast"""
