// \(t): module under construction.
