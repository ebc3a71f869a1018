// ReleaseErrorInfo <-> KhaosanModel.ReleaseError ([swift: ReleaseError, hand-mapped] in
// release.proto): the code is a typed string, field "" is nil, and the line is an Int? with 0 as
// nil, positive and within int32 both ways. The rest of its bridge is in Generated/.
internal import KhaosanModel
internal import CProtobufC
internal import CKhaosanProto

extension ReleaseError {
    init(c: borrowing Khaosan__V1__ReleaseErrorInfo) throws(WireError) {
        self.init(
            code: ReleaseError.Code(rawValue: try swiftString(c.code, field: "code")),
            field: try optionalString(c.field, field: "field"),
            line: try lineNumber(c.line),
            message: try swiftString(c.message, field: "message")
        )
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__ReleaseErrorInfo>, _ arena: Arena) throws(WireError) {
        m.pointee.code = try arena.cString(code.rawValue, field: "code")
        if let field { m.pointee.field = try arena.cString(field, field: "field") }
        if let line {
            guard let l = Int32(exactly: line), l > 0 else {
                throw WireError(code: .invalidValue, field: "line", message: "line \(line) is not in 1...\(Int32.max)")
            }
            m.pointee.line = l
        }
        m.pointee.message = try arena.cString(message, field: "message")
    }

    var wireSizeHint: Int {
        MemoryLayout<Khaosan__V1__ReleaseErrorInfo>.stride + code.rawValue.utf8.count + (field?.utf8.count ?? 0) + message.utf8.count + 3
    }
}

private func lineNumber(_ l: Int32) throws(WireError) -> Int? {
    guard l >= 0 else { throw WireError(code: .invalidValue, field: "line", message: "negative line \(l)") }
    return l == 0 ? nil : Int(l)
}
