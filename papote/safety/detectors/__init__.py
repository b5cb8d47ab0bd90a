"""Safety detectors: each one turns a `Content` into `Signal`s (see `papote.safety.base.Detector`)."""

from papote import native

native.activate(__name__, __path__)
