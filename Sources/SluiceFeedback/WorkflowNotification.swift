import Foundation

/// What Sluice posts to a notification webhook when a workflow or a service changes for the worse or the better.
///
/// Encoded as JSON with sorted keys; absent optionals are left out. Chat webhooks (Slack, Mattermost) show `text`
/// as it is, other receivers read the fields.
public struct WorkflowNotification: Sendable, Codable, Equatable {
    /// A task that failed, with what its caller already stripped of secrets.
    public struct FailedTask: Sendable, Codable, Equatable {
        public var task: String
        public var message: String?
        /// The last lines of the task's log.
        public var logTail: String?

        public init(task: String, message: String? = nil, logTail: String? = nil) {
            self.task = task
            self.message = message
            self.logTail = logTail
        }
    }

    /// `workflow.failed`, `workflow.recovered`, `workflow.succeeded` or `service.unhealthy`.
    public var event: String
    public var workflow: String
    /// The workflow's phase now: `failed`, `succeeded`, `running`, …
    public var phase: String
    public var previousPhase: String?
    /// The full hexadecimal sha of the commit the workflow ran.
    public var commit: String?
    /// The first line of that commit's message.
    public var commitSummary: String?
    /// The service, for `service.unhealthy`.
    public var task: String?
    /// Why, when no failed task says it: a health check's failure, an invalid manifest.
    public var reason: String?
    public var failedTasks: [FailedTask]
    /// Where to see more: the dashboard's page for the workflow.
    public var link: String?
    /// When it happened; RFC 3339 in UTC.
    public var time: Date
    /// One line for people, with the ends of failed tasks' logs after it; built from the other fields.
    public var text: String

    public init(event: String, workflow: String, phase: String, previousPhase: String? = nil, commit: String? = nil,
                commitSummary: String? = nil, task: String? = nil, reason: String? = nil, failedTasks: [FailedTask] = [],
                link: String? = nil, time: Date = Date()) {
        self.event = event
        self.workflow = workflow
        self.phase = phase
        self.previousPhase = previousPhase
        self.commit = commit
        self.commitSummary = commitSummary
        self.task = task
        self.reason = reason
        self.failedTasks = failedTasks
        self.link = link
        // Whole seconds, as RFC 3339 carries them: a notification read back from its JSON equals the one sent.
        self.time = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        self.text = ""
        self.text = NotificationText(self).render()
    }
}
