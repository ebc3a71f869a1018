import KhaosanModel
import KhaosanThai

/// One `person:"..."`, `org:"..."` or `place:"..."` of a query: the phrases that narrow the
/// candidates through the index (any of them must occur), and the key the stored typed names
/// are checked against.
struct EntityFilter: Sendable, Hashable {
    var kind: Entity.Kind
    /// Normalised as search text: a person without the titles, a place by its canonical name.
    var key: String
    var phrases: [String]

    /// `places`: a place's spelling → its canonical name and every spelling of it (the store
    /// passes the gazetteer's; nil: the name as typed).
    init(kind: Entity.Kind, typed: String, position: Int,
         places: (@Sendable (String) -> (name: String, spellings: [String])?)?) throws(QuerySyntaxError) {
        self.kind = kind
        switch kind {
        case .person:
            let bare = Entity.strippingTitle(typed)
            key = Self.normalised(bare)
            phrases = [bare]
        case .organisation:
            key = Self.normalised(typed)
            phrases = [typed]
        case .place:
            if let places {
                guard let p = places(typed) else {
                    throw QuerySyntaxError(message: "place:\"\(typed)\" is not a Thai province or a country the name extractor knows", position: position)
                }
                key = Self.normalised(p.name)
                phrases = p.spellings
            } else {
                key = Self.normalised(typed)
                phrases = [typed]
            }
        }
    }

    /// Whether a stored name (its key) is the one asked for. A person matches by the whole name
    /// or by the given or family name alone (`person:"อนุทิน"`); the others by the whole name.
    func matches(_ kind: Entity.Kind, _ stored: String) -> Bool {
        guard kind == self.kind else { return false }
        if stored == key { return true }
        guard kind == .person, !key.contains(" ") else { return false }
        return stored.hasPrefix(key + " ") || stored.hasSuffix(" " + key)
    }

    static func key(_ e: Entity) -> String {
        e.kind == .person ? normalised(Entity.strippingTitle(e.name)) : normalised(e.name)
    }

    static func normalised(_ s: String) -> String {
        String(String.UnicodeScalarView(SearchText.scalars(s).compactMap(Unicode.Scalar.init)))
    }
}
