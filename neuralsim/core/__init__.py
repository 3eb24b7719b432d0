"""The bottom layer: the input contract and its errors, the parameter table, the joints, a posture, a body.

Nothing here knows about nerves or muscles; every layer above builds on these.
"""
