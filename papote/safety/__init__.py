"""Safety: detectors as plug-ins and one policy. Content and context in, verdict out; writes nothing."""
