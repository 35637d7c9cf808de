"""carebacklog.synth"""
