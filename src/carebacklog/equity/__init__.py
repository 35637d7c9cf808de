"""carebacklog.equity"""
