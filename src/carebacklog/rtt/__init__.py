"""carebacklog.rtt"""
