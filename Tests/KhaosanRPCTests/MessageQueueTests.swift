import KhaosanRPC
import KhaosanUnixTransport
import NIOCore
import NIOPosix
import Testing

@Suite("MessageQueue")
struct MessageQueueTests {
    @Test func deliversQueuedMessagesInOrderThenTheEnd() async throws {
        let q = MessageQueue()
        for i in 0..<5 { q.yield(MessageBuffer(Array("\(i)".utf8))) }
        q.finish()
        q.yield(MessageBuffer(Array("after the end".utf8)))  // dropped: the end is final
        var got: [String] = []
        while let m = try await q.next() { got.append(String(decoding: m.bytes, as: UTF8.self)) }
        #expect(got == ["0", "1", "2", "3", "4"])
        #expect(try await q.next() == nil)
    }

    @Test func aFailureComesAfterTheQueuedMessages() async throws {
        struct Boom: Error {}
        let q = MessageQueue()
        q.yield(MessageBuffer(Array("a".utf8)))
        q.finish(throwing: Boom())
        q.finish()  // a second end changes nothing
        #expect(try await q.next().map { String(decoding: $0.bytes, as: UTF8.self) } == "a")
        await #expect(throws: Boom.self) { try await q.next() }
    }

    @Test func aWaitingConsumerIsWokenByEachMessage() async throws {
        let q = MessageQueue()
        let consumer = Task {
            var n = 0
            while try await q.next() != nil { n += 1 }
            return n
        }
        for i in 0..<1000 {
            q.yield(MessageBuffer(Array("\(i)".utf8)))
            if i % 100 == 0 { await Task.yield() }
        }
        q.finish()
        #expect(try await consumer.value == 1000)
    }

    @Test func cancellingAWaitingConsumerThrows() async throws {
        let q = MessageQueue()
        let consumer = Task { try await q.next() }
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        await #expect(throws: CancellationError.self) { try await consumer.value }
    }
}

@Suite("Calls from the client's event loop")
struct ConnectionExecutorTests {
    @Test func callsMadeOnTheConnectionsEventLoopWork() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            let (onLoop, replies) = try await client.withConnectionExecutor {
                var replies: [String] = []
                for i in 0..<50 {
                    let r: Blob = try await client.unary(Test.echo, Blob("ข่าว \(i)"))
                    replies.append(r.text)
                }
                return (MultiThreadedEventLoopGroup.currentEventLoop != nil, replies)
            }
            #expect(onLoop)
            #expect(replies == (0..<50).map { "ข่าว \($0)" })
            await client.close()
        }
    }

    /// A stream opened and fed from the event loop: its first MESSAGE must not overtake its
    /// HEADERS on the wire (the server would drop it as belonging to no call).
    @Test func streamingFromTheConnectionsEventLoopKeepsFrameOrder() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            for _ in 0..<20 {
                let total: Blob = try await client.withConnectionExecutor {
                    try await client.clientStreaming(Test.sum, options: CallOptions(timeout: .seconds(5))) { (sender: RequestSender<Blob>) in
                        for i in 1...100 { try await sender.send(Blob("\(i)")) }
                    }
                }
                #expect(total.text == "\(100 * 101 / 2)")
            }
            await client.close()
        }
    }
}
