import BayesFlow

/// The end point g(x) is the forward model; the simulator is deterministic unless `noise` > 0.
extension InverseKinematics: ForwardModel {
  public var isDeterministic: Bool { noise == 0 }
}
