print("bayesflow")
