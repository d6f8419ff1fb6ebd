"""Signatures: the test PKI, virtual cards on SoftHSM, and Kanta's XMLDSig profile."""
