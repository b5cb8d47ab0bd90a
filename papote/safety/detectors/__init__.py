"""Safety detectors: each one turns a `Content` into `Signal`s (see `papote.safety.base.Detector`)."""
