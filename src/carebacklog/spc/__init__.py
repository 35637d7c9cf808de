"""carebacklog.spc"""
