// Simulators: module under construction.
