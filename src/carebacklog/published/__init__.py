"""carebacklog.published"""
