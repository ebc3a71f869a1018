// ingest.proto and health.proto <-> IngestMessages.swift. Unknown enum values are `.invalidValue`.
internal import KhaosanModel
internal import CProtobufC
internal import CKhaosanProto

extension Khaosan__V1__IngestRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__ingest_request__init(m) } }
extension Khaosan__V1__IngestResult: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__ingest_result__init(m) } }
extension Khaosan__V1__SyncRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__sync_request__init(m) } }
extension Khaosan__V1__SyncResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__sync_response__init(m) } }
extension Khaosan__V1__IngestStatusRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__ingest_status_request__init(m) } }
extension Khaosan__V1__IngestStatusResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__ingest_status_response__init(m) } }
extension Khaosan__V1__HealthCheckRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__health_check_request__init(m) } }
extension Khaosan__V1__HealthCheckResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__health_check_response__init(m) } }

extension IngestRequest {
    init(c: borrowing Khaosan__V1__IngestRequest) throws(WireError) {
        switch c.item_case {
        case KHAOSAN__V1__INGEST_REQUEST__ITEM_RAW:
            guard let raw = c.raw else { throw WireError(code: .malformed, field: "raw", message: "oneof case set without a value") }
            do throws(WireError) {
                let (r, override) = try swiftRawRelease(raw.pointee)
                self = .raw(r, categoryOverride: override)
            } catch { throw error.under("raw") }
        case KHAOSAN__V1__INGEST_REQUEST__ITEM_RELEASE:
            self = .release(try swiftRelease(c.release, field: "release"))
        case KHAOSAN__V1__INGEST_REQUEST__ITEM__NOT_SET:
            throw WireError(code: .invalidValue, field: "item", message: "neither raw nor release is set")
        default:
            throw unknownEnum(c.item_case.rawValue, field: "item")
        }
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__IngestRequest>, _ arena: Arena) throws(WireError) {
        switch self {
        case .raw(let r, let override):
            m.pointee.item_case = KHAOSAN__V1__INGEST_REQUEST__ITEM_RAW
            m.pointee.raw = try cRawRelease(r, categoryOverride: override, arena, field: "raw")
        case .release(let r):
            m.pointee.item_case = KHAOSAN__V1__INGEST_REQUEST__ITEM_RELEASE
            m.pointee.release = try cRelease(r, arena, field: "release")
        }
    }

    var sizeHint: Int {
        switch self {
        case .raw(let r, _):
            switch r {
            case .thaigovFile(_, let b), .structuredJSON(_, let b): b.count + 512
            }
        case .release(let r): approximateSize(r)
        }
    }
}

extension IngestResult {
    init(c: borrowing Khaosan__V1__IngestResult) throws(WireError) {
        let status: Status
        switch c.status {
        case KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_UNSPECIFIED: status = .unspecified
        case KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_ACCEPTED: status = .accepted
        case KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_DUPLICATE: status = .duplicate
        case KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_UPDATED: status = .updated
        case KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_REJECTED: status = .rejected
        default: throw unknownEnum(c.status.rawValue, field: "status")
        }
        var error: ReleaseError?
        if let e = c.error {
            do throws(WireError) { error = try swiftReleaseError(e.pointee) } catch let err { throw err.under("error") }
        }
        let notes = try swiftMessages(c.notes, count: c.n_notes, field: "notes") { (n) throws(WireError) in
            let e = try swiftReleaseError(n)
            return IngestNote(code: e.code.rawValue, field: e.field, message: e.message)
        }
        self.init(status: status, id: c.id, fileName: try swiftString(c.file_name, field: "file_name"), error: error, sequence: c.sequence, notes: notes)
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__IngestResult>, _ arena: Arena) throws(WireError) {
        switch status {
        case .unspecified: m.pointee.status = KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_UNSPECIFIED
        case .accepted: m.pointee.status = KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_ACCEPTED
        case .duplicate: m.pointee.status = KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_DUPLICATE
        case .updated: m.pointee.status = KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_UPDATED
        case .rejected: m.pointee.status = KHAOSAN__V1__INGEST_RESULT__STATUS__STATUS_REJECTED
        }
        m.pointee.id = id
        m.pointee.file_name = try arena.cString(fileName, field: "file_name")
        if let error { m.pointee.error = try cReleaseError(error, arena, field: "error") }
        m.pointee.sequence = sequence
        (m.pointee.n_notes, m.pointee.notes) = try cMessages(notes, arena: arena, field: "notes") { (nm: UnsafeMutablePointer<Khaosan__V1__ReleaseErrorInfo>, n) throws(WireError) in
            nm.pointee = try cReleaseError(ReleaseError(code: .init(rawValue: n.code), field: n.field, message: n.message), arena, field: "").pointee
        }
    }
}

