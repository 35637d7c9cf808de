"""carebacklog.web"""
