import Foundation

/// Single flight for `/healthz` (issue #13 item 1): a probe that arrives while a check of the database is
/// running waits for that check's answer instead of starting its own, so a burst of probes (several load
/// balancers, a monitoring storm) costs the database one round trip. Nothing is remembered: a probe that
/// arrives when no check is running starts a new one, so no answer is older than the check in flight.
actor DatabaseHealthFlight {
    private var running: Task<Bool, Never>?

    func isHealthy(_ check: @escaping @Sendable () async -> Bool) async -> Bool {
        if let running { return await running.value }
        let task = Task { [weak self] in
            let healthy = await check()
            await self?.landed()
            return healthy
        }
        running = task
        return await task.value
    }

    private func landed() {
        running = nil
    }
}
