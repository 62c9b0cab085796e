/// Settings of a reconcile pass; every field has a default.
public struct ReconcilerConfiguration: Sendable {
    /// The state directory: database, outputs, attempt folders, checkouts, mirrors.
    public var stateDirectory: String
    /// The argv prefix that runs the task supervisor (`sluice-supervisor`, next to `sluice`).
    public var supervisorCommand: [String]
    /// Read manifests only under this folder of the repository.
    public var manifestFolder: String?
    /// The folder holding one file per secret (`--secrets-dir`); nil when none is given.
    public var secretsDirectory: String?
    /// With `--verify-signatures`: only commits signed by a key it lists are applied.
    public var signatureVerifier: SignatureVerifier?
    /// The branch status commits go to.
    public var statusBranch = "sluice/status"
    /// Write `plans/<branch>.md` for every other branch of the repository (pull-request review).
    public var branchPlans = true
    /// Branch patterns (`exp/*`) whose work is run, not only planned, with capacity the followed ref leaves free.
    public var previewBranches: [String] = []
    /// Push the status branch after committing (for repositories mirrored from a remote).
    public var pushStatus = false
    /// Predicted duration of a task with no `estimate` and no history, for ordering.
    public var defaultDuration = 60.0
    /// First retry delay in seconds; each further retry waits twice as long.
    public var retryBaseDelay = 1.0
    /// The longest back-off between two attempts (services restarted after crashes, failing passes).
    public var maxRetryDelay = 60.0
    /// True for the controller: services are kept running between passes. False for `apply`, which stops them.
    public var servicesStayUp = false
    /// How long a new service may take to pass its health check.
    public var serviceStartTimeout = 30.0
    /// A healthy service is restarted only after failing its health checks for this many seconds. Not less: on a
    /// loaded machine a live service can miss a few 1 s probes, and restarting it then makes the outage it feared.
    public var unhealthyGrace = 10.0
    /// A service checked by process liveness counts as healthy once it has lived this long.
    public var processHealthGrace = 1.0
    /// Time budget of the optimizer for a pass's schedule, in seconds (small problems finish sooner: the search
    /// stops when it meets the lower bound).
    public var scheduleTimeLimit = 1.0
    /// The search for a pass's schedule stops once it is at most this fraction above the lower bound.
    public var scheduleTargetGap = defaultScheduleTargetGap
    /// 2 %: the plan shows the same schedule `apply` will follow.
    public static let defaultScheduleTargetGap = 0.02
    /// Time budget when re-optimizing what has not started after an attempt ended far from its prediction.
    public var replanTimeLimit = 0.2
    /// An attempt whose duration is off its prediction by more than half the prediction and by more than this many
    /// seconds triggers a re-optimization.
    public var replanThreshold = 2.0
    /// Re-optimizing what has not started happens at most this often, in seconds: it is worth it only when it can
    /// change the order of real work, never after every short task.
    public var replanInterval = 1.0
    /// Re-optimizing is skipped when more tasks than this have not started.
    public var replanTaskLimit = 2_000
    /// At most this many seconds pass between an attempt's start and its record in the store; a shorter attempt's
    /// start is recorded with its end, in one commit.
    public var startRecordDelay = 0.05
    /// Seconds between two health checks of a running service.
    public var healthCheckInterval = 0.1

    public init(stateDirectory: String, supervisorCommand: [String]) {
        self.stateDirectory = stateDirectory
        self.supervisorCommand = supervisorCommand
    }
}
