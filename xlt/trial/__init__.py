"""One trial, plain Python (no Ray): its plan expanded from the sweep (`expand`, `plan`, `keys`),
its units over a backend (`units`), the torch backend with its data and training loop
(`torch_backend`, `data`, `train`) and where it runs (`runtime`)."""