extension SyncRequest {
    init(c: borrowing Khaosan__V1__SyncRequest) throws(WireError) { self.init() }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__SyncRequest>, _ arena: Arena) throws(WireError) {}
}

extension SyncResponse {
    init(c: borrowing Khaosan__V1__SyncResponse) throws(WireError) { self.init(appliedSequence: c.applied_sequence) }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__SyncResponse>, _ arena: Arena) throws(WireError) {
        m.pointee.applied_sequence = appliedSequence
    }
}

extension IngestStatusRequest {
    init(c: borrowing Khaosan__V1__IngestStatusRequest) throws(WireError) { self.init() }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__IngestStatusRequest>, _ arena: Arena) throws(WireError) {}
}

extension IngestStatusResponse {
    init(c: borrowing Khaosan__V1__IngestStatusResponse) throws(WireError) {
        self.init(
            version: try swiftString(c.version, field: "version"),
            protobufCVersion: try swiftString(c.protobuf_c_version, field: "protobuf_c_version"),
            journalBytes: c.journal_bytes, journalSegments: c.journal_segments, lastSequence: c.last_sequence,
            forwardedSequence: c.forwarded_sequence, lag: c.lag, queryReachable: c.query_reachable != 0,
            acceptedTotal: c.accepted_total, duplicateTotal: c.duplicate_total, updatedTotal: c.updated_total,
            rejectedTotal: c.rejected_total,
            lastForwardError: try optionalString(c.last_forward_error, field: "last_forward_error"),
            deadLetterTotal: c.dead_letter_total,
            lastDeadLetter: try optionalString(c.last_dead_letter, field: "last_dead_letter")
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__IngestStatusResponse>, _ arena: Arena) throws(WireError) {
        m.pointee.version = try arena.cString(version, field: "version")
        m.pointee.protobuf_c_version = try arena.cString(protobufCVersion, field: "protobuf_c_version")
        m.pointee.journal_bytes = journalBytes
        m.pointee.journal_segments = journalSegments
        m.pointee.last_sequence = lastSequence
        m.pointee.forwarded_sequence = forwardedSequence
        m.pointee.lag = lag
        m.pointee.query_reachable = cBool(queryReachable)
        m.pointee.accepted_total = acceptedTotal
        m.pointee.duplicate_total = duplicateTotal
        m.pointee.updated_total = updatedTotal
        m.pointee.rejected_total = rejectedTotal
        if let lastForwardError { m.pointee.last_forward_error = try arena.cString(lastForwardError, field: "last_forward_error") }
        m.pointee.dead_letter_total = deadLetterTotal
        if let lastDeadLetter { m.pointee.last_dead_letter = try arena.cString(lastDeadLetter, field: "last_dead_letter") }
    }
}

extension HealthCheckRequest {
    init(c: borrowing Khaosan__V1__HealthCheckRequest) throws(WireError) {
        self.init(service: try swiftString(c.service, field: "service"))
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__HealthCheckRequest>, _ arena: Arena) throws(WireError) {
        m.pointee.service = try arena.cString(service, field: "service")
    }
}

extension HealthCheckResponse {
    init(c: borrowing Khaosan__V1__HealthCheckResponse) throws(WireError) {
        switch c.status {
        case KHAOSAN__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__UNKNOWN: self.init(status: .unknown)
        case KHAOSAN__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING: self.init(status: .serving)
        case KHAOSAN__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING: self.init(status: .notServing)
        case KHAOSAN__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN: self.init(status: .serviceUnknown)
        default: throw unknownEnum(c.status.rawValue, field: "status")
        }
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__HealthCheckResponse>, _ arena: Arena) throws(WireError) {
        switch status {
        case .unknown: m.pointee.status = KHAOSAN__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__UNKNOWN
        case .serving: m.pointee.status = KHAOSAN__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
        case .notServing: m.pointee.status = KHAOSAN__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING
        case .serviceUnknown: m.pointee.status = KHAOSAN__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN
        }
    }
}
