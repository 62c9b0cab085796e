/// A min-heap of task positions without duplicates: dirty tasks are evaluated in dependency order.
struct IndexHeap {
    private var items: [Int] = []
    private var members = Set<Int>()

    var isEmpty: Bool { items.isEmpty }

    mutating func insert(_ value: Int) {
        guard members.insert(value).inserted else { return }
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Int? {
        guard let first = items.first else { return nil }
        members.remove(first)
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count, items[left] < items[smallest] { smallest = left }
                if right < items.count, items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
