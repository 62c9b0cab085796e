import Foundation

/// When a search must stop: a number of schedule-generation passes, or a point in time.
struct Budget {
    let maxPasses: Int
    let deadline: UInt64

    init(timeLimit: Double, maxIterations: Int?, from start: UInt64) {
        maxPasses = maxIterations ?? .max
        deadline = start &+ UInt64(max(0, min(timeLimit, 1e9)) * 1e9)
    }

    func exhausted(passes: Int) -> Bool {
        passes >= maxPasses || DispatchTime.now().uptimeNanoseconds >= deadline
    }
}
